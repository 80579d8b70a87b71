#!/usr/bin/env python
"""Server render time and payload of the Gantt page of a 2,000-task project.

On a scratch database (a temporary SQLite file; a scratch PostgreSQL database, created and dropped,
when DATABASE_URL names a PostgreSQL server) it builds a project whose schedule is a generated network
(see :func:`network`: summaries of 25 tasks, milestones, mixed link types with lags, an eight-hour
calendar with yearly holidays, a saved baseline and later slips against it, progress and a status date), then renders /projects/<id>/schedule/
server-side as the project's manager with Django's test client (one warm-up, then the median of
several runs, with and without the baseline shown), counting the SQL queries, and reports the size
of the page and of the chart's JSON document. The browser side (first draw, scrolling) is measured by
tests/e2e/test_gantt.py.

    .venv/bin/python bench/gantt.py [--tasks 2000] [--runs 7] [--json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keel .venv/bin/python bench/gantt.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import time
from typing import Any

GROUP = 25
"""Every 25th task is a summary of the 24 below it."""


def network(size: int, seed: int = 7) -> tuple[list[Any], list[Any]]:
    """A reproducible schedule of `size` tasks as keel.schedule.services TaskData and DependencyData.

    Summaries every 25 tasks; 4 % milestones; durations of 1 to 10 days; each leaf task follows one or
    two of the 40 tasks before it (70 % FS, 10 % each SS, FF, SF; one link in six with a lag or lead),
    so the plan runs about two years; the first tasks have progress.
    """
    from keel.schedule.services import DependencyData, TaskData

    rng = random.Random(seed)
    day = 480
    tasks: list[TaskData] = []
    leaves: list[int] = []
    parent = None
    for uid in range(1, size + 1):
        if (uid - 1) % GROUP == 0:
            parent = uid
            tasks.append(TaskData(uid=uid, name=f"Phase {(uid - 1) // GROUP + 1}"))
            continue
        milestone = rng.random() < 0.04
        tasks.append(
            TaskData(
                uid=uid,
                name=f"{'Milestone' if milestone else 'Task'} {uid}",
                parent_uid=parent,
                duration_minutes=0 if milestone else rng.randint(1, 10) * day,
                is_milestone=milestone,
                percent_complete=100 if uid < 40 else 50 if uid < 60 else 0,
            )
        )
        leaves.append(uid)
    links: list[DependencyData] = []
    for n, uid in enumerate(leaves[1:], start=1):
        window = leaves[max(0, n - 40) : n]
        for predecessor in rng.sample(window, k=min(len(window), rng.choice((1, 1, 2)))):
            kind = rng.choices(("FS", "SS", "FF", "SF"), weights=(70, 10, 10, 10))[0]
            lag = rng.choice((0, 0, 0, 0, 0, day, 2 * day, -day))
            links.append(DependencyData(predecessor, uid, type=kind, lag=lag))
    return tasks, links


def slipped(tasks: list[Any], seed: int = 11) -> list[Any]:
    """The same tasks with one in eight a few days longer (what happened after the baseline)."""
    from dataclasses import replace

    rng = random.Random(seed)
    return [
        replace(t, duration_minutes=t.duration_minutes + rng.randint(1, 4) * 480)
        if t.duration_minutes and rng.random() < 0.125
        else t
        for t in tasks
    ]


EIGHT_HOURS = [[["08:00", "12:00"], ["13:00", "17:00"]]] * 5 + [[], []]
HOLIDAYS = (("New Year", 1, 1), ("Labour Day", 5, 1), ("Christmas", 12, 25), ("Boxing Day", 12, 26))


def build(project: Any, actor: Any, size: int) -> None:
    """Write the generated schedule on an eight-hour calendar with yearly holidays, save it as the
    baseline, then let some tasks slip."""
    from keel.orgs import services as org_services
    from keel.schedule import services

    calendar = org_services.calendar_create(
        actor=actor,
        unit=project.org_unit,
        name=f"{project.code} eight hours",
        working_week=EIGHT_HOURS,
        exceptions=[
            {
                "name": name,
                "start_date": dt.date(2026, month, day),
                "end_date": dt.date(2026, month, day),
                "recurs_yearly": True,
            }
            for name, month, day in HOLIDAYS
        ],
    )
    tasks, links = network(size)
    start = dt.datetime(2026, 1, 5)  # noqa: DTZ001 - wall-clock time of the project's zone, as services take it
    services.schedule_replace(
        actor=actor,
        project=project,
        tasks=tasks,
        dependencies=links,
        calendar=calendar,
        start=start,
        status_date=None,
    )
    services.baseline_save(actor=actor, project=project, number=0, name="Approved plan")
    services.schedule_replace(
        actor=actor,
        project=project,
        tasks=slipped(tasks),
        dependencies=links,
        status_date=start + dt.timedelta(days=90),
    )


def measure(client: Any, path: str, runs: int) -> dict[str, Any]:
    """Render `path` once to warm up, then `runs` times (queries, median time), then once more for its sizes."""
    from _scratch import measure as scratch_measure

    timing = scratch_measure(client, path, runs)
    html = client.get(path).content
    data = re.search(rb'<script id="gantt-data" type="application/json">(.*?)</script>', html, re.S)
    assert data, "the page has no chart data"
    import gzip

    return {
        **timing,
        "page_kb": round(len(html) / 1024, 1),
        "json_kb": round(len(data.group(1)) / 1024, 1),
        "page_gzip_kb": round(len(gzip.compress(html)) / 1024, 1),
    }


def run(size: int, runs: int) -> dict[str, Any]:
    """Build the schedule and measure the page with and without its baseline."""
    from _scratch import prepare

    database = prepare()
    from django.test import Client
    from django.urls import reverse

    from keel.orgs import services as org_services
    from keel.orgs.models import OrgUnit, Role, User
    from keel.portfolio import services as portfolio_services
    from keel.schedule.models import Dependency, ProjectSchedule

    root = User.objects.create_superuser("bench-root", "root@bench.invalid", "bench-pw-1")
    unit = org_services.org_unit_create(
        actor=root, code="BENCH", name="Bench unit", kind=OrgUnit.Kind.DIVISION, parent=None, currency="EUR"
    )
    manager = org_services.user_create(
        actor=root, username="omar", email="omar@bench.invalid", unit=unit, role=Role.PROJECT_MANAGER
    )
    project = portfolio_services.project_create(
        actor=manager,
        org_unit=unit,
        code="G-2000",
        name="Generated schedule",
        planned_start=dt.date(2026, 1, 5),
    )
    started = time.perf_counter()
    build(project, manager, size)
    build_s = time.perf_counter() - started
    schedule = ProjectSchedule.objects.get(project=project)
    client = Client()
    client.force_login(manager)
    path = reverse("schedule:gantt", kwargs={"project_id": project.pk})
    return {
        **database,
        "runs": runs,
        "tasks": schedule.task_count,
        "links": Dependency.objects.filter(project=project).count(),
        "critical": schedule.critical_count,
        "span": f"{schedule.computed_start:%Y-%m-%d} to {schedule.computed_finish:%Y-%m-%d}",
        "build_s": round(build_s, 1),
        "pages": [
            {"page": "no baseline", **measure(client, path, runs)},
            {"page": "with baseline", **measure(client, path + "?baseline=0", runs)},
        ],
    }


def main() -> int:
    """Parse arguments, set up the scratch database, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    from _scratch import scratch_database  # imported here: tests/e2e/test_gantt.py imports bench.gantt

    with scratch_database("keel_bench_gantt"):
        results = run(args.tasks, args.runs)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        f"{results['tasks']} tasks, {results['links']} links, {results['critical']} critical, "
        f"{results['span']}; built in {results['build_s']} s on {results['database']} "
        f"{results['database_version']}, Python {results['python']}, {results['cpus']} CPUs"
    )
    print("| page | queries | server render, median ms | page KB | JSON KB | page gzipped KB |")
    print("|---|---|---|---|---|---|")
    for row in results["pages"]:
        print(
            f"| {row['page']} | {row['queries']} | {row['median_ms']} | {row['page_kb']} | "
            f"{row['json_kb']} | {row['page_gzip_kb']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
