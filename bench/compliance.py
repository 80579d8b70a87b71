#!/usr/bin/env python
"""SQL queries and time of the compliance page and API as the project register grows.

Loads `keel demo --projects 40`, then `keel demo --reset --projects 2000`, on a scratch database (a
temporary SQLite file; a scratch PostgreSQL database, created and dropped, when DATABASE_URL names a
PostgreSQL server); `keel demo` includes the compliance demo (the central PMO's settings and one
waived missing baseline). For each size it renders the compliance page "/compliance/", its Excel
export and the API's first page of gaps and unit roll-up as the central PMO administrator (dana),
counts the SQL queries and times them (median of several runs), and reports how many projects were
checked and gaps found. It prints a table (or JSON with --json) and exits non-zero when a query
count grows with the register.

    .venv/bin/python bench/compliance.py [--runs 5] [--sizes 40,2000] [--json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keel_compliance .venv/bin/python bench/compliance.py
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from _scratch import load_demo, measure, prepare, scratch_database

TARGETS = (
    ("page", "/compliance/"),
    ("export", "/compliance/export/"),
    ("api gaps", "/api/v1/compliance/gaps"),
    ("api units", "/api/v1/compliance/units"),
)


def run(sizes: list[int], runs: int) -> dict[str, Any]:
    """Load each size of demo and measure every target."""
    database = prepare()
    from django.test import Client

    from keel.compliance import checks, selectors
    from keel.orgs.models import User

    results: dict[str, Any] = {
        **database,
        "runs": runs,
        "user": "dana (central PMO administrator)",
        "checks": [c.kind for c in checks.available_checks()],
        "demo_load_s": {},
        "sizes": {},
        "rows": [],
    }
    for size in sizes:
        started = time.perf_counter()
        load_demo(size)  # with the compliance demo
        results["demo_load_s"][size] = round(time.perf_counter() - started, 2)
        dana = User.objects.get(username="dana")
        found = selectors.compliance_for_user(dana)
        results["sizes"][size] = {
            "checked": len(found.projects),
            "gaps": len(found.gaps),
            "waived": len(found.waived),
            "per_kind": {k: sum(1 for g in found.gaps if g.kind == k) for k in checks.REGISTRY},
        }
        client = Client()
        client.force_login(dana)
        for name, path in TARGETS:
            results["rows"].append(
                {"target": name, "path": path, "projects": size, **measure(client, path, runs)}
            )
    counts: dict[str, set[int]] = {}
    for row in results["rows"]:
        counts.setdefault(row["path"], set()).add(row["queries"])
    results["constant_queries"] = all(len(values) == 1 for values in counts.values())
    return results


def print_table(results: dict[str, Any]) -> None:
    """Print the results for people."""
    print(
        f"Compliance as {results['user']}: {results['database']} {results['database_version']}, "
        f"Python {results['python']}, {results['cpus']} CPUs, median of {results['runs']} runs; "
        f"checks: {', '.join(results['checks'])}"
    )
    print(f"{'target':<11}{'projects':>9}{'queries':>9}{'median ms':>11}")
    for row in results["rows"]:
        print(f"{row['target']:<11}{row['projects']:>9}{row['queries']:>9}{row['median_ms']:>11.1f}")
    for size, found in results["sizes"].items():
        kinds = ", ".join(f"{k} {n}" for k, n in found["per_kind"].items())
        print(
            f"{size} projects: {found['checked']} checked, {found['gaps']} gaps ({kinds}), {found['waived']} waived"
        )
    loads = ", ".join(f"{size} projects {seconds:.1f} s" for size, seconds in results["demo_load_s"].items())
    print(f"keel demo --reset and the compliance demo: {loads}")
    verdict = "yes" if results["constant_queries"] else "NO: a query count grows with the register"
    print(f"Query counts equal for every size: {verdict}")


def main() -> int:
    """Parse the arguments, set up the scratch database, run and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", type=int, default=5, help="timed requests per target (default: %(default)s)"
    )
    parser.add_argument("--sizes", default="40,2000", help="register sizes to load (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    with scratch_database("keel_bench_compliance"):
        results = run(sizes, args.runs)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results)
    return 0 if results["constant_queries"] else 1


if __name__ == "__main__":
    sys.exit(main())
