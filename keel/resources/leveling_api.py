"""JSON endpoints of resource leveling: start a run, follow it, compare, apply, undo.

`POST /leveling-runs` answers 202 with the queued run; a worker computes it (nothing changes yet) and
`GET /leveling-runs/{run_id}` shows its progress, then the before/after comparison.
`POST /leveling-runs/{run_id}/apply` sets the delays on the schedules; `.../undo` puts the old ones back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from keel.core.api import (
    LIST_ERRORS,
    READ_ERRORS,
    Id,
    InputSchema,
    PageParams,
    page_of,
    page_response,
    resolve_refs,
    responses,
)
from keel.core.errors import PermissionDenied
from keel.orgs import scoping
from keel.orgs.schemas import UnitRef, UserRef
from keel.orgs.scoping import Action
from keel.resources import leveling as leveling_services
from keel.resources.models import ResourcePool
from keel.schedule.models import Task
from keel.schedule.schemas import ProjectRef

leveling = Router(tags=["leveling"])


class PoolRef(Schema):
    """A resource pool named by id, code and name."""

    id: int
    code: str
    name: str


class LevelingRunIn(InputSchema):
    """What to level: a project, or every project using a pool's resources (give exactly one)."""

    project: int | None = Field(None, ge=1, le=2**63 - 1, description="Project to level")
    pool: int | None = Field(None, ge=1, le=2**63 - 1, description="Pool whose projects to level together")
    mode: str = Field("heuristic", description="heuristic (fast) or optimal (CP-SAT under the time limit)")
    time_limit: int = Field(
        10, ge=1, le=leveling_services.MAX_TIME_LIMIT, description="Seconds (optimal mode)"
    )


class ProjectFinishOut(Schema):
    """A project's finish before the run, without any leveling, and with this run's leveling."""

    project_id: int
    code: str
    name: str
    priority: int
    finish_before: dt.datetime | None
    finish_unleveled: dt.datetime | None
    finish_after: dt.datetime | None
    delayed_tasks: int


class TaskDelayOut(Schema):
    """A leaf task before and after the leveling, with the delay the run gives it."""

    task_id: int
    project_id: int
    uid: int
    name: str
    start_before: dt.datetime | None
    finish_before: dt.datetime | None
    start_after: dt.datetime | None
    finish_after: dt.datetime | None
    delay_before_minutes: int
    delay_minutes: int = Field(..., description="Leveling delay in working minutes")
    float_minutes: int | None = Field(None, description="Total float without leveling")
    within_float: bool
    moved: bool


class EngineOut(Schema):
    """What the leveling engine reports."""

    mode: str
    makespan_hours: int
    lower_bound_hours: int
    proven_optimal: bool
    seconds: float
    schedules: int
    activities: int


class ComparisonOut(Schema):
    """The before/after comparison of a computed run."""

    projects: list[ProjectFinishOut]
    tasks: list[TaskDelayOut]
    warnings: list[str]
    resources: int
    period_minutes: int = Field(..., description="The leveling grid: minutes of working time per period")
    minutes_per_day: int = Field(..., description="Working minutes per day of the reference calendar")
    engine: EngineOut


class LevelingRunOut(Schema):
    """A leveling run: queued, running (progress), done (comparison), applied, undone or failed (message)."""

    id: int
    status: str = Field(..., description="queued, running, done, applied, undone or failed")
    progress: int = Field(..., ge=0, le=100)
    mode: str
    time_limit: int
    org_unit: UnitRef
    project: ProjectRef | None = None
    pool: PoolRef | None = None
    proven_optimal: bool
    message: str
    comparison: ComparisonOut | None = None
    created_by: UserRef | None = None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_comparison(obj: Any) -> dict[str, Any] | None:
        """The comparison once computed."""
        return obj.result if obj.result.get("tasks") is not None else None


class LevelingRunListOut(Schema):
    """A leveling run in a list (without the per-task comparison)."""

    id: int
    status: str
    progress: int
    mode: str
    org_unit: UnitRef
    project: ProjectRef | None = None
    pool: PoolRef | None = None
    proven_optimal: bool
    message: str
    created_at: dt.datetime


@leveling.post(
    "/leveling-runs",
    response=responses({202: LevelingRunOut}, (401, 403, 422)),
    summary="Level resources",
)
def leveling_run_create(request: HttpRequest, response: HttpResponse, payload: LevelingRunIn) -> Any:
    """Level a project, or the projects sharing a pool. Answers 202 with the queued run; follow it with
    `GET /leveling-runs/{id}`. Nothing changes on the schedules until the run is applied."""
    user = request.auth
    if not (
        scoping.can_anywhere(user, Action.CHANGE, Task)
        or scoping.can_anywhere(user, Action.CHANGE, ResourcePool)
    ):
        raise PermissionDenied("Your roles do not let you level any project or pool.")
    refs = resolve_refs(
        user,
        {
            "project": (leveling_services.project_for_leveling, payload.project),
            "pool": (leveling_services.pool_for_leveling, payload.pool),
        },
    )
    run = leveling_services.leveling_run_create(
        actor=user,
        project=refs["project"],
        pool=refs["pool"],
        mode=payload.mode,
        time_limit=payload.time_limit,
    )
    response["Location"] = f"{request.path.rstrip('/')}/{run.pk}"
    return Status(202, run)


@leveling.get(
    "/leveling-runs",
    response=responses({200: page_of(LevelingRunListOut)}, LIST_ERRORS),
    summary="Leveling runs",
)
def leveling_run_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """Leveling runs in the org units you can see, newest first."""
    return page_response(leveling_services.leveling_run_list_for_user(request.auth), paging)


@leveling.get(
    "/leveling-runs/{run_id}",
    response=responses({200: LevelingRunOut}, READ_ERRORS),
    summary="One leveling run",
)
def leveling_run_detail(request: HttpRequest, run_id: Id) -> Any:
    """The run's progress; once computed, the comparison of finishes and per-task delays."""
    return leveling_services.leveling_run_get_for_user(request.auth, run_id)


@leveling.post(
    "/leveling-runs/{run_id}/apply",
    response=responses({200: LevelingRunOut}, (401, 403, 404, 422)),
    summary="Apply a leveling",
)
def leveling_run_apply(request: HttpRequest, run_id: Id) -> Any:
    """Set the run's leveling delays on the schedules (422 naming `run` when they changed since)."""
    run = leveling_services.leveling_run_for_action(request.auth, run_id)
    return leveling_services.leveling_run_apply(actor=request.auth, run=run)


@leveling.post(
    "/leveling-runs/{run_id}/undo",
    response=responses({200: LevelingRunOut}, (401, 403, 404, 422)),
    summary="Undo a leveling",
)
def leveling_run_undo(request: HttpRequest, run_id: Id) -> Any:
    """Put back the leveling delays the tasks had before the run was applied."""
    run = leveling_services.leveling_run_for_action(request.auth, run_id)
    return leveling_services.leveling_run_undo(actor=request.auth, run=run)
