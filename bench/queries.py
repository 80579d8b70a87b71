#!/usr/bin/env python
"""SQL queries and render time of Keel's hot pages as the project register grows.

Loads `keel demo --projects 40`, then `keel demo --reset --projects 2000`, on a scratch database
(a temporary SQLite file; a scratch PostgreSQL database, created and dropped, when DATABASE_URL
names a PostgreSQL server). For each size it renders the home dashboard "/" and the first page
of the project register "/projects/" server-side as the central PMO administrator (dana) with
Django's test client, counts the SQL queries and times the renders (median of several runs).
It prints a table (or JSON with --json) and exits non-zero when a page's query count grows
with the register.

    .venv/bin/python bench/queries.py [--runs 7] [--sizes 40,2000] [--json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keel .venv/bin/python bench/queries.py
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
PAGES = (("home", "home"), ("register", "portfolio:project_list"))


def scratch_postgres(url: str) -> tuple[str, str]:
    """Create a scratch database on the server of `url`; returns its URL and the maintenance URL."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"keel_bench_{os.getpid()}"
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
    """Render `path` once to warm up, then `runs` times; queries of the last run, median time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}; the bench needs the page to render.")
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return {"queries": len(queries.captured_queries), "median_ms": round(statistics.median(timings), 1)}


def run(sizes: list[int], runs: int) -> dict[str, Any]:
    """Load each size of demo and measure every page."""
    import django
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    django.setup()
    call_command("migrate", verbosity=0)
    from keel.orgs.models import User

    pages = []
    for name, url_name in PAGES:
        try:
            pages.append((name, reverse(url_name)))
        except NoReverseMatch:
            print(f"skipping {name}: no URL named {url_name!r} yet", file=sys.stderr)
    if not pages:
        raise SystemExit("None of the benchmarked pages exists yet.")
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
        "demo_load_s": {},
        "pages": [],
    }
    for size in sizes:
        started = time.perf_counter()
        call_command("demo", "--reset", "--projects", str(size), verbosity=0, stdout=io.StringIO())
        results["demo_load_s"][size] = round(time.perf_counter() - started, 2)
        client = Client()
        client.force_login(User.objects.get(username="dana"))
        for name, path in pages:
            results["pages"].append(
                {"page": path, "name": name, "projects": size, **measure(client, path, runs)}
            )
    counts = {}
    for row in results["pages"]:
        counts.setdefault(row["page"], set()).add(row["queries"])
    results["constant_queries"] = all(len(values) == 1 for values in counts.values())
    return results


def print_table(results: dict[str, Any]) -> None:
    """Print the results for people."""
    print(
        f"Keel page renders as {results['user']}: {results['database']} {results['database_version']}, "
        f"Python {results['python']}, {results['cpus']} CPUs, median of {results['runs']} runs"
    )
    print(f"{'page':<14}{'projects':>9}{'queries':>9}{'median ms':>11}")
    for row in results["pages"]:
        print(f"{row['page']:<14}{row['projects']:>9}{row['queries']:>9}{row['median_ms']:>11.1f}")
    loads = ", ".join(f"{size} projects {seconds:.1f} s" for size, seconds in results["demo_load_s"].items())
    print(f"keel demo --reset: {loads}")
    verdict = "yes" if results["constant_queries"] else "NO: a page's query count grows with the register"
    print(f"Query counts equal for every size: {verdict}")


def main() -> int:
    """Parse the arguments, set up the scratch database, run and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed renders per page (default: %(default)s)")
    parser.add_argument("--sizes", default="40,2000", help="register sizes to load (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")
    scratch = tempfile.TemporaryDirectory(prefix="keel-bench-")
    os.environ["KEEL_VAR_DIR"] = scratch.name  # secret key and static root stay in the scratch space
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
