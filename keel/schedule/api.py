"""JSON endpoints of project schedules: settings, tasks, dependencies, computation, baselines, milestones.

Every write recomputes the project's schedule in the same transaction: the answers carry the new dates.
"""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Status

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
from keel.core.pagination import Page
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action
from keel.schedule import selectors, services
from keel.schedule.schemas import (
    BaselineOut,
    BaselineSaveIn,
    ComputeOut,
    DependencyCreateIn,
    DependencyOut,
    DependencyPatchIn,
    MilestoneFilterIn,
    MilestoneOut,
    ScheduleOut,
    SchedulePatchIn,
    TaskCreateIn,
    TaskFilterIn,
    TaskOut,
    TaskPatchIn,
    VarianceOut,
)

schedule = Router(tags=["schedule"])
CREATE_ERRORS = (401, 403, 404, 422)
BaselineNumber = Annotated[int, Field(ge=0, le=10, description="0 (Baseline) to 10 (Baseline10)")]


def _task(user: Any, pk: int) -> Any:
    return selectors.task_get_for_user(user, pk)


def _calendar(user: Any, pk: int) -> Any:
    return org_selectors.calendar_get(pk)


TASK_REFS = {"parent": _task, "calendar": _calendar}


def _resolve(user: Any, data: dict[str, Any], getters: dict[str, Any]) -> dict[str, Any]:
    """Replace the ids of `getters`' fields present in `data` by the records they name."""
    return {**data, **resolve_refs(user, {f: (g, data[f]) for f, g in getters.items() if f in data})}


def _schedule_answer(view: selectors.ScheduleView) -> dict[str, Any]:
    """The schedule settings as answered, datetimes in the project's zone."""
    item = view.schedule
    zone = ZoneInfo(view.time_zone)

    def local(value: Any) -> Any:
        return None if value is None else value.astimezone(zone)

    return {
        "project": view.project,
        "calendar": item.calendar,
        "effective_calendar": view.effective_calendar,
        "time_zone": view.time_zone,
        "start": local(item.start),
        "status_date": local(item.status_date),
        "honor_constraints": item.honor_constraints,
        "minutes_per_day": view.minutes_per_day,
        "minutes_per_week": view.minutes_per_week,
        "computed_start": local(item.computed_start),
        "computed_finish": local(item.computed_finish),
        "computed_at": item.computed_at,
        "task_count": item.task_count,
        "critical_count": item.critical_count,
        "violation_count": item.violation_count,
        "version": item.version,
    }


def _list_page(items: list[Any], params: PageParams) -> dict[str, Any]:
    """One page of an already computed list, in the list shape {items, count, page, page_size}."""
    size = params.page_size
    count = len(items)
    number = max(1, min(params.page, -(-count // size) or 1))
    page = Page(items=items[(number - 1) * size : number * size], number=number, size=size, count=count)
    return {"items": page.items, "count": page.count, "page": page.number, "page_size": page.size}


# --- settings and computation --------------------------------------------------------------------


@schedule.get(
    "/projects/{project_id}/schedule",
    response=responses({200: ScheduleOut}),
    summary="A project's schedule",
    openapi_extra=etag_documented(200),
)
def schedule_detail(request: HttpRequest, response: HttpResponse, project_id: Id) -> Any:
    """The schedule settings, the calendar and zone they resolve to, and the last computation."""
    view = selectors.schedule_view_for_user(request.auth, project_id)
    set_etag(response, view.schedule.version)
    return _schedule_answer(view)


@schedule.patch(
    "/projects/{project_id}/schedule",
    response=responses({200: ScheduleOut}, WRITE_ERRORS),
    summary="Change a project's schedule settings",
    openapi_extra=etag_documented(200),
)
def schedule_update(
    request: HttpRequest,
    response: HttpResponse,
    project_id: Id,
    payload: SchedulePatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the calendar, start, status date or constraint handling; the schedule is recomputed."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    current = selectors.schedule_for_project(project)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=current.version, body_version=changes.pop("version", None))
    changes = _resolve(request.auth, changes, {"calendar": _calendar})
    updated = services.schedule_update(actor=request.auth, project=project, version=version, **changes)
    set_etag(response, updated.version)
    return _schedule_answer(selectors.schedule_view(project))


@schedule.post(
    "/projects/{project_id}/schedule/compute",
    response=responses({200: ComputeOut}, CREATE_ERRORS),
    summary="Recompute a project's schedule",
)
def schedule_compute(request: HttpRequest, project_id: Id) -> Any:
    """Run the critical path computation now and say what it changed (writes recompute on their own)."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    return services.schedule_compute(actor=request.auth, project=project)


# --- tasks ---------------------------------------------------------------------------------------


@schedule.get(
    "/projects/{project_id}/tasks",
    response=responses({200: page_of(TaskOut)}),
    summary="A project's tasks in WBS order",
)
def task_list(
    request: HttpRequest, project_id: Id, filters: Query[TaskFilterIn], paging: Query[PageParams]
) -> Any:
    """The tasks in outline order with their computed dates, floats and critical flags."""
    tasks = selectors.task_list_for_project(request.auth, project_id, **filters.dict())
    return page_response(tasks, paging)


@schedule.post(
    "/projects/{project_id}/tasks",
    response=responses({201: TaskOut}, CREATE_ERRORS),
    summary="Add a task",
    openapi_extra=etag_documented(201),
)
def task_create(request: HttpRequest, response: HttpResponse, project_id: Id, payload: TaskCreateIn) -> Any:
    """Add a task under `parent` at `position`; the schedule is recomputed."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    data = _resolve(request.auth, payload.dict(exclude_unset=True), TASK_REFS)
    if data.get("is_milestone", False) is None:
        del data["is_milestone"]
    task = services.task_create(actor=request.auth, project=project, **data)
    set_etag(response, task.version)
    return Status(201, selectors.task_get_for_user(request.auth, task.pk))


@schedule.get(
    "/tasks/{task_id}",
    response=responses({200: TaskOut}),
    summary="One task",
    openapi_extra=etag_documented(200),
)
def task_detail(request: HttpRequest, response: HttpResponse, task_id: Id) -> Any:
    """One task with its computed schedule, with its version as ETag."""
    task = selectors.task_get_for_user(request.auth, task_id)
    set_etag(response, task.version)
    return task


@schedule.patch(
    "/tasks/{task_id}",
    response=responses({200: TaskOut}, WRITE_ERRORS),
    summary="Change a task",
    openapi_extra=etag_documented(200),
)
def task_update(
    request: HttpRequest,
    response: HttpResponse,
    task_id: Id,
    payload: TaskPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent (`parent` and `position` move the task); the schedule is recomputed."""
    task = selectors.task_get_for_user(request.auth, task_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=task.version, body_version=changes.pop("version", None))
    changes = _resolve(request.auth, changes, TASK_REFS)
    task = services.task_update(actor=request.auth, task=task, version=version, **changes)
    set_etag(response, task.version)
    return selectors.task_get_for_user(request.auth, task.pk)


@schedule.delete(
    "/tasks/{task_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a task with its subtasks and links",
)
def task_delete(
    request: HttpRequest,
    task_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a task, its subtasks and their links; the schedule is recomputed."""
    task = selectors.task_get_for_user(request.auth, task_id, Action.CHANGE)
    version = expected_version(request, current=task.version, body_version=payload and payload.version)
    services.task_delete(actor=request.auth, task=task, version=version)
    return Status(204, None)


# --- dependencies --------------------------------------------------------------------------------


@schedule.get(
    "/projects/{project_id}/dependencies",
    response=responses({200: page_of(DependencyOut)}),
    summary="A project's dependencies",
)
def dependency_list(request: HttpRequest, project_id: Id, paging: Query[PageParams]) -> Any:
    """The links between the project's tasks, in the order of their successors."""
    return page_response(selectors.dependency_list_for_project(request.auth, project_id), paging)


@schedule.post(
    "/projects/{project_id}/dependencies",
    response=responses({201: DependencyOut}, CREATE_ERRORS),
    summary="Link two tasks",
    openapi_extra=etag_documented(201),
)
def dependency_create(
    request: HttpRequest, response: HttpResponse, project_id: Id, payload: DependencyCreateIn
) -> Any:
    """Make `successor` follow `predecessor`; a link that would close a loop is refused naming it."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    data = _resolve(request.auth, payload.dict(), {"predecessor": _task, "successor": _task})
    dependency = services.dependency_create(actor=request.auth, project=project, **data)
    set_etag(response, dependency.version)
    return Status(201, selectors.dependency_get_for_user(request.auth, dependency.pk))


@schedule.get(
    "/dependencies/{dependency_id}",
    response=responses({200: DependencyOut}),
    summary="One dependency",
    openapi_extra=etag_documented(200),
)
def dependency_detail(request: HttpRequest, response: HttpResponse, dependency_id: Id) -> Any:
    """One link, with its version as ETag."""
    dependency = selectors.dependency_get_for_user(request.auth, dependency_id)
    set_etag(response, dependency.version)
    return dependency


@schedule.patch(
    "/dependencies/{dependency_id}",
    response=responses({200: DependencyOut}, WRITE_ERRORS),
    summary="Change a dependency",
    openapi_extra=etag_documented(200),
)
def dependency_update(
    request: HttpRequest,
    response: HttpResponse,
    dependency_id: Id,
    payload: DependencyPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the link's type, lag or lag unit; the schedule is recomputed."""
    dependency = selectors.dependency_get_for_user(request.auth, dependency_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=dependency.version, body_version=changes.pop("version", None))
    dependency = services.dependency_update(
        actor=request.auth, dependency=dependency, version=version, **changes
    )
    set_etag(response, dependency.version)
    return selectors.dependency_get_for_user(request.auth, dependency.pk)


@schedule.delete(
    "/dependencies/{dependency_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a dependency",
)
def dependency_delete(
    request: HttpRequest,
    dependency_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Remove the link; the schedule is recomputed."""
    dependency = selectors.dependency_get_for_user(request.auth, dependency_id, Action.CHANGE)
    version = expected_version(request, current=dependency.version, body_version=payload and payload.version)
    services.dependency_delete(actor=request.auth, dependency=dependency, version=version)
    return Status(204, None)


# --- baselines -----------------------------------------------------------------------------------


@schedule.get(
    "/projects/{project_id}/baselines",
    response=responses({200: list[BaselineOut]}),
    summary="A project's baselines",
)
def baseline_list(request: HttpRequest, project_id: Id) -> Any:
    """The saved baselines (at most 11: Baseline, Baseline1–10)."""
    return selectors.baseline_list_for_project(request.auth, project_id)


@schedule.post(
    "/projects/{project_id}/baselines",
    response=responses({201: BaselineOut}, CREATE_ERRORS),
    summary="Save a baseline",
)
def baseline_save(request: HttpRequest, project_id: Id, payload: BaselineSaveIn) -> Any:
    """Save the current schedule as baseline `number`, replacing what was saved under it."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    baseline = services.baseline_save(actor=request.auth, project=project, **payload.dict())
    saved = selectors.baseline_list_for_project(request.auth, project_id).get(pk=baseline.pk)
    return Status(201, saved)


@schedule.delete(
    "/projects/{project_id}/baselines/{number}",
    response=responses({204: None}, CREATE_ERRORS),
    summary="Clear a baseline",
)
def baseline_clear(request: HttpRequest, project_id: Id, number: BaselineNumber) -> Any:
    """Delete baseline `number` (0–10)."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    services.baseline_clear(actor=request.auth, project=project, number=number)
    return Status(204, None)


@schedule.get(
    "/projects/{project_id}/baselines/{number}/variance",
    response=responses({200: page_of(VarianceOut)}),
    summary="Variance against a baseline",
)
def baseline_variance(
    request: HttpRequest, project_id: Id, number: BaselineNumber, paging: Query[PageParams]
) -> Any:
    """Every task against baseline `number`: start, finish, duration, work and cost variance."""
    rows = selectors.baseline_variance_for_user(request.auth, project_id, number)
    return _list_page(rows, paging)


# --- across the portfolio ------------------------------------------------------------------------


@schedule.get(
    "/milestones", response=responses({200: page_of(MilestoneOut)}, LIST_ERRORS), summary="Milestones"
)
def milestone_list(request: HttpRequest, filters: Query[MilestoneFilterIn], paging: Query[PageParams]) -> Any:
    """The milestones of every project you can see, by finish."""
    milestones = selectors.milestone_list_for_user(request.auth, selectors.MilestoneFilters(**filters.dict()))
    return page_response(milestones, paging)
