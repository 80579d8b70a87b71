#!/usr/bin/env python
"""SQL queries and time of the compliance page and API as the project register grows.

Loads `keel demo --projects 40`, then `keel demo --reset --projects 2000`, on a scratch database (a
temporary SQLite file; a scratch PostgreSQL database, created and dropped, when DATABASE_URL names a
PostgreSQL server), then the compliance demo (`keel.compliance.demo.load` over the register). For each
size it renders the compliance page "/compliance/", its Excel export and the API's first page of
gaps and unit roll-up as the central PMO administrator (dana), counts the SQL queries and times them
(median of several runs), and reports how many projects were checked and gaps found. It prints a
table (or JSON with --json) and exits non-zero when a query count grows with the register.

    .venv/bin/python bench/compliance.py [--runs 5] [--sizes 40,2000] [--json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keel_compliance .venv/bin/python bench/compliance.py
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TARGETS = (
    ("page", "/compliance/"),
    ("export", "/compliance/export/"),
    ("api gaps", "/api/v1/compliance/gaps"),
    ("api units", "/api/v1/compliance/units"),
)


def scratch_postgres(url: str) -> tuple[str, str]:
    """Create a scratch database on the server of `url`; returns its URL and the maintenance URL."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"keel_bench_compliance_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}")), admin_url


def drop_postgres(scratch_url: str, admin_url: str) -> None:
    """Drop the scratch database."""
    import psycopg
    from psycopg import sql

    name = urlsplit(scratch_url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def measure(client: Any, path: str, runs: int) -> dict[str, Any]:
    """Fetch `path` once to warm up, then `runs` times; queries of the last run, median time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}; the bench needs it to answer.")
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return {"queries": len(queries.captured_queries), "median_ms": round(statistics.median(timings), 1)}


def run(sizes: list[int], runs: int) -> dict[str, Any]:
    """Load each size of demo and measure every target."""
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    from django.test import Client
    from django.utils import timezone

    from keel.compliance import checks, demo, selectors
    from keel.orgs.models import User
    from keel.portfolio.models import Project

    if connection.vendor == "postgresql":
        number = connection.cursor().connection.info.server_version
        version = f"{number // 10000}.{number % 10000}"
    else:
        version = connection.Database.sqlite_version
    results: dict[str, Any] = {
        "database": connection.vendor,
        "database_version": version,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "runs": runs,
        "user": "dana (central PMO administrator)",
        "checks": [c.kind for c in checks.available_checks()],
        "demo_load_s": {},
        "sizes": {},
        "rows": [],
    }
    for size in sizes:
        started = time.perf_counter()
        call_command("demo", "--reset", "--projects", str(size), verbosity=0, stdout=io.StringIO())
        codes = list(Project.objects.order_by("code").values_list("code", flat=True)[:40])
        demo.load(today=timezone.localdate(), project_codes=codes)
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

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")
    scratch = tempfile.TemporaryDirectory(prefix="keel-bench-")
    os.environ["KEEL_VAR_DIR"] = scratch.name
    Path(scratch.name, "static").mkdir()
    url = os.environ.get("DATABASE_URL", "")
    postgres = None
    if url.startswith(("postgres://", "postgresql://")):
        postgres = scratch_postgres(url)
        os.environ["DATABASE_URL"] = postgres[0]
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(scratch.name) / 'bench.sqlite3'}"
    try:
        results = run(sizes, args.runs)
    finally:
        if postgres:
            from django.db import connections

            connections.close_all()
            drop_postgres(*postgres)
        scratch.cleanup()
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results)
    return 0 if results["constant_queries"] else 1


if __name__ == "__main__":
    sys.exit(main())
