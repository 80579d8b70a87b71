#!/usr/bin/env python
"""Time Keel's CPM engine on generated networks, against a bare topological sort of the same graph.

For each size it generates a reproducible network (seeded): a WBS with a summary task per 25 tasks,
durations of 0 (milestones) to 20 days, about two links per task of mixed types (FS, SS, FF, SF)
with lags, leads and percentage lags, a project calendar with holidays and a recurring day off,
a second calendar for one task in ten, and a few SNET/FNLT/MSO constraints and deadlines. It times
``keel.engines.cpm.schedule`` (calendar mapping, validation, both passes, floats and the conversion
back to datetimes) and, on the same graph, ``graphlib.TopologicalSorter.static_order`` — the bare
cost of ordering the tasks in Python — and prints both with their ratio (median of the runs; the
engine's process CPU time too, steadier than wall time on a shared machine).

    .venv/bin/python bench/cpm.py [--sizes 2000,10000,20000] [--links-per-task 2] [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import graphlib
import json
import platform
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keel.engines.calendars import (  # noqa: E402
    Calendar,
    CalendarException,
    Recurrence,
    RecurrenceKind,
    standard_calendar,
)
from keel.engines.cpm import ConstraintType, LagUnit, Link, LinkType, Project, Task, schedule  # noqa: E402

DAY = 480
LAYERS = 80
START = datetime.fromisoformat("2025-01-06 08:00")


def project_calendar() -> Calendar:
    """Standard week, twenty years of fixed holidays and every other Friday off."""
    holidays = frozenset(
        date(year, month, day)
        for year in range(2025, 2045)
        for month, day in ((1, 1), (5, 1), (12, 25), (12, 26))
    )
    fridays = CalendarException(
        start=date(2025, 1, 10),
        recurrence=Recurrence(RecurrenceKind.WEEKLY, period=2, weekdays=frozenset({4})),
        name="every other Friday",
    )
    base = standard_calendar("project")
    return Calendar(id="project", week=base.week, holidays=holidays, exceptions=(fridays,), name="Project")


def generate(size: int, links_per_task: float, seed: int) -> Project:
    """A random network of ``size`` leaf tasks (plus summaries) and about ``links_per_task`` links each."""
    rng = random.Random(seed)
    tasks: list[Task] = []
    leaf_ids: list[str] = []
    summary = ""
    for i in range(size):
        if i % 25 == 0:
            summary = f"S{i // 25}"
            tasks.append(Task(id=summary, name=f"Phase {i // 25}"))
        duration = 0 if rng.random() < 0.05 else rng.randint(1, 20) * DAY // rng.choice((1, 2, 4))
        # Dates near where the task's layer lands (about two weeks a layer), so most constraints and
        # deadlines can be met and a few cannot, as in a real plan.
        around = START + timedelta(days=14 * (i * LAYERS // size))
        constraint, when, deadline = ConstraintType.ASAP, None, None
        roll = rng.random()
        if roll < 0.03:
            constraint, when = ConstraintType.SNET, around + timedelta(days=rng.randint(-30, 60))
        elif roll < 0.04:
            constraint, when = ConstraintType.FNLT, around + timedelta(days=rng.randint(60, 400))
        elif roll < 0.045:
            constraint, when = ConstraintType.MSO, around + timedelta(days=rng.randint(30, 120))
        elif roll < 0.06:
            deadline = around + timedelta(days=rng.randint(30, 400))
        task_id = f"T{i}"
        leaf_ids.append(task_id)
        tasks.append(
            Task(
                id=task_id,
                duration=duration,
                parent_id=summary,
                constraint=constraint,
                constraint_date=when,
                deadline=deadline,
                calendar_id="crew" if rng.random() < 0.1 else None,
            )
        )
    # Tasks fall into LAYERS consecutive layers; a link goes from one of the three layers before a
    # task's own to it, so the network is wide and about LAYERS tasks deep, like a real plan.
    layer_start = [size * layer // LAYERS for layer in range(LAYERS + 1)]
    links: list[Link] = []
    seen: set[tuple[int, int]] = set()
    target = int(size * links_per_task)
    while len(links) < target and size >= LAYERS:
        successor = rng.randint(layer_start[1], size - 1)
        layer = successor * LAYERS // size
        low = layer_start[max(0, layer - 3)]
        predecessor = rng.randint(low, layer_start[layer] - 1)
        if (predecessor, successor) in seen:
            continue
        seen.add((predecessor, successor))
        link_type = rng.choices(list(LinkType), weights=(70, 10, 10, 10))[0]
        unit = LagUnit.PERCENT if rng.random() < 0.05 else LagUnit.WORKING
        lag = (
            rng.randint(-25, 50)
            if unit is LagUnit.PERCENT
            else rng.choice((0, 0, 0, DAY, 2 * DAY, -DAY, 240))
        )
        links.append(Link(leaf_ids[predecessor], leaf_ids[successor], link_type, lag, unit))
    crew = Calendar(id="crew", week=(((420, 720), (750, 1050)),) * 4 + ((), (), ()), name="Four tens")
    return Project(
        start=START,
        calendar_id="project",
        calendars=(project_calendar(), crew),
        tasks=tuple(tasks),
        links=tuple(links),
    )


def time_topological_sort(project: Project) -> float:
    """Seconds for graphlib to order the same tasks and links."""
    began = time.perf_counter()
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for task in project.tasks:
        sorter.add(task.id)
    for link in project.links:
        sorter.add(link.successor_id, link.predecessor_id)
    list(sorter.static_order())
    return time.perf_counter() - began


def time_schedule(project: Project) -> tuple[float, float, dict[str, object]]:
    """Wall and CPU seconds for the engine to schedule the project, and a summary of the schedule."""
    began, began_cpu = time.perf_counter(), time.process_time()
    result = schedule(project)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    leaves = [t for t in result.tasks.values() if not t.summary]
    return (
        elapsed,
        cpu,
        {
            "finish": result.finish.date().isoformat(),
            "critical": sum(1 for t in leaves if t.critical),
            "flagged": sum(1 for t in leaves if t.violations),
        },
    )


def main() -> int:
    """Run the benchmark and print a table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000,20000")
    parser.add_argument("--links-per-task", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        project = generate(size, args.links_per_task, args.seed)
        sort_times = [time_topological_sort(project) for _ in range(args.runs)]
        runs = [time_schedule(project) for _ in range(args.runs)]
        cpm = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        sort = statistics.median(sort_times)
        rows.append(
            {
                "leaf_tasks": size,
                "tasks": len(project.tasks),
                "links": len(project.links),
                **runs[0][2],
                "schedule_s": round(cpm, 3),
                "schedule_cpu_s": round(cpu, 3),
                "graphlib_s": round(sort, 4),
                "ratio": round(cpm / sort, 1),
            }
        )
    if args.json:
        print(json.dumps({"python": platform.python_version(), "results": rows}, indent=2))
        return 0
    print(f"Python {platform.python_version()}, median of {args.runs} runs")
    header = (
        "leaf tasks",
        "tasks",
        "links",
        "finish",
        "critical",
        "flagged",
        "schedule s",
        "CPU s",
        "graphlib s",
        "ratio",
    )
    print(" | ".join(header))
    for row in rows:
        print(
            f"{row['leaf_tasks']} | {row['tasks']} | {row['links']} | {row['finish']} | {row['critical']} | "
            f"{row['flagged']} | {row['schedule_s']:.3f} | {row['schedule_cpu_s']:.3f} | {row['graphlib_s']:.4f} | "
            f"{row['ratio']:.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
