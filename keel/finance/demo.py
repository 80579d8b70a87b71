"""Finance of the demo organisation: exchange rates between its currencies, the scheduled projects'
budgets by category and month, and their expenses to date. Written through the services."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from keel.finance import services
from keel.finance.models import CostCategory
from keel.portfolio.models import Project

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
