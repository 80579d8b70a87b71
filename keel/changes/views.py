"""Change pages: a project's change log (filters, Excel export), a change request's form, its page with
the computed impact, proposed edits, submission, withdrawal and decision; the changes awaiting a
decision across the user's scope; a unit's authority levels.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from keel.changes import exports, selectors, services, whatif
from keel.changes.forms import BudgetEditForm, ChangeForm, LevelFormSet, StepForm, TaskEditForm, levels_of
from keel.changes.models import ChangeRequest
from keel.core.errors import ConflictError, PermissionDenied, error_text
from keel.core.views import add_domain_error, page
from keel.orgs.scoping import Action

DOMAIN_ERRORS = (ValidationError, PermissionDenied, ConflictError)


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _filters(request: HttpRequest) -> selectors.ChangeFilters:
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    return selectors.ChangeFilters(
        status=status if status in ChangeRequest.Status.values else "",
        category=category if category in ChangeRequest.Category.values else "",
        requested_by=_int(request.GET.get("requested_by")),
        q=request.GET.get("q", "")[:100],
    )


# --- a project's change log ---------------------------------------------------------------------------


@page
@require_safe
def change_log(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's change requests, newest first, with filters kept in the URL."""
    project = selectors.project_for_user(request.user, project_id)
    filters = _filters(request)
    context = {
        "project": project,
        "changes": list(selectors.change_list_for_project(request.user, project.pk, filters)),
        "filters": filters,
        "statuses": ChangeRequest.Status.choices,
        "categories": ChangeRequest.Category.choices,
        "can_change": selectors.can_change(request.user, project),
        "query": request.GET.urlencode(),
    }
    return render(request, "changes/log.html", context)


@page
@require_safe
def change_export(request: HttpRequest, project_id: int) -> HttpResponse:
    """The change log (with the page's filters) as an Excel workbook."""
    project = selectors.project_for_user(request.user, project_id)
    changes = selectors.change_list_for_project(request.user, project.pk, _filters(request))
    content = exports.change_log_xlsx(changes)
    return exports.attachment(content, f"keel-{project.code}-changes-{timezone.localdate():%Y%m%d}.xlsx")


def _form_page(request: HttpRequest, project: Any, change: ChangeRequest | None) -> HttpResponse:
    instance = None if change is None else ChangeRequest.objects.get(pk=change.pk)
    form = ChangeForm(request.POST or None, instance=instance, project=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = form.service_fields()
        try:
            if change is None:
                saved = services.change_create(actor=request.user, project=project, **values)
            else:
                version = form.cleaned_data.get("version") or change.version
                saved = services.change_update(actor=request.user, change=change, version=version, **values)
        except DOMAIN_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{saved.reference} {saved.title} saved.")
            return redirect("changes:detail", change_id=saved.pk)
    context = {"project": project, "form": form, "change": change}
    return render(request, "changes/form.html", context, status=422 if form.errors else 200)


@page
@require_http_methods(["GET", "POST"])
def change_create(request: HttpRequest, project_id: int) -> HttpResponse:
    """Raise a change request of the project (a draft)."""
    project = selectors.project_for_user(request.user, project_id, Action.CHANGE)
    return _form_page(request, project, None)


@page
@require_http_methods(["GET", "POST"])
def change_edit(request: HttpRequest, change_id: int) -> HttpResponse:
    """Edit a draft change request."""
    change = selectors.change_get_for_user(request.user, change_id, Action.CHANGE)
    return _form_page(request, change.project, change)


# --- one change -------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    change: ChangeRequest,
    *,
    task_form: TaskEditForm | None = None,
    budget_form: BudgetEditForm | None = None,
    step_error: str = "",
    status: int = 200,
) -> HttpResponse:
    project = change.project
    can_change = selectors.can_change(request.user, project)
    impact, impact_error, level_text = None, "", ""
    if change.is_open:
        try:
            impact = whatif.impact_of(change)
        except ValidationError as exc:
            impact_error = error_text(exc)
        else:
            authority = selectors.authority_for_unit(project.org_unit)
            level = authority.level_for(impact.cost, impact.slip_days)
            level_text = f"{level.number}: {level.describe()}" + (
                "" if level.self_approval else " (not the requester)"
            )
    else:
        # A decided or withdrawn change shows the impact as it stood when it was last computed.
        impact = whatif.stored_impact(change.impact)
        level_text = change.impact.get("level", "")
    editable = change.is_draft and can_change
    context = {
        "project": project,
        "change": change,
        "impact": impact,
        "impact_error": impact_error,
        "level_text": level_text,
        "task_edits": list(change.task_edits.select_related("task", "predecessor")),
        "budget_edits": list(change.budget_edits.select_related("category")),
        "editable": editable,
        "can_change": can_change,
        "can_decide": selectors.can_decide(request.user, change),
        "task_form": task_form or (TaskEditForm(project=project, user=request.user) if editable else None),
        "budget_form": budget_form or (BudgetEditForm() if editable else None),
        "step_form": StepForm(initial={"version": change.version}),
        "step_error": step_error,
        "day": timezone.localdate(),
    }
    return render(request, "changes/detail.html", context, status=status)


@page
@require_safe
def change_detail(request: HttpRequest, change_id: int) -> HttpResponse:
    """A change request with its computed impact, proposed edits and decision."""
    return _detail(request, selectors.change_get_for_user(request.user, change_id))


def _step(request: HttpRequest, change_id: int, action: str) -> HttpResponse:
    if request.method == "GET":
        # The step's form lives on the change's page: shown to those who may take a step.
        return _detail(request, selectors.change_get_for_user(request.user, change_id, Action.CHANGE))
    change = selectors.change_get_for_user(
        request.user, change_id, Action.VIEW if action in ("approve", "reject") else Action.CHANGE
    )
    form = StepForm(request.POST)
    if not form.is_valid():
        return _detail(request, change, step_error="Reload the page and try again.", status=422)
    version, note = form.cleaned_data["version"], form.cleaned_data["note"]
    try:
        if action == "submit":
            services.change_submit(actor=request.user, change=change, version=version)
        elif action == "withdraw":
            services.change_withdraw(actor=request.user, change=change, version=version, note=note)
        elif action == "approve":
            services.change_approve(actor=request.user, change=change, version=version, note=note)
        else:
            services.change_reject(actor=request.user, change=change, version=version, note=note)
    except PermissionDenied:
        raise
    except (ValidationError, ConflictError) as exc:
        change.refresh_from_db()
        return _detail(request, change, step_error=error_text(exc), status=422)
    change.refresh_from_db()
    messages.success(request, f"{change.reference} is {change.get_status_display().lower()}.")
    return redirect("changes:detail", change_id=change.pk)


@page
@require_http_methods(["GET", "POST"])
def change_submit(request: HttpRequest, change_id: int) -> HttpResponse:
    """Submit a draft for decision."""
    return _step(request, change_id, "submit")


@page
@require_http_methods(["GET", "POST"])
def change_withdraw(request: HttpRequest, change_id: int) -> HttpResponse:
    """Withdraw an undecided change (it stays on record)."""
    return _step(request, change_id, "withdraw")


@page
@require_http_methods(["GET", "POST"])
def change_approve(request: HttpRequest, change_id: int) -> HttpResponse:
    """Approve a submitted change: its budget and schedule edits are applied and the baseline re-saved."""
    return _step(request, change_id, "approve")


@page
@require_http_methods(["GET", "POST"])
def change_reject(request: HttpRequest, change_id: int) -> HttpResponse:
    """Reject a submitted change with the reason."""
    return _step(request, change_id, "reject")


@page
@require_http_methods(["GET", "POST"])
def task_edit_add(request: HttpRequest, change_id: int) -> HttpResponse:
    """Propose a schedule edit on a draft."""
    change = selectors.change_get_for_user(request.user, change_id, Action.CHANGE)
    if request.method == "GET":
        return _detail(request, change)
    form = TaskEditForm(request.POST, project=change.project, user=request.user)
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            services.task_edit_add(actor=request.user, change=change, **values)
        except DOMAIN_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            return redirect("changes:detail", change_id=change.pk)
    return _detail(request, change, task_form=form, status=422)


@page
@require_http_methods(["GET", "POST"])
def budget_edit_add(request: HttpRequest, change_id: int) -> HttpResponse:
    """Propose a budget edit on a draft."""
    change = selectors.change_get_for_user(request.user, change_id, Action.CHANGE)
    if request.method == "GET":
        return _detail(request, change)
    form = BudgetEditForm(request.POST)
    if form.is_valid():
        try:
            services.budget_edit_add(actor=request.user, change=change, **form.cleaned_data)
        except DOMAIN_ERRORS as exc:
            add_domain_error(form, exc)
        else:
            return redirect("changes:detail", change_id=change.pk)
    return _detail(request, change, budget_form=form, status=422)


def _delete_edit(request: HttpRequest, change: ChangeRequest, edit: Any, service: Any) -> HttpResponse:
    if request.method == "GET":
        return _detail(request, change)
    try:
        service(actor=request.user, edit=edit, version=None)
    except (ValidationError, ConflictError) as exc:
        return _detail(request, change, step_error=error_text(exc), status=422)
    return redirect("changes:detail", change_id=change.pk)


@page
@require_http_methods(["GET", "POST"])
def task_edit_delete(request: HttpRequest, change_id: int, task_edit_id: int) -> HttpResponse:
    """Remove a proposed schedule edit of a draft."""
    change = selectors.change_get_for_user(request.user, change_id, Action.CHANGE)
    edit = selectors.task_edit_get_for_user(request.user, change, task_edit_id)
    return _delete_edit(request, change, edit, services.task_edit_delete)


@page
@require_http_methods(["GET", "POST"])
def budget_edit_delete(request: HttpRequest, change_id: int, budget_edit_id: int) -> HttpResponse:
    """Remove a proposed budget edit of a draft."""
    change = selectors.change_get_for_user(request.user, change_id, Action.CHANGE)
    edit = selectors.budget_edit_get_for_user(request.user, change, budget_edit_id)
    return _delete_edit(request, change, edit, services.budget_edit_delete)


# --- across the scope -------------------------------------------------------------------------------


@page
@require_safe
def pending(request: HttpRequest) -> HttpResponse:
    """The submitted changes awaiting a decision across the user's scope, oldest first."""
    changes = selectors.pending_for_user(request.user)
    now = timezone.now()
    for change in changes:
        change.age_days = (now - change.submitted_at).days if change.submitted_at else 0
    return render(request, "changes/pending.html", {"changes": changes})


@page
@require_http_methods(["GET", "POST"])
def authority(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit's authority levels (PMO administrators): the ordered list, inherited down the tree."""
    unit, current = selectors.authority_for_user(request.user, unit_id, Action.CHANGE)
    own = current.source is not None and current.source.pk == unit.pk
    initial = [
        {
            "max_cost": level.max_cost,
            "max_slip_days": level.max_slip_days,
            "approver_role": level.approver_role,
            "self_approval": level.self_approval,
        }
        for level in current.levels
    ]
    initial += [{} for _ in range(max(0, 5 - len(initial)))]
    formset = LevelFormSet(request.POST or None, initial=initial, prefix="levels")
    error = ""
    if request.method == "POST" and formset.is_valid():
        try:
            version = _int(request.POST.get("version")) if own else None
            services.change_authority_set(
                actor=request.user, unit=unit, levels=levels_of(formset), version=version or current.version
            )
        except (ValidationError, ConflictError) as exc:
            error = error_text(exc)
        else:
            messages.success(request, f"Authority levels of {unit.code} saved.")
            return redirect("changes:authority", unit_id=unit.pk)
    context = {"unit": unit, "authority": current, "own": own, "formset": formset, "error": error}
    failed = request.method == "POST"
    return render(request, "changes/authority.html", context, status=422 if failed else 200)
