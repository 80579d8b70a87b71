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
import json
import sys
import time
from typing import Any

from _scratch import drop_postgres, load_demo, measure, prepare, scratch_database, scratch_postgres

__all__ = ["drop_postgres", "scratch_postgres"]  # bench/interchange.py takes them from here

PAGES = (("home", "home"), ("register", "portfolio:project_list"))


def run(sizes: list[int], runs: int) -> dict[str, Any]:
    """Load each size of demo and measure every page."""
    database = prepare()
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from keel.orgs.models import User

    pages = []
    for name, url_name in PAGES:
        try:
            pages.append((name, reverse(url_name)))
        except NoReverseMatch:
            print(f"skipping {name}: no URL named {url_name!r} yet", file=sys.stderr)
    if not pages:
        raise SystemExit("None of the benchmarked pages exists yet.")
    results: dict[str, Any] = {
        **database,
        "runs": runs,
        "user": "dana (central PMO administrator)",
        "demo_load_s": {},
        "pages": [],
    }
    for size in sizes:
        started = time.perf_counter()
        load_demo(size)
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

    with scratch_database("keel_bench"):
        results = run(sizes, args.runs)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results)
    return 0 if results["constant_queries"] else 1


if __name__ == "__main__":
    sys.exit(main())
