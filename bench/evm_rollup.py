#!/usr/bin/env python
"""Portfolio earned-value roll-up: 2,000 projects, 100,000 baselined tasks, a year of actuals.

On a scratch database (a temporary SQLite file; a scratch PostgreSQL database, created and dropped,
when DATABASE_URL names a PostgreSQL server) it builds, in bulk and reproducibly, four divisions in
four currencies (EUR, NOK, SEK, USD) with monthly exchange rates, 2,000 projects in programs and
portfolios, 50 baselined tasks each (100,000), 500 people with dated rates booking approved timesheet
hours every working day of 2026 (about 130,000 entries), a monthly expense per project (24,000), and
progress reported twice for every task begun (about 130,000 progress history rows).

It then times `keel.finance.selectors.rollup_for_user` as the central PMO administrator, in EUR, at
several status dates (one warm-up, then the median of several runs), counts its SQL queries, and
times in the same run a plain SUM over the same rows (baseline cost, approved hours, expenses up to
the status date) to report the ratio.

    .venv/bin/python bench/evm_rollup.py [--projects 2000] [--tasks 50] [--people 500] [--runs 3] [--json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keel_bench_finance .venv/bin/python bench/evm_rollup.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from typing import Any

from _scratch import prepare, scratch_database

YEAR = 2026
CURRENCIES = ("EUR", "NOK", "SEK", "USD")
TO_EUR = {"NOK": Decimal("0.085"), "SEK": Decimal("0.088"), "USD": Decimal("0.92")}
STATUS_DATES = (dt.date(YEAR, 3, 31), dt.date(YEAR, 7, 1), dt.date(YEAR, 12, 31))


def build(projects: int, tasks: int, people: int, seed: int = 7) -> dict[str, int]:
    """The organisation, projects, baselines, rates and a year of actuals, in bulk (reproducible)."""
    from django.db import transaction
    from django.utils import timezone

    from keel.finance.models import CostCategory, ExchangeRate, Expense
    from keel.orgs.models import Membership, OrgUnit, Role, User, unit_path_segment
    from keel.portfolio.models import Portfolio, Program, Project
    from keel.resources.models import CostRate, Resource, ResourcePool
    from keel.schedule.models import Baseline, BaselineTask, Task, TaskProgress
    from keel.timesheets.models import Timesheet, TimesheetEntry, TimesheetLine

    rng = random.Random(seed)
    utc = dt.UTC
    now = timezone.now()
    with transaction.atomic():
        root = OrgUnit(
            code="CPMO", name="Central PMO", kind=OrgUnit.Kind.CENTRAL_PMO, currency="EUR", path=""
        )
        root.save()
        root.path = unit_path_segment(root.pk)
        root.save(update_fields=["path"])
        divisions = []
        for currency in CURRENCIES:
            unit = OrgUnit(
                code=f"DIV-{currency}",
                name=f"Division {currency}",
                kind=OrgUnit.Kind.DIVISION,
                parent=root,
                currency=currency,
                path="",
            )
            unit.save()
            unit.path = root.path + unit_path_segment(unit.pk)
            unit.save(update_fields=["path"])
            divisions.append(unit)
        admin = User.objects.create(username="bench_admin")
        Membership.objects.create(user=admin, unit=root, role=Role.PMO_ADMIN)
        rates = []
        for month in range(1, 13):
            for currency, rate in TO_EUR.items():
                wobble = Decimal(1) + Decimal(rng.randint(-30, 30)) / 1000
                rates.append(
                    ExchangeRate(
                        from_currency=currency,
                        to_currency="EUR",
                        date=dt.date(YEAR, month, 1),
                        rate=rate * wobble,
                    )
                )
        ExchangeRate.objects.bulk_create(rates)
        portfolios = [
            Portfolio.objects.create(code=f"PF-{u.code}", name=f"Portfolio {u.code}", org_unit=u)
            for u in divisions
        ]
        programs = [
            Program.objects.create(
                code=f"PG-{n:02d}",
                name=f"Program {n:02d}",
                portfolio=portfolios[n % 4],
                org_unit=divisions[n % 4],
            )
            for n in range(20)
        ]
        rows = []
        for n in range(projects):
            unit = divisions[n % 4]
            start = dt.date(YEAR, 1, 5) + dt.timedelta(days=rng.randint(0, 150))
            rows.append(
                Project(
                    code=f"P-{n:05d}",
                    name=f"Project {n:05d}",
                    org_unit=unit,
                    program=programs[(n // 4) % 5 * 4 + n % 4],
                    status=Project.Status.ACTIVE,
                    planned_start=start,
                    planned_finish=start + dt.timedelta(days=rng.randint(120, 330)),
                    currency=unit.currency,
                    budget=Decimal("500000"),
                )
            )
        Project.objects.bulk_create(rows, batch_size=1000)
        project_rows = list(
            Project.objects.values_list("pk", "org_unit_id", "planned_start", "planned_finish")
        )
        task_rows = []
        for pk, _, start, finish in project_rows:
            span = (finish - start).days
            for t in range(tasks):
                first = start + dt.timedelta(days=span * t // tasks)
                last = first + dt.timedelta(days=max(1, span // tasks * 2))
                task_rows.append(
                    Task(
                        project_id=pk,
                        uid=t + 1,
                        name=f"Task {t + 1}",
                        position=t,
                        sort_index=t,
                        duration_minutes=4800,
                        cost=Decimal(rng.randint(2000, 20000)),
                        percent_complete=rng.choice((0, 0, 25, 50, 75, 100)),
                        start=dt.datetime.combine(first, dt.time(8), tzinfo=utc),
                        finish=dt.datetime.combine(min(last, finish), dt.time(17), tzinfo=utc),
                    )
                )
        Task.objects.bulk_create(task_rows, batch_size=2000)
        # Progress reported twice for every task begun: half of it a week in, the rest after its finish.
        TaskProgress.objects.bulk_create(
            [
                TaskProgress(
                    project_id=t.project_id,
                    uid=t.uid,
                    day=day,
                    percent_complete=percent,
                    previous_percent=previous,
                    recorded_at=now,
                )
                for t in task_rows
                if t.percent_complete
                for day, percent, previous in (
                    (t.start.date() + dt.timedelta(days=7), t.percent_complete // 2, 0),
                    (t.finish.date() + dt.timedelta(days=8), t.percent_complete, t.percent_complete // 2),
                )
            ],
            batch_size=5000,
        )
        Baseline.objects.bulk_create(
            [Baseline(project_id=pk, number=0, name="Baseline", saved_at=now) for pk, _, _, _ in project_rows]
        )
        baselines = dict(Baseline.objects.values_list("project_id", "pk"))
        BaselineTask.objects.bulk_create(
            [
                BaselineTask(
                    baseline_id=baselines[pk], task_id=tpk, uid=uid, name=name, start=s, finish=f, cost=c
                )
                for tpk, pk, uid, name, s, f, c in Task.objects.values_list(
                    "pk", "project_id", "uid", "name", "start", "finish", "cost"
                ).iterator(chunk_size=5000)
            ],
            batch_size=2000,
        )
        # People, their rates, and a year of approved weekly timesheets on their division's projects.
        pools = {
            u.pk: ResourcePool.objects.create(code=f"POOL-{u.code}", name=f"Pool {u.code}", org_unit=u)
            for u in divisions
        }
        users = User.objects.bulk_create([User(username=f"person{n:04d}") for n in range(people)])
        resources = Resource.objects.bulk_create(
            [
                Resource(
                    pool=pools[divisions[n % 4].pk],
                    code=f"R-{n:04d}",
                    name=f"Person {n:04d}",
                    user=users[n],
                    home_unit=divisions[n % 4],
                )
                for n in range(people)
            ]
        )
        CostRate.objects.bulk_create(
            [
                CostRate(
                    resource=r,
                    effective_from=dt.date(YEAR - 1, 1, 1),
                    standard_rate=Decimal(rng.randint(60, 140)),
                    currency=divisions[n % 4].currency,
                )
                for n, r in enumerate(resources)
            ]
            + [
                CostRate(
                    resource=r,
                    effective_from=dt.date(YEAR, 7, 1),
                    standard_rate=Decimal(rng.randint(70, 150)),
                    currency=divisions[n % 4].currency,
                )
                for n, r in enumerate(resources)
            ]
        )
        by_unit: dict[int, list[int]] = {}
        for pk, unit, _, _ in project_rows:
            by_unit.setdefault(unit, []).append(pk)
        first_monday = dt.date(YEAR, 1, 5)
        sheets = []
        for user in users:
            for week in range(52):
                sheets.append(
                    Timesheet(
                        user=user,
                        week=first_monday + dt.timedelta(weeks=week),
                        status=Timesheet.Status.APPROVED,
                        decided_by=admin,
                        decided_at=now,
                    )
                )
        Timesheet.objects.bulk_create(sheets, batch_size=2000)
        lines = []
        for index, sheet in enumerate(sheets):
            unit = divisions[(index // 52) % 4].pk
            lines.append(TimesheetLine(timesheet=sheet, project_id=rng.choice(by_unit[unit])))
        TimesheetLine.objects.bulk_create(lines, batch_size=2000)
        entries = [
            TimesheetEntry(line=line, date=line.timesheet.week + dt.timedelta(days=d), hours=Decimal(8))
            for line in lines
            for d in range(5)
        ]
        TimesheetEntry.objects.bulk_create(entries, batch_size=5000)
        category = CostCategory.objects.filter(code="MATERIALS").first() or CostCategory.objects.create(
            code="MATERIALS", name="Materials", kind="capex"
        )
        currency_of = {u.pk: u.currency for u in divisions}
        Expense.objects.bulk_create(
            [
                Expense(
                    project_id=pk,
                    date=dt.date(YEAR, month, 15),
                    category=category,
                    amount=Decimal(rng.randint(500, 9000)),
                    currency=currency_of[unit],
                )
                for pk, unit, _, _ in project_rows
                for month in range(1, 13)
            ],
            batch_size=5000,
        )
    return {
        "projects": len(project_rows),
        "tasks": len(task_rows),
        "timesheet_entries": len(entries),
        "expenses": len(project_rows) * 12,
        "progress_rows": TaskProgress.objects.count(),
    }


def measure(call: Any, runs: int) -> tuple[float, int, Any]:
    """Median milliseconds over `runs` after a warm-up, the queries of one call, and its result."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = call()
    with CaptureQueriesContext(connection) as queries:
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(queries.captured_queries), result


def run(projects: int, tasks: int, people: int, runs: int) -> dict[str, Any]:
    """Build the data, then measure the roll-up and the plain sums at each status date."""
    prepare()  # the database version below keeps this bench's own spelling
    from django.db import connection
    from django.db.models import Sum

    from keel.finance import selectors
    from keel.finance.models import Expense
    from keel.orgs.models import User
    from keel.schedule.models import BaselineTask
    from keel.timesheets.models import Timesheet, TimesheetEntry

    started = time.perf_counter()
    sizes = build(projects, tasks, people)
    build_s = time.perf_counter() - started
    admin = User.objects.get(username="bench_admin")
    measures = []
    for status_date in STATUS_DATES:

        def rollup(day: dt.date = status_date) -> Any:
            return selectors.rollup_for_user(admin, day, "EUR")

        def plain(day: dt.date = status_date) -> Any:
            return (
                BaselineTask.objects.filter(baseline__number=0).aggregate(s=Sum("cost"))["s"],
                TimesheetEntry.objects.filter(
                    date__lte=day, line__timesheet__status=Timesheet.Status.APPROVED
                ).aggregate(s=Sum("hours"))["s"],
                Expense.objects.filter(date__lte=day).aggregate(s=Sum("amount"))["s"],
            )

        rollup_ms, rollup_queries, result = measure(rollup, runs)
        plain_ms, plain_queries, _ = measure(plain, runs)
        measures.append(
            {
                "status_date": status_date.isoformat(),
                "rollup_ms": round(rollup_ms),
                "rollup_queries": rollup_queries,
                "plain_sum_ms": round(plain_ms, 1),
                "plain_sum_queries": plain_queries,
                "ratio": round(rollup_ms / plain_ms, 1),
                "projects": len(result.projects),
                "cpi": f"{result.total.CPI:.3f}" if result.total.CPI is not None else None,
                "spi": f"{result.total.SPI:.3f}" if result.total.SPI is not None else None,
            }
        )
    return {
        **sizes,
        "build_s": round(build_s, 1),
        "database": connection.vendor,
        "database_version": ".".join(map(str, connection.Database.sqlite_version_info))
        if connection.vendor == "sqlite"
        else str(connection.pg_version),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "runs": runs,
        "measures": measures,
    }


def main() -> int:
    """Parse arguments, set up the scratch database, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=50, help="tasks per project")
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    with scratch_database("keel_bench_finance"):
        results = run(args.projects, args.tasks, args.people, args.runs)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        f"{results['projects']} projects, {results['tasks']} tasks, {results['timesheet_entries']} approved "
        f"timesheet entries, {results['expenses']} expenses; built in {results['build_s']} s; "
        f"{results['database']} {results['database_version']}, Python {results['python']}, "
        f"{results['cpus']} CPUs, median of {results['runs']}"
    )
    print(
        "| status date | roll-up queries | roll-up ms | plain SUM queries | plain SUM ms | ratio | CPI | SPI |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for m in results["measures"]:
        print(
            f"| {m['status_date']} | {m['rollup_queries']} | {m['rollup_ms']} | {m['plain_sum_queries']} | "
            f"{m['plain_sum_ms']} | {m['ratio']} | {m['cpi']} | {m['spi']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
