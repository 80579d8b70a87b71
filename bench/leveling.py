#!/usr/bin/env python
"""Resource leveling of the demo organisation's pools, end to end: the time a run takes and what it moves.

Loads the demo into a scratch SQLite database, then levels every resource pool (the projects sharing
it, as their resource manager) in each mode and prints, per pool and mode: projects, tasks handed to
the engine, resources, the seconds the whole run takes (two rolled-back recomputations of the schedules
around the engine) and the engine's own share, the tasks delayed and the latest project finish before
and after. Nothing is applied.

    .venv/bin/python bench/leveling.py [--time-limit 10] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run(time_limit: int) -> dict[str, Any]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0, stdout=io.StringIO())
    from keel.orgs.models import User
    from keel.resources import leveling
    from keel.resources.models import ResourcePool

    raj = User.objects.get(username="raj")
    rows = []
    for pool in ResourcePool.objects.order_by("code"):
        for mode in ("heuristic", "optimal"):
            run = leveling.leveling_run_create(actor=raj, pool=pool, mode=mode, time_limit=time_limit)
            started = time.perf_counter()
            done = leveling.leveling_run_execute(run_id=run.pk)
            seconds = time.perf_counter() - started
            assert done is not None
            result = done.result
            if done.status != "done":
                rows.append({"pool": pool.code, "mode": mode, "status": done.status, "message": done.message})
                continue
            finishes = [(p["finish_before"], p["finish_after"]) for p in result["projects"]]
            rows.append(
                {
                    "pool": pool.code,
                    "mode": mode,
                    "status": done.status,
                    "projects": len(result["projects"]),
                    "tasks": result["engine"]["activities"],
                    "resources": result["resources"],
                    "seconds": round(seconds, 2),
                    "engine_seconds": result["engine"]["seconds"],
                    "delayed": sum(1 for t in result["tasks"] if t["delay_minutes"]),
                    "latest_finish_before": max(f[0] for f in finishes if f[0])[:10],
                    "latest_finish_after": max(f[1] for f in finishes if f[1])[:10],
                    "proven_optimal": done.proven_optimal,
                }
            )
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "time_limit": time_limit,
        "runs": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=int, default=10, help="seconds for the optimizing mode")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")
        results = run(args.time_limit)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"Leveling the demo pools: Python {results['python']}, {results['cpus']} CPUs")
    print(
        f"{'pool':<10}{'mode':<11}{'projects':>9}{'tasks':>7}{'res.':>6}{'run s':>8}{'engine s':>10}"
        f"{'delayed':>9}  latest finish before → after"
    )
    for row in results["runs"]:
        if row["status"] != "done":
            print(f"{row['pool']:<10}{row['mode']:<11} {row['status']}: {row['message']}")
            continue
        print(
            f"{row['pool']:<10}{row['mode']:<11}{row['projects']:>9}{row['tasks']:>7}{row['resources']:>6}"
            f"{row['seconds']:>8.2f}{row['engine_seconds']:>10.2f}{row['delayed']:>9}  "
            f"{row['latest_finish_before']} → {row['latest_finish_after']}"
            f"{' (proven optimal)' if row['proven_optimal'] else ''}"
        )


if __name__ == "__main__":
    main()
