"""API shapes of project schedules: settings, tasks, dependencies, computations, baselines, milestones.

Durations, work, lags and floats are integer minutes (working minutes, or elapsed ones for elapsed
units). Schedule datetimes are answered in the project's time zone (with its offset); a datetime sent
without an offset is read as wall-clock time in that zone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from ninja import Field, Schema
from pydantic import AfterValidator

from keel.core.api import Id, InputSchema, Money, Text
from keel.orgs.schemas import CalendarRef, UserRef
from keel.schedule.models import (
    MAX_DURATION,
    MAX_SPLITS,
    ConstraintType,
    DurationUnit,
    EvMethod,
    LagUnit,
    LinkType,
)

DurationUnitName = Literal[tuple(DurationUnit.values)]  # type: ignore[valid-type]
ConstraintName = Literal[tuple(ConstraintType.values)]  # type: ignore[valid-type]
LinkTypeName = Literal[tuple(LinkType.values)]  # type: ignore[valid-type]
LagUnitName = Literal[tuple(LagUnit.values)]  # type: ignore[valid-type]
EvMethodName = Literal[tuple(EvMethod.values)]  # type: ignore[valid-type]
EvWeight = Annotated[Decimal, Field(ge=0, le=Decimal("99999.9999"), max_digits=9, decimal_places=4)]

VERSION = Field(None, ge=1, le=2**31, description="The version you edited (alternative to If-Match)")


def _in_schedule_years(value: dt.datetime) -> dt.datetime:
    """Schedules span the years 1900–2199."""
    if not 1900 <= value.year <= 2199:
        raise ValueError("use a date between 1900 and 2199")
    return value


# ISO 8601; without an offset, wall-clock time in the project's time zone.
ScheduleDateTime = Annotated[dt.datetime, AfterValidator(_in_schedule_years)]
Minutes = Annotated[int, Field(ge=0, le=MAX_DURATION, description="Minutes (working, or elapsed)")]
TaskName = Annotated[Text, Field(min_length=1, max_length=255)]
Notes = Annotated[Text, Field(max_length=100_000)]
Wbs = Annotated[Text, Field(max_length=100)]
Percent = Annotated[int, Field(ge=0, le=100)]
Position = Annotated[int, Field(ge=0, le=1_000_000, description="Order among the parent's subtasks, from 0")]
Work = Annotated[int, Field(ge=0, le=MAX_DURATION * 100, description="Working minutes of effort")]
Split = Annotated[
    list[Annotated[int, Field(ge=0, le=MAX_DURATION)]],
    Field(
        min_length=2,
        max_length=2,
        description="[offset, pause]: the work pauses after `offset` minutes "
        "of it and resumes `pause` minutes later",
    ),
]
Splits = Annotated[
    list[Split],
    Field(max_length=MAX_SPLITS, description="Where the task's work pauses, in working minutes of the task"),
]
Lag = Annotated[
    int,
    Field(
        ge=-MAX_DURATION, le=MAX_DURATION, description="Minutes, or percent for lag_unit 'percent'; < 0: lead"
    ),
]


def _local(name: str) -> Any:
    """A resolver answering the datetime attribute `name` in the row's project time zone."""

    def resolve(obj: Any) -> dt.datetime | None:
        value = getattr(obj, name)
        zone = getattr(obj, "time_zone", None)
        return value.astimezone(ZoneInfo(zone)) if value is not None and zone else value

    resolve.__doc__ = f"The {name.replace('_', ' ')} in the project's time zone."
    return staticmethod(resolve)


class ProjectRef(Schema):
    """A project named by id, code and name."""

    id: int
    code: str
    name: str


class TaskRef(Schema):
    """A task named by id, uid and name."""

    id: int
    uid: int
    name: str


# --- settings ------------------------------------------------------------------------------------


class ScheduleOut(Schema):
    """A project's schedule settings, what they resolve to, and the last computation's summary."""

    project: ProjectRef
    calendar: CalendarRef | None = Field(..., description="The project's own calendar; null: its org unit's")
    effective_calendar: CalendarRef | None = Field(
        ..., description="The calendar the schedule is computed on; null: Keel's standard week"
    )
    time_zone: str = Field(..., description="The zone schedule datetimes are computed and answered in")
    start: dt.datetime = Field(..., description="Tasks without predecessors start here")
    status_date: dt.datetime | None
    honor_constraints: bool
    minutes_per_day: int
    minutes_per_week: int
    computed_start: dt.datetime | None
    computed_finish: dt.datetime | None
    computed_at: dt.datetime | None
    task_count: int
    critical_count: int
    violation_count: int = Field(..., description="Tasks with a missed constraint, deadline or link")
    version: int


class SchedulePatchIn(InputSchema):
    """Changes to the schedule settings: only the fields sent are changed. Recomputes the schedule."""

    calendar: Id | None = None
    start: ScheduleDateTime = None  # type: ignore[assignment]
    status_date: ScheduleDateTime | None = None
    honor_constraints: bool = None  # type: ignore[assignment]
    version: int | None = VERSION


class ViolationOut(Schema):
    """What the engine flagged on one task."""

    task_id: int
    uid: int
    name: str
    messages: list[str]


class ComputeOut(Schema):
    """The result of a computation: the project finish before and after, and what moved."""

    start: dt.datetime | None
    finish_before: dt.datetime | None
    finish: dt.datetime | None
    finish_moved: bool
    changed_tasks: list[int] = Field(..., description="Uids of the tasks whose start or finish moved")
    critical_count: int
    violations: list[ViolationOut]


# --- tasks ---------------------------------------------------------------------------------------


class TaskOut(Schema):
    """A task, summary task or milestone with its plan, progress and computed schedule."""

    id: int
    uid: int
    project_id: int
    parent_id: int | None
    position: int
    sort_index: int = Field(..., description="Row in WBS order, from 0")
    outline_number: str
    outline_level: int
    wbs: str
    name: str
    notes: str
    is_summary: bool
    is_milestone: bool
    duration_minutes: int
    duration_unit: str
    elapsed: bool
    work_minutes: int
    cost: Decimal
    percent_complete: int
    actual_start: dt.datetime | None
    actual_finish: dt.datetime | None
    manual_start: dt.datetime | None
    constraint_type: str
    constraint_date: dt.datetime | None
    deadline: dt.datetime | None
    calendar_id: int | None
    leveling_delay_minutes: int = Field(
        ..., description="Minutes resource leveling holds the task after the start its links allow"
    )
    splits: list[list[int]] = Field(
        ..., description="Where the work pauses: [offset, pause] pairs in working minutes of the task"
    )
    ev_method: str = Field(..., description="How progress turns into earned value")
    ev_weight: Decimal | None = Field(..., description="A milestone's weight (weighted milestones method)")
    start: dt.datetime | None
    finish: dt.datetime | None
    early_start: dt.datetime | None
    early_finish: dt.datetime | None
    late_start: dt.datetime | None
    late_finish: dt.datetime | None
    total_float_minutes: int | None
    free_float_minutes: int | None
    is_critical: bool
    violations: list[str]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    resolve_actual_start = _local("actual_start")
    resolve_actual_finish = _local("actual_finish")
    resolve_manual_start = _local("manual_start")
    resolve_constraint_date = _local("constraint_date")
    resolve_deadline = _local("deadline")
    resolve_start = _local("start")
    resolve_finish = _local("finish")
    resolve_early_start = _local("early_start")
    resolve_early_finish = _local("early_finish")
    resolve_late_start = _local("late_start")
    resolve_late_finish = _local("late_finish")


class TaskFilterIn(Schema):
    """Filters of the task list."""

    critical: bool | None = Field(None, description="Only critical (true) or non-critical (false) tasks")
    milestone: bool | None = Field(None, description="Only milestones (true) or other tasks (false)")


class TaskCreateIn(InputSchema):
    """A new task under `parent` (a task id; none: top level) at `position` among its siblings (none: last)."""

    name: TaskName
    parent: Id | None = None
    position: Position | None = None
    notes: Notes = ""
    wbs: Wbs = ""
    is_milestone: bool | None = Field(None, description="Default: whether the duration is zero")
    duration_minutes: Minutes = 0
    duration_unit: DurationUnitName = "d"
    work_minutes: Work = 0
    cost: Money = Decimal("0")
    percent_complete: Percent = 0
    actual_start: ScheduleDateTime | None = None
    actual_finish: ScheduleDateTime | None = None
    manual_start: ScheduleDateTime | None = None
    constraint_type: ConstraintName = "ASAP"
    constraint_date: ScheduleDateTime | None = None
    deadline: ScheduleDateTime | None = None
    calendar: Id | None = Field(None, description="The task's own calendar; none: the project's")
    leveling_delay_minutes: Minutes = 0
    splits: Splits = []
    ev_method: EvMethodName = "physical"
    ev_weight: EvWeight | None = None


class TaskPatchIn(InputSchema):
    """Changes to a task: only the fields sent are changed; `parent` and `position` move it. Recomputes."""

    name: TaskName = None  # type: ignore[assignment]
    parent: Id | None = None
    position: Position = None  # type: ignore[assignment]
    notes: Notes = None  # type: ignore[assignment]
    wbs: Wbs = None  # type: ignore[assignment]
    is_milestone: bool = None  # type: ignore[assignment]
    duration_minutes: Minutes = None  # type: ignore[assignment]
    duration_unit: DurationUnitName = None  # type: ignore[assignment]
    work_minutes: Work = None  # type: ignore[assignment]
    cost: Money = None  # type: ignore[assignment]
    percent_complete: Percent = None  # type: ignore[assignment]
    actual_start: ScheduleDateTime | None = None
    actual_finish: ScheduleDateTime | None = None
    manual_start: ScheduleDateTime | None = None
    constraint_type: ConstraintName = None  # type: ignore[assignment]
    constraint_date: ScheduleDateTime | None = None
    deadline: ScheduleDateTime | None = None
    calendar: Id | None = None
    leveling_delay_minutes: Minutes = None  # type: ignore[assignment]
    splits: Splits = None  # type: ignore[assignment]
    ev_method: EvMethodName = None  # type: ignore[assignment]
    ev_weight: EvWeight | None = None
    version: int | None = VERSION


# --- dependencies --------------------------------------------------------------------------------


class DependencyOut(Schema):
    """A link: the successor follows the predecessor by `type`, with a lag (negative: a lead)."""

    id: int
    project_id: int
    predecessor: TaskRef
    successor: TaskRef
    type: str
    lag: int
    lag_unit: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class DependencyCreateIn(InputSchema):
    """A new link between two tasks (ids) of the project."""

    predecessor: Id
    successor: Id
    type: LinkTypeName = "FS"
    lag: Lag = 0
    lag_unit: LagUnitName = "working"


class DependencyPatchIn(InputSchema):
    """Changes to a link: only the fields sent are changed. Recomputes."""

    type: LinkTypeName = None  # type: ignore[assignment]
    lag: Lag = None  # type: ignore[assignment]
    lag_unit: LagUnitName = None  # type: ignore[assignment]
    version: int | None = VERSION


# --- baselines -----------------------------------------------------------------------------------


class BaselineOut(Schema):
    """A saved baseline: 0 is "Baseline", 1–10 "Baseline1"–"Baseline10"."""

    number: int
    name: str
    saved_at: dt.datetime
    saved_by: UserRef | None
    task_count: int


class BaselineSaveIn(InputSchema):
    """Save the current schedule as baseline `number`, replacing what was saved under that number."""

    number: int = Field(0, ge=0, le=10, description="0 (Baseline) to 10 (Baseline10)")
    name: Annotated[Text, Field(max_length=100)] = ""


class VarianceOut(Schema):
    """A task against a baseline; start/finish variances in working minutes (positive: later)."""

    task_id: int | None = Field(..., description="Null for a baseline task deleted since")
    uid: int
    name: str
    outline_number: str
    is_summary: bool
    is_milestone: bool
    start: dt.datetime | None
    finish: dt.datetime | None
    baseline_start: dt.datetime | None
    baseline_finish: dt.datetime | None
    start_variance_minutes: int | None
    finish_variance_minutes: int | None
    duration_minutes: int | None
    baseline_duration_minutes: int | None
    duration_variance_minutes: int | None
    work_minutes: int | None
    baseline_work_minutes: int | None
    work_variance_minutes: int | None
    cost: Decimal | None
    baseline_cost: Decimal | None
    cost_variance: Decimal | None


# --- milestones across the portfolio -------------------------------------------------------------


class MilestoneOut(Schema):
    """A milestone of a project you can see."""

    id: int
    uid: int
    name: str
    project: ProjectRef
    start: dt.datetime | None
    finish: dt.datetime | None
    deadline: dt.datetime | None
    percent_complete: int
    is_critical: bool
    violations: list[str]

    resolve_start = _local("start")
    resolve_finish = _local("finish")
    resolve_deadline = _local("deadline")


class MilestoneFilterIn(Schema):
    """Filters of the milestone list."""

    since: dt.date | None = Field(None, description="Finishing on or after this date (UTC)")
    until: dt.date | None = Field(None, description="Finishing on or before this date (UTC)")
    project: Id | None = Field(None, description="Only this project's milestones")
