#!/usr/bin/env python
"""Capacity vs demand over the 2,000-project demo: queries and time of the heatmap, roles, over-allocations.

On a scratch database (a temporary SQLite file; a scratch PostgreSQL database, created and dropped,
when DATABASE_URL names a PostgreSQL server) it loads `keel demo --projects 2000`, then, when the
demo holds fewer resources than asked, adds a reproducible resource layer (see :func:`staff`): a pool
per unit that runs projects, 2,000 people in 40 generic roles with skills, part-timers and leave, ten
scheduled tasks per project with one or two people assigned to each, and weekly allocations, some
still requested. It then times, as the central PMO administrator, the capacity selectors over a
52-week window of every resource, and the pages and API endpoints, counting the SQL queries (one
warm-up, then the median of several runs).

    .venv/bin/python bench/capacity.py [--projects 2000] [--resources 2000] [--weeks 52] [--runs 3] [--json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keel .venv/bin/python bench/capacity.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from typing import Any

from _scratch import prepare, scratch_database, timed

ROLES = 40
TASKS_PER_PROJECT = 10


def staff(resources: int, seed: int = 5) -> dict[str, int]:
    """Add pools, people, roles, skills, leave, tasks, assignments and allocations (bulk, reproducible)."""
    from django.db import transaction
    from django.utils import timezone

    from keel.orgs.models import OrgUnit
    from keel.portfolio.models import Project
    from keel.resources.models import (
        Allocation,
        Assignment,
        Resource,
        ResourceLeave,
        ResourcePool,
        ResourceSkill,
        Skill,
        monday,
    )
    from keel.schedule.models import Task

    rng = random.Random(seed)
    utc = dt.UTC
    today = timezone.localdate()
    projects = list(
        Project.objects.exclude(planned_start=None)
        .exclude(planned_finish=None)
        .values_list("pk", "org_unit_id", "planned_start", "planned_finish")
    )
    units = sorted({unit for _, unit, _, _ in projects})
    root = OrgUnit.objects.filter(parent=None).order_by("pk").first()
    with transaction.atomic():
        pools = {
            unit: ResourcePool.objects.create(code=f"BP-{unit}", name=f"Bench pool {unit}", org_unit_id=unit)
            for unit in units
        }
        skills = [Skill.objects.create(name=f"Bench skill {n}", org_unit=root) for n in range(30)]
        roles = []
        for n in range(ROLES):
            unit = units[n % len(units)]
            roles.append(
                Resource(
                    pool=pools[unit],
                    code=f"BR-{n:03d}",
                    name=f"Role {n:03d}",
                    kind=Resource.Kind.ROLE,
                    home_unit_id=unit,
                    max_units=200,
                )
            )
        Resource.objects.bulk_create(roles)
        people = []
        for n in range(resources - ROLES):
            role = roles[n % ROLES]
            people.append(
                Resource(
                    pool=role.pool,
                    code=f"BX-{n:05d}",
                    name=f"Person {n:05d}",
                    kind=Resource.Kind.PERSON,
                    role=role,
                    home_unit_id=role.home_unit_id,
                    max_units=50 if n % 10 == 0 else 100,
                )
            )
        Resource.objects.bulk_create(people, batch_size=500)
        ResourceSkill.objects.bulk_create(
            [
                ResourceSkill(resource=p, skill=s, level=rng.randint(1, 5))
                for p in people
                for s in rng.sample(skills, 2)
            ],
            batch_size=500,
        )
        ResourceLeave.objects.bulk_create(
            [
                ResourceLeave(
                    resource=p,
                    start_date=(d := today + dt.timedelta(days=rng.randint(0, 300))),
                    end_date=d + dt.timedelta(days=rng.randint(0, 9)),
                    percent=rng.choice((50, 100, 100)),
                )
                for p in rng.sample(people, len(people) // 4)
            ],
            batch_size=500,
        )
        by_unit: dict[int, list[Resource]] = {}
        for p in [*roles, *people]:
            by_unit.setdefault(p.home_unit_id, []).append(p)
        tasks = []
        for pk, _unit, start, finish in projects:
            days = max(TASKS_PER_PROJECT, (finish - start).days)
            step = days / TASKS_PER_PROJECT
            for n in range(TASKS_PER_PROJECT):
                first = start + dt.timedelta(days=int(n * step))
                last = start + dt.timedelta(days=max(int(n * step), int((n + 1) * step) - 1))
                working = sum(
                    1 for k in range((last - first).days + 1) if (first + dt.timedelta(k)).weekday() < 5
                )
                tasks.append(
                    Task(
                        project_id=pk,
                        uid=100_000 + n,
                        name=f"Work package {n + 1}",
                        position=n,
                        sort_index=n,
                        duration_minutes=max(1, working) * 480,
                        start=dt.datetime.combine(first, dt.time(7), tzinfo=utc),
                        finish=dt.datetime.combine(last, dt.time(16), tzinfo=utc),
                    )
                )
        Task.objects.bulk_create(tasks, batch_size=1000)
        unit_of = {pk: unit for pk, unit, _, _ in projects}
        tasks = list(Task.objects.filter(name__startswith="Work package").values_list("pk", "project_id"))
        assignments = []
        for task_id, project_id in tasks:
            team = by_unit[unit_of[project_id]]
            for person in rng.sample(team, min(len(team), rng.choice((1, 1, 2)))):
                assignments.append(
                    Assignment(task_id=task_id, resource=person, units=rng.choice((25, 50, 100)))
                )
        Assignment.objects.bulk_create(assignments, batch_size=1000)
        allocations = []
        for pk, unit, start, finish in rng.sample(projects, min(len(projects), 2000)):
            first = monday(start)
            allocations.append(
                Allocation(
                    project_id=pk,
                    resource=rng.choice(by_unit[unit]),
                    start_week=first,
                    end_week=max(first, monday(min(finish, first + dt.timedelta(weeks=20)))),
                    hours_per_week=rng.choice((4, 8, 16)),
                    status=rng.choice((Allocation.Status.APPROVED, Allocation.Status.REQUESTED)),
                )
            )
        Allocation.objects.bulk_create(allocations, batch_size=1000)
    return {
        "resources": len(roles) + len(people),
        "tasks": len(tasks),
        "assignments": len(assignments),
        "allocations": len(allocations),
    }


def run(projects: int, resources: int, weeks: int, runs: int) -> dict[str, Any]:
    """Load the demo and the resource layer, then measure."""
    database = prepare()
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from keel.core.demo import demo_load
    from keel.orgs.models import Membership, Role
    from keel.resources import capacity
    from keel.resources.models import Assignment, Resource

    started = time.perf_counter()
    demo_load(projects=projects)
    demo_s = time.perf_counter() - started
    started = time.perf_counter()
    added = staff(resources) if Resource.objects.count() < resources else {}
    staff_s = time.perf_counter() - started
    admin = (
        Membership.objects.filter(role=Role.PMO_ADMIN, unit__parent=None).select_related("user").first().user
    )
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    year = capacity.CapacityFilters(start=monday, periods=weeks)
    months = capacity.CapacityFilters(start=monday, periods=12, granularity=capacity.MONTH)
    matrix = capacity.capacity_matrix_for_user(admin, year)
    over_cells = sum(1 for r in matrix.rows for i in range(len(matrix.periods)) if r.over(i))

    client = Client()
    client.force_login(admin)
    query = {"start": monday.isoformat(), "periods": weeks}

    def page(name: str, **params: Any) -> Any:
        def call() -> None:
            response = client.get(reverse(name), params)
            assert response.status_code == 200, (name, response.status_code)

        return call

    def api(path: str, **params: Any) -> Any:
        def call() -> None:
            response = client.get("/api/v1/capacity/" + path, params)
            assert response.status_code == 200, (path, response.status_code)

        return call

    measured = [
        ("capacity matrix, every resource × weeks", lambda: capacity.capacity_matrix_for_user(admin, year)),
        (
            "capacity matrix, every resource × 12 months",
            lambda: capacity.capacity_matrix_for_user(admin, months),
        ),
        ("role capacity vs demand × weeks", lambda: capacity.role_capacity_for_user(admin, year)),
        ("skill capacity vs demand × weeks", lambda: capacity.skill_capacity_for_user(admin, year)),
        ("over-allocations, first page of 25", lambda: capacity.overallocations_for_user(admin, year)),
        ("page: heatmap, default window (50 resources × 12 weeks)", page("capacity:heatmap")),
        ("page: heatmap (50 resources × weeks)", page("capacity:heatmap", **query)),
        ("page: heatmap Excel export (every resource)", page("capacity:heatmap_export", **query)),
        ("page: roles", page("capacity:roles", **query)),
        ("page: over-allocations", page("capacity:overallocations", **query)),
        ("API: /capacity/heatmap (every resource)", api("heatmap", **query)),
    ]
    return {
        **database,
        "runs": runs,
        "weeks": weeks,
        "projects": projects,
        "resources": Resource.objects.filter(is_active=True).count(),
        "assignments": Assignment.objects.count(),
        "added": added,
        "over_allocated_cells": over_cells,
        "demo_s": round(demo_s, 1),
        "staff_s": round(staff_s, 1),
        "measures": [{"what": what, **timed(call, runs)} for what, call in measured],
    }


def main() -> int:
    """Parse arguments, set up the scratch database, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--resources", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    with scratch_database("keel_bench_capacity"):
        results = run(args.projects, args.resources, args.weeks, args.runs)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        f"{results['projects']} projects, {results['resources']} resources, {results['assignments']} assignments, "
        f"{results['weeks']} weeks, {results['over_allocated_cells']} over-allocated cells; demo {results['demo_s']} s, "
        f"resources {results['staff_s']} s; {results['database']} {results['database_version']}, "
        f"Python {results['python']}, {results['cpus']} CPUs, median of {results['runs']}"
    )
    print("| what | queries | median ms |")
    print("|---|---|---|")
    for row in results["measures"]:
        print(f"| {row['what']} | {row['queries']} | {row['median_ms']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
