"""JSON endpoints of the resource pool: pools and their sharing, resources, skills, rates, leave,
task assignments and project allocations with their request / approve flow.

Children are created under their parent's path (`/resource-pools/{pool_id}/resources`,
`/tasks/{task_id}/assignments`, `/projects/{project_id}/allocations`) and read, changed and deleted
by their own id, as in the schedule API.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Body, Query, Router, Status

from keel.core.api import (
    IF_MATCH,
    LIST_ERRORS,
    OPTIONAL_VERSION_BODY,
    WRITE_ERRORS,
    Id,
    PageParams,
    VersionIn,
    etag_documented,
    expected_version,
    page_of,
    page_response,
    resolve_refs,
    responses,
    set_etag,
)
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action
from keel.portfolio import selectors as portfolio_selectors
from keel.resources import selectors, services
from keel.resources.schemas import (
    AllocationCreateIn,
    AllocationDecisionIn,
    AllocationFilterIn,
    AllocationOut,
    AllocationPatchIn,
    AssignmentCreateIn,
    AssignmentOut,
    AssignmentPatchIn,
    LeaveCreateIn,
    LeaveOut,
    LeavePatchIn,
    PoolCreateIn,
    PoolOut,
    PoolPatchIn,
    PoolShareIn,
    RateCreateIn,
    RateOut,
    RatePatchIn,
    ResourceCreateIn,
    ResourceFilterIn,
    ResourceOut,
    ResourcePatchIn,
    ResourceSkillIn,
    ResourceSkillOut,
    SkillCreateIn,
    SkillOut,
    SkillPatchIn,
)
from keel.schedule import selectors as schedule_selectors

resources = Router(tags=["resources"])
CREATE_ERRORS = (401, 403, 404, 422)
ACTION_ERRORS = (401, 403, 404, 409, 412, 422, 428)
DECISION_BODY = Body(None, description="A comment (required to reject) and the version decided on")


def _unit(user: Any, pk: int) -> Any:
    return org_selectors.org_unit_get_for_user(user, pk)


def _person(user: Any, pk: int) -> Any:
    return org_selectors.user_get_for_user(user, pk)


def _location(user: Any, pk: int) -> Any:
    return org_selectors.location_get(pk)


def _calendar(user: Any, pk: int) -> Any:
    return org_selectors.calendar_get(pk)


def _resource(user: Any, pk: int) -> Any:
    return selectors.resource_get_for_user(user, pk)


def _pool(user: Any, pk: int) -> Any:
    return selectors.pool_get_for_user(user, pk)


def _resolve(user: Any, data: dict[str, Any], getters: dict[str, Any]) -> dict[str, Any]:
    """Replace the ids of `getters`' fields present in `data` by the records they name."""
    return {**data, **resolve_refs(user, {f: (g, data[f]) for f, g in getters.items() if f in data})}


POOL_REFS = {"org_unit": _unit, "manager": _person}
RESOURCE_REFS = {
    "pool": _pool,
    "user": _person,
    "role": _resource,
    "home_unit": _unit,
    "location": _location,
    "calendar": _calendar,
}
SKILL_REFS = {"org_unit": _unit}
WORK_REFS = {"resource": _resource}


# --- pools ---------------------------------------------------------------------------------------


@resources.get(
    "/resource-pools", response=responses({200: page_of(PoolOut)}, LIST_ERRORS), summary="Resource pools"
)
def pool_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """The pools you can see: your units' pools and those shared with your units."""
    return page_response(selectors.pool_list_for_user(request.auth), paging)


@resources.post(
    "/resource-pools",
    response=responses({201: PoolOut}, CREATE_ERRORS),
    summary="Create a resource pool",
    openapi_extra=etag_documented(201),
)
def pool_create(request: HttpRequest, response: HttpResponse, payload: PoolCreateIn) -> Any:
    """Create a pool managed by `org_unit` (PMO administrators and resource managers there)."""
    data = _resolve(request.auth, payload.dict(), POOL_REFS)
    pool = services.pool_create(actor=request.auth, **data)
    set_etag(response, pool.version)
    return Status(201, selectors.pool_get_for_user(request.auth, pool.pk))


@resources.get(
    "/resource-pools/{pool_id}",
    response=responses({200: PoolOut}),
    summary="One resource pool",
    openapi_extra=etag_documented(200),
)
def pool_detail(request: HttpRequest, response: HttpResponse, pool_id: Id) -> Any:
    """One pool, with its version as ETag."""
    pool = selectors.pool_get_for_user(request.auth, pool_id)
    set_etag(response, pool.version)
    return pool


@resources.patch(
    "/resource-pools/{pool_id}",
    response=responses({200: PoolOut}, WRITE_ERRORS),
    summary="Change a resource pool",
    openapi_extra=etag_documented(200),
)
def pool_update(
    request: HttpRequest,
    response: HttpResponse,
    pool_id: Id,
    payload: PoolPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent."""
    pool = selectors.pool_get_for_user(request.auth, pool_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=pool.version, body_version=changes.pop("version", None))
    changes = _resolve(request.auth, changes, POOL_REFS)
    pool = services.pool_update(actor=request.auth, pool=pool, version=version, **changes)
    set_etag(response, pool.version)
    return selectors.pool_get_for_user(request.auth, pool.pk)


@resources.delete(
    "/resource-pools/{pool_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a resource pool without resources",
)
def pool_delete(
    request: HttpRequest,
    pool_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a pool that has no resources left."""
    pool = selectors.pool_get_for_user(request.auth, pool_id, Action.CHANGE)
    version = expected_version(request, current=pool.version, body_version=payload and payload.version)
    services.pool_delete(actor=request.auth, pool=pool, version=version)
    return Status(204, None)


@resources.put(
    "/resource-pools/{pool_id}/shared-with",
    response=responses({200: PoolOut}, WRITE_ERRORS),
    summary="Share a pool with org units",
    openapi_extra=etag_documented(200),
)
def pool_share(
    request: HttpRequest,
    response: HttpResponse,
    pool_id: Id,
    payload: PoolShareIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Replace the units the pool is shared with; their people see (not change) its resources.

    Only a PMO administrator over the pool's unit may share it.
    """
    pool = selectors.pool_get_for_user(request.auth, pool_id)
    version = expected_version(request, current=pool.version, body_version=payload.version)

    def unit(user: Any, pk: int) -> Any:
        return selectors.share_unit_get(pk)

    units = [resolve_refs(request.auth, {"units": (unit, pk)})["units"] for pk in payload.units]
    pool = services.pool_share_set(actor=request.auth, pool=pool, units=units, version=version)
    set_etag(response, pool.version)
    return selectors.pool_get_for_user(request.auth, pool.pk)


# --- resources -----------------------------------------------------------------------------------


@resources.get(
    "/resources", response=responses({200: page_of(ResourceOut)}, LIST_ERRORS), summary="Resources"
)
def resource_list(request: HttpRequest, filters: Query[ResourceFilterIn], paging: Query[PageParams]) -> Any:
    """The resources of the pools you can see, filtered and ordered."""
    values = filters.dict()
    ordering = values.pop("ordering")
    values["kind"] = values["kind"] or ""
    found = selectors.resource_list_for_user(request.auth, selectors.ResourceFilters(**values), ordering)
    return page_response(found, paging)


@resources.post(
    "/resource-pools/{pool_id}/resources",
    response=responses({201: ResourceOut}, CREATE_ERRORS),
    summary="Add a resource to a pool",
    openapi_extra=etag_documented(201),
)
def resource_create(
    request: HttpRequest, response: HttpResponse, pool_id: Id, payload: ResourceCreateIn
) -> Any:
    """Add a person, generic role, equipment or cost resource to the pool."""
    pool = selectors.pool_get_for_user(request.auth, pool_id, Action.CHANGE)
    data = _resolve(request.auth, payload.dict(), RESOURCE_REFS)
    resource = services.resource_create(actor=request.auth, pool=pool, **data)
    set_etag(response, resource.version)
    return Status(201, selectors.resource_get_for_user(request.auth, resource.pk))


@resources.get(
    "/resources/{resource_id}",
    response=responses({200: ResourceOut}),
    summary="One resource",
    openapi_extra=etag_documented(200),
)
def resource_detail(request: HttpRequest, response: HttpResponse, resource_id: Id) -> Any:
    """One resource, with its version as ETag."""
    resource = selectors.resource_get_for_user(request.auth, resource_id)
    set_etag(response, resource.version)
    return resource


@resources.patch(
    "/resources/{resource_id}",
    response=responses({200: ResourceOut}, WRITE_ERRORS),
    summary="Change a resource",
    openapi_extra=etag_documented(200),
)
def resource_update(
    request: HttpRequest,
    response: HttpResponse,
    resource_id: Id,
    payload: ResourcePatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent; `is_active: false` deactivates a resource that has history."""
    resource = selectors.resource_get_for_user(request.auth, resource_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=resource.version, body_version=changes.pop("version", None))
    changes = _resolve(request.auth, changes, RESOURCE_REFS)
    resource = services.resource_update(actor=request.auth, resource=resource, version=version, **changes)
    set_etag(response, resource.version)
    return selectors.resource_get_for_user(request.auth, resource.pk)


@resources.delete(
    "/resources/{resource_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a resource without assignments or allocations",
)
def resource_delete(
    request: HttpRequest,
    resource_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a resource; one with assignments or allocations is refused (deactivate it instead)."""
    resource = selectors.resource_get_for_user(request.auth, resource_id, Action.CHANGE)
    version = expected_version(request, current=resource.version, body_version=payload and payload.version)
    services.resource_delete(actor=request.auth, resource=resource, version=version)
    return Status(204, None)


# --- skills --------------------------------------------------------------------------------------


@resources.get(
    "/skills", response=responses({200: page_of(SkillOut)}, LIST_ERRORS), summary="Skill catalogue"
)
def skill_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """The skills your units may use: those kept by your units and by the units above them."""
    return page_response(selectors.skill_list_for_user(request.auth), paging)


@resources.post(
    "/skills",
    response=responses({201: SkillOut}, CREATE_ERRORS),
    summary="Add a skill to the catalogue",
    openapi_extra=etag_documented(201),
)
def skill_create(request: HttpRequest, response: HttpResponse, payload: SkillCreateIn) -> Any:
    """Add a skill to the catalogue of `org_unit` (PMO administrators there)."""
    data = _resolve(request.auth, payload.dict(), SKILL_REFS)
    skill = services.skill_create(actor=request.auth, **data)
    set_etag(response, skill.version)
    return Status(201, skill)


@resources.get(
    "/skills/{skill_id}",
    response=responses({200: SkillOut}),
    summary="One skill",
    openapi_extra=etag_documented(200),
)
def skill_detail(request: HttpRequest, response: HttpResponse, skill_id: Id) -> Any:
    """One skill of your catalogue."""
    skill = selectors.skill_get_for_user(request.auth, skill_id)
    set_etag(response, skill.version)
    return skill


@resources.patch(
    "/skills/{skill_id}",
    response=responses({200: SkillOut}, WRITE_ERRORS),
    summary="Change a skill",
    openapi_extra=etag_documented(200),
)
def skill_update(
    request: HttpRequest,
    response: HttpResponse,
    skill_id: Id,
    payload: SkillPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent."""
    skill = selectors.skill_get_for_user(request.auth, skill_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=skill.version, body_version=changes.pop("version", None))
    changes = _resolve(request.auth, changes, SKILL_REFS)
    skill = services.skill_update(actor=request.auth, skill=skill, version=version, **changes)
    set_etag(response, skill.version)
    return skill


@resources.delete(
    "/skills/{skill_id}", response=responses({204: None}, WRITE_ERRORS), summary="Delete a skill nobody holds"
)
def skill_delete(
    request: HttpRequest,
    skill_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a skill that no resource holds."""
    skill = selectors.skill_get_for_user(request.auth, skill_id, Action.CHANGE)
    version = expected_version(request, current=skill.version, body_version=payload and payload.version)
    services.skill_delete(actor=request.auth, skill=skill, version=version)
    return Status(204, None)


@resources.get(
    "/resources/{resource_id}/skills",
    response=responses({200: list[ResourceSkillOut]}),
    summary="A resource's skills",
)
def resource_skill_list(request: HttpRequest, resource_id: Id) -> Any:
    """The skills the resource holds, with their levels."""
    return list(selectors.resource_skill_list(request.auth, resource_id))


@resources.put(
    "/resources/{resource_id}/skills/{skill_id}",
    response=responses({200: ResourceSkillOut}, CREATE_ERRORS),
    summary="Give a resource a skill",
)
def resource_skill_set(request: HttpRequest, resource_id: Id, skill_id: Id, payload: ResourceSkillIn) -> Any:
    """Give the resource the skill at `level`, or change its level."""
    resource = selectors.resource_get_for_user(request.auth, resource_id, Action.CHANGE)
    skill = selectors.skill_get_for_user(request.auth, skill_id)
    return services.resource_skill_set(
        actor=request.auth, resource=resource, skill=skill, level=payload.level
    )


@resources.delete(
    "/resources/{resource_id}/skills/{skill_id}",
    response=responses({204: None}, CREATE_ERRORS),
    summary="Take a skill from a resource",
)
def resource_skill_remove(request: HttpRequest, resource_id: Id, skill_id: Id) -> Any:
    """Take the skill away from the resource."""
    resource = selectors.resource_get_for_user(request.auth, resource_id, Action.CHANGE)
    skill = selectors.skill_get_for_user(request.auth, skill_id)
    services.resource_skill_remove(actor=request.auth, resource=resource, skill=skill)
    return Status(204, None)


# --- rates ---------------------------------------------------------------------------------------


@resources.get(
    "/resources/{resource_id}/rates",
    response=responses({200: list[RateOut]}),
    summary="A resource's cost rates",
)
def rate_list(request: HttpRequest, resource_id: Id) -> Any:
    """The resource's rates, oldest first; each applies from its date until the next one."""
    return list(selectors.rate_list_for_resource(request.auth, resource_id))


@resources.post(
    "/resources/{resource_id}/rates",
    response=responses({201: RateOut}, CREATE_ERRORS),
    summary="Add a cost rate",
    openapi_extra=etag_documented(201),
)
def rate_create(request: HttpRequest, response: HttpResponse, resource_id: Id, payload: RateCreateIn) -> Any:
    """Add a rate effective from a date (standard and overtime per hour, cost per use, currency)."""
    resource = selectors.resource_get_for_user(request.auth, resource_id, Action.CHANGE)
    rate = services.cost_rate_create(actor=request.auth, resource=resource, **payload.dict())
    set_etag(response, rate.version)
    return Status(201, selectors.rate_get_for_user(request.auth, rate.pk))


@resources.get(
    "/rates/{rate_id}",
    response=responses({200: RateOut}),
    summary="One cost rate",
    openapi_extra=etag_documented(200),
)
def rate_detail(request: HttpRequest, response: HttpResponse, rate_id: Id) -> Any:
    """One rate, with its version as ETag."""
    rate = selectors.rate_get_for_user(request.auth, rate_id)
    set_etag(response, rate.version)
    return rate


@resources.patch(
    "/rates/{rate_id}",
    response=responses({200: RateOut}, WRITE_ERRORS),
    summary="Change a cost rate",
    openapi_extra=etag_documented(200),
)
def rate_update(
    request: HttpRequest,
    response: HttpResponse,
    rate_id: Id,
    payload: RatePatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent."""
    rate = selectors.rate_get_for_user(request.auth, rate_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=rate.version, body_version=changes.pop("version", None))
    rate = services.cost_rate_update(actor=request.auth, rate=rate, version=version, **changes)
    set_etag(response, rate.version)
    return selectors.rate_get_for_user(request.auth, rate.pk)


@resources.delete(
    "/rates/{rate_id}", response=responses({204: None}, WRITE_ERRORS), summary="Delete a cost rate"
)
def rate_delete(
    request: HttpRequest,
    rate_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a rate."""
    rate = selectors.rate_get_for_user(request.auth, rate_id, Action.CHANGE)
    version = expected_version(request, current=rate.version, body_version=payload and payload.version)
    services.cost_rate_delete(actor=request.auth, rate=rate, version=version)
    return Status(204, None)


# --- leave ---------------------------------------------------------------------------------------


@resources.get(
    "/resources/{resource_id}/leave", response=responses({200: list[LeaveOut]}), summary="A resource's leave"
)
def leave_list(request: HttpRequest, resource_id: Id) -> Any:
    """The resource's leave, training and other absences, by start date."""
    return list(selectors.leave_list_for_resource(request.auth, resource_id))


@resources.post(
    "/resources/{resource_id}/leave",
    response=responses({201: LeaveOut}, CREATE_ERRORS),
    summary="Record leave",
    openapi_extra=etag_documented(201),
)
def leave_create(
    request: HttpRequest, response: HttpResponse, resource_id: Id, payload: LeaveCreateIn
) -> Any:
    """Record days the resource is away (whole days, `percent` of the working time)."""
    resource = selectors.resource_get_for_user(request.auth, resource_id, Action.CHANGE)
    leave = services.leave_create(actor=request.auth, resource=resource, **payload.dict())
    set_etag(response, leave.version)
    return Status(201, selectors.leave_get_for_user(request.auth, leave.pk))


@resources.get(
    "/leave/{leave_id}",
    response=responses({200: LeaveOut}),
    summary="One leave",
    openapi_extra=etag_documented(200),
)
def leave_detail(request: HttpRequest, response: HttpResponse, leave_id: Id) -> Any:
    """One leave, with its version as ETag."""
    leave = selectors.leave_get_for_user(request.auth, leave_id)
    set_etag(response, leave.version)
    return leave


@resources.patch(
    "/leave/{leave_id}",
    response=responses({200: LeaveOut}, WRITE_ERRORS),
    summary="Change a leave",
    openapi_extra=etag_documented(200),
)
def leave_update(
    request: HttpRequest,
    response: HttpResponse,
    leave_id: Id,
    payload: LeavePatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent."""
    leave = selectors.leave_get_for_user(request.auth, leave_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=leave.version, body_version=changes.pop("version", None))
    leave = services.leave_update(actor=request.auth, leave=leave, version=version, **changes)
    set_etag(response, leave.version)
    return selectors.leave_get_for_user(request.auth, leave.pk)


@resources.delete(
    "/leave/{leave_id}", response=responses({204: None}, WRITE_ERRORS), summary="Delete a leave"
)
def leave_delete(
    request: HttpRequest,
    leave_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a leave."""
    leave = selectors.leave_get_for_user(request.auth, leave_id, Action.CHANGE)
    version = expected_version(request, current=leave.version, body_version=payload and payload.version)
    services.leave_delete(actor=request.auth, leave=leave, version=version)
    return Status(204, None)


# --- assignments ---------------------------------------------------------------------------------


@resources.get(
    "/tasks/{task_id}/assignments",
    response=responses({200: page_of(AssignmentOut)}),
    summary="A task's assignments",
)
def task_assignment_list(request: HttpRequest, task_id: Id, paging: Query[PageParams]) -> Any:
    """The resources working on the task."""
    return page_response(selectors.assignment_list_for_task(request.auth, task_id), paging)


@resources.post(
    "/tasks/{task_id}/assignments",
    response=responses({201: AssignmentOut}, CREATE_ERRORS),
    summary="Assign a resource to a task",
    openapi_extra=etag_documented(201),
)
def assignment_create(
    request: HttpRequest, response: HttpResponse, task_id: Id, payload: AssignmentCreateIn
) -> Any:
    """Assign a resource of your pools (or of pools shared with you); work and cost default from the task."""
    task = schedule_selectors.task_get_for_user(request.auth, task_id, Action.CHANGE)
    data = _resolve(request.auth, payload.dict(), WORK_REFS)
    assignment = services.assignment_create(actor=request.auth, task=task, **data)
    set_etag(response, assignment.version)
    return Status(201, selectors.assignment_get_for_user(request.auth, assignment.pk))


@resources.get(
    "/projects/{project_id}/assignments",
    response=responses({200: page_of(AssignmentOut)}),
    summary="A project's assignments",
)
def project_assignment_list(request: HttpRequest, project_id: Id, paging: Query[PageParams]) -> Any:
    """The assignments of the project's tasks, in WBS order."""
    return page_response(selectors.assignment_list_for_project(request.auth, project_id), paging)


@resources.get(
    "/resources/{resource_id}/assignments",
    response=responses({200: page_of(AssignmentOut)}),
    summary="A resource's assignments",
)
def resource_assignment_list(request: HttpRequest, resource_id: Id, paging: Query[PageParams]) -> Any:
    """The resource's assignments in the projects you can see (all of them for its pool's deciders)."""
    return page_response(selectors.assignment_list_for_resource(request.auth, resource_id), paging)


@resources.get(
    "/assignments/{assignment_id}",
    response=responses({200: AssignmentOut}),
    summary="One assignment",
    openapi_extra=etag_documented(200),
)
def assignment_detail(request: HttpRequest, response: HttpResponse, assignment_id: Id) -> Any:
    """One assignment, with its version as ETag."""
    assignment = selectors.assignment_get_for_user(request.auth, assignment_id)
    set_etag(response, assignment.version)
    return selectors.assignment_get_for_user(request.auth, assignment.pk)


@resources.patch(
    "/assignments/{assignment_id}",
    response=responses({200: AssignmentOut}, WRITE_ERRORS),
    summary="Change an assignment",
    openapi_extra=etag_documented(200),
)
def assignment_update(
    request: HttpRequest,
    response: HttpResponse,
    assignment_id: Id,
    payload: AssignmentPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent; new units rescale the work unless work is sent, and cost follows unless sent."""
    assignment = selectors.assignment_get_for_user(request.auth, assignment_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=assignment.version, body_version=changes.pop("version", None))
    changes = _resolve(request.auth, changes, WORK_REFS)
    assignment = services.assignment_update(
        actor=request.auth, assignment=assignment, version=version, **changes
    )
    set_etag(response, assignment.version)
    return selectors.assignment_get_for_user(request.auth, assignment.pk)


@resources.delete(
    "/assignments/{assignment_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Remove an assignment",
)
def assignment_delete(
    request: HttpRequest,
    assignment_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Remove the resource from the task."""
    assignment = selectors.assignment_get_for_user(request.auth, assignment_id, Action.CHANGE)
    version = expected_version(request, current=assignment.version, body_version=payload and payload.version)
    services.assignment_delete(actor=request.auth, assignment=assignment, version=version)
    return Status(204, None)


# --- allocations ---------------------------------------------------------------------------------


@resources.get(
    "/allocations", response=responses({200: page_of(AllocationOut)}, LIST_ERRORS), summary="Allocations"
)
def allocation_list(
    request: HttpRequest, filters: Query[AllocationFilterIn], paging: Query[PageParams]
) -> Any:
    """Allocations of the projects you can see and requests for your pools' resources, newest first;
    `awaiting=true` lists the requests waiting for your decision, `mine=true` the ones you made."""
    values = filters.dict()
    values["status"] = tuple(values["status"])
    return page_response(
        selectors.allocation_list_for_user(request.auth, selectors.AllocationFilters(**values)), paging
    )


@resources.get(
    "/projects/{project_id}/allocations",
    response=responses({200: page_of(AllocationOut)}),
    summary="A project's allocations",
)
def project_allocation_list(request: HttpRequest, project_id: Id, paging: Query[PageParams]) -> Any:
    """The project's allocations and requests, by first week."""
    return page_response(selectors.allocation_list_for_project(request.auth, project_id), paging)


@resources.post(
    "/projects/{project_id}/allocations",
    response=responses({201: AllocationOut}, CREATE_ERRORS),
    summary="Request an allocation",
    openapi_extra=etag_documented(201),
)
def allocation_create(
    request: HttpRequest, response: HttpResponse, project_id: Id, payload: AllocationCreateIn
) -> Any:
    """Ask for hours per week of a person or generic role over a span of weeks; the pool's manager decides."""
    project = portfolio_selectors.project_get_for_user(request.auth, project_id, Action.CHANGE)
    data = _resolve(request.auth, payload.dict(), WORK_REFS)
    allocation = services.allocation_request(actor=request.auth, project=project, **data)
    set_etag(response, allocation.version)
    return Status(201, selectors.allocation_get_for_user(request.auth, allocation.pk))


@resources.get(
    "/allocations/{allocation_id}",
    response=responses({200: AllocationOut}),
    summary="One allocation",
    openapi_extra=etag_documented(200),
)
def allocation_detail(request: HttpRequest, response: HttpResponse, allocation_id: Id) -> Any:
    """One allocation, with its version as ETag."""
    allocation = selectors.allocation_get_for_user(request.auth, allocation_id)
    set_etag(response, allocation.version)
    return selectors.allocation_get_for_user(request.auth, allocation.pk)


@resources.patch(
    "/allocations/{allocation_id}",
    response=responses({200: AllocationOut}, WRITE_ERRORS),
    summary="Change a request",
    openapi_extra=etag_documented(200),
)
def allocation_update(
    request: HttpRequest,
    response: HttpResponse,
    allocation_id: Id,
    payload: AllocationPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change a request still waiting for a decision."""
    allocation = selectors.allocation_get_for_user(request.auth, allocation_id)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=allocation.version, body_version=changes.pop("version", None))
    changes = _resolve(request.auth, changes, WORK_REFS)
    allocation = services.allocation_update(
        actor=request.auth, allocation=allocation, version=version, **changes
    )
    set_etag(response, allocation.version)
    return selectors.allocation_get_for_user(request.auth, allocation.pk)


def _decision(
    request: HttpRequest, response: HttpResponse, allocation_id: int, payload: Any, decide: Any
) -> Any:
    allocation = selectors.allocation_get_for_user(request.auth, allocation_id)
    body_version = payload.version if payload is not None else None
    version = expected_version(request, current=allocation.version, body_version=body_version)
    comment = payload.comment if payload is not None else ""
    allocation = decide(actor=request.auth, allocation=allocation, version=version, comment=comment)
    set_etag(response, allocation.version)
    return selectors.allocation_get_for_user(request.auth, allocation.pk)


@resources.post(
    "/allocations/{allocation_id}/approve",
    response=responses({200: AllocationOut}, ACTION_ERRORS),
    summary="Approve a request",
    openapi_extra=etag_documented(200),
)
def allocation_approve(
    request: HttpRequest,
    response: HttpResponse,
    allocation_id: Id,
    payload: AllocationDecisionIn | None = DECISION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Approve a requested allocation (the pool's manager, or a PMO administrator or resource manager over it)."""
    return _decision(request, response, allocation_id, payload, services.allocation_approve)


@resources.post(
    "/allocations/{allocation_id}/reject",
    response=responses({200: AllocationOut}, ACTION_ERRORS),
    summary="Reject a request",
    openapi_extra=etag_documented(200),
)
def allocation_reject(
    request: HttpRequest,
    response: HttpResponse,
    allocation_id: Id,
    payload: AllocationDecisionIn | None = DECISION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Reject a requested allocation; `comment` says why and is required."""
    return _decision(request, response, allocation_id, payload, services.allocation_reject)


@resources.post(
    "/allocations/{allocation_id}/cancel",
    response=responses({200: AllocationOut}, ACTION_ERRORS),
    summary="Cancel a request or an approved allocation",
    openapi_extra=etag_documented(200),
)
def allocation_cancel(
    request: HttpRequest,
    response: HttpResponse,
    allocation_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Withdraw a request or release an approved allocation (the requester or the project's managers)."""
    allocation = selectors.allocation_get_for_user(request.auth, allocation_id)
    version = expected_version(request, current=allocation.version, body_version=payload and payload.version)
    allocation = services.allocation_cancel(actor=request.auth, allocation=allocation, version=version)
    set_etag(response, allocation.version)
    return selectors.allocation_get_for_user(request.auth, allocation.pk)
