"""Status-report pages: a project's reports with its RAG trend and cadence, drafting a report, the draft
page (confirm or override each proposed RAG, write the narrative, refresh from data, submit), a report
and its PDF, the portfolio view (latest RAG, trend, overdue marked) with its Excel export, and the PMO's
settings per unit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from keel.core.errors import ConflictError, PermissionDenied
from keel.core.views import add_domain_error, page
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action
from keel.statusreports import exports, selectors, services
from keel.statusreports.forms import CadenceForm, ReportConfigForm, ReportCreateForm, ReportForm
from keel.statusreports.models import DEFAULTS, DIMENSIONS, Rag, ReportConfig, StatusReport

RAG_VALUE = {Rag.GREEN: 3, Rag.AMBER: 2, Rag.RED: 1}


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _trend_chart(reports: list[StatusReport]) -> dict[str, Any]:
    """The series of the RAG trend chart: per dimension 3 (green), 2 (amber) or 1 (red) per period."""
    return {
        "periods": [r.period_end.isoformat() for r in reports],
        "series": [
            {"name": d.title(), "data": [RAG_VALUE[Rag(r.rag(d))] for r in reports]} for d in DIMENSIONS
        ],
    }


# --- a project's reports ------------------------------------------------------------------------------------


@page
@require_safe
def project_reports(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's reports, latest first, with the RAG trend and the next due date."""
    project = selectors.project_for_user(request.user, project_id)
    reports = list(selectors.report_list_for_project(request.user, project.pk))
    trend = selectors.trend_for_project(project)
    overdue = selectors.overdue_reports(projects=[project])
    context = {
        "project": project,
        "reports": reports,
        "rows": [(r, [r.rag(d) for d in DIMENSIONS]) for r in reports],
        "dimensions": DIMENSIONS,
        "chart": _trend_chart(trend),
        "cadence": selectors.cadence_for_project(project),
        "own_cadence": selectors.own_cadence(project) is not None,
        "next_due": selectors.next_period(project),
        "overdue": overdue[0] if overdue else None,
        "can_change": selectors.can_change(request.user, project),
    }
    return render(request, "statusreports/project.html", context)


@page
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, project_id: int) -> HttpResponse:
    """Draft a report of the project from its data."""
    project = selectors.project_for_user(request.user, project_id, Action.CHANGE)
    form = ReportCreateForm(request.POST or None, initial={"period_end": selectors.next_period(project)})
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_create(
                actor=request.user, project=project, period_end=form.cleaned_data["period_end"]
            )
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, f"Drafted the report for the period ending {report.period_end:%d %b %Y}."
            )
            return redirect("statusreports:edit", report.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "statusreports/create.html", {"project": project, "form": form}, status=status)


@page
@require_http_methods(["GET", "POST"])
def cadence(request: HttpRequest, project_id: int) -> HttpResponse:
    """Set the project's own reporting cadence (or follow its unit's)."""
    project = selectors.project_for_user(request.user, project_id, Action.CHANGE)
    own = selectors.own_cadence(project)
    initial = {"cadence": own.cadence if own else "", "version": own.version if own else None}
    form = CadenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_cadence_set(
                actor=request.user,
                project=project,
                cadence=form.cleaned_data["cadence"],
                version=form.cleaned_data["version"],
            )
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Saved the reporting cadence.")
            return redirect("statusreports:project", project.pk)
    context = {
        "project": project,
        "form": form,
        "unit_cadence": selectors.thresholds_for_unit(project.org_unit),
    }
    return render(
        request, "statusreports/cadence.html", context, status=422 if request.method == "POST" else 200
    )


# --- one report ---------------------------------------------------------------------------------------------


def _report_context(request: HttpRequest, report: StatusReport) -> dict[str, Any]:
    return {
        "report": report,
        "project": report.project,
        "rows": selectors.rag_rows(report),
        "facts": report.facts or {},
        "previous": selectors.previous_report(report),
        "can_change": selectors.can_change(request.user, report.project),
    }


@page
@require_safe
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """A report as read by everyone: RAG with reasons, progress, milestones, changes, narrative."""
    report = selectors.report_get_for_user(request.user, report_id)
    return render(request, "statusreports/detail.html", _report_context(request, report))


@page
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, report_id: int) -> HttpResponse:
    """The draft: confirm or override each RAG, write the narrative, refresh from data, submit."""
    report = selectors.report_get_for_user(request.user, report_id, Action.CHANGE)
    if report.is_submitted:
        messages.info(request, "This report was submitted and can no longer change.")
        return redirect("statusreports:detail", report.pk)
    initial = {
        "version": report.version,
        **{f"{d}_rag": report.decided(d) for d in DIMENSIONS},
        **{f"{d}_reason": getattr(report, f"{d}_reason") for d in DIMENSIONS},
        **{n: getattr(report, n) for n in ("accomplishments", "next_steps", "help_needed")},
    }
    form = ReportForm(request.POST or None, initial=initial, report=report)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        status = 422
        if form.is_valid():
            version = form.cleaned_data["version"]
            try:
                if action == "refresh":
                    services.report_refresh(actor=request.user, report=report, version=version)
                    messages.success(request, "Read the project's data again.")
                    return redirect("statusreports:edit", report.pk)
                services.report_update(actor=request.user, report=report, version=version, **form.changes())
                if action == "submit":
                    services.report_submit(actor=request.user, report=report, version=report.version)
                    messages.success(request, "Submitted the report.")
                    return redirect("statusreports:detail", report.pk)
                messages.success(request, "Saved the draft.")
                return redirect("statusreports:edit", report.pk)
            except (ValidationError, PermissionDenied, ConflictError) as exc:
                add_domain_error(form, exc)
                report.refresh_from_db()
                if action == "submit" and report.version != version:
                    form.data = form.data.copy()
                    form.data["version"] = report.version
                    form.add_error(None, "Saved the draft, but it cannot be submitted yet.")
    context = {**_report_context(request, report), "form": form}
    context["fields"] = [
        (row, form[f"{row.dimension}_rag"], form[f"{row.dimension}_reason"]) for row in context["rows"]
    ]
    return render(request, "statusreports/edit.html", context, status=status)


@page
@require_safe
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report as a PDF document."""
    report = selectors.report_get_for_user(request.user, report_id)
    content = exports.report_pdf(report)
    return exports.attachment(
        content, f"keel-{report.project.code}-status-{report.period_end:%Y%m%d}.pdf", exports.PDF_CONTENT_TYPE
    )


# --- the portfolio view -------------------------------------------------------------------------------------


def _portfolio_rows(request: HttpRequest) -> list[selectors.PortfolioRow]:
    return selectors.portfolio_for_user(
        request.user, unit=_int(request.GET.get("unit")), q=request.GET.get("q", "")[:100]
    )


@page
@require_safe
def portfolio(request: HttpRequest) -> HttpResponse:
    """Every project in scope with its latest report's RAG and trend; overdue reports marked."""
    rows = _portfolio_rows(request)
    context = {
        "rows": rows,
        "dimensions": DIMENSIONS,
        "units": org_selectors.org_unit_list_for_user(request.user),
        "unit": _int(request.GET.get("unit")),
        "q": request.GET.get("q", "")[:100],
        "overdue_count": sum(1 for r in rows if r.overdue),
        "query": request.GET.urlencode(),
    }
    return render(request, "statusreports/portfolio.html", context)


@page
@require_safe
def portfolio_export(request: HttpRequest) -> HttpResponse:
    """The portfolio view (with the page's filters) as an Excel workbook."""
    content = exports.portfolio_xlsx(_portfolio_rows(request))
    return exports.attachment(
        content, f"keel-status-reports-{timezone.localdate():%Y%m%d}.xlsx", exports.XLSX_CONTENT_TYPE
    )


# --- settings -----------------------------------------------------------------------------------------------


@page
@require_safe
def settings_index(request: HttpRequest) -> HttpResponse:
    """The units whose status-report settings the user may set, with the settings in force."""
    if not scoping.can_anywhere(request.user, Action.CHANGE, ReportConfig):
        raise DjangoPermissionDenied("Status-report settings are for PMO administrators.")
    units = list(selectors.configurable_units(request.user).order_by("path"))
    book = selectors.ThresholdBook()
    rows = [(u, book.for_path(u.path)) for u in units]
    return render(request, "statusreports/settings.html", {"rows": rows})


@page
@require_http_methods(["GET", "POST"])
def config(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit's cadence and RAG thresholds (PMO administrators over it)."""
    unit, own = selectors.config_for_unit(request.user, unit_id, Action.CHANGE)
    limits = selectors.thresholds_for_unit(unit)
    if own is None:
        instance = ReportConfig(org_unit=unit, **{n: getattr(limits, n) for n in DEFAULTS})
    else:
        instance = own
    form = ReportConfigForm(
        request.POST or None, instance=instance, initial={"version": own.version if own else None}
    )
    if request.method == "POST" and form.is_valid():
        values = {n: form.cleaned_data[n] for n in DEFAULTS}
        try:
            services.report_config_set(
                actor=request.user, unit=unit, version=form.cleaned_data["version"], **values
            )
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Saved the status-report settings of {unit.code}.")
            return redirect("statusreports:config", unit.pk)
    context = {"unit": unit, "own": own is not None, "limits": limits, "form": form}
    return render(request, "statusreports/config.html", context, status=422 if form.errors else 200)
