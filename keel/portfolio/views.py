"""Pages of the portfolio register: home dashboard, project register, project page and forms, audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from keel.core.errors import ConflictError, PermissionDenied
from keel.core.pagination import paginate
from keel.core.views import add_domain_error, page, render_page, require_staff_area
from keel.gates import services as gates_services
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action
from keel.portfolio import exports, selectors, services
from keel.portfolio.forms import AuditFilterForm, ProjectDeleteForm, ProjectFilterForm, ProjectForm
from keel.portfolio.models import Project


def _page_number(request: HttpRequest) -> int:
    """The requested page number (1 when missing or not a number)."""
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


def _series(choices: list[tuple[str, str]], counts: dict[str, int]) -> dict[str, list[Any]]:
    """Chart data in the order of `choices`: keys, labels and values (zeros kept for the table)."""
    return {
        "keys": [key for key, _ in choices],
        "labels": [str(label) for _, label in choices],
        "values": [counts.get(key, 0) for key, _ in choices],
    }


@page
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard of the user's visible portfolio."""
    dash = selectors.dashboard_for_user(request.user)
    status = _series(Project.Status.choices, dash.by_status)
    health = _series(Project.Health.choices, dash.by_health)
    units = {
        "keys": [code for code, _, _ in dash.by_unit],
        "labels": [code for code, _, _ in dash.by_unit],
        "values": [n for _, _, n in dash.by_unit],
    }
    context = {
        "dash": dash,
        "status_rows": list(zip(status["keys"], status["labels"], status["values"], strict=True)),
        "health_rows": list(zip(health["keys"], health["labels"], health["values"], strict=True)),
        "chart_status": status,
        "chart_health": health,
        "chart_units": units,
        "today": timezone.localdate(),
        "can_create": scoping.can_anywhere(request.user, Action.CHANGE, Project),
    }
    return render(request, "portfolio/home.html", context)


@page
@require_safe
def project_list(request: HttpRequest) -> HttpResponse:
    """The project register: search, filters, sorting and pagination, all kept in the URL."""
    form = ProjectFilterForm(request.GET, user=request.user)
    filters, sort = form.filters()
    projects = selectors.project_list_for_user(request.user, filters, sort)
    context = {
        "form": form,
        "sort": sort,
        "page": paginate(projects, page=_page_number(request), size=settings.KEEL_PAGE_SIZE),
        "can_create": scoping.can_anywhere(request.user, Action.CHANGE, Project),
        "hx_target": "#project-table",
        "query_string": request.GET.urlencode(),
    }
    return render_page(
        request, "portfolio/project_list.html", context, partial="portfolio/_project_table.html"
    )


@page
@require_safe
def project_export(request: HttpRequest) -> HttpResponse:
    """The filtered register as an Excel workbook (the same scoped selector as the page)."""
    form = ProjectFilterForm(request.GET, user=request.user)
    filters, sort = form.filters()
    projects = selectors.project_list_for_user(request.user, filters, sort)
    content = exports.project_register_xlsx(projects)
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    filename = f"keel-projects-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@page
@require_safe
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    """A project's page: its fields, health, program and portfolio, and its activity feed."""
    project = selectors.project_get_for_user(request.user, project_id)
    context = {
        "project": project,
        "feed": selectors.activity_feed_for_project(request.user, project),
        "can_change": scoping.can(request.user, Action.CHANGE, Project, project.org_unit),
    }
    return render(request, "portfolio/project_detail.html", context)


@page
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    """Register a new project in a unit where the user may change projects."""
    if not scoping.can_anywhere(request.user, Action.CHANGE, Project):
        raise PermissionDenied("Your roles do not let you create projects in any org unit.")
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = form.service_fields()
        methodology = form.cleaned_data.get("methodology")
        try:
            with transaction.atomic():
                project = services.project_create(
                    actor=request.user,
                    org_unit=values.pop("org_unit"),
                    code=values.pop("code"),
                    name=values.pop("name"),
                    **values,
                )
                if methodology is not None:
                    gates_services.lifecycle_start(
                        actor=request.user, project=project, methodology=methodology
                    )
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Project {project.code} created.")
            return redirect("portfolio:project_detail", project_id=project.pk)
    status = 422 if form.errors else 200
    return render(request, "portfolio/project_form.html", {"form": form, "project": None}, status=status)


@page
@require_http_methods(["GET", "POST"])
def project_update(request: HttpRequest, project_id: int) -> HttpResponse:
    """Edit a project; a save made against a stale version is refused and shown as a conflict."""
    project = selectors.project_get_for_user(request.user, project_id, Action.CHANGE)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        # The form wrote its values onto `project`; the service diffs against the stored record.
        stored = selectors.project_get_for_user(request.user, project_id, Action.CHANGE)
        try:
            services.project_update(
                actor=request.user,
                project=stored,
                version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
            return render(
                request,
                "portfolio/project_form.html",
                {"form": form, "project": stored, "conflict": True},
                status=status,
            )
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Project {stored.code} saved.")
            return redirect("portfolio:project_detail", project_id=stored.pk)
    if form.errors:
        status = 422
    return render(request, "portfolio/project_form.html", {"form": form, "project": project}, status=status)


@page
@require_http_methods(["GET", "POST"])
def project_delete(request: HttpRequest, project_id: int) -> HttpResponse:
    """Ask, then delete a project (refused when someone changed it meanwhile)."""
    project = selectors.project_get_for_user(request.user, project_id, Action.CHANGE)
    form = ProjectDeleteForm(request.POST or None, initial={"version": project.version})
    status, conflict = 200, ""
    if request.method == "POST" and form.is_valid():
        try:
            services.project_delete(actor=request.user, project=project, version=form.cleaned_data["version"])
        except ConflictError as exc:
            # Show the project as it is now and ask again: the user confirms what they see.
            conflict, status = str(exc), 409
            project = selectors.project_get_for_user(request.user, project_id, Action.CHANGE)
            form = ProjectDeleteForm(initial={"version": project.version})
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
            status = 422
        else:
            messages.success(request, f"Project {project.code} deleted.")
            return redirect("portfolio:project_list")
    context = {"form": form, "project": project, "conflict": conflict}
    return render(request, "portfolio/project_confirm_delete.html", context, status=status)


@page
@require_safe
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit trail of the units the PMO administrator looks after."""
    require_staff_area(org_selectors.is_pmo_admin(request.user))
    form = AuditFilterForm(request.GET, user=request.user)
    entries = paginate(
        selectors.audit_list_for_user(request.user, form.filters()),
        page=_page_number(request),
        size=settings.KEEL_PAGE_SIZE,
    )
    context = {
        "form": form,
        "page": entries,
        "rows": selectors.readable_entries(request.user, entries.items),
        "hx_target": "#audit-table",
    }
    return render_page(request, "portfolio/audit_list.html", context, partial="portfolio/_audit_table.html")
