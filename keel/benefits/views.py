"""Benefits pages: the register (filters, Excel export), a benefit's page (contributing projects,
measurements with an add form, realized vs planned chart and table), a project's benefits, and the
portfolio's benefits (realized vs planned across the portfolio, at-risk and overdue lists with owners)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from keel.benefits import exports, selectors, services
from keel.benefits.forms import (
    BenefitFilterForm,
    BenefitForm,
    ContributionForm,
    MeasurementForm,
    ThresholdForm,
)
from keel.benefits.models import Benefit
from keel.benefits.templatetags.benefits_ui import quantity
from keel.core.errors import ConflictError, PermissionDenied
from keel.core.pagination import paginate
from keel.core.views import add_domain_error, is_partial, page, render_page
from keel.orgs import scoping
from keel.orgs.scoping import Action
from keel.portfolio import selectors as portfolio_selectors
from keel.portfolio.forms import ProjectDeleteForm


def _page_number(request: HttpRequest) -> int:
    """The requested page number (1 when missing or not a number)."""
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


def _num(value: Any) -> float | None:
    """A Decimal for the chart's JSON (the table shows the exact value)."""
    return None if value is None else float(value)


def _chart(state: selectors.BenefitState) -> dict[str, Any]:
    """The realized-vs-planned chart data of one benefit."""
    b = state.benefit
    return {
        "unit": b.measure_unit,
        "today": state.today.isoformat(),
        "planned": [[r.day.isoformat(), _num(r.planned)] for r in state.series],
        "realized": [[r.day.isoformat(), _num(r.realized)] for r in state.series if r.realized is not None],
        "target": _num(b.target_value),
    }


# --- the register --------------------------------------------------------------------------------


@page
@require_safe
def register(request: HttpRequest) -> HttpResponse:
    """The benefits register: search, filters, sorting and pagination, all kept in the URL."""
    form = BenefitFilterForm(request.GET, user=request.user)
    filters, sort = form.filters()
    benefits = selectors.benefit_list_for_user(request.user, filters, sort)
    current = paginate(benefits, page=_page_number(request), size=settings.KEEL_PAGE_SIZE)
    states = {s.benefit.pk: s for s in selectors.states_for(list(current.items))}
    context = {
        "form": form,
        "sort": sort,
        "page": current,
        "rows": [(b, states.get(b.pk)) for b in current.items],
        "can_create": scoping.can_anywhere(request.user, Action.CHANGE, Benefit),
        "query_string": request.GET.urlencode(),
    }
    return render_page(request, "benefits/register.html", context, partial="benefits/_register_table.html")


@page
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    """The filtered register as an Excel workbook (the same scoped selector as the page)."""
    form = BenefitFilterForm(request.GET, user=request.user)
    filters, sort = form.filters()
    states = selectors.states_for(selectors.benefit_list_for_user(request.user, filters, sort))
    response = HttpResponse(exports.benefit_register_xlsx(states), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="keel-benefits-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    return response


# --- one benefit ---------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, benefit: Benefit, **extra: Any) -> dict[str, Any]:
    state = selectors.benefit_state(benefit)
    can_record = selectors.can_record(request.user, benefit)
    return {
        "benefit": benefit,
        "state": state,
        "chart": _chart(state),
        "measurements": list(selectors.measurements_of(benefit)),
        "contributions": list(selectors.contributions_of(benefit)),
        "can_change": selectors.can_change(request.user, benefit),
        "can_record": can_record,
        "measurement_form": MeasurementForm() if can_record else None,
        **extra,
    }


@page
@require_safe
def detail(request: HttpRequest, benefit_id: int) -> HttpResponse:
    """A benefit's page: details, contributing projects, measurements, realized vs planned."""
    benefit = selectors.benefit_get_for_user(request.user, benefit_id)
    return render(request, "benefits/detail.html", _detail_context(request, benefit))


@page
@require_http_methods(["GET", "POST"])
def measurement_add(request: HttpRequest, benefit_id: int) -> HttpResponse:
    """Record a measurement (the owner or a manager of the benefit's unit); htmx swaps the realization."""
    benefit = selectors.benefit_get_for_user(request.user, benefit_id)
    if not selectors.can_record(request.user, benefit):
        raise PermissionDenied("Only the benefit's owner or a manager of its unit records measurements.")
    form = MeasurementForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            measurement = services.measurement_record(
                actor=request.user, benefit=benefit, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
        else:
            message = (
                f"Recorded {quantity(measurement.value)} {benefit.measure_unit} on {measurement.measured_on}."
            )
            if is_partial(request):
                context = _detail_context(request, benefit, saved=message)
                return render(request, "benefits/_realization.html", context)
            messages.success(request, message)
            return redirect("benefits:detail", benefit_id=benefit.pk)
    if form.errors:
        # htmx swaps only successful answers: the fragment carries the errors with a 200.
        status = 200 if is_partial(request) else 422
    if is_partial(request):
        context = _detail_context(request, benefit)
        context["measurement_form"] = form
        return render(request, "benefits/_realization.html", context, status=status)
    return render(
        request, "benefits/measurement_form.html", {"benefit": benefit, "form": form}, status=status
    )


@page
@require_http_methods(["GET", "POST"])
def contribution_add(request: HttpRequest, benefit_id: int) -> HttpResponse:
    """Add a project that contributes to the benefit."""
    benefit = selectors.benefit_get_for_user(request.user, benefit_id, Action.CHANGE)
    form = ContributionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_add(actor=request.user, benefit=benefit, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, f"{form.cleaned_data['project'].code} now contributes to {benefit.code}."
            )
            return redirect("benefits:detail", benefit_id=benefit.pk)
    status = 422 if form.errors else 200
    return render(
        request, "benefits/contribution_form.html", {"benefit": benefit, "form": form}, status=status
    )


@page
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """Register a benefit in a unit where the user may change benefits."""
    if not scoping.can_anywhere(request.user, Action.CHANGE, Benefit):
        raise PermissionDenied("Your roles do not let you register benefits in any org unit.")
    initial = {}
    project_id = request.GET.get("project")
    if project_id and project_id.isdigit():
        initial["lead_project"] = project_id
    form = BenefitForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.service_fields()
        try:
            benefit = services.benefit_create(
                actor=request.user, code=values.pop("code"), name=values.pop("name"), **values
            )
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Benefit {benefit.code} registered.")
            return redirect("benefits:detail", benefit_id=benefit.pk)
    status = 422 if form.errors else 200
    return render(request, "benefits/benefit_form.html", {"form": form, "benefit": None}, status=status)


@page
@require_http_methods(["GET", "POST"])
def update(request: HttpRequest, benefit_id: int) -> HttpResponse:
    """Edit a benefit; a save made against a stale version is refused and shown as a conflict."""
    benefit = selectors.benefit_get_for_user(request.user, benefit_id, Action.CHANGE)
    if request.method == "POST":
        form = BenefitForm(request.POST, user=request.user, benefit=benefit)
    else:
        form = BenefitForm(user=request.user, benefit=benefit, initial=_initial(benefit))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.benefit_update(
                actor=request.user,
                benefit=benefit,
                version=form.cleaned_data["version"] or 0,
                **form.service_fields(),
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Benefit {benefit.code} saved.")
            return redirect("benefits:detail", benefit_id=benefit.pk)
    if form.errors and status == 200:
        status = 422
    return render(request, "benefits/benefit_form.html", {"form": form, "benefit": benefit}, status=status)


def _initial(benefit: Benefit) -> dict[str, Any]:
    names = [
        "code",
        "name",
        "description",
        "org_unit",
        "lead_project",
        "owner",
        "financial",
        "currency",
        "measure",
        "measure_unit",
        "baseline_value",
        "baseline_date",
        "target_value",
        "target_date",
        "milestones",
        "frequency",
        "status",
        "version",
    ]
    initial = {name: getattr(benefit, name) for name in names}
    for name in ("baseline_value", "target_value"):
        initial[name] = f"{initial[name].normalize():f}"
    return initial


# --- a project's benefits, the portfolio -------------------------------------------------------


@page
@require_safe
def project_benefits(request: HttpRequest, project_id: int) -> HttpResponse:
    """The benefits a project contributes to, with where each stands (also after the project closed)."""
    project = portfolio_selectors.project_get_for_user(request.user, project_id)
    states = selectors.states_for(selectors.benefits_for_project(request.user, project))
    context = {
        "project": project,
        "states": states,
        "can_create": scoping.can(request.user, Action.CHANGE, Benefit, project.org_unit),
    }
    return render(request, "benefits/project_benefits.html", context)


def _series_context(c: selectors.CurrencySeries, today: dt.date, key: str = "") -> dict[str, Any]:
    """A currency's monthly sums as the portfolio page's chart and table take them."""
    key = key or c.currency
    return {
        "currency": c.currency,
        "key": key,
        "currency_id": f"currency-data-{key}",
        "benefits": c.benefits,
        "rows": list(zip(c.months, c.planned_gain, c.realized_gain, strict=True)),
        "chart": {
            "months": [f"{m:%b %Y}" for m in c.months],
            "planned": [_num(v) for v in c.planned_gain],
            "realized": [
                _num(v) if m <= today else None for m, v in zip(c.months, c.realized_gain, strict=True)
            ],
        },
    }


@page
@require_safe
def portfolio(request: HttpRequest) -> HttpResponse:
    """Realized vs planned across the portfolio; the PMO's at-risk and overdue lists with owners."""
    form = BenefitFilterForm(request.GET, user=request.user)
    filters, _ = form.filters()
    report = selectors.portfolio_benefits_for_user(request.user, filters)
    tracked = [s for s in report.states if s.realized_percent is not None]
    context = {
        "form": form,
        "report": report,
        "can_set_thresholds": selectors.can_set_thresholds(request.user),
        "currencies": [_series_context(c, report.today) for c in report.currencies],
        "total": _series_context(report.total, report.today, "total") if report.total else None,
        "realization_chart": {
            "labels": [s.benefit.code for s in tracked],
            "realized": [_num(s.realized_percent) for s in tracked],
            "planned": [_num(s.planned_percent) for s in tracked],
        },
    }
    return render(request, "benefits/portfolio.html", context)


@page
@require_http_methods(["GET", "POST"])
def thresholds(request: HttpRequest) -> HttpResponse:
    """The PMO's at-risk thresholds per unit: how far behind plan makes a benefit at risk."""
    if not selectors.can_set_thresholds(request.user):
        raise PermissionDenied("At-risk thresholds are set by PMO administrators.")
    form = ThresholdForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.threshold_set(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
        else:
            unit = form.cleaned_data["org_unit"]
            messages.success(
                request,
                f"Benefits of {unit.code} are at risk beyond {form.cleaned_data['at_risk_percent']} %.",
            )
            return redirect("benefits:thresholds")
    context = {
        "form": form,
        "thresholds": selectors.threshold_list_for_user(request.user),
        "default": selectors.threshold_for_unit_default(),
    }
    return render(request, "benefits/thresholds.html", context, status=422 if form.errors else 200)


@page
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, benefit_id: int) -> HttpResponse:
    """Ask, then delete a benefit with its measurements (refused when someone changed it meanwhile)."""
    benefit = selectors.benefit_get_for_user(request.user, benefit_id, Action.CHANGE)
    form = ProjectDeleteForm(request.POST or None, initial={"version": benefit.version})
    status, conflict = 200, ""
    if request.method == "POST" and form.is_valid():
        try:
            services.benefit_delete(actor=request.user, benefit=benefit, version=form.cleaned_data["version"])
        except ConflictError as exc:
            conflict, status = str(exc), 409
            benefit = selectors.benefit_get_for_user(request.user, benefit_id, Action.CHANGE)
            form = ProjectDeleteForm(initial={"version": benefit.version})
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
            status = 422
        else:
            messages.success(request, f"Benefit {benefit.code} deleted.")
            return redirect("benefits:register")
    context = {"benefit": benefit, "form": form, "conflict": conflict}
    return render(request, "benefits/benefit_confirm_delete.html", context, status=status)


@page
@require_http_methods(["GET", "POST"])
def measurement_delete(request: HttpRequest, benefit_id: int, measurement_id: int) -> HttpResponse:
    """Ask, then delete a measurement recorded by mistake (its owner or a manager of the unit)."""
    benefit = selectors.benefit_get_for_user(request.user, benefit_id)
    measurement = selectors.measurement_get(benefit, measurement_id)
    if not selectors.can_record(request.user, benefit):
        raise PermissionDenied("Only the benefit's owner or a manager of its unit deletes measurements.")
    if request.method == "POST":
        services.measurement_delete(actor=request.user, measurement=measurement)
        messages.success(request, f"The measurement of {measurement.measured_on} was deleted.")
        return redirect("benefits:detail", benefit_id=benefit.pk)
    return render(request, "benefits/measurement_confirm_delete.html", {"benefit": benefit, "m": measurement})
