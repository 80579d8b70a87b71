#!/usr/bin/env python
"""Time to import and to export the largest sample project file, the JVM's start counted apart.

On a scratch database (a temporary SQLite file; a scratch PostgreSQL database, created and dropped,
when DATABASE_URL names a PostgreSQL server) with the demo organisation loaded, it times, in one
process:

* starting the JVM with MPXJ (once per process; every later read and write reuses it);
* reading the file through MPXJ into Keel's dataclasses (``read_project``), and rescheduling it with
  Keel's engine as `keel schedule` does;
* importing it as a new project (``project_import``: read, then one transaction creating the project,
  its calendars, tasks, links and baselines, and computing the schedule);
* exporting that project as MSPDI, XER and P6 XML (``project_export``).

The first read after the JVM starts runs on cold (not yet compiled) Java code and is shown apart;
the other figures are the median of the runs. The file is the largest project file in DIR (default
../shared/data beside the repository).

    .venv/bin/python bench/interchange.py [DIR] [--runs 5] [--json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keel .venv/bin/python bench/interchange.py
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from queries import drop_postgres, scratch_postgres  # noqa: E402 - the same scratch database helpers

DEFAULT_DIR = ROOT.parent / "shared" / "data"
PROJECT_SUFFIXES = (".xml", ".mpp", ".xer", ".gan", ".mpx", ".planner")


def largest_file(folder: Path) -> Path:
    """The largest project file under a folder."""
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in PROJECT_SUFFIXES]
    if not files:
        raise SystemExit(f"no project file under {folder}")
    return max(files, key=lambda p: p.stat().st_size)


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds an action took, and what it returned."""
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def median_ms(action: Callable[[int], Any], runs: int) -> float:
    """Median wall time of `runs` calls, in milliseconds (the call gets the run's number)."""
    return round(statistics.median(timed(lambda n=n: action(n))[0] * 1000 for n in range(runs)), 1)


def run(path: Path, runs: int, out: Path) -> dict[str, Any]:
    """Load the demo organisation, then time the JVM, reading, importing and exporting."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from keel.engines.cpm import schedule
    from keel.interchange import mpxj
    from keel.interchange.model import to_engine
    from keel.orgs.models import OrgUnit, User
    from keel.schedule import importing

    call_command("migrate", verbosity=0)
    call_command("demo", "--projects", "40", verbosity=0, stdout=io.StringIO())
    user = User.objects.get(username="dana")
    unit = OrgUnit.objects.get(parent__isnull=True)

    jvm_s, _ = timed(mpxj.java)
    first_read_s, project = timed(lambda: mpxj.read_project(path))
    results: dict[str, Any] = {
        "file": path.name,
        "file_kb": round(path.stat().st_size / 1024),
        "tasks": len(project.tasks),
        "links": len(project.links),
        "calendars": len(project.calendars),
        "database": connection.vendor,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "runs": runs,
        "jvm_start_ms": round(jvm_s * 1000, 1),
        "first_read_ms": round(first_read_s * 1000, 1),
        "read_ms": median_ms(lambda n: mpxj.read_project(path), runs),
        "schedule_ms": median_ms(lambda n: schedule(to_engine(project)), runs),
    }
    imported = []
    database_s: list[float] = []

    def import_once(number: int) -> None:
        marks: dict[str, float] = {}

        def progress(stage: str) -> None:
            marks[stage.split(" ", 1)[0]] = time.perf_counter()

        summary = importing.project_import(
            actor=user, path=path, org_unit=unit, code=f"BENCH-{number}", progress=progress
        )
        # From the end of reading ("Read N tasks ...") to the commit ("Done").
        database_s.append(marks["Done"] - marks["Read"])
        imported.append(summary.project)

    results["import_ms"] = median_ms(import_once, runs)
    results["import_database_ms"] = round(statistics.median(database_s) * 1000, 1)
    target = imported[-1]
    results["export"] = {}
    for file_format, (_, suffix, description) in mpxj.FORMATS.items():
        written = out / f"bench-{file_format}{suffix}"
        elapsed = median_ms(
            lambda n, f=file_format, w=written: importing.project_export(
                user=user, project=target, path=w, format=f
            ),
            runs,
        )
        results["export"][file_format] = {
            "format": description,
            "ms": elapsed,
            "kb": round(written.stat().st_size / 1024),
        }
    return results


def print_table(results: dict[str, Any]) -> None:
    """The figures for people."""
    print(
        f"{results['file']} ({results['file_kb']} KB: {results['tasks']} tasks, {results['links']} links, "
        f"{results['calendars']} calendars) on {results['database']}, Python {results['python']}, "
        f"{results['cpus']} CPUs, median of {results['runs']} runs"
    )
    rows = [
        ("JVM start with MPXJ (once per process)", results["jvm_start_ms"]),
        ("first read after the JVM starts (cold Java code)", results["first_read_ms"]),
        ("read through MPXJ into Keel's dataclasses", results["read_ms"]),
        ("reschedule with Keel's engine (keel schedule)", results["schedule_ms"]),
        ("import as a new project (read + one transaction)", results["import_ms"]),
        ("  of which writing and scheduling (one transaction)", results["import_database_ms"]),
    ]
    rows += [
        (f"export as {item['format']} ({item['kb']} KB)", item["ms"]) for item in results["export"].values()
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value:>9.1f} ms")


def main() -> int:
    """Parse the arguments, set up the scratch database, run and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR, help="Folder of sample files.")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per step (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    path = largest_file(args.dir)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")
    scratch = tempfile.TemporaryDirectory(prefix="keel-bench-")
    os.environ["KEEL_VAR_DIR"] = scratch.name  # secret key, static root and media stay in the scratch space
    Path(scratch.name, "static").mkdir()
    url = os.environ.get("DATABASE_URL", "")
    postgres = None
    if url.startswith(("postgres://", "postgresql://")):
        postgres = scratch_postgres(url)
        os.environ["DATABASE_URL"] = postgres[0]
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(scratch.name) / 'bench.sqlite3'}"
    try:
        results = run(path, args.runs, Path(scratch.name))
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
