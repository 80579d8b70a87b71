"""JSON endpoints of change control: a project's change log, a change request (read, edit while a
draft), its proposed schedule and budget edits, its computed impact, the steps of its decision, the
changes awaiting a decision, and a unit's authority levels. Same conventions as every app: scoped reads
(404 out of scope), writes with a version (If-Match or a body `version`), 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.changes import selectors, services, whatif
from keel.changes.schemas import (
    ChangeAuthorityIn,
    ChangeAuthorityOut,
    ChangeBudgetEditIn,
    ChangeBudgetEditOut,
    ChangeFilterIn,
    ChangeImpactOut,
    ChangeRequestCreateIn,
    ChangeRequestOut,
    ChangeRequestPatchIn,
    ChangeStepIn,
    ChangeTaskEditIn,
    ChangeTaskEditOut,
)
from keel.core.api import (
    IF_MATCH,
    OPTIONAL_VERSION_BODY,
    WRITE_ERRORS,
    Id,
    PageParams,
    VersionIn,
    etag_documented,
    expected_version,
    field_error,
    page_of,
    page_response,
    resolve_refs,
    responses,
    set_etag,
    unit_settings_routes,
)
from keel.finance import selectors as finance_selectors
from keel.governance import selectors as governance_selectors
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action
from keel.schedule import selectors as schedule_selectors

changes = Router(tags=["changes"])
CREATE_ERRORS = (401, 403, 404, 422)


def _user(user: Any, pk: int) -> Any:
    return org_selectors.user_get_for_user(user, pk)


def _task(user: Any, pk: int) -> Any:
    return schedule_selectors.task_get_for_user(user, pk)


def _risk(user: Any, pk: int) -> Any:
    return governance_selectors.raid_item_get_for_user(user, "risk", pk)


def _refs(user: Any, data: dict[str, Any], getters: dict[str, Any]) -> dict[str, Any]:
    """Replace the ids the body names by records the user sees (422 naming the field otherwise)."""
    wanted = {name: (getter, data[name]) for name, getter in getters.items() if name in data}
    return {**data, **resolve_refs(user, wanted)}


CHANGE_REFS = {"requested_by": _user, "risk": _risk}
EDIT_REFS = {"task": _task, "predecessor": _task}


# --- change requests ---------------------------------------------------------------------------------


@changes.get(
    "/projects/{project_id}/changes",
    response=responses({200: page_of(ChangeRequestOut)}),
    summary="A project's change log",
)
def change_list(
    request: HttpRequest, project_id: Id, filters: Query[ChangeFilterIn], paging: Query[PageParams]
) -> Any:
    """The project's change requests, newest first, filtered by status, category, requester or text."""
    values = {k: v for k, v in filters.dict().items() if v is not None}
    found = selectors.change_list_for_project(request.auth, project_id, selectors.ChangeFilters(**values))
    return page_response(found, paging)


@changes.post(
    "/projects/{project_id}/changes",
    response=responses({201: ChangeRequestOut}, CREATE_ERRORS),
    summary="Raise a change request",
    openapi_extra=etag_documented(201),
)
def change_create(
    request: HttpRequest, response: HttpResponse, project_id: Id, payload: ChangeRequestCreateIn
) -> Any:
    """Raise a draft change request of the project (CR-001, ...); the requester defaults to you."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    data = _refs(request.auth, payload.dict(exclude_unset=True), CHANGE_REFS)
    change = services.change_create(actor=request.auth, project=project, **data)
    set_etag(response, change.version)
    return Status(201, selectors.change_get_for_user(request.auth, change.pk))


@changes.get(
    "/changes/pending",
    response=responses({200: list[ChangeRequestOut]}, (401,)),
    summary="Changes awaiting a decision",
)
def change_pending(request: HttpRequest) -> Any:
    """The submitted changes across your scope, oldest first."""
    return selectors.pending_for_user(request.auth)


@changes.get(
    "/changes/{change_id}",
    response=responses({200: ChangeRequestOut}),
    summary="One change request",
    openapi_extra=etag_documented(200),
)
def change_detail(request: HttpRequest, response: HttpResponse, change_id: Id) -> Any:
    """One change request with its version as ETag."""
    change = selectors.change_get_for_user(request.auth, change_id)
    set_etag(response, change.version)
    return change


@changes.patch(
    "/changes/{change_id}",
    response=responses({200: ChangeRequestOut}, WRITE_ERRORS),
    summary="Change a draft change request",
    openapi_extra=etag_documented(200),
)
def change_update(
    request: HttpRequest,
    response: HttpResponse,
    change_id: Id,
    payload: ChangeRequestPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent of a draft (a submitted or decided change is refused, 422)."""
    change = selectors.change_get_for_user(request.auth, change_id, Action.CHANGE)
    data = payload.dict(exclude_unset=True)
    version = expected_version(request, current=change.version, body_version=data.pop("version", None))
    data = _refs(request.auth, data, CHANGE_REFS)
    services.change_update(actor=request.auth, change=change, version=version, **data)
    change = selectors.change_get_for_user(request.auth, change.pk)
    set_etag(response, change.version)
    return change


@changes.get(
    "/changes/{change_id}/impact",
    response=responses({200: ChangeImpactOut}),
    summary="The impact of a change, computed now",
)
def change_impact(request: HttpRequest, change_id: Id) -> Any:
    """The schedule impact (on an in-memory copy: new finish, slip, critical path) and the cost impact of
    the change's edits, with the authority level that decides it. A schedule the edits make impossible
    is a 422 naming `task_edits`."""
    change = selectors.change_get_for_user(request.auth, change_id)
    impact = whatif.impact_of(change)
    level = selectors.authority_for_unit(change.project.org_unit).level_for(impact.cost, impact.slip_days)
    return {
        "has_schedule": impact.has_schedule,
        "finish_before": impact.finish_before,
        "finish_after": impact.finish_after,
        "slip_days": impact.slip_days,
        "estimated": impact.estimated,
        "critical_before": list(impact.critical_before),
        "critical_after": list(impact.critical_after),
        "critical_changed": impact.critical_changed,
        "budget_before": impact.budget_before,
        "cost": impact.cost,
        "budget_after": impact.budget_after,
        "cost_lines": list(impact.cost_lines),
        "level": level,
    }


def _step(
    request: HttpRequest, response: HttpResponse, change_id: int, payload: ChangeStepIn, step: str
) -> Any:
    action = Action.VIEW if step in ("approve", "reject") else Action.CHANGE
    change = selectors.change_get_for_user(request.auth, change_id, action)
    version = expected_version(request, current=change.version, body_version=payload.version)
    if step == "submit":
        services.change_submit(actor=request.auth, change=change, version=version)
    elif step == "withdraw":
        services.change_withdraw(actor=request.auth, change=change, version=version, note=payload.note)
    elif step == "approve":
        services.change_approve(actor=request.auth, change=change, version=version, note=payload.note)
    else:
        services.change_reject(actor=request.auth, change=change, version=version, note=payload.note)
    change = selectors.change_get_for_user(request.auth, change.pk)
    set_etag(response, change.version)
    return change


def _step_route(step: str, summary: str, doc: str) -> None:
    def endpoint(
        request: HttpRequest,
        response: HttpResponse,
        change_id: Id,
        payload: ChangeStepIn,
        if_match: str | None = IF_MATCH,
    ) -> Any:
        return _step(request, response, change_id, payload, step)

    endpoint.__doc__ = doc
    endpoint.__name__ = f"change_{step}"
    changes.post(
        f"/changes/{{change_id}}/{step}",
        response=responses({200: ChangeRequestOut}, WRITE_ERRORS),
        summary=summary,
        openapi_extra=etag_documented(200),
        operation_id=f"changes_change_{step}",
    )(endpoint)


_step_route(
    "submit",
    "Submit a draft for decision",
    "Compute the impact, find the authority level and tell its approvers (a draft only).",
)
_step_route("withdraw", "Withdraw a change", "Withdraw a draft or submitted change; it stays on record.")
_step_route(
    "approve",
    "Approve a change",
    "Apply the budget and schedule edits, re-save the baseline and tell the requester, in one transaction. "
    "Refused (422 naming `approver`) for one's own change unless the level allows it; 403 below the level.",
)
_step_route("reject", "Reject a change", "Reject a submitted change; `note` gives the reason (required).")


# --- proposed edits ----------------------------------------------------------------------------------


@changes.get(
    "/changes/{change_id}/task-edits",
    response=responses({200: list[ChangeTaskEditOut]}),
    summary="A change's schedule edits",
)
def task_edit_list(request: HttpRequest, change_id: Id) -> Any:
    """The schedule edits the change proposes."""
    change = selectors.change_get_for_user(request.auth, change_id)
    return list(change.task_edits.select_related("task", "predecessor"))


@changes.post(
    "/changes/{change_id}/task-edits",
    response=responses({201: ChangeTaskEditOut}, CREATE_ERRORS),
    summary="Propose a schedule edit",
)
def task_edit_add(request: HttpRequest, change_id: Id, payload: ChangeTaskEditIn) -> Any:
    """A task's new duration (`task`) or a new task (`name`, optional `predecessor`), on a draft."""
    change = selectors.change_get_for_user(request.auth, change_id, Action.CHANGE)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    data = _refs(request.auth, data, EDIT_REFS)
    return Status(201, services.task_edit_add(actor=request.auth, change=change, **data))


@changes.delete(
    "/changes/{change_id}/task-edits/{task_edit_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Remove a schedule edit",
)
def task_edit_delete(
    request: HttpRequest,
    change_id: Id,
    task_edit_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Remove a proposed schedule edit of a draft."""
    change = selectors.change_get_for_user(request.auth, change_id, Action.CHANGE)
    edit = selectors.task_edit_get_for_user(request.auth, change, task_edit_id)
    version = expected_version(request, current=edit.version, body_version=payload and payload.version)
    services.task_edit_delete(actor=request.auth, edit=edit, version=version)
    return Status(204, None)


@changes.get(
    "/changes/{change_id}/budget-edits",
    response=responses({200: list[ChangeBudgetEditOut]}),
    summary="A change's budget edits",
)
def budget_edit_list(request: HttpRequest, change_id: Id) -> Any:
    """The budget edits the change proposes."""
    change = selectors.change_get_for_user(request.auth, change_id)
    return list(change.budget_edits.select_related("category"))


@changes.post(
    "/changes/{change_id}/budget-edits",
    response=responses({201: ChangeBudgetEditOut}, CREATE_ERRORS),
    summary="Propose a budget edit",
)
def budget_edit_add(request: HttpRequest, change_id: Id, payload: ChangeBudgetEditIn) -> Any:
    """An amount added to (negative: taken from) a cost category, by code, in a period, on a draft."""
    change = selectors.change_get_for_user(request.auth, change_id, Action.CHANGE)
    data = payload.dict()
    category = finance_selectors.category_by_code(data["category"])
    if category is None:
        raise field_error("category", f"There is no cost category {data['category']!r}.")
    data["category"] = category
    return Status(201, services.budget_edit_add(actor=request.auth, change=change, **data))


@changes.delete(
    "/changes/{change_id}/budget-edits/{budget_edit_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Remove a budget edit",
)
def budget_edit_delete(
    request: HttpRequest,
    change_id: Id,
    budget_edit_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Remove a proposed budget edit of a draft."""
    change = selectors.change_get_for_user(request.auth, change_id, Action.CHANGE)
    edit = selectors.budget_edit_get_for_user(request.auth, change, budget_edit_id)
    version = expected_version(request, current=edit.version, body_version=payload and payload.version)
    services.budget_edit_delete(actor=request.auth, edit=edit, version=version)
    return Status(204, None)


# --- authority levels --------------------------------------------------------------------------------


def _authority_answer(unit: Any) -> dict[str, Any]:
    authority = selectors.authority_for_unit(unit)
    own = authority.source is not None and authority.source.pk == unit.pk
    return {
        "unit": unit,
        "own": own,
        "inherited_from": authority.source,
        "levels": list(authority.levels),
        "version": authority.version if own else None,
    }


def _own_authority(user: Any, unit_id: Any, action: Action) -> tuple[Any, selectors.Authority | None]:
    """A unit the user sees and its own authority levels (None when it inherits them)."""
    unit, authority = selectors.authority_for_user(user, unit_id, action)
    own = authority.source is not None and authority.source.pk == unit.pk
    return unit, authority if own else None


def _authority_levels(payload: ChangeAuthorityIn) -> dict[str, Any]:
    """The levels sent, each cost limit as text (the levels are stored as JSON)."""
    levels = [
        {**level, "max_cost": None if level["max_cost"] is None else str(level["max_cost"])}
        for level in payload.dict()["levels"]
    ]
    return {"levels": levels}


unit_settings_routes(
    changes,
    "/org-units/{unit_id}/change-authority",
    module=__name__,
    name="change_authority",
    noun="change authority levels",
    out_schema=ChangeAuthorityOut,
    in_schema=ChangeAuthorityIn,
    resolve=_own_authority,
    answer=_authority_answer,
    set_service=services.change_authority_set,
    clear_service=services.change_authority_clear,
    detail_doc="The ordered authority levels in force (the unit's own, inherited, or Keel's defaults).",
    set_doc="Give the unit its own levels (PMO administrators); its subtree inherits them.",
    clear_doc="The unit inherits its parent's levels (or the defaults) again.",
    fields=_authority_levels,
)
