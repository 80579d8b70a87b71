"""Pages of the resource pool: pools and sharing, the resource list and export, a resource's page with
its skills, rates, leave, assignments and allocations, a project's resources (assignments and
requests), the skill catalogue, and the allocation requests a resource manager decides (htmx)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from keel.core.errors import ConflictError, PermissionDenied
from keel.core.pagination import paginate
from keel.core.views import add_domain_error, is_partial, page, render_page
from keel.orgs import scoping
from keel.orgs.scoping import Action
from keel.portfolio import selectors as portfolio_selectors
from keel.resources import exports, selectors, services
from keel.resources.forms import (
    AllocationForm,
    AssignmentForm,
    ConfirmForm,
    DecisionForm,
    LeaveForm,
    PoolForm,
    PoolShareForm,
    RateForm,
    ResourceFilterForm,
    ResourceForm,
    ResourceSkillForm,
    SkillForm,
)
from keel.resources.models import Allocation, Resource, ResourcePool, Skill

Crumbs = list[tuple[str, str]]


def _page_number(request: HttpRequest) -> int:
    """The requested page number (1 when missing or not a number)."""
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


def _pools_crumbs() -> Crumbs:
    return [("Resources", reverse("resources:resource_list")), ("Pools", reverse("resources:pool_list"))]


def _resource_crumbs(resource: Resource) -> Crumbs:
    return [
        ("Resources", reverse("resources:resource_list")),
        (resource.name, reverse("resources:resource_detail", args=[resource.pk])),
    ]


def _project_crumbs(project: Any) -> Crumbs:
    return [
        ("Projects", reverse("portfolio:project_list")),
        (project.code, reverse("portfolio:project_detail", args=[project.pk])),
        ("Resources", reverse("resources:project_resources", args=[project.pk])),
    ]


def _form_page(
    request: HttpRequest,
    *,
    form: Any,
    title: str,
    crumbs: Crumbs,
    cancel_url: str,
    save: Callable[[], Any],
    done_url: Callable[[Any], str] | str,
    message: str,
    submit_label: str = "Save",
    intro: str = "",
    danger: bool = False,
) -> HttpResponse:
    """Show `form` on GET; on POST validate it, call `save()` and go to `done_url`, or show the errors.

    A stale version answers 409 with the form kept; a domain refusal puts its message next to the field.
    """
    status = 200
    conflict = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = save()
            except ConflictError as exc:
                conflict, status = str(exc), 409
            except (ValidationError, PermissionDenied) as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, message)
                return redirect(done_url(saved) if callable(done_url) else done_url)
        if form.errors and status == 200:
            status = 422
    context = {
        "form": form,
        "title": title,
        "crumbs": crumbs,
        "cancel_url": cancel_url,
        "submit_label": submit_label,
        "intro": intro,
        "danger": danger,
        "conflict": conflict,
    }
    return render(request, "resources/form.html", context, status=status)


def _edit_or_delete(
    request: HttpRequest,
    *,
    edit_form: Callable[[], Any],
    update: Callable[[Any], Any],
    delete: Callable[[int], Any],
    saved: str,
    deleted: str,
) -> tuple[Any, Callable[[], Any], str]:
    """The form, save action and message of an edit page whose "delete" button removes the record.

    `update(form)` saves the valid edit form; `delete(version)` removes the record at that version."""
    if request.method == "POST" and "delete" in request.POST:
        confirm = ConfirmForm(request.POST)
        return confirm, lambda: delete(confirm.cleaned_data["version"]), deleted
    form = edit_form()
    return form, lambda: update(form), saved


# --- pools ---------------------------------------------------------------------------------------


@page
@require_safe
def pool_list(request: HttpRequest) -> HttpResponse:
    """The pools the user can see, with their units, managers and sharing."""
    pools = selectors.pool_list_for_user(request.user)
    context = {
        "pools": pools,
        "can_create": scoping.can_anywhere(request.user, Action.CHANGE, ResourcePool),
    }
    return render(request, "resources/pool_list.html", context)


@page
@require_http_methods(["GET", "POST"])
def pool_create(request: HttpRequest) -> HttpResponse:
    """Create a pool in a unit where the user manages resources."""
    if not scoping.can_anywhere(request.user, Action.CHANGE, ResourcePool):
        raise PermissionDenied("Your roles do not let you create resource pools.")
    form = PoolForm(request.POST or None, user=request.user)

    def save() -> ResourcePool:
        values = form.service_fields()
        return services.pool_create(
            actor=request.user,
            org_unit=values.pop("org_unit"),
            code=values.pop("code"),
            name=values.pop("name"),
            **values,
        )

    return _form_page(
        request,
        form=form,
        title="New resource pool",
        crumbs=_pools_crumbs(),
        cancel_url=reverse("resources:pool_list"),
        save=save,
        done_url=lambda pool: reverse("resources:pool_detail", args=[pool.pk]),
        message="Pool created.",
        submit_label="Create pool",
    )


@page
@require_safe
def pool_detail(request: HttpRequest, pool_id: int) -> HttpResponse:
    """A pool's page: its resources and the units it is shared with."""
    pool = selectors.pool_get_for_user(request.user, pool_id)
    resources = selectors.resource_list_for_user(request.user, selectors.ResourceFilters(pool=pool.pk))
    context = {
        "pool": pool,
        "resources": paginate(resources, page=_page_number(request), size=settings.KEEL_PAGE_SIZE),
        "shared": selectors.pool_shared_units(pool),
        "can_change": scoping.can(request.user, Action.CHANGE, ResourcePool, pool.org_unit),
        "can_share": selectors.can_share_pool(request.user, pool),
    }
    return render(request, "resources/pool_detail.html", context)


@page
@require_http_methods(["GET", "POST"])
def pool_update(request: HttpRequest, pool_id: int) -> HttpResponse:
    """Edit a pool."""
    pool = selectors.pool_get_for_user(request.user, pool_id, Action.CHANGE)
    form = PoolForm(request.POST or None, instance=pool, user=request.user)

    def save() -> ResourcePool:
        stored = selectors.pool_get_for_user(request.user, pool_id, Action.CHANGE)
        return services.pool_update(
            actor=request.user, pool=stored, version=form.cleaned_data["version"], **form.service_fields()
        )

    url = reverse("resources:pool_detail", args=[pool_id])
    return _form_page(
        request,
        form=form,
        title=f"Edit {pool.code}",
        crumbs=[*_pools_crumbs(), (pool.code, url)],
        cancel_url=url,
        save=save,
        done_url=url,
        message="Pool saved.",
    )


@page
@require_http_methods(["GET", "POST"])
def pool_share(request: HttpRequest, pool_id: int) -> HttpResponse:
    """Choose the units a pool is shared with (PMO administrators over the pool's unit)."""
    pool = selectors.pool_get_for_user(request.user, pool_id)
    if not selectors.can_share_pool(request.user, pool):
        raise PermissionDenied("Only a PMO administrator over the pool's unit may share it.")
    initial = {"units": list(selectors.pool_shared_units(pool)), "version": pool.version}
    form = PoolShareForm(request.POST or None, initial=initial, pool=pool)

    def save() -> ResourcePool:
        return services.pool_share_set(
            actor=request.user,
            pool=pool,
            units=list(form.cleaned_data["units"]),
            version=form.cleaned_data["version"],
        )

    url = reverse("resources:pool_detail", args=[pool_id])
    return _form_page(
        request,
        form=form,
        title=f"Share {pool.code}",
        crumbs=[*_pools_crumbs(), (pool.code, url)],
        cancel_url=url,
        save=save,
        done_url=url,
        message="Sharing saved.",
        submit_label="Save sharing",
    )


# --- resources -----------------------------------------------------------------------------------


@page
@require_safe
def resource_list(request: HttpRequest) -> HttpResponse:
    """The resource list: search, filters, sorting and pagination kept in the URL."""
    form = ResourceFilterForm(request.GET, user=request.user)
    filters, sort = form.filters()
    found = selectors.resource_list_for_user(request.user, filters, sort)
    context = {
        "form": form,
        "sort": sort,
        "page": paginate(found, page=_page_number(request), size=settings.KEEL_PAGE_SIZE),
        "can_create": scoping.can_anywhere(request.user, Action.CHANGE, Resource),
        "hx_target": "#resource-table",
        "query_string": request.GET.urlencode(),
    }
    return render_page(
        request, "resources/resource_list.html", context, partial="resources/_resource_table.html"
    )


@page
@require_safe
def resource_export(request: HttpRequest) -> HttpResponse:
    """The filtered resource list as an Excel workbook (the same scoped selector as the page)."""
    form = ResourceFilterForm(request.GET, user=request.user)
    filters, sort = form.filters()
    content = exports.resource_list_xlsx(selectors.resource_list_for_user(request.user, filters, sort))
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="keel-resources-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    return response


@page
@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest) -> HttpResponse:
    """Add a resource to a pool the user manages (`?pool=` preselects it)."""
    if not scoping.can_anywhere(request.user, Action.CHANGE, Resource):
        raise PermissionDenied("Your roles do not let you add resources.")
    initial = {"pool": request.GET.get("pool")} if request.GET.get("pool", "").isdigit() else {}
    form = ResourceForm(request.POST or None, initial=initial, user=request.user)

    def save() -> Resource:
        values = form.service_fields()
        return services.resource_create(
            actor=request.user,
            pool=values.pop("pool"),
            code=values.pop("code"),
            name=values.pop("name"),
            **values,
        )

    return _form_page(
        request,
        form=form,
        title="New resource",
        crumbs=[("Resources", reverse("resources:resource_list"))],
        cancel_url=reverse("resources:resource_list"),
        save=save,
        done_url=lambda resource: reverse("resources:resource_detail", args=[resource.pk]),
        message="Resource added.",
        submit_label="Add resource",
    )


@page
@require_safe
def resource_detail(request: HttpRequest, resource_id: int) -> HttpResponse:
    """A resource's page: details, skills, rates, leave, assignments and allocations."""
    resource = selectors.resource_get_for_user(request.user, resource_id)
    context = {
        "resource": resource,
        "skills": selectors.resource_skill_list(request.user, resource_id),
        "rates": selectors.rate_list_for_resource(request.user, resource_id),
        "current_rate": selectors.effective_rate(resource, timezone.localdate()),
        "leaves": selectors.leave_list_for_resource(request.user, resource_id),
        "assignments": selectors.assignment_list_for_resource(request.user, resource_id)[:200],
        "allocations": selectors.allocation_list_for_resource(request.user, resource_id),
        "members": selectors.resource_list_for_user(request.user).filter(role=resource)
        if resource.kind == Resource.Kind.ROLE
        else None,
        "can_change": selectors.can_change_resources(request.user, resource.pool),
    }
    return render(request, "resources/resource_detail.html", context)


@page
@require_http_methods(["GET", "POST"])
def resource_update(request: HttpRequest, resource_id: int) -> HttpResponse:
    """Edit a resource (or deactivate it)."""
    resource = selectors.resource_get_for_user(request.user, resource_id, Action.CHANGE)
    form = ResourceForm(request.POST or None, instance=resource, user=request.user)

    def save() -> Resource:
        stored = selectors.resource_get_for_user(request.user, resource_id, Action.CHANGE)
        return services.resource_update(
            actor=request.user, resource=stored, version=form.cleaned_data["version"], **form.service_fields()
        )

    url = reverse("resources:resource_detail", args=[resource_id])
    return _form_page(
        request,
        form=form,
        title=f"Edit {resource.name}",
        crumbs=_resource_crumbs(resource),
        cancel_url=url,
        save=save,
        done_url=url,
        message="Resource saved.",
    )


@page
@require_http_methods(["GET", "POST"])
def resource_delete(request: HttpRequest, resource_id: int) -> HttpResponse:
    """Ask, then delete a resource without history (one with history must be deactivated)."""
    resource = selectors.resource_get_for_user(request.user, resource_id, Action.CHANGE)
    form = ConfirmForm(request.POST or None, initial={"version": resource.version})
    return _form_page(
        request,
        form=form,
        title=f"Delete {resource.name}?",
        crumbs=_resource_crumbs(resource),
        cancel_url=reverse("resources:resource_detail", args=[resource_id]),
        save=lambda: services.resource_delete(
            actor=request.user, resource=resource, version=form.cleaned_data["version"]
        ),
        done_url=reverse("resources:resource_list"),
        message=f"{resource.name} deleted.",
        submit_label="Delete",
        intro="A resource with assignments or allocations cannot be deleted: deactivate it instead.",
        danger=True,
    )


@page
@require_http_methods(["GET", "POST"])
def resource_skill_set(request: HttpRequest, resource_id: int) -> HttpResponse:
    """Give the resource a skill at a level (or change its level); `?remove=<skill id>` takes one away."""
    resource = selectors.resource_get_for_user(request.user, resource_id, Action.CHANGE)
    url = reverse("resources:resource_detail", args=[resource_id])
    if request.method == "POST" and request.POST.get("remove"):
        skill = selectors.skill_get_for_user(request.user, request.POST["remove"])
        services.resource_skill_remove(actor=request.user, resource=resource, skill=skill)
        messages.success(request, f"{skill.name} removed.")
        return redirect(url)
    form = ResourceSkillForm(request.POST or None, user=request.user)
    return _form_page(
        request,
        form=form,
        title=f"Add a skill to {resource.name}",
        crumbs=_resource_crumbs(resource),
        cancel_url=url,
        save=lambda: services.resource_skill_set(
            actor=request.user,
            resource=resource,
            skill=form.cleaned_data["skill"],
            level=form.cleaned_data["level"],
        ),
        done_url=url,
        message="Skill saved.",
    )


@page
@require_http_methods(["GET", "POST"])
def rate_create(request: HttpRequest, resource_id: int) -> HttpResponse:
    """Add a cost rate."""
    resource = selectors.resource_get_for_user(request.user, resource_id, Action.CHANGE)
    form = RateForm(request.POST or None, initial={"currency": resource.home_unit.currency})
    url = reverse("resources:resource_detail", args=[resource_id])
    return _form_page(
        request,
        form=form,
        title=f"New rate for {resource.name}",
        crumbs=_resource_crumbs(resource),
        cancel_url=url,
        save=lambda: services.cost_rate_create(
            actor=request.user, resource=resource, **form.service_fields()
        ),
        done_url=url,
        message="Rate added.",
        submit_label="Add rate",
    )


@page
@require_http_methods(["GET", "POST"])
def rate_update(request: HttpRequest, rate_id: int) -> HttpResponse:
    """Edit a cost rate, or delete it (the "delete" button)."""
    rate = selectors.rate_get_for_user(request.user, rate_id, Action.CHANGE)
    resource = rate.resource
    url = reverse("resources:resource_detail", args=[resource.pk])
    form, save, message = _edit_or_delete(
        request,
        edit_form=lambda: RateForm(request.POST or None, instance=rate),
        update=lambda form: services.cost_rate_update(
            actor=request.user,
            rate=selectors.rate_get_for_user(request.user, rate_id, Action.CHANGE),
            version=form.cleaned_data["version"],
            **form.service_fields(),
        ),
        delete=lambda version: services.cost_rate_delete(actor=request.user, rate=rate, version=version),
        saved="Rate saved.",
        deleted="Rate deleted.",
    )
    return _form_page(
        request,
        form=form,
        title=f"Rate of {resource.name} from {rate.effective_from}",
        crumbs=_resource_crumbs(resource),
        cancel_url=url,
        save=save,
        done_url=url,
        message=message,
    )


@page
@require_http_methods(["GET", "POST"])
def leave_create(request: HttpRequest, resource_id: int) -> HttpResponse:
    """Record leave."""
    resource = selectors.resource_get_for_user(request.user, resource_id, Action.CHANGE)
    form = LeaveForm(request.POST or None)
    url = reverse("resources:resource_detail", args=[resource_id])
    return _form_page(
        request,
        form=form,
        title=f"New leave for {resource.name}",
        crumbs=_resource_crumbs(resource),
        cancel_url=url,
        save=lambda: services.leave_create(actor=request.user, resource=resource, **form.service_fields()),
        done_url=url,
        message="Leave recorded.",
        submit_label="Record leave",
    )


@page
@require_http_methods(["GET", "POST"])
def leave_update(request: HttpRequest, leave_id: int) -> HttpResponse:
    """Edit a leave, or delete it (the "delete" button)."""
    leave = selectors.leave_get_for_user(request.user, leave_id, Action.CHANGE)
    resource = leave.resource
    url = reverse("resources:resource_detail", args=[resource.pk])
    form, save, message = _edit_or_delete(
        request,
        edit_form=lambda: LeaveForm(request.POST or None, instance=leave),
        update=lambda form: services.leave_update(
            actor=request.user,
            leave=selectors.leave_get_for_user(request.user, leave_id, Action.CHANGE),
            version=form.cleaned_data["version"],
            **form.service_fields(),
        ),
        delete=lambda version: services.leave_delete(actor=request.user, leave=leave, version=version),
        saved="Leave saved.",
        deleted="Leave deleted.",
    )
    return _form_page(
        request,
        form=form,
        title=f"Leave of {resource.name}",
        crumbs=_resource_crumbs(resource),
        cancel_url=url,
        save=save,
        done_url=url,
        message=message,
    )


# --- skills --------------------------------------------------------------------------------------


@page
@require_safe
def skill_list(request: HttpRequest) -> HttpResponse:
    """The skill catalogue the user may use, and who holds each skill."""
    context = {
        "skills": selectors.skill_list_for_user(request.user),
        "can_create": scoping.can_anywhere(request.user, Action.CHANGE, Skill),
    }
    return render(request, "resources/skill_list.html", context)


@page
@require_http_methods(["GET", "POST"])
def skill_create(request: HttpRequest) -> HttpResponse:
    """Add a skill to the catalogue of a unit the user administers."""
    if not scoping.can_anywhere(request.user, Action.CHANGE, Skill):
        raise PermissionDenied("Only PMO administrators keep the skill catalogue.")
    form = SkillForm(request.POST or None, user=request.user)
    return _form_page(
        request,
        form=form,
        title="New skill",
        crumbs=[
            ("Resources", reverse("resources:resource_list")),
            ("Skills", reverse("resources:skill_list")),
        ],
        cancel_url=reverse("resources:skill_list"),
        save=lambda: services.skill_create(actor=request.user, **form.service_fields()),
        done_url=reverse("resources:skill_list"),
        message="Skill added.",
        submit_label="Add skill",
    )


# --- a project's resources -----------------------------------------------------------------------


@page
@require_safe
def project_resources(request: HttpRequest, project_id: int) -> HttpResponse:
    """A project's resources: assignments of its tasks and its allocation requests with their status."""
    project = portfolio_selectors.project_get_for_user(request.user, project_id)
    context = {
        "project": project,
        "assignments": selectors.assignment_list_for_project(request.user, project_id),
        "allocations": selectors.allocation_list_for_project(request.user, project_id),
        "can_change": selectors.can_request_for(request.user, project),
        "today": timezone.localdate(),
    }
    return render(request, "resources/project_resources.html", context)


@page
@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest, project_id: int) -> HttpResponse:
    """Assign a resource to one of the project's tasks."""
    project = portfolio_selectors.project_get_for_user(request.user, project_id, Action.CHANGE)
    form = AssignmentForm(request.POST or None, user=request.user, project=project)
    url = reverse("resources:project_resources", args=[project_id])

    def save() -> Any:
        values = form.service_fields()
        return services.assignment_create(actor=request.user, **values)

    return _form_page(
        request,
        form=form,
        title=f"Assign a resource in {project.code}",
        crumbs=_project_crumbs(project),
        cancel_url=url,
        save=save,
        done_url=url,
        message="Resource assigned.",
        submit_label="Assign",
    )


@page
@require_http_methods(["GET", "POST"])
def assignment_update(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Change an assignment's resource, units, work or cost, or remove it (the "delete" button)."""
    assignment = selectors.assignment_get_for_user(request.user, assignment_id, Action.CHANGE)
    project = assignment.task.project
    url = reverse("resources:project_resources", args=[project.pk])

    def update(form: Any) -> Any:
        values = {k: v for k, v in form.service_fields().items() if v is not None}
        stored = selectors.assignment_get_for_user(request.user, assignment_id, Action.CHANGE)
        return services.assignment_update(
            actor=request.user, assignment=stored, version=form.cleaned_data["version"], **values
        )

    form, save, message = _edit_or_delete(
        request,
        edit_form=lambda: AssignmentForm(
            request.POST or None, instance=assignment, user=request.user, project=project
        ),
        update=update,
        delete=lambda version: services.assignment_delete(
            actor=request.user, assignment=assignment, version=version
        ),
        saved="Assignment saved.",
        deleted="Assignment removed.",
    )
    return _form_page(
        request,
        form=form,
        title=f"{assignment.resource.name} on {assignment.task.name}",
        crumbs=_project_crumbs(project),
        cancel_url=url,
        save=save,
        done_url=url,
        message=message,
    )


@page
@require_http_methods(["GET", "POST"])
def allocation_create(request: HttpRequest, project_id: int) -> HttpResponse:
    """Request hours per week of a person or generic role for the project."""
    project = portfolio_selectors.project_get_for_user(request.user, project_id, Action.CHANGE)
    if not selectors.can_request_for(request.user, project):
        raise PermissionDenied("Your roles do not let you request resources for this project.")
    form = AllocationForm(request.POST or None, user=request.user)
    url = reverse("resources:project_resources", args=[project_id])
    return _form_page(
        request,
        form=form,
        title=f"Request a resource for {project.code}",
        crumbs=_project_crumbs(project),
        cancel_url=url,
        save=lambda: services.allocation_request(
            actor=request.user, project=project, **form.service_fields()
        ),
        done_url=url,
        message="Request sent to the pool's manager.",
        submit_label="Send request",
        intro="The resource's pool manager (or a resource manager over the pool) approves or rejects the request.",
    )


# --- allocation requests -------------------------------------------------------------------------


@page
@require_safe
def allocation_list(request: HttpRequest) -> HttpResponse:
    """Requests waiting for the user's decision, and the requests the user made."""
    context = {
        "awaiting": selectors.allocations_awaiting_decision(request.user),
        "mine": selectors.allocation_requests_by(request.user)[:100],
        "decided": selectors.allocation_list_for_user(
            request.user,
            selectors.AllocationFilters(status=(Allocation.Status.APPROVED, Allocation.Status.REJECTED)),
        )[:25],
    }
    return render(request, "resources/allocation_list.html", context)


@page
@require_http_methods(["GET", "POST"])
def allocation_decide(request: HttpRequest, allocation_id: int) -> HttpResponse:
    """Approve or reject a request with a comment; from the list, htmx swaps the request's row."""
    allocation = selectors.allocation_get_for_user(request.user, allocation_id)
    if not selectors.can_decide(request.user, allocation):
        raise PermissionDenied(
            "Only the pool's manager or a resource manager over the pool decides this request."
        )
    form = DecisionForm(request.POST or None, initial={"version": allocation.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        decide = (
            services.allocation_approve
            if form.cleaned_data["decision"] == "approve"
            else services.allocation_reject
        )
        try:
            decide(
                actor=request.user,
                allocation=allocation,
                version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except (ValidationError, PermissionDenied) as exc:
            add_domain_error(form, exc)
        else:
            allocation = selectors.allocation_get_for_user(request.user, allocation_id)
            if is_partial(request):
                return render(
                    request, "resources/_allocation_row.html", {"a": allocation, "decided_now": True}
                )
            messages.success(request, f"Request {allocation.get_status_display().lower()}.")
            return redirect("resources:allocation_list")
    if request.method == "POST" and status == 200 and form.errors:
        status = 422
    context = {"a": allocation, "form": form}
    if is_partial(request):
        # htmx swaps only successful answers: the row with its errors comes back as 200.
        return render(request, "resources/_allocation_row.html", context)
    return render(request, "resources/allocation_decide.html", context, status=status)


@page
@require_http_methods(["GET", "POST"])
def allocation_cancel(request: HttpRequest, allocation_id: int) -> HttpResponse:
    """Ask, then withdraw a request or release an approved allocation."""
    allocation = selectors.allocation_get_for_user(request.user, allocation_id)
    if not selectors.can_cancel(request.user, allocation):
        raise PermissionDenied("Only the requester or the project's managers may cancel this allocation.")
    form = ConfirmForm(request.POST or None, initial={"version": allocation.version})
    url = reverse("resources:project_resources", args=[allocation.project_id])
    return _form_page(
        request,
        form=form,
        title=f"Cancel the allocation of {allocation.resource.name} to {allocation.project.code}?",
        crumbs=_project_crumbs(allocation.project),
        cancel_url=url,
        save=lambda: services.allocation_cancel(
            actor=request.user, allocation=allocation, version=form.cleaned_data["version"]
        ),
        done_url=url,
        message="Allocation cancelled.",
        submit_label="Cancel the allocation",
        danger=True,
    )
