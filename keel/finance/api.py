"""JSON endpoints of project money: reference data, budgets, expenses, forecasts, earned value, roll-ups.

Amounts are in the project's currency unless a record names its own; roll-ups are in the reporting
currency asked for (default: the caller's). A missing exchange rate is a 422 naming the pair and date.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Router, Status, UploadedFile

from keel.core.api import (
    IF_MATCH,
    LIST_ERRORS,
    OPTIONAL_VERSION_BODY,
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    PageParams,
    VersionIn,
    etag_documented,
    expected_version,
    page_of,
    page_response,
    responses,
    set_etag,
)
from keel.core.errors import PermissionDenied
from keel.engines import evm
from keel.finance import selectors, services
from keel.finance.schemas import (
    BudgetChangeOut,
    BudgetLineOut,
    BudgetLineSetIn,
    CategoryOut,
    CategorySetIn,
    ComputedForecastOut,
    ExchangeRateOut,
    ExpenseCreateIn,
    ExpenseOut,
    ExpensePatchIn,
    FinanceSettingsOut,
    FinanceSettingsPatchIn,
    FinanceTabOut,
    ForecastOut,
    ForecastSetIn,
    ImportOut,
    ProjectEvmOut,
    RateFilterIn,
    RateSetIn,
    RollupFilterIn,
    RollupOut,
    SnapshotIn,
    SnapshotOut,
    StatusDateIn,
    ThresholdsOut,
    ThresholdsSetIn,
)
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action

finance = Router(tags=["finance"])
REFERENCE = ["finance", "reference"]
CREATE_ERRORS = (401, 403, 404, 422)
SET_ERRORS = (401, 403, 404, 409, 422)
CENT = Decimal("0.01")
TEN_THOUSANDTH = Decimal("0.0001")
INDEX_NAMES = {"CPI", "SPI", "TCPI_bac", "TCPI_eac", "CV_pct", "SV_pct"}


# --- answers ----------------------------------------------------------------------------------------------


def _round(name: str, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(TEN_THOUSANDTH if name in INDEX_NAMES else CENT)


def metrics_answer(m: evm.Metrics) -> dict[str, Any]:
    """The metrics rounded for reading: amounts to cents, indices and percentages to 4 places."""
    out: dict[str, Any] = {name: _round(name, getattr(m, name)) for name in evm.METRIC_NAMES}
    out["undefined"] = dict(m.undefined)
    return out


def evm_answer(result: selectors.ProjectEvm) -> dict[str, Any]:
    """A project's earned value as answered."""
    es = result.schedule
    return {
        "project": result.project.pk,
        "currency": result.currency,
        "status_date": result.status_date,
        "has_baseline": result.has_baseline,
        "start": result.start,
        "finish": result.finish,
        "forecast_finish": result.forecast_finish,
        "eac": result.eac.quantize(CENT),
        "budget_current": result.budget_current,
        "budget_approved": result.budget_approved,
        "unpriced_hours": result.unpriced_hours,
        "metrics": metrics_answer(result.metrics),
        "earned_schedule": None
        if es is None
        else {
            name: None if getattr(es, name) is None else getattr(es, name).quantize(TEN_THOUSANDTH)
            for name in ("ES", "AT", "PD", "SV_t", "SPI_t", "IEAC_t", "TSPI")
        },
    }


def _category(code: str | None, field: str = "category") -> Any:
    if code is None:
        return None
    category = selectors.category_by_code(code)
    if category is None:
        raise ValidationError({field: f"There is no cost category with code {code!r}."})
    return category


def _settings_answer(item: Any) -> dict[str, Any]:
    return {
        "project": item.project_id,
        "currency": item.project.currency,
        "period": item.period,
        "contingency": item.contingency,
        "management_reserve": item.management_reserve,
        "version": item.version,
    }


# --- reference data ---------------------------------------------------------------------------------------


@finance.get(
    "/finance/categories",
    response=responses({200: list[CategoryOut]}, LIST_ERRORS),
    tags=REFERENCE,
    summary="Cost categories",
)
def category_list(request: HttpRequest) -> Any:
    """The PMO's cost categories (labor, materials, ...), each capex or opex."""
    return selectors.category_list()


@finance.put(
    "/finance/categories",
    response=responses({200: CategoryOut, 201: CategoryOut}, (401, 403, 409, 422)),
    summary="Add or change a cost category (PMO administrators)",
)
def category_set(request: HttpRequest, payload: CategorySetIn) -> Any:
    """Add the category `code`, or change the one with that code."""
    data = payload.dict()
    if not org_selectors.is_pmo_admin(request.auth):
        raise PermissionDenied("Only PMO administrators maintain cost categories.")
    existing = selectors.category_by_code(data["code"])
    if existing is None:
        return Status(201, services.category_create(actor=request.auth, **data))
    data.pop("code")
    return services.category_update(actor=request.auth, category=existing, version=existing.version, **data)


@finance.get(
    "/finance/exchange-rates",
    response=responses({200: page_of(ExchangeRateOut)}, LIST_ERRORS),
    tags=REFERENCE,
    summary="Exchange rates",
)
def rate_list(request: HttpRequest, filters: Query[RateFilterIn], paging: Query[PageParams]) -> Any:
    """The PMO's dated exchange rates, by pair, newest first."""
    data = filters.dict()
    return page_response(
        selectors.rate_list(from_currency=data["from_currency"] or "", to_currency=data["to_currency"] or ""),
        paging,
    )


@finance.put(
    "/finance/exchange-rates",
    response=responses({200: ExchangeRateOut, 201: ExchangeRateOut}, (401, 403, 409, 422)),
    summary="Set the rate of a currency pair on a date (PMO administrators)",
)
def rate_set(request: HttpRequest, payload: RateSetIn) -> Any:
    """Add the pair's rate of that date, or correct it when the day has one."""
    data = payload.dict()
    if not org_selectors.is_pmo_admin(request.auth):
        raise PermissionDenied("Only PMO administrators maintain exchange rates.")
    existing = selectors.rate_list(
        from_currency=data["from_currency"], to_currency=data["to_currency"]
    ).filter(date=data["date"])
    item = existing.first()
    if item is None:
        return Status(201, services.rate_create(actor=request.auth, **data))
    return services.rate_update(actor=request.auth, item=item, version=item.version, rate=data["rate"])


# --- settings, budget lines, changes -------------------------------------------------------------------------


@finance.get(
    "/projects/{project_id}/finance",
    response=responses({200: FinanceSettingsOut}),
    summary="A project's finance settings",
    openapi_extra=etag_documented(200),
)
def settings_detail(request: HttpRequest, response: HttpResponse, project_id: Id) -> Any:
    """Phasing (month or quarter), contingency and management reserve, with the version as ETag."""
    project = selectors.project_for_user(request.auth, project_id)
    item = selectors.finance_settings(project)
    set_etag(response, item.version)
    return _settings_answer(item)


@finance.patch(
    "/projects/{project_id}/finance",
    response=responses({200: FinanceSettingsOut}, WRITE_ERRORS),
    summary="Change a project's phasing or reserves",
    openapi_extra=etag_documented(200),
)
def settings_update(
    request: HttpRequest,
    response: HttpResponse,
    project_id: Id,
    payload: FinanceSettingsPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent; a reserve change needs `reason` and is kept in the budget changes."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    current = selectors.finance_settings(project)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    version = expected_version(request, current=current.version, body_version=changes.pop("version", None))
    reason = changes.pop("reason", "")
    change_request = changes.pop("change_request", "")
    item = services.finance_settings_update(
        actor=request.auth,
        project=project,
        version=version if current.pk else None,
        reason=reason,
        change_request=change_request,
        **changes,
    )
    set_etag(response, item.version)
    return _settings_answer(item)


@finance.get(
    "/projects/{project_id}/budget-lines",
    response=responses({200: list[BudgetLineOut]}),
    summary="A project's budget by category and period",
)
def budget_line_list(request: HttpRequest, project_id: Id) -> Any:
    """Approved and current amounts per category and period, in the project's currency."""
    return selectors.budget_lines(selectors.project_for_user(request.auth, project_id))


@finance.post(
    "/projects/{project_id}/budget-lines",
    response=responses({200: BudgetLineOut}, SET_ERRORS),
    summary="Set the budget of a category and period",
)
def budget_line_set(request: HttpRequest, project_id: Id, payload: BudgetLineSetIn) -> Any:
    """Set the approved and/or current amount (the line is added when new); the change is recorded with its reason."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    data = payload.dict()
    data["category"] = _category(data["category"])
    line = services.budget_line_set(actor=request.auth, project=project, **data)
    line.refresh_from_db()
    return line


@finance.get(
    "/projects/{project_id}/budget-changes",
    response=responses({200: page_of(BudgetChangeOut)}),
    summary="A project's budget changes",
)
def budget_change_list(request: HttpRequest, project_id: Id, paging: Query[PageParams]) -> Any:
    """Every change of the budget lines and reserves, newest first: who, when, why."""
    return page_response(
        selectors.budget_changes(selectors.project_for_user(request.auth, project_id)), paging
    )


# --- expenses -------------------------------------------------------------------------------------------------


@finance.get(
    "/projects/{project_id}/expenses",
    response=responses({200: page_of(ExpenseOut)}),
    summary="A project's expenses",
)
def expense_list(request: HttpRequest, project_id: Id, paging: Query[PageParams]) -> Any:
    """The project's expenses, newest first."""
    return page_response(selectors.expense_list(selectors.project_for_user(request.auth, project_id)), paging)


@finance.post(
    "/projects/{project_id}/expenses",
    response=responses({201: ExpenseOut}, CREATE_ERRORS),
    summary="Record an expense",
    openapi_extra=etag_documented(201),
)
def expense_create(
    request: HttpRequest, response: HttpResponse, project_id: Id, payload: ExpenseCreateIn
) -> Any:
    """Record a cost; its currency must convert into the project's on its date (else 422 naming the pair)."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    data = payload.dict()
    data["category"] = _category(data["category"])
    data["currency"] = data["currency"] or ""
    expense = services.expense_create(actor=request.auth, project=project, **data)
    set_etag(response, expense.version)
    return Status(201, expense)


@finance.post(
    "/projects/{project_id}/expenses/import",
    response=responses({201: ImportOut}, CREATE_ERRORS),
    summary="Import expenses from a CSV or Excel file (all or nothing)",
)
def expense_import(request: HttpRequest, project_id: Id, file: UploadedFile = File(None)) -> Any:  # noqa: B008
    """Upload a .csv or .xlsx file (multipart `file`) with columns date, category, amount, currency,
    supplier, description. One bad row and nothing is saved: the 422 lists every bad cell, its `loc`
    being ["body", "file", line (1 is the header), column], with the reason."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    if file is None:
        raise ValidationError({"file": "Choose a .csv or .xlsx file (send it as multipart/form-data)."})
    if file.size and file.size > 10 * 1024 * 1024:
        raise ValidationError({"file": "The file is over 10 MB."})
    try:
        report = services.expenses_import(
            actor=request.auth, project=project, name=file.name or "", content=file.read()
        )
    except services.ImportRefused as refused:
        items = [
            {
                "loc": ["body", "file", e.line, e.column],
                "msg": f"Line {e.line}, {e.column}: {e.reason}",
                "type": "value_error",
            }
            for e in refused.report.errors
        ]
        return Status(422, {"detail": items})
    return Status(201, {"created": report.created})


@finance.get(
    "/expenses/{expense_id}",
    response=responses({200: ExpenseOut}),
    summary="One expense",
    openapi_extra=etag_documented(200),
)
def expense_detail(request: HttpRequest, response: HttpResponse, expense_id: Id) -> Any:
    """One expense with its version as ETag."""
    expense = selectors.expense_get_for_user(request.auth, expense_id)
    set_etag(response, expense.version)
    return expense


@finance.patch(
    "/expenses/{expense_id}",
    response=responses({200: ExpenseOut}, WRITE_ERRORS),
    summary="Change an expense",
    openapi_extra=etag_documented(200),
)
def expense_update(
    request: HttpRequest,
    response: HttpResponse,
    expense_id: Id,
    payload: ExpensePatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent."""
    expense = selectors.expense_get_for_user(request.auth, expense_id, Action.CHANGE)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k == "version"}
    version = expected_version(request, current=expense.version, body_version=changes.pop("version", None))
    if "category" in changes:
        changes["category"] = _category(changes["category"])
    expense = services.expense_update(actor=request.auth, expense=expense, version=version, **changes)
    set_etag(response, expense.version)
    return expense


@finance.delete(
    "/expenses/{expense_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete an expense",
)
def expense_delete(
    request: HttpRequest,
    expense_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete an expense."""
    expense = selectors.expense_get_for_user(request.auth, expense_id, Action.CHANGE)
    version = expected_version(request, current=expense.version, body_version=payload and payload.version)
    services.expense_delete(actor=request.auth, expense=expense, version=version)
    return Status(204, None)


# --- forecasts ---------------------------------------------------------------------------------------------------


@finance.get(
    "/projects/{project_id}/forecasts",
    response=responses({200: list[ForecastOut]}),
    summary="A project's entered forecasts",
)
def forecast_list(request: HttpRequest, project_id: Id) -> Any:
    """The estimate to complete entered per category and period."""
    return selectors.forecast_list(selectors.project_for_user(request.auth, project_id))


@finance.post(
    "/projects/{project_id}/forecasts",
    response=responses({200: ForecastOut}, SET_ERRORS),
    summary="Enter the forecast of a category and period",
)
def forecast_set(request: HttpRequest, project_id: Id, payload: ForecastSetIn) -> Any:
    """Enter the estimate to complete of a category and period, replacing the previous one."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    data = payload.dict()
    data["category"] = _category(data["category"])
    return services.forecast_set(actor=request.auth, project=project, **data)


@finance.delete(
    "/forecasts/{forecast_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete an entered forecast",
)
def forecast_delete(
    request: HttpRequest,
    forecast_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Remove an entered forecast."""
    forecast = selectors.forecast_get_for_user(request.auth, forecast_id, Action.CHANGE)
    version = expected_version(request, current=forecast.version, body_version=payload and payload.version)
    services.forecast_delete(actor=request.auth, forecast=forecast, version=version)
    return Status(204, None)


@finance.get(
    "/projects/{project_id}/forecasts/computed",
    response=responses({200: list[ComputedForecastOut]}),
    summary="The forecast computed from earned value",
)
def forecast_computed(request: HttpRequest, project_id: Id, params: Query[StatusDateIn]) -> Any:
    """EAC − AC at the status date spread over the remaining periods, split by category like the budget."""
    project = selectors.project_for_user(request.auth, project_id)
    result = selectors.project_evm(project, params.status_date)
    lines = list(selectors.budget_lines(project))
    spread = selectors.computed_forecast(result, lines, selectors.finance_settings(project).period)
    codes = {line.category_id: line.category.code for line in lines}
    return [
        {"period_start": start, "category": codes.get(cid) if cid else None, "amount": amount}
        for (start, cid), amount in sorted(spread.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))
    ]


# --- earned value -------------------------------------------------------------------------------------------------


@finance.get(
    "/projects/{project_id}/evm",
    response=responses({200: ProjectEvmOut}, READ_ERRORS),
    summary="A project's earned value at a status date",
)
def project_evm(request: HttpRequest, project_id: Id, params: Query[StatusDateIn]) -> Any:
    """PV from the baseline's time-phased cost, EV from % complete, AC from actuals; earned schedule in weeks.

    A status date before the project starts or after it ends is a 422 naming `status_date`.
    """
    return evm_answer(selectors.project_evm_for_user(request.auth, project_id, params.status_date))


@finance.get(
    "/projects/{project_id}/finance/overview",
    response=responses({200: FinanceTabOut}, READ_ERRORS),
    summary="A project's finance tab: EVM, S-curve, periods, trend",
)
def finance_overview(request: HttpRequest, project_id: Id, params: Query[StatusDateIn]) -> Any:
    """Everything the finance tab shows: the S-curve (PV, EV, AC), the EAC line, budget vs actual vs forecast."""
    project = selectors.project_for_user(request.auth, project_id)
    tab = selectors.finance_tab(project, params.status_date)
    return {
        "evm": evm_answer(tab.evm),
        "curve": [{"date": p.day, "pv": p.pv, "ac": p.ac, "ev": p.ev} for p in tab.curve],
        "eac_line": [{"date": day, "amount": amount} for day, amount in tab.eac_line],
        "periods": [
            {
                "period_start": r.period,
                "category": r.category,
                "approved": r.approved,
                "current": r.current,
                "actual": r.actual,
                "forecast": r.forecast,
                "computed_forecast": r.computed_forecast,
            }
            for r in tab.periods
        ],
        "trend": tab.trend,
    }


@finance.get(
    "/projects/{project_id}/evm/snapshots",
    response=responses({200: list[SnapshotOut]}),
    summary="A project's recorded status dates",
)
def snapshot_list(request: HttpRequest, project_id: Id) -> Any:
    """The earned value recorded at each status date, oldest first (the CPI and SPI trend)."""
    return selectors.snapshot_list(selectors.project_for_user(request.auth, project_id))


@finance.post(
    "/projects/{project_id}/evm/snapshots",
    response=responses({201: SnapshotOut}, CREATE_ERRORS),
    summary="Record the earned value at a status date",
)
def snapshot_record(request: HttpRequest, project_id: Id, payload: SnapshotIn) -> Any:
    """Record (or re-record) the project's earned value at the status date."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    return Status(
        201,
        services.evm_snapshot_record(actor=request.auth, project=project, status_date=payload.status_date),
    )


# --- roll-ups and thresholds ----------------------------------------------------------------------------------------


def _group(row: selectors.GroupRow) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "id": row.key,
        "name": row.label,
        "projects": row.projects,
        "budget": row.budget,
        "forecast": row.forecast,
        "metrics": metrics_answer(row.metrics),
    }


@finance.get(
    "/finance/rollup",
    response=responses({200: RollupOut}, LIST_ERRORS),
    summary="Earned value and money of the projects you may see, rolled up",
)
def rollup(request: HttpRequest, params: Query[RollupFilterIn]) -> Any:
    """Per project, org unit, program and portfolio in the reporting currency, indices from the sums;
    `flags` name the thresholds a project misses."""
    result = selectors.rollup_for_user(request.auth, params.status_date, params.currency or "")
    return {
        "status_date": result.status_date,
        "currency": result.currency,
        "total": metrics_answer(result.total),
        "units": [_group(g) for g in result.units],
        "programs": [_group(g) for g in result.programs],
        "portfolios": [_group(g) for g in result.portfolios],
        "projects": [
            {
                "id": row.project.pk,
                "code": row.project.code,
                "name": row.project.name,
                "budget": row.budget,
                "forecast": row.forecast,
                "flags": list(row.flags),
                "metrics": metrics_answer(row.metrics),
            }
            for row in result.projects
        ],
    }


@finance.get(
    "/finance/thresholds",
    response=responses({200: list[ThresholdsOut]}, LIST_ERRORS),
    summary="CPI and SPI thresholds by org unit",
)
def thresholds_list(request: HttpRequest) -> Any:
    """The thresholds set in the units you may see (a unit without its own uses its nearest ancestor's)."""
    return selectors.thresholds_list_for_user(request.auth)


@finance.put(
    "/org-units/{unit_id}/finance-thresholds",
    response=responses({200: ThresholdsOut}, SET_ERRORS),
    summary="Set a unit's CPI and SPI thresholds (PMO administrators)",
)
def thresholds_set(request: HttpRequest, unit_id: Id, payload: ThresholdsSetIn) -> Any:
    """Projects of the unit's subtree below these are flagged on the finance dashboard."""
    unit = org_selectors.org_unit_get_for_user(request.auth, unit_id)
    return services.thresholds_set(actor=request.auth, org_unit=unit, **payload.dict())
