"""Finance pages: a project's finance tab, its expenses, import, budget and forecast; the portfolio
dashboard; exchange rates for PMO administrators. Charts are drawn by keel/static/keel/finance.js from
JSON embedded in the page, and every chart has its table and an Excel export.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from keel.core.errors import ConflictError, PermissionDenied, validation_errors
from keel.core.views import add_domain_error, page, require_staff_area
from keel.finance import exports, selectors, services
from keel.finance.forms import (
    BudgetLineForm,
    DashboardForm,
    ExpenseForm,
    ForecastForm,
    ImportForm,
    RateForm,
    ReservesForm,
    StatusDateForm,
    ThresholdsForm,
)
from keel.finance.models import Thresholds
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action

EVM_ROWS = (
    ("BAC", "Budget at completion"),
    ("PV", "Planned value"),
    ("EV", "Earned value"),
    ("AC", "Actual cost"),
    ("CV", "Cost variance"),
    ("SV", "Schedule variance"),
    ("CV_pct", "Cost variance %"),
    ("SV_pct", "Schedule variance %"),
    ("CPI", "Cost performance index"),
    ("SPI", "Schedule performance index"),
    ("EAC_cpi", "EAC = BAC / CPI"),
    ("EAC_atypical", "EAC = AC + (BAC − EV)"),
    ("EAC_cpi_x_spi", "EAC = AC + (BAC − EV) / (CPI × SPI)"),
    ("EAC_bottom_up", "EAC = AC + entered forecasts"),
    ("ETC_cpi", "ETC = EAC − AC (CPI)"),
    ("VAC_cpi", "VAC = BAC − EAC (CPI)"),
    ("TCPI_bac", "TCPI to BAC"),
    ("TCPI_eac", "TCPI to EAC"),
)
INDEXES = {"CPI", "SPI", "TCPI_bac", "TCPI_eac", "CV_pct", "SV_pct"}


def _number(value: Decimal | None, places: int = 2) -> str | None:
    return None if value is None else f"{value:.{places}f}"


def _status_date(request: HttpRequest) -> tuple[StatusDateForm, dt.date | None]:
    form = StatusDateForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["status_date"]
    return form, None


def _tab_context(project: Any, status_date: dt.date | None) -> dict[str, Any]:
    tab = selectors.finance_tab(project, status_date)
    m = tab.evm.metrics
    rows = [
        {
            "key": key,
            "label": label,
            "value": getattr(m, key),
            "index": key in INDEXES,
            "why": m.reason(key),
        }
        for key, label in EVM_ROWS
    ]
    chart = {
        "currency": tab.evm.currency,
        "status_date": tab.evm.status_date.isoformat(),
        "curve": [[p.day.isoformat(), _number(p.pv), _number(p.ev), _number(p.ac)] for p in tab.curve],
        "eac": [[day.isoformat(), _number(amount)] for day, amount in tab.eac_line],
        "forecast_finish": tab.evm.forecast_finish.isoformat() if tab.evm.forecast_finish else None,
        "trend": [
            [s.status_date.isoformat(), _number(s.cpi, 4), _number(s.spi, 4), _number(s.spi_t, 4)]
            for s in tab.trend
        ],
        "periods": [
            [
                r.period.isoformat()[:7],
                r.category,
                _number(r.current),
                _number(r.actual),
                _number(r.forecast or r.computed_forecast),
            ]
            for r in tab.periods
        ],
    }
    return {"tab": tab, "evm_rows": rows, "chart": chart}


@page
@require_http_methods(["GET", "HEAD", "POST"])
def project_finance(request: HttpRequest, project_id: int) -> HttpResponse:
    """The finance tab: EVM table at a status date, S-curve with EAC, budget vs actual vs forecast, trend.

    POST records the earned value at the status date (for the trend).
    """
    if request.method == "POST":
        project = selectors.project_for_user(request.user, project_id, Action.CHANGE)
        form = StatusDateForm(request.POST)
        day = form.cleaned_data["status_date"] if form.is_valid() else None
        try:
            services.evm_snapshot_record(
                actor=request.user, project=project, status_date=day or selectors.default_status_date(project)
            )
            messages.success(request, "The status was recorded.")
        except ValidationError as error:
            messages.error(request, " ".join(m for ms in validation_errors(error).values() for m in ms))
        query = f"?status_date={day.isoformat()}" if day else ""
        return redirect(reverse("finance:project", args=[project.pk]) + query)
    project = selectors.project_for_user(request.user, project_id)
    form, day = _status_date(request)
    context: dict[str, Any] = {
        "project": project,
        "form": form,
        "editable": selectors.can_change(request.user, project),
    }
    try:
        context.update(_tab_context(project, day))
    except ValidationError as error:
        context["error"] = " ".join(m for ms in validation_errors(error).values() for m in ms)
        status = 422 if day else 200
        return render(request, "finance/project.html", context, status=status)
    return render(request, "finance/project.html", context)


@page
@require_safe
def project_export(request: HttpRequest, project_id: int) -> HttpResponse:
    """Every finance table of the project as an Excel workbook."""
    project = selectors.project_for_user(request.user, project_id)
    _, day = _status_date(request)
    try:
        tab = selectors.finance_tab(project, day)
    except ValidationError as error:
        return HttpResponse(
            " ".join(m for ms in validation_errors(error).values() for m in ms),
            status=422,
            content_type="text/plain",
        )
    content = exports.project_xlsx(
        tab,
        selectors.budget_lines(project),
        selectors.budget_changes(project),
        selectors.expense_list(project),
        selectors.forecast_list(project),
    )
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{project.code}-finance.xlsx"'
    return response


@page
@require_http_methods(["GET", "HEAD", "POST"])
def expenses(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's expenses and a form to record one (project managers)."""
    project = selectors.project_for_user(request.user, project_id, Action.CHANGE)
    form = ExpenseForm(request.POST or None, request.FILES or None, initial={"currency": project.currency})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.expense_create(
                actor=request.user,
                project=project,
                date=data["date"],
                category=data["category"],
                amount=data["amount"],
                currency=data["currency"],
                supplier=data["supplier"],
                description=data["description"],
                attachment=data["attachment"] or "",
            )
        except (ValidationError, PermissionDenied) as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The expense was recorded.")
            return redirect("finance:expenses", project.pk)
    status = 422 if request.method == "POST" else 200
    context = {"project": project, "form": form, "expenses": selectors.expense_list(project)[:200]}
    return render(request, "finance/expenses.html", context, status=status)


@page
@require_http_methods(["GET", "HEAD", "POST"])
def expense_delete(request: HttpRequest, expense_id: int) -> HttpResponse:
    """Confirm, then delete an expense."""
    expense = selectors.expense_get_for_user(request.user, expense_id, Action.CHANGE)
    if request.method == "POST":
        try:
            services.expense_delete(
                actor=request.user, expense=expense, version=int(request.POST.get("version") or 0)
            )
        except (ConflictError, ValueError):
            messages.error(request, "The expense changed meanwhile; look at it again before deleting it.")
        else:
            messages.success(request, "The expense was deleted.")
        return redirect("finance:expenses", expense.project_id)
    return render(request, "finance/expense_delete.html", {"expense": expense, "project": expense.project})


@page
@require_http_methods(["GET", "HEAD", "POST"])
def expense_import(request: HttpRequest, project_id: int) -> HttpResponse:
    """Upload expenses from a CSV or Excel file; all rows or none, with every refusal listed."""
    project = selectors.project_for_user(request.user, project_id, Action.CHANGE)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.expenses_import(
                actor=request.user, project=project, name=upload.name, content=upload.read()
            )
        except services.ImportRefused as refused:
            report = refused.report
            form.add_error("file", f"{len(report.errors)} problem(s) found; nothing was imported.")
        except ValidationError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"{result.created} expense(s) imported.")
            return redirect("finance:expenses", project.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "finance/import.html", {"project": project, "form": form, "report": report}, status=status
    )


@page
@require_http_methods(["GET", "HEAD", "POST"])
def budget(request: HttpRequest, project_id: int) -> HttpResponse:
    """Budget lines, reserves and entered forecasts of the project, with their forms and the change log."""
    project = selectors.project_for_user(request.user, project_id, Action.CHANGE)
    settings_ = selectors.finance_settings(project)
    which = request.POST.get("form") if request.method == "POST" else None
    line_form = BudgetLineForm(request.POST if which == "line" else None)
    reserves_form = ReservesForm(
        request.POST if which == "reserves" else None,
        initial={
            "period": settings_.period,
            "contingency": settings_.contingency,
            "management_reserve": settings_.management_reserve,
            "version": settings_.version,
        },
    )
    forecast_form = ForecastForm(request.POST if which == "forecast" else None)
    bound = {"line": line_form, "reserves": reserves_form, "forecast": forecast_form}.get(which or "")
    if bound is not None and bound.is_valid():
        data = bound.cleaned_data
        try:
            if which == "line":
                services.budget_line_set(actor=request.user, project=project, **data)
            elif which == "reserves":
                version = data.pop("version")
                services.finance_settings_update(
                    actor=request.user, project=project, version=version if settings_.pk else None, **data
                )
            else:
                services.forecast_set(actor=request.user, project=project, **data)
        except (ValidationError, PermissionDenied, ConflictError) as error:
            add_domain_error(bound, error)
        else:
            messages.success(request, "Saved.")
            return redirect("finance:budget", project.pk)
    context = {
        "project": project,
        "settings": settings_,
        "lines": selectors.budget_lines(project),
        "changes": selectors.budget_changes(project)[:100],
        "forecasts": selectors.forecast_list(project),
        "line_form": line_form,
        "reserves_form": reserves_form,
        "forecast_form": forecast_form,
    }
    return render(request, "finance/budget.html", context, status=422 if bound is not None else 200)


def _dashboard(request: HttpRequest) -> tuple[DashboardForm, dict[str, Any]]:
    form = DashboardForm(request.GET or None)
    day = currency = None
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["status_date"]
        currency = (form.cleaned_data["currency"] or "").upper()
    return form, {"status_date": day, "currency": currency or ""}


@page
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """The portfolio finance dashboard in the viewer's reporting currency."""
    form, params = _dashboard(request)
    context: dict[str, Any] = {"form": form}
    try:
        result = selectors.rollup_for_user(request.user, params["status_date"], params["currency"])
    except ValidationError as error:
        context["error"] = " ".join(m for ms in validation_errors(error).values() for m in ms)
        return render(request, "finance/dashboard.html", context)
    context["result"] = result
    context["chart"] = {
        "currency": result.currency,
        "scatter": [
            {
                "code": r.project.code,
                "name": r.project.name,
                "cpi": _number(r.metrics.CPI, 3),
                "spi": _number(r.metrics.SPI, 3),
                "url": reverse("finance:project", args=[r.project.pk]),
                "flagged": bool(r.flags),
            }
            for r in result.projects
            if r.metrics.CPI is not None and r.metrics.SPI is not None
        ],
        "units": [
            [g.label, _number(g.budget), _number(g.metrics.AC), _number(g.forecast)] for g in result.units
        ],
    }
    return render(request, "finance/dashboard.html", context)


@page
@require_safe
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables as an Excel workbook."""
    form, params = _dashboard(request)
    try:
        result = selectors.rollup_for_user(request.user, params["status_date"], params["currency"])
    except ValidationError as error:
        # Nothing to export: the dashboard says which rate is missing.
        message = " ".join(m for ms in validation_errors(error).values() for m in ms)
        return render(request, "finance/dashboard.html", {"form": form, "error": message})
    response = HttpResponse(exports.rollup_xlsx(result), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="finance-{result.status_date}.xlsx"'
    return response


@page
@require_http_methods(["GET", "HEAD", "POST"])
def rates(request: HttpRequest) -> HttpResponse:
    """Exchange rates: the list and a form to add one (PMO administrators)."""
    require_staff_area(org_selectors.is_pmo_admin(request.user))
    which = request.POST.get("form") if request.method == "POST" else None
    form = RateForm(request.POST if which != "thresholds" and request.method == "POST" else None)
    units = org_selectors.org_unit_list_where(request.user, Thresholds, Action.CHANGE)
    thresholds_form = ThresholdsForm(
        request.POST if which == "thresholds" else None,
        units=units,
        initial={"cpi_min": Decimal("0.90"), "spi_min": Decimal("0.90")},
    )
    bound = thresholds_form if which == "thresholds" else (form if request.method == "POST" else None)
    if bound is not None and bound.is_valid():
        try:
            if bound is form:
                services.rate_create(actor=request.user, **form.cleaned_data)
            else:
                services.thresholds_set(actor=request.user, **thresholds_form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            add_domain_error(bound, error)
        else:
            messages.success(request, "Saved.")
            return redirect("finance:rates")
    context = {
        "form": form,
        "thresholds_form": thresholds_form,
        "rates": selectors.rate_list()[:500],
        "thresholds": selectors.thresholds_list_for_user(request.user),
    }
    return render(request, "finance/rates.html", context, status=422 if bound is not None else 200)
