"""Finance records for the generic scoping tests (see tests/scoping_hooks.py).

Each division gets, made through the services: a budget line, an expense and an entered forecast on
its project, and the NOK/EUR rate every roll-up in the reporting currency needs. Categories are named
by code in bodies (plain values), so a body never names another division's record.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keel.finance import services
from keel.finance.models import (
    BudgetChange,
    BudgetLine,
    CostCategory,
    EvmSnapshot,
    ExchangeRate,
    Expense,
    Forecast,
    ProjectFinance,
    Thresholds,
)
from tests.finance.helpers import category

DAY = dt.date(2026, 3, 2)


def _rates(org) -> None:
    if not ExchangeRate.objects.filter(from_currency="NOK", to_currency="EUR").exists():
        services.rate_create(
            actor=org.admin,
            from_currency="NOK",
            to_currency="EUR",
            date=dt.date(2026, 1, 1),
            rate=Decimal("0.085"),
        )


def division_expense(org, *, pm, project) -> Expense:
    """The division's expense (made once)."""
    _rates(org)
    existing = Expense.objects.filter(project=project).first()
    if existing is not None:
        return existing
    return services.expense_create(
        actor=pm,
        project=project,
        date=DAY,
        category=category("MATERIALS"),
        amount=Decimal("1200"),
        supplier=f"{project.code} supplier",
    )


def api_records(*, org, name, unit, pm, project):
    """An expense, a forecast and a budget line of the division's project."""
    expense = division_expense(org, pm=pm, project=project)
    materials = category("MATERIALS")
    forecast = services.forecast_set(
        actor=pm, project=project, category=materials, period_start=dt.date(2026, 4, 1), amount=Decimal("500")
    )
    services.budget_line_set(
        actor=pm,
        project=project,
        category=materials,
        period_start=dt.date(2026, 3, 1),
        approved_amount=Decimal("5000"),
        reason="Initial budget",
    )
    return {"expense_id": expense, "forecast_id": forecast}, {}


PLAIN_VALUES = {
    "category": "MATERIALS",
    "period_start": "2026-03-01",
    "amount": "10.00",
    "reason": "Scoping probe",
    "status_date": "2026-03-02",
    "from_currency": "EUR",
    "to_currency": "NOK",
    "rate": "11.5",
    "cpi_min": "0.9",
    "spi_min": "0.9",
    "date": "2026-03-02",
}
GOVERNED_MODELS = (
    BudgetLine,
    BudgetChange,
    CostCategory,
    EvmSnapshot,
    ExchangeRate,
    Expense,
    Forecast,
    ProjectFinance,
    Thresholds,
)
SOUTH_PAGE_RECORDS = {
    "expense_id": lambda org, extra: division_expense(org, pm=org.pm_south, project=org.project_south).pk,
}
EXECUTIVE_PAGES = {
    "finance:project",
    "finance:project_export",
    "finance:dashboard",
    "finance:dashboard_export",
}
