"""Compliance pages: every gap of the projects a user sees with its owner and age (filters by unit, kind
and project; a roll-up per unit with a chart; Excel export), a project's summary (a fragment the project
page includes), reminders to owners, waivers with a recorded reason and a unit's settings.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from keel.compliance import checks, exports, selectors, services
from keel.compliance.forms import ComplianceConfigForm, RemindForm, WaiveForm, WithdrawForm
from keel.compliance.models import ComplianceConfig
from keel.core.errors import ConflictError, PermissionDenied
from keel.core.pagination import Page
from keel.core.views import add_domain_error, page, render_page
from keel.orgs.scoping import Action

PAGE_SIZE = 50


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _filters(request: HttpRequest) -> dict[str, Any]:
    units = list(selectors.units_for_filter(request.user))
    unit = next((u for u in units if u.pk == _int(request.GET.get("unit"))), None)
    kind = request.GET.get("kind", "")
    kind = kind if kind in checks.REGISTRY else ""
    project_id = _int(request.GET.get("project"))
    project = selectors.project_for_user(request.user, project_id) if project_id else None
    return {"units": units, "unit": unit, "kind": kind, "project": project}


def _found(request: HttpRequest, filters: dict[str, Any]) -> selectors.Compliance:
    return selectors.compliance_for_user(
        request.user,
        selectors.GapFilters(unit=filters["unit"], project=filters["project"], kind=filters["kind"]),
    )


def _chart(found: selectors.Compliance) -> dict[str, Any]:
    rows = found.rollup[:30]
    return {
        "units": [r.unit.code for r in rows],
        "share": [round(100 * r.share_compliant, 1) if r.share_compliant is not None else None for r in rows],
        "kinds": [
            {"kind": k, "label": label, "counts": [r.counts.get(k, 0) for r in rows]}
            for k, label in found.kinds.items()
        ],
    }


def _list_page(items: list[Any], number: Any) -> Page:
    count = len(items)
    pages = max(1, -(-count // PAGE_SIZE))
    n = max(1, min(_int(number) or 1, pages))
    return Page(items=items[(n - 1) * PAGE_SIZE : n * PAGE_SIZE], number=n, size=PAGE_SIZE, count=count)


@page
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every gap in the user's scope with its owner and age, the waived ones, and the roll-up per unit."""
    filters = _filters(request)
    found = _found(request, filters)
    gaps = _list_page(found.gaps, request.GET.get("page"))
    projects = {g.project.pk: g.project for g in gaps.items} | {
        w.gap.project.pk: w.gap.project for w in found.waived
    }
    rights = {
        pk: (selectors.can_remind(request.user, p), selectors.can_waive(request.user, p))
        for pk, p in projects.items()
    }
    rows = [(g, found.last_reminder(g), *rights[g.project.pk]) for g in gaps.items]
    waived = [(w, rights[w.gap.project.pk][1]) for w in found.waived]
    context = {
        **filters,
        "found": found,
        "gaps": gaps,
        "rows": rows,
        "waived": waived,
        "chart": _chart(found),
        "checks": checks.available_checks(),
        "kinds": found.kinds,
        "query_string": request.GET.urlencode(),
    }
    return render(request, "compliance/index.html", context)


@page
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    """The compliance page (with its filters) as an Excel workbook."""
    found = _found(request, _filters(request))
    return exports.attachment(
        exports.compliance_xlsx(found), f"keel-compliance-{timezone.localdate():%Y%m%d}.xlsx"
    )


@page
@require_safe
def project_summary(request: HttpRequest, project_id: int) -> HttpResponse:
    """A project's compliance: a fragment for the project page (htmx), or a page of its own."""
    project = selectors.project_for_user(request.user, project_id)
    summary = selectors.project_compliance(project)
    context = {
        "project": project,
        "summary": summary,
        "checked": selectors.is_checked(project),
        "kinds": checks.kind_labels(),
        "can_remind": selectors.can_remind(request.user, project),
        "can_waive": selectors.can_waive(request.user, project),
    }
    return render_page(
        request, "compliance/project.html", context, partial="compliance/_project_summary.html"
    )


def _gap_form_page(request: HttpRequest, project_id: int, *, waive: bool) -> HttpResponse:
    project = selectors.project_for_user(request.user, project_id)
    allowed = selectors.can_waive if waive else selectors.can_remind
    if not allowed(request.user, project):
        who = "a PMO administrator" if waive else "a PMO administrator, portfolio or project manager"
        raise PermissionDenied(f"Only {who} over {project.code}'s unit may do this.")
    gaps = selectors.project_compliance(project).gaps
    form_class = WaiveForm if waive else RemindForm
    form = form_class(request.POST or None, gaps=gaps, initial={"key": request.GET.get("key", "")})
    if request.method == "POST" and form.is_valid():
        try:
            if waive:
                services.waiver_create(actor=request.user, project=project, **form.cleaned_data)
            else:
                reminder = services.gap_remind(
                    actor=request.user, project=project, key=form.cleaned_data["key"]
                )
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            add_domain_error(form, exc)
        else:
            if waive:
                messages.success(request, f"The gap of {project.code} is waived.")
            else:
                messages.success(request, f"{reminder.recipient} was reminded about {reminder.title}.")
            return redirect(_safe_next(request) or "compliance:index")
    context = {"project": project, "form": form, "gaps": gaps, "waive": waive, "next": _safe_next(request)}
    return render(request, "compliance/gap_form.html", context, status=422 if form.errors else 200)


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else ""


@page
@require_http_methods(["GET", "POST"])
def remind(request: HttpRequest, project_id: int) -> HttpResponse:
    """Remind the owner of one of the project's gaps."""
    return _gap_form_page(request, project_id, waive=False)


@page
@require_http_methods(["GET", "POST"])
def waive(request: HttpRequest, project_id: int) -> HttpResponse:
    """Waive one of the project's gaps with a recorded reason (PMO administrators)."""
    return _gap_form_page(request, project_id, waive=True)


@page
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, waiver_id: int) -> HttpResponse:
    """Withdraw a waiver: the gap counts again (PMO administrators)."""
    waiver = selectors.waiver_get_for_user(request.user, waiver_id, Action.CHANGE)
    form = WithdrawForm(request.POST or None, initial={"version": waiver.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.waiver_delete(actor=request.user, waiver=waiver, version=form.cleaned_data["version"])
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"The waiver of {waiver.project.code} {waiver.title} is withdrawn.")
            return redirect("compliance:index")
    context = {"waiver": waiver, "form": form}
    return render(request, "compliance/withdraw.html", context, status=422 if form.errors else 200)


@page
@require_http_methods(["GET", "POST"])
def config(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit's compliance settings (PMO administrators): days before RAID items go stale, before an
    undecided change is a gap, and whether a baseline is required."""
    unit, own = selectors.config_for_unit(request.user, unit_id, Action.CHANGE)
    rules = selectors.rules_for_unit(unit)
    initial = {
        "version": own.version if own else None,
        "stale_raid_days": rules.stale_raid_days,
        "change_age_days": rules.change_age_days,
        "baseline_required": rules.baseline_required,
    }
    form = ComplianceConfigForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.compliance_config_set(
                actor=request.user,
                unit=unit,
                version=form.cleaned_data.get("version"),
                **form.service_fields(),
            )
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Compliance settings of {unit.code} saved.")
            return redirect("compliance:config", unit_id=unit.pk)
    context = {"unit": unit, "own": own, "rules": rules, "form": form, "model": ComplianceConfig}
    return render(request, "compliance/config.html", context, status=422 if form.errors else 200)
