"""RAID pages: a project's RAID log (tabs for risks, issues, assumptions, decisions; add and edit forms;
htmx tab and filter swaps; Excel export), the risk heat map per project and across the portfolio (a
click on a cell lists its risks), the PMO's escalation list (resolve with a recorded resolution) and a
unit's RAID settings.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from keel.core.errors import ConflictError, PermissionDenied
from keel.core.views import add_domain_error, is_partial, page, render_page
from keel.governance import exports, selectors, services
from keel.governance.forms import FORMS, EscalateForm, RaidConfigForm, ResolveForm, RiskActionForm
from keel.governance.models import RaidConfig
from keel.orgs.scoping import Action
from keel.portfolio.models import Project

TABS = (("risk", "Risks"), ("issue", "Issues"), ("assumption", "Assumptions"), ("decision", "Decisions"))
KIND_LABEL = dict(TABS)
CREATE = {
    "risk": services.risk_create,
    "issue": services.issue_create,
    "assumption": services.assumption_create,
    "decision": services.decision_create,
}
UPDATE = {
    "risk": lambda actor, item, version, **v: services.risk_update(
        actor=actor, risk=item, version=version, **v
    ),
    "issue": lambda actor, item, version, **v: services.issue_update(
        actor=actor, issue=item, version=version, **v
    ),
    "assumption": lambda actor, item, version, **v: services.assumption_update(
        actor=actor, assumption=item, version=version, **v
    ),
    "decision": lambda actor, item, version, **v: services.decision_update(
        actor=actor, decision=item, version=version, **v
    ),
}


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _copy(item: Any) -> Any:
    """A fresh copy of a stored record for a model form (None stays None)."""
    return None if item is None else type(item)._default_manager.get(pk=item.pk)


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("tab", "risk")
    return kind if kind in KIND_LABEL else "risk"


def _with_tab(request: HttpRequest, kind: str) -> str:
    query = request.GET.copy()
    query["tab"] = kind
    return query.urlencode()


def _filters(request: HttpRequest) -> selectors.RaidFilters:
    return selectors.RaidFilters(
        status=request.GET.get("status", "")[:20],
        owner=_int(request.GET.get("owner")),
        category=request.GET.get("category", "")[:60],
        q=request.GET.get("q", "")[:100],
        min_score=_int(request.GET.get("min_score")),
    )


# --- a project's RAID log -----------------------------------------------------------------------------


@page
@require_safe
def raid(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's RAID log: one tab per kind, filters kept in the URL, htmx swaps the list."""
    project = selectors.project_for_user(request.user, project_id)
    kind = _kind(request)
    filters = _filters(request)
    items = list(selectors.raid_list_for_project(request.user, project.pk, kind, filters))
    model = selectors.KINDS[kind]
    context = {
        "project": project,
        "kind": kind,
        "kind_label": KIND_LABEL[kind],
        "tabs": TABS,
        "items": items,
        "filters": filters,
        "statuses": getattr(model, "Status", None),
        "scale": selectors.scale_for_project(project),
        "counts": selectors.raid_counts(project),
        "can_change": selectors.can_change(request.user, project),
        "escalated": {
            e.item.pk
            for e in selectors.escalation_list_for_user(request.user, project_id=project.pk)
            if e.kind == kind
        },
        "export_query": _with_tab(request, kind),
    }
    return render_page(request, "governance/raid.html", context, partial="governance/_raid_list.html")


@page
@require_safe
def raid_export(request: HttpRequest, project_id: int) -> HttpResponse:
    """The tab's list (with the page's filters) as an Excel workbook."""
    project = selectors.project_for_user(request.user, project_id)
    kind = _kind(request)
    items = selectors.raid_list_for_project(request.user, project.pk, kind, _filters(request))
    content = exports.raid_xlsx(kind, list(items), selectors.scale_for_project(project))
    return exports.attachment(content, f"keel-{project.code}-{kind}s-{timezone.localdate():%Y%m%d}.xlsx")


def _form_page(
    request: HttpRequest,
    project: Project,
    kind: str,
    item: Any = None,
    *,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Add (item None) or edit one RAID item."""
    form_class = FORMS[kind]
    # The form works on its own copy: validating a model form writes into its instance, and the
    # service must see the stored values to audit the change.
    form = form_class(request.POST or None, instance=_copy(item), project=project)
    if request.method == "POST" and form.is_valid():
        values = form.service_fields()
        try:
            if item is None:
                saved = CREATE[kind](actor=request.user, project=project, **values)
            else:
                version = form.cleaned_data.get("version") or item.version
                saved = UPDATE[kind](request.user, item, version, **values)
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{saved.reference} {saved.title} saved.")
            return redirect(f"{reverse('governance:raid', args=[project.pk])}?tab={kind}")
    context = {
        "project": project,
        "kind": kind,
        "kind_label": KIND_LABEL[kind],
        "form": form,
        "item": item,
        **(extra or {}),
    }
    return render(request, "governance/item_form.html", context, status=422 if form.errors else 200)


def _create_view(kind: str):
    @page
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, project_id: int) -> HttpResponse:
        project = selectors.project_for_user(request.user, project_id, Action.CHANGE)
        return _form_page(request, project, kind)

    view.__doc__ = f"Add a {kind} to the project's RAID log."
    view.__name__ = f"{kind}_create"
    return view


def _escalation_context(request: HttpRequest, item: Any, kind: str) -> dict[str, Any]:
    if kind not in ("risk", "issue"):
        return {}
    escalation = selectors.escalation_of(item)
    return {
        "escalation": escalation,
        "escalate_form": EscalateForm(initial={"version": item.version}),
        "resolve_form": ResolveForm(initial={"version": item.version}),
        "can_resolve": selectors.can_resolve(request.user, item.project),
    }


def _update_view(kind: str):
    @page
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        item = selectors.raid_item_get_for_user(request.user, kind, kwargs[f"{kind}_id"], Action.CHANGE)
        extra = _escalation_context(request, item, kind)
        if kind == "risk":
            extra["actions"] = list(selectors.risk_actions(item))
            extra["action_form"] = RiskActionForm(project=item.project)
        return _form_page(request, item.project, kind, item, extra=extra)

    view.__doc__ = f"Edit a {kind} of a RAID log."
    view.__name__ = f"{kind}_update"
    return view


risk_create = _create_view("risk")
issue_create = _create_view("issue")
assumption_create = _create_view("assumption")
decision_create = _create_view("decision")
risk_update = _update_view("risk")
issue_update = _update_view("issue")
assumption_update = _update_view("assumption")
decision_update = _update_view("decision")


@page
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, risk_id: int) -> HttpResponse:
    """Add a response action to a risk."""
    risk = selectors.raid_item_get_for_user(request.user, "risk", risk_id, Action.CHANGE)
    return _action_form(request, risk, None)


@page
@require_http_methods(["GET", "POST"])
def action_update(request: HttpRequest, action_id: int) -> HttpResponse:
    """Edit a risk's response action (status, due date, owner)."""
    action = selectors.risk_action_get_for_user(request.user, action_id, Action.CHANGE)
    return _action_form(request, action.risk, action)


def _action_form(request: HttpRequest, risk: Any, action: Any) -> HttpResponse:
    form = RiskActionForm(request.POST or None, instance=_copy(action), project=risk.project)
    if request.method == "POST" and form.is_valid():
        try:
            if action is None:
                services.risk_action_create(actor=request.user, risk=risk, **form.service_fields())
            else:
                version = form.cleaned_data.get("version") or action.version
                services.risk_action_update(
                    actor=request.user, action=action, version=version, **form.service_fields()
                )
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Action of {risk.reference} saved.")
            return redirect("governance:risk_update", risk_id=risk.pk)
    context = {"project": risk.project, "risk": risk, "form": form, "action": action}
    return render(request, "governance/action_form.html", context, status=422 if form.errors else 200)


def _escalate(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    item = selectors.raid_item_get_for_user(request.user, kind, item_id, Action.CHANGE)
    form = EscalateForm(request.POST or None, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.raid_escalate(
                actor=request.user,
                item=item,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{item.reference} is on the PMO's escalation list.")
            return redirect(f"governance:{kind}_update", **{f"{kind}_id": item.pk})
    context = {"project": item.project, "item": item, "kind": kind, "form": form}
    return render(request, "governance/escalate.html", context, status=422 if form.errors else 200)


@page
@require_http_methods(["GET", "POST"])
def risk_escalate(request: HttpRequest, risk_id: int) -> HttpResponse:
    """Flag a risk for the PMO with a reason."""
    return _escalate(request, "risk", risk_id)


@page
@require_http_methods(["GET", "POST"])
def issue_escalate(request: HttpRequest, issue_id: int) -> HttpResponse:
    """Flag an issue for the PMO with a reason."""
    return _escalate(request, "issue", issue_id)


# --- heat maps -----------------------------------------------------------------------------------------


def _chart(heat: selectors.HeatMap) -> dict[str, Any]:
    return {
        "probability": list(heat.probability_labels),
        "impact": list(heat.impact_labels),
        "threshold": heat.threshold,
        "cells": [
            [i - 1, p - 1, heat.count(p, i), p * i]
            for p in range(1, heat.size + 1)
            for i in range(1, heat.size + 1)
        ],
    }


def _residual(request: HttpRequest) -> bool:
    return request.GET.get("residual") in ("1", "on", "true")


@page
@require_safe
def heatmap(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's probability × impact heat map of open risks, with its table."""
    project = selectors.project_for_user(request.user, project_id)
    residual = _residual(request)
    heat = selectors.heat_map_for_project(request.user, project.pk, residual=residual)
    context = {"project": project, "heat": heat, "chart": _chart(heat), "residual": residual}
    return render(request, "governance/heatmap.html", context)


@page
@require_safe
def portfolio_heatmap(request: HttpRequest) -> HttpResponse:
    """The heat map of the open risks of every project the user sees (optionally one unit's)."""
    units = list(selectors.units_for_filter(request.user))
    unit = next((u for u in units if u.pk == _int(request.GET.get("unit"))), None)
    residual = _residual(request)
    heat = selectors.heat_map_for_portfolio(request.user, unit, residual=residual)
    context = {
        "project": None,
        "heat": heat,
        "chart": _chart(heat),
        "residual": residual,
        "units": units,
        "unit": unit,
    }
    return render(request, "governance/heatmap.html", context)


@page
@require_safe
def heatmap_cell(request: HttpRequest) -> HttpResponse:
    """The risks behind one heat-map cell (a fragment for htmx, or a page)."""
    probability, impact = _int(request.GET.get("probability")), _int(request.GET.get("impact"))
    project_id = _int(request.GET.get("project"))
    unit = None
    if request.GET.get("unit"):
        unit = next(
            (u for u in selectors.units_for_filter(request.user) if u.pk == _int(request.GET.get("unit"))),
            None,
        )
    risks: list[Any] = []
    project = selectors.project_for_user(request.user, project_id) if project_id else None
    if probability and impact:
        risks = list(
            selectors.heat_map_cell(
                request.user,
                probability=probability,
                impact=impact,
                project_id=project.pk if project else None,
                unit=unit,
                residual=_residual(request),
            )
        )
    context = {"risks": risks, "probability": probability, "impact": impact, "project": project}
    return render_page(
        request, "governance/heatmap_cell.html", context, partial="governance/_heatmap_cell.html"
    )


# --- escalations ---------------------------------------------------------------------------------------


def _escalation_filters(request: HttpRequest) -> dict[str, Any]:
    units = list(selectors.units_for_filter(request.user))
    unit = next((u for u in units if u.pk == _int(request.GET.get("unit"))), None)
    reason = request.GET.get("reason", "")
    reason = reason if reason in ("threshold", "overdue", "flagged") else ""
    return {"units": units, "unit": unit, "reason": reason}


@page
@require_safe
def escalations(request: HttpRequest) -> HttpResponse:
    """The PMO's escalation list: why each item is on it, since when; resolve with a resolution."""
    filters = _escalation_filters(request)
    found = selectors.escalation_list_for_user(request.user, unit=filters["unit"], reason=filters["reason"])
    rows = [(e, selectors.can_resolve(request.user, e.project)) for e in found]
    context = {**filters, "rows": rows, "query_string": request.GET.urlencode()}
    return render(request, "governance/escalations.html", context)


@page
@require_safe
def escalations_export(request: HttpRequest) -> HttpResponse:
    """The escalation list (with the page's filters) as an Excel workbook."""
    filters = _escalation_filters(request)
    found = selectors.escalation_list_for_user(request.user, unit=filters["unit"], reason=filters["reason"])
    return exports.attachment(
        exports.escalations_xlsx(found), f"keel-escalations-{timezone.localdate():%Y%m%d}.xlsx"
    )


def _resolve(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    item = selectors.raid_item_get_for_user(request.user, kind, item_id)
    if not selectors.can_resolve(request.user, item.project):
        raise PermissionDenied("Only a PMO administrator over the project's unit resolves escalations.")
    form = ResolveForm(request.POST or None, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.escalation_resolve(
                actor=request.user,
                item=item,
                version=form.cleaned_data["version"],
                resolution=form.cleaned_data["resolution"],
            )
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"The escalation of {item.project.code} {item.reference} is resolved.")
            return redirect("governance:escalations")
    context = {"item": item, "kind": kind, "form": form, "escalation": selectors.escalation_of(item)}
    status = 422 if form.errors else 200
    template = "governance/_resolve_form.html" if is_partial(request) else "governance/resolve.html"
    return render(request, template, context, status=200 if is_partial(request) else status)


@page
@require_http_methods(["GET", "POST"])
def risk_resolve(request: HttpRequest, risk_id: int) -> HttpResponse:
    """Resolve a risk's escalation, recording the resolution."""
    return _resolve(request, "risk", risk_id)


@page
@require_http_methods(["GET", "POST"])
def issue_resolve(request: HttpRequest, issue_id: int) -> HttpResponse:
    """Resolve an issue's escalation, recording the resolution."""
    return _resolve(request, "issue", issue_id)


# --- a unit's RAID settings ------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def config(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit's RAID settings (PMO administrators): the scale, labels, thresholds and categories."""
    unit, own = selectors.config_for_unit(request.user, unit_id, Action.CHANGE)
    scale = selectors.scale_for_unit(unit)
    initial = {
        "version": own.version if own else None,
        "scale_size": scale.size,
        "probability_labels": ", ".join(scale.probability_labels),
        "impact_labels": ", ".join(scale.impact_labels),
        "escalation_threshold": scale.escalation_threshold,
        "escalation_severity": scale.escalation_severity,
        "categories": "\n".join(scale.categories),
    }
    form = RaidConfigForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.raid_config_set(
                actor=request.user,
                unit=unit,
                version=form.cleaned_data.get("version"),
                **form.service_fields(),
            )
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"RAID settings of {unit.code} saved.")
            return redirect("governance:config", unit_id=unit.pk)
    context = {"unit": unit, "own": own, "scale": scale, "form": form, "model": RaidConfig}
    return render(request, "governance/config.html", context, status=422 if form.errors else 200)
