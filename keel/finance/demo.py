"""Finance of the demo organisation: exchange rates between its currencies, the scheduled projects'
budgets by category and month, their expenses to date (written through the services) and the weekly
progress reports behind their tasks' % complete, so earned value at past status dates has a history."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from keel.finance import services
from keel.finance.models import CostCategory
from keel.portfolio.models import Project
from keel.schedule.models import Task, TaskProgress

# One euro in each demo currency (approximate market rates), from the start of last year on.
EURO_RATES = {"NOK": Decimal("11.60"), "USD": Decimal("1.08"), "GBP": Decimal("0.85")}
# How each project's budget splits over the categories.
SHARES = (
    ("LABOR", Decimal("0.55")),
    ("MATERIALS", Decimal("0.25")),
    ("SERVICES", Decimal("0.15")),
    ("TRAVEL", Decimal("0.05")),
)
SUPPLIERS = {
    "MATERIALS": ("Nordic Steel", "BuildMart"),
    "SERVICES": ("Atlas Consulting", "Cloudworks"),
    "TRAVEL": ("Rail & Air",),
}


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def progress_history(project: Project, today: dt.date) -> int:
    """Weekly progress reports of the project's begun leaf tasks from their actual start, rising evenly to
    their % complete now (on their actual finish when done); replaces the project's history.

    Returns the number of reports written.
    """
    rows = []
    now = dt.datetime.now(dt.UTC)
    for uid, start, finish, percent in Task.objects.filter(
        project=project, is_summary=False, actual_start__isnull=False, percent_complete__gt=0
    ).values_list("uid", "actual_start", "actual_finish", "percent_complete"):
        first = start.date()
        last = min(finish.date() if finish else today, today)
        days = [first + dt.timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
        if days[-1] != last:
            days.append(last)
        previous = 0
        for index, day in enumerate(days, start=1):
            value = max(1, percent * index // len(days))
            rows.append(
                TaskProgress(
                    project=project,
                    uid=uid,
                    day=day,
                    percent_complete=value,
                    previous_percent=previous,
                    recorded_at=now,
                )
            )
            previous = value
    TaskProgress.objects.filter(project=project).delete()
    TaskProgress.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def load(*, actor: Any, rng: random.Random, today: dt.date, project_codes: list[str]) -> int:
    """Rates, budgets and expenses for the projects named; returns the number of expenses recorded."""
    since = dt.date(today.year - 1, 1, 1)
    euro = {"EUR": Decimal("1"), **EURO_RATES}
    currencies = sorted(euro)
    for i, first in enumerate(currencies):
        for second in currencies[i + 1 :]:
            rate = (euro[second] / euro[first]).quantize(Decimal("0.000001"))
            services.rate_create(actor=actor, from_currency=first, to_currency=second, date=since, rate=rate)
    categories = {c.code: c for c in CostCategory.objects.filter(code__in=[code for code, _ in SHARES])}
    expenses = 0
    projects = Project.objects.filter(code__in=project_codes).exclude(status="cancelled").order_by("code")
    for project in projects:
        if not project.planned_start or not project.planned_finish or not project.budget:
            continue
        months = _months(project.planned_start, project.planned_finish)
        for code, share in SHARES:
            per_month = (project.budget * share / len(months)).quantize(Decimal("1"))
            for month in months:
                services.budget_line_set(
                    actor=actor,
                    project=project,
                    category=categories[code],
                    period_start=month,
                    approved_amount=per_month,
                    reason="Budget approved with the business case",
                )
        if project.status == "proposed":
            continue
        progress_history(project, today)
        # Costs so far: a little above or below plan, by project.
        pace = Decimal(str(round(rng.uniform(0.85, 1.25), 2)))
        for month in months:
            if month > today:
                break
            for code, share in SHARES[1:]:
                planned = project.budget * share / len(months)
                amount = (planned * pace * Decimal(str(round(rng.uniform(0.7, 1.3), 2)))).quantize(
                    Decimal("0.01")
                )
                if amount <= 0:
                    continue
                services.expense_create(
                    actor=actor,
                    project=project,
                    date=min(month + dt.timedelta(days=rng.randint(3, 25)), today),
                    category=categories[code],
                    amount=amount,
                    supplier=rng.choice(SUPPLIERS[code]),
                    description=f"{categories[code].name} {month:%B %Y}",
                )
                expenses += 1
    return expenses
