"""Writes of project money. Every write checks scope, validates, versions and audits.

Budget amounts, reserves, expenses and forecasts are never negative (a refusal names the field).
Every change of a budget line or a reserve is also kept as a BudgetChange (who, when, why, and the
change request when there is one).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from keel.core.errors import PermissionDenied
from keel.core.imports import ImportRefused, ImportReport, RowError, read_rows
from keel.core.services import audited_create, audited_delete, audited_update
from keel.finance.models import (
    BudgetChange,
    BudgetLine,
    CostCategory,
    EvmSnapshot,
    ExchangeRate,
    Expense,
    Forecast,
    PeriodKind,
    ProjectFinance,
    Thresholds,
)
from keel.finance.rates import RateTable, round_money
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.models import OrgUnit
from keel.orgs.scoping import Action
from keel.portfolio.models import Project

MONEY_LIMIT = Decimal("99999999999999.99")


# --- checks ------------------------------------------------------------------------------------------


def _require_project(actor: Any, project: Project) -> None:
    scoping.require(actor, Action.CHANGE, BudgetLine, project.org_unit, "project")


def _require_pmo(actor: Any, what: str) -> None:
    if not org_selectors.is_pmo_admin(actor):
        raise PermissionDenied(f"Only PMO administrators maintain {what}.")


def _amounts(**amounts: Any) -> None:
    """Refuse negative, non-numeric or too large amounts, naming each field."""
    errors = {}
    for name, value in amounts.items():
        if value is None:
            continue
        if not isinstance(value, Decimal | int):
            errors[name] = "Enter an amount such as 1250.50."
        elif value < 0:
            errors[name] = "The amount must not be negative."
        elif value > MONEY_LIMIT:
            errors[name] = f"The amount must not exceed {MONEY_LIMIT}."
    if errors:
        raise ValidationError(errors)


def _reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the budget changes."})
    return reason.strip()


def _category(category: CostCategory | None, field_name: str = "category") -> CostCategory:
    if category is None:
        raise ValidationError({field_name: "Choose a cost category."})
    return category


# --- cost categories and exchange rates (PMO reference data) --------------------------------------------

CATEGORY_FIELDS = ("code", "name", "kind", "is_labor", "active")


@transaction.atomic
def category_create(*, actor: Any, code: str, name: str, **fields: Any) -> CostCategory:
    """Add a cost category to the PMO's list."""
    _require_pmo(actor, "cost categories")
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown cost category fields: {', '.join(sorted(unknown))}")
    category = CostCategory(code=code, name=name, **fields)
    audited_create(actor=actor, instance=category)
    return category


@transaction.atomic
def category_update(*, actor: Any, category: CostCategory, version: int, **changes: Any) -> CostCategory:
    """Rename, reclassify or (de)activate a cost category edited at `version`."""
    _require_pmo(actor, "cost categories")
    unknown = set(changes) - set(CATEGORY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown cost category fields: {', '.join(sorted(unknown))}")
    audited_update(actor=actor, instance=category, version=version, changes=changes)
    return category


@transaction.atomic
def rate_create(
    *, actor: Any, from_currency: str, to_currency: str, date: dt.date, rate: Decimal
) -> ExchangeRate:
    """Record that one `from_currency` is worth `rate` `to_currency` from `date` on."""
    _require_pmo(actor, "exchange rates")
    if ExchangeRate.objects.filter(from_currency=from_currency, to_currency=to_currency, date=date).exists():
        raise ValidationError({"date": f"There is already a {from_currency}/{to_currency} rate on {date}."})
    item = ExchangeRate(from_currency=from_currency, to_currency=to_currency, date=date, rate=rate)
    audited_create(actor=actor, instance=item)
    return item


@transaction.atomic
def rate_update(*, actor: Any, item: ExchangeRate, version: int, rate: Decimal) -> ExchangeRate:
    """Correct a rate edited at `version`."""
    _require_pmo(actor, "exchange rates")
    audited_update(actor=actor, instance=item, version=version, changes={"rate": rate})
    return item


def rate_delete(*, actor: Any, item: ExchangeRate, version: int | None) -> None:
    """Remove a rate (conversions on its dates then use the previous one)."""
    _require_pmo(actor, "exchange rates")
    audited_delete(actor=actor, instance=item, version=version)


# --- budgets ---------------------------------------------------------------------------------------------


def finance_for_project(project: Project) -> ProjectFinance:
    """The project's finance settings, or unsaved defaults."""
    existing = ProjectFinance.objects.filter(project=project).first()
    return existing or ProjectFinance(project=project)


def _log(
    *,
    actor: Any,
    project: Project,
    field_name: str,
    old: Decimal,
    new: Decimal,
    reason: str,
    change_request: str,
    line: BudgetLine | None = None,
) -> None:
    if old == new:
        return
    change = BudgetChange(
        project=project,
        line=line,
        category=line.category if line else None,
        period_start=line.period_start if line else None,
        field=field_name,
        old_amount=old,
        new_amount=new,
        reason=reason,
        change_request=(change_request or "").strip(),
        changed_by=actor if getattr(actor, "pk", None) else None,
        changed_at=timezone.now(),
    )
    change.full_clean()
    change.save()


@transaction.atomic
def finance_settings_update(
    *,
    actor: Any,
    project: Project,
    version: int | None,
    reason: str = "",
    change_request: str = "",
    **changes: Any,
) -> ProjectFinance:
    """Change how the budget is phased and the reserves; a reserve change needs a reason and is logged."""
    _require_project(actor, project)
    unknown = set(changes) - {"period", "contingency", "management_reserve"}
    if unknown:
        raise TypeError(f"Unknown finance fields: {', '.join(sorted(unknown))}")
    _amounts(**{k: v for k, v in changes.items() if k != "period"})
    if "period" in changes and changes["period"] not in PeriodKind.values:
        raise ValidationError({"period": "Choose month or quarter."})
    settings_ = finance_for_project(project)
    old = {"contingency": settings_.contingency, "management_reserve": settings_.management_reserve}
    moves = {k: v for k, v in changes.items() if k in old and v != old[k]}
    if moves:
        reason = _reason(reason)
    if settings_.pk is None:
        for key, value in changes.items():
            setattr(settings_, key, value)
        audited_create(actor=actor, instance=settings_)
    else:
        if version is None:
            version = settings_.version
        audited_update(actor=actor, instance=settings_, version=version, changes=changes)
    for key, value in moves.items():
        _log(
            actor=actor,
            project=project,
            field_name=key,
            old=old[key],
            new=value,
            reason=reason,
            change_request=change_request,
        )
    return settings_


@transaction.atomic
def budget_line_set(
    *,
    actor: Any,
    project: Project,
    category: CostCategory | None,
    period_start: dt.date,
    reason: str,
    approved_amount: Decimal | None = None,
    current_amount: Decimal | None = None,
    change_request: str = "",
    version: int | None = None,
) -> BudgetLine:
    """Set the approved and/or current budget of a category and period (created when new), logging each change.

    A new line whose current amount is not given starts at its approved amount. An existing line is
    changed only at `version` (stale: ConflictError, nothing written).
    """
    _require_project(actor, project)
    category = _category(category)
    _amounts(approved_amount=approved_amount, current_amount=current_amount)
    reason = _reason(reason)
    if period_start is None:
        raise ValidationError({"period_start": "Give the first day of the period."})
    settings_ = finance_for_project(project)
    if settings_.period == PeriodKind.QUARTER and period_start.month % 3 != 1:
        raise ValidationError(
            {"period_start": "This project is budgeted by quarter: start on Jan, Apr, Jul or Oct 1."}
        )
    line = BudgetLine.objects.filter(project=project, category=category, period_start=period_start).first()
    if line is None:
        if approved_amount is None and current_amount is None:
            raise ValidationError({"approved_amount": "Give the approved or the current amount."})
        approved = approved_amount if approved_amount is not None else Decimal("0")
        current = current_amount if current_amount is not None else approved
        line = BudgetLine(
            project=project,
            category=category,
            period_start=period_start,
            approved_amount=approved,
            current_amount=current,
        )
        audited_create(actor=actor, instance=line)
        old = {"approved_amount": Decimal("0"), "current_amount": Decimal("0")}
    else:
        old = {"approved_amount": line.approved_amount, "current_amount": line.current_amount}
        changes = {}
        if approved_amount is not None:
            changes["approved_amount"] = approved_amount
        if current_amount is not None:
            changes["current_amount"] = current_amount
        audited_update(
            actor=actor, instance=line, version=line.version if version is None else version, changes=changes
        )
    for key in ("approved_amount", "current_amount"):
        _log(
            actor=actor,
            project=project,
            field_name=key,
            old=old[key],
            new=getattr(line, key),
            reason=reason,
            change_request=change_request,
            line=line,
        )
    return line


# --- expenses ---------------------------------------------------------------------------------------------

EXPENSE_FIELDS = ("date", "category", "amount", "currency", "supplier", "description", "attachment")


def _check_expense(expense: Expense, rates: RateTable | None = None) -> None:
    """The expense's currency must convert into the project's on its date (else a 422 naming the pair)."""
    _amounts(amount=expense.amount)
    if expense.category_id is None:
        raise ValidationError({"category": "Choose a cost category."})
    if expense.currency and expense.date and expense.currency != expense.project.currency:
        table = rates or RateTable.load([expense.currency, expense.project.currency], until=expense.date)
        table.rate(expense.currency, expense.project.currency, expense.date, "currency")


@transaction.atomic
def expense_create(
    *,
    actor: Any,
    project: Project,
    date: dt.date,
    category: CostCategory | None,
    amount: Decimal,
    currency: str = "",
    **fields: Any,
) -> Expense:
    """Record a cost incurred by `project` (currency defaults to the project's)."""
    _require_project(actor, project)
    unknown = set(fields) - set(EXPENSE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown expense fields: {', '.join(sorted(unknown))}")
    _amounts(amount=amount)
    expense = Expense(
        project=project,
        date=date,
        category=category,
        amount=amount,
        currency=currency or project.currency,
        created_by=actor if getattr(actor, "pk", None) else None,
        **fields,
    )
    expense.full_clean()
    _check_expense(expense)
    audited_create(actor=actor, instance=expense)
    return expense


@transaction.atomic
def expense_update(*, actor: Any, expense: Expense, version: int, **changes: Any) -> Expense:
    """Change an expense edited at `version`."""
    _require_project(actor, expense.project)
    unknown = set(changes) - set(EXPENSE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown expense fields: {', '.join(sorted(unknown))}")
    audited_update(actor=actor, instance=expense, version=version, changes=changes, check=_check_expense)
    return expense


def expense_delete(*, actor: Any, expense: Expense, version: int | None) -> None:
    """Delete an expense."""
    _require_project(actor, expense.project)
    audited_delete(actor=actor, instance=expense, version=version)


# --- expense import ---------------------------------------------------------------------------------------

IMPORT_COLUMNS = ("date", "category", "amount", "currency", "supplier", "description")
REQUIRED_COLUMNS = ("date", "category", "amount")


@transaction.atomic
def expenses_import(*, actor: Any, project: Project, name: str, content: bytes) -> ImportReport:
    """Import expenses from a CSV or .xlsx file: all rows or none.

    Columns: date (YYYY-MM-DD), category (code), amount, currency (default the project's), supplier,
    description. Any bad row raises ImportRefused listing every bad cell (line, column, reason) and
    nothing is saved.
    """
    _require_project(actor, project)
    rows = read_rows(name, content, required=REQUIRED_COLUMNS)
    categories = {c.code.upper(): c for c in CostCategory.objects.filter(active=True)}
    currencies = {r.get("currency", "").strip().upper() for _, r in rows} | {project.currency}
    rates = RateTable.load({c for c in currencies if len(c) == 3})
    report = ImportReport()
    expenses = []
    for line, row in rows:
        errors: list[RowError] = []
        day = None
        text = row.get("date", "").strip()
        try:
            day = dt.date.fromisoformat(text[:10]) if text else None
            if day is None:
                errors.append(RowError(line, "date", "The date is missing."))
        except ValueError:
            errors.append(RowError(line, "date", f"'{text}' is not a date (use YYYY-MM-DD)."))
        code = row.get("category", "").strip().upper()
        category = categories.get(code)
        if category is None:
            errors.append(
                RowError(
                    line,
                    "category",
                    f"'{code}' is not an active cost category." if code else "The category is missing.",
                )
            )
        amount = None
        text = row.get("amount", "").strip().replace(" ", "")
        try:
            amount = Decimal(text)
            if not amount.is_finite():
                raise InvalidOperation
            if amount < 0:
                errors.append(RowError(line, "amount", "The amount must not be negative."))
            elif amount > MONEY_LIMIT or amount.as_tuple().exponent < -2:  # type: ignore[operator]
                errors.append(RowError(line, "amount", "Use at most 14 digits and 2 decimals."))
        except InvalidOperation:
            errors.append(
                RowError(line, "amount", f"'{text}' is not an amount." if text else "The amount is missing.")
            )
        currency = row.get("currency", "").strip().upper() or project.currency
        if len(currency) != 3 or not currency.isalpha():
            errors.append(RowError(line, "currency", f"'{currency}' is not a three-letter currency code."))
        elif day is not None and currency != project.currency:
            try:
                rates.rate(currency, project.currency, day)
            except ValidationError as exc:
                errors.append(RowError(line, "currency", exc.message_dict["currency"][0]))
        for column, limit in (("supplier", 150), ("description", 255)):
            if len(row.get(column, "")) > limit:
                errors.append(RowError(line, column, f"At most {limit} characters."))
        if errors:
            report.errors.extend(errors)
            continue
        expenses.append(
            Expense(
                project=project,
                date=day,
                category=category,
                amount=amount,
                currency=currency,
                supplier=row.get("supplier", "").strip(),
                description=row.get("description", "").strip(),
                created_by=actor if getattr(actor, "pk", None) else None,
            )
        )
    if not rows:
        raise ValidationError({"file": "The file has no rows below its header."})
    if report.errors:
        raise ImportRefused(report)
    for expense in expenses:
        audited_create(actor=actor, instance=expense)
    report.created = len(expenses)
    return report


# --- forecasts ---------------------------------------------------------------------------------------------


@transaction.atomic
def forecast_set(
    *,
    actor: Any,
    project: Project,
    category: CostCategory | None,
    period_start: dt.date,
    amount: Decimal,
    note: str = "",
    version: int | None = None,
) -> Forecast:
    """Enter the estimate to complete of a category and period (replacing the one entered before)."""
    _require_project(actor, project)
    category = _category(category)
    _amounts(amount=amount)
    existing = Forecast.objects.filter(project=project, category=category, period_start=period_start).first()
    if existing is None:
        item = Forecast(
            project=project, category=category, period_start=period_start, amount=amount, note=note
        )
        audited_create(actor=actor, instance=item)
        return item
    audited_update(
        actor=actor,
        instance=existing,
        version=existing.version if version is None else version,
        changes={"amount": amount, "note": note},
    )
    return existing


def forecast_delete(*, actor: Any, forecast: Forecast, version: int | None) -> None:
    """Remove an entered forecast."""
    _require_project(actor, forecast.project)
    audited_delete(actor=actor, instance=forecast, version=version)


# --- thresholds --------------------------------------------------------------------------------------------


@transaction.atomic
def thresholds_set(
    *, actor: Any, org_unit: OrgUnit, cpi_min: Decimal, spi_min: Decimal, version: int | None = None
) -> Thresholds:
    """Set the CPI and SPI below which the unit's projects are flagged."""
    scoping.require(actor, Action.CHANGE, Thresholds, org_unit, "org_unit")
    _amounts(cpi_min=cpi_min, spi_min=spi_min)
    existing = Thresholds.objects.filter(org_unit=org_unit).first()
    if existing is None:
        item = Thresholds(org_unit=org_unit, cpi_min=cpi_min, spi_min=spi_min)
        audited_create(actor=actor, instance=item)
        return item
    audited_update(
        actor=actor,
        instance=existing,
        version=existing.version if version is None else version,
        changes={"cpi_min": cpi_min, "spi_min": spi_min},
    )
    return existing


# --- earned value snapshots --------------------------------------------------------------------------------


@transaction.atomic
def evm_snapshot_record(*, actor: Any, project: Project, status_date: dt.date) -> EvmSnapshot:
    """Record the project's earned value at `status_date` (replacing one recorded for that day), for trends."""
    from keel.finance import selectors

    _require_project(actor, project)
    result = selectors.project_evm(project, status_date)
    m = result.metrics

    def four(value: Decimal | None) -> Decimal | None:
        return None if value is None else value.quantize(Decimal("0.0001"))

    values = {
        "bac": round_money(m.BAC),
        "pv": round_money(m.PV),
        "ev": round_money(m.EV),
        "ac": round_money(m.AC),
        "cpi": four(m.CPI),
        "spi": four(m.SPI),
        "spi_t": four(result.schedule.SPI_t) if result.schedule else None,
        "eac": round_money(result.eac),
        "recorded_by": actor if getattr(actor, "pk", None) else None,
    }
    EvmSnapshot.objects.filter(project=project, status_date=status_date).delete()
    snapshot = EvmSnapshot(project=project, status_date=status_date, **values)
    audited_create(actor=actor, instance=snapshot)
    return snapshot
