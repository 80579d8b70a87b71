"""Keel's neutral picture of a project file: what a schedule file holds, independent of its format.

Units and conventions (the same as :mod:`keel.engines`)
------------------------------------------------------
* Durations, work, lags and floats are integer minutes: *working* minutes, except for an elapsed
  duration or lag (``elapsed=True``), which counts calendar minutes (24×7). A percentage lag
  (``lag_unit`` :attr:`TimeUnit.PERCENT`) is whole percent of the predecessor's duration.
* ``duration_unit`` / ``lag_unit`` only say how the file displays the value (days, weeks, …); the
  value itself is always in minutes, converted with the project's minutes per day and per week.
* Datetimes are naive local wall-clock time, as in the file. Money is :class:`~decimal.Decimal` in the
  project's currency. Assignment units and resource max units are percent (100 = one full-time person).
* Calendars reuse the engine's exception, recurrence and work-week types. A derived calendar leaves a
  weekday ``None`` to take it from its base calendar; its exceptions add to the base calendar's.
* The file's project summary task (MS Project's task 0) is not a task here: it is the project.

:func:`validate` refuses a project Keel cannot hold (naming the task, link or field), and
:func:`to_engine` turns it into a :class:`keel.engines.cpm.Project` so Keel can recompute it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum

from keel.engines import cpm
from keel.engines.calendars import (
    STANDARD_DAY,
    CalendarException,
    Intervals,
    Timeline,
    WorkWeek,
)
from keel.engines.calendars import Calendar as EngineCalendar
from keel.engines.cpm import ConstraintType, LinkType

__all__ = [
    "Assignment",
    "Calendar",
    "CalendarKind",
    "ConstraintType",
    "InterchangeError",
    "InterchangeProject",
    "Link",
    "LinkType",
    "Resource",
    "ResourceType",
    "Task",
    "TaskBaseline",
    "TimeUnit",
    "engine_calendars",
    "resource_spans_of",
    "to_engine",
    "validate",
]

DATED_CONSTRAINTS = frozenset(
    {
        ConstraintType.SNET,
        ConstraintType.SNLT,
        ConstraintType.FNET,
        ConstraintType.FNLT,
        ConstraintType.MSO,
        ConstraintType.MFO,
    }
)
"""Constraints that need a date."""

BASELINE_NUMBERS = range(11)
"""Baseline 0 ("Baseline") and Baseline1..Baseline10, as MS Project numbers them."""


class InterchangeError(ValueError):
    """A project file cannot be read, mapped or written; the message names the file, item and reason."""


class TimeUnit(Enum):
    """The unit a file displays a duration, lag or rate in (the value itself is held in minutes)."""

    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"
    PERCENT = "percent"


class ResourceType(Enum):
    """What a resource is: people or equipment (work), a consumable (material) or a cost item."""

    WORK = "work"
    MATERIAL = "material"
    COST = "cost"


class CalendarKind(Enum):
    """Where a calendar is used: a base (project/task) calendar or a resource's own calendar."""

    BASE = "base"
    RESOURCE = "resource"


@dataclass(frozen=True)
class Calendar:
    """A calendar of the file: a week (Monday first), exceptions and work weeks, maybe derived from a base."""

    uid: int
    name: str
    week: tuple[Intervals | None, ...] = (STANDARD_DAY,) * 5 + ((), ())
    base_uid: int | None = None
    exceptions: tuple[CalendarException, ...] = ()
    work_weeks: tuple[WorkWeek, ...] = ()
    kind: CalendarKind = CalendarKind.BASE


@dataclass(frozen=True)
class Task:
    """A summary task, task or milestone with its plan, progress and the schedule stored in the file."""

    uid: int
    name: str
    id: int | None = None
    outline_number: str = ""
    outline_level: int = 1
    parent_uid: int | None = None
    wbs: str = ""
    notes: str = ""
    summary: bool = False
    milestone: bool = False
    manual: bool = False
    duration: int = 0
    duration_unit: TimeUnit = TimeUnit.DAYS
    elapsed: bool = False
    work: int = 0
    cost: Decimal = Decimal(0)
    percent_complete: int = 0
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    constraint: ConstraintType = ConstraintType.ASAP
    constraint_date: datetime | None = None
    deadline: datetime | None = None
    calendar_uid: int | None = None
    start: datetime | None = None
    finish: datetime | None = None
    early_start: datetime | None = None
    early_finish: datetime | None = None
    late_start: datetime | None = None
    late_finish: datetime | None = None
    total_float: int | None = None
    free_float: int | None = None
    critical: bool | None = None
    leveling_delay: int = 0
    splits: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Link:
    """A dependency: the successor follows the predecessor by ``type``, with a lag (negative = lead)."""

    predecessor_uid: int
    successor_uid: int
    type: LinkType = LinkType.FS
    lag: int = 0
    lag_unit: TimeUnit = TimeUnit.DAYS
    lag_elapsed: bool = False


@dataclass(frozen=True)
class Resource:
    """A resource of the file: who or what does the work, its calendar, availability and rates.

    ``max_units`` is the availability of a work resource in percent; material and cost resources have none.
    """

    uid: int
    name: str
    type: ResourceType = ResourceType.WORK
    calendar_uid: int | None = None
    max_units: Decimal | None = None
    standard_rate: Decimal = Decimal(0)
    standard_rate_unit: TimeUnit = TimeUnit.HOURS
    overtime_rate: Decimal = Decimal(0)
    overtime_rate_unit: TimeUnit = TimeUnit.HOURS
    cost_per_use: Decimal = Decimal(0)
    email: str = ""
    group: str = ""
    initials: str = ""
    code: str = ""


@dataclass(frozen=True)
class Assignment:
    """A resource working on a task: units (percent), work and cost, planned and actual."""

    task_uid: int
    resource_uid: int
    units: Decimal = Decimal(100)
    work: int = 0
    actual_work: int = 0
    cost: Decimal = Decimal(0)
    actual_cost: Decimal = Decimal(0)
    start: datetime | None = None
    finish: datetime | None = None
    uid: int | None = None


@dataclass(frozen=True)
class TaskBaseline:
    """One task's values in one saved baseline (0 = "Baseline", 1..10 = "Baseline1".."Baseline10")."""

    task_uid: int
    number: int
    start: datetime | None = None
    finish: datetime | None = None
    duration: int | None = None
    work: int | None = None
    cost: Decimal | None = None


@dataclass(frozen=True)
class InterchangeProject:
    """A whole project file in Keel's terms, plus warnings about what it held that Keel cannot map."""

    name: str
    start: datetime
    default_calendar_uid: int
    calendars: tuple[Calendar, ...]
    tasks: tuple[Task, ...] = ()
    links: tuple[Link, ...] = ()
    resources: tuple[Resource, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    baselines: tuple[TaskBaseline, ...] = ()
    baseline_dates: tuple[tuple[int, datetime], ...] = ()
    status_date: datetime | None = None
    finish: datetime | None = None
    minutes_per_day: int = 480
    minutes_per_week: int = 2400
    days_per_month: int = 20
    honor_constraints: bool = True
    currency: str = ""
    source_format: str = ""
    warnings: tuple[str, ...] = ()

    def task(self, uid: int) -> Task:
        """The task with this UID (KeyError if there is none)."""
        for task in self.tasks:
            if task.uid == uid:
                return task
        raise KeyError(uid)

    def calendar(self, uid: int) -> Calendar:
        """The calendar with this UID (KeyError if there is none)."""
        for calendar in self.calendars:
            if calendar.uid == uid:
                return calendar
        raise KeyError(uid)

    def children(self, uid: int | None) -> list[Task]:
        """Tasks whose parent is ``uid`` (top-level tasks for None), in file order."""
        return [task for task in self.tasks if task.parent_uid == uid]


def validate(project: InterchangeProject) -> None:
    """Raise :class:`InterchangeError` naming the item and field if the project cannot be held as is."""
    _unique((c.uid for c in project.calendars), "calendar")
    _unique((t.uid for t in project.tasks), "task")
    _unique((r.uid for r in project.resources), "resource")
    calendars = {c.uid for c in project.calendars}
    tasks = {t.uid: t for t in project.tasks}
    resources = {r.uid for r in project.resources}
    if project.default_calendar_uid not in calendars:
        raise InterchangeError(f"project calendar {project.default_calendar_uid} is not among the calendars")
    for calendar in project.calendars:
        if len(calendar.week) != 7:
            raise InterchangeError(f"calendar {calendar.name!r}: week needs 7 days, got {len(calendar.week)}")
        if calendar.base_uid is not None and calendar.base_uid not in calendars:
            raise InterchangeError(
                f"calendar {calendar.name!r}: base calendar {calendar.base_uid} is not among the calendars"
            )
        if calendar.base_uid is None and None in calendar.week:
            raise InterchangeError(f"calendar {calendar.name!r}: a weekday is undefined and there is no base")
    for task in project.tasks:
        label = f"task {task.uid} {task.name!r}"
        for name in ("duration", "work", "leveling_delay"):
            if getattr(task, name) < 0:
                raise InterchangeError(f"{label}: {name} must not be negative, got {getattr(task, name)}")
        if not 0 <= task.percent_complete <= 100:
            raise InterchangeError(f"{label}: percent complete must be 0..100, got {task.percent_complete}")
        if task.parent_uid is not None and task.parent_uid not in tasks:
            raise InterchangeError(f"{label}: parent task {task.parent_uid} is not in the project")
        if task.calendar_uid is not None and task.calendar_uid not in calendars:
            raise InterchangeError(f"{label}: calendar {task.calendar_uid} is not among the calendars")
        if task.constraint in DATED_CONSTRAINTS and task.constraint_date is None:
            raise InterchangeError(f"{label}: constraint {task.constraint.value} needs a date")
        if task.actual_start and task.actual_finish and task.actual_finish < task.actual_start:
            raise InterchangeError(f"{label}: actual finish is before actual start")
    for link in project.links:
        for end, uid in (("predecessor", link.predecessor_uid), ("successor", link.successor_uid)):
            if uid not in tasks:
                raise InterchangeError(
                    f"link {link.predecessor_uid} → {link.successor_uid}: {end} task {uid} is not in the project"
                )
        if link.predecessor_uid == link.successor_uid:
            raise InterchangeError(
                f"link {link.predecessor_uid} → {link.successor_uid}: a task cannot follow itself"
            )
    for resource in project.resources:
        if resource.calendar_uid is not None and resource.calendar_uid not in calendars:
            raise InterchangeError(
                f"resource {resource.name!r}: calendar {resource.calendar_uid} is not among the calendars"
            )
    for assignment in project.assignments:
        label = f"assignment of resource {assignment.resource_uid} to task {assignment.task_uid}"
        if assignment.task_uid not in tasks:
            raise InterchangeError(f"{label}: task {assignment.task_uid} is not in the project")
        if assignment.resource_uid not in resources:
            raise InterchangeError(f"{label}: resource {assignment.resource_uid} is not in the project")
        if assignment.work < 0 or assignment.units < 0:
            raise InterchangeError(f"{label}: work and units must not be negative")
    for baseline in project.baselines:
        if baseline.number not in BASELINE_NUMBERS:
            raise InterchangeError(f"baseline number must be 0..10, got {baseline.number}")
        if baseline.task_uid not in tasks:
            raise InterchangeError(
                f"baseline {baseline.number}: task {baseline.task_uid} is not in the project"
            )


def _unique(uids: Iterable[int], what: str) -> None:
    """Refuse a UID used twice."""
    seen: set[int] = set()
    for uid in uids:
        if uid in seen:
            raise InterchangeError(f"{what} UID {uid} is used twice")
        seen.add(uid)


def engine_calendars(project: InterchangeProject) -> dict[int, EngineCalendar]:
    """The file's calendars as engine calendars (id = UID as text), base calendars resolved."""
    by_uid = {c.uid: c for c in project.calendars}
    resolved: dict[int, EngineCalendar] = {}

    def build(uid: int, chain: tuple[int, ...]) -> EngineCalendar:
        if uid in resolved:
            return resolved[uid]
        if uid in chain:
            raise InterchangeError(f"calendar {by_uid[uid].name!r}: base calendars loop back to it")
        own = by_uid[uid]
        base = build(own.base_uid, (*chain, uid)) if own.base_uid in by_uid else None
        week = tuple(
            day if day is not None else (base.week[weekday] if base is not None else ())
            for weekday, day in enumerate(own.week)
        )
        resolved[uid] = EngineCalendar(
            id=str(uid),
            name=own.name,
            week=week,
            exceptions=(base.exceptions if base is not None else ()) + own.exceptions,
            work_weeks=own.work_weeks or (base.work_weeks if base is not None else ()),
        )
        return resolved[uid]

    for uid in by_uid:
        build(uid, ())
    return resolved


_LINK_LAG_UNITS = {TimeUnit.PERCENT: cpm.LagUnit.PERCENT}


def to_engine(project: InterchangeProject, *, resource_spans: bool = True) -> cpm.Project:
    """The project as Keel's CPM engine takes it (task and calendar ids are the file's UIDs as text).

    With ``resource_spans``, a task whose assigned resources work on other calendars than the task's
    gets, as its duration, the working time its assignments span on the task calendar: the engine
    schedules a task on its own calendar only, while MS Project spreads such a task's work over the
    resources' calendars (a night-shift resource makes the task last longer in day-shift hours).
    """
    validate(project)
    calendars = engine_calendars(project)
    spans = resource_spans_of(project, calendars) if resource_spans else {}
    tasks = []
    for task in project.tasks:
        duration = 0 if task.summary else spans.get(task.uid, task.duration)
        dated = task.constraint in DATED_CONSTRAINTS
        tasks.append(
            cpm.Task(
                id=str(task.uid),
                name=task.name,
                duration=duration,
                elapsed=task.elapsed,
                milestone=task.milestone,
                parent_id=None if task.parent_uid is None else str(task.parent_uid),
                constraint=task.constraint,
                constraint_date=task.constraint_date if dated else None,
                calendar_id=None if task.calendar_uid is None else str(task.calendar_uid),
                percent_complete=task.percent_complete,
                actual_start=task.actual_start,
                actual_finish=task.actual_finish,
                deadline=task.deadline,
                manual_start=task.start if task.manual and not task.summary else None,
                leveling_delay=0 if task.summary else task.leveling_delay,
                splits=() if task.summary or task.uid in spans else task.splits,
            )
        )
    links = tuple(
        cpm.Link(
            predecessor_id=str(link.predecessor_uid),
            successor_id=str(link.successor_uid),
            type=link.type,
            lag=link.lag,
            lag_unit=_LINK_LAG_UNITS.get(
                link.lag_unit, cpm.LagUnit.ELAPSED if link.lag_elapsed else cpm.LagUnit.WORKING
            ),
        )
        for link in project.links
    )
    return cpm.Project(
        start=project.start,
        calendar_id=str(project.default_calendar_uid),
        calendars=tuple(calendars.values()),
        tasks=tuple(tasks),
        links=links,
        status_date=project.status_date,
        honor_constraints=project.honor_constraints,
    )


def resource_spans_of(project: InterchangeProject, calendars: Mapping[int, EngineCalendar]) -> dict[int, int]:
    """Working time on the task calendar spanned by the assignments of resource-calendar-driven tasks."""
    resource_calendars = {r.uid: r.calendar_uid for r in project.resources if r.calendar_uid is not None}
    tasks = {t.uid: t for t in project.tasks}
    spans: dict[int, tuple[datetime, datetime, bool]] = {}
    for assignment in project.assignments:
        task = tasks[assignment.task_uid]
        resource_calendar = resource_calendars.get(assignment.resource_uid)
        if (
            task.summary
            or task.elapsed
            or resource_calendar is None
            or assignment.start is None
            or assignment.finish is None
        ):
            continue
        task_calendar = calendars[task.calendar_uid or project.default_calendar_uid]
        differs = not _same_working_time(calendars[resource_calendar], task_calendar)
        first, last, any_differs = spans.get(task.uid, (assignment.start, assignment.finish, False))
        spans[task.uid] = (min(first, assignment.start), max(last, assignment.finish), any_differs or differs)
    result: dict[int, int] = {}
    for uid, (first, last, any_differs) in spans.items():
        if any_differs:
            task = tasks[uid]
            timeline = Timeline(calendars[task.calendar_uid or project.default_calendar_uid], project.start)
            result[uid] = timeline.between(first, last)
    return result


def _same_working_time(first: EngineCalendar, second: EngineCalendar) -> bool:
    """Whether two calendars have the same week, exceptions, work weeks and holidays."""
    return (first.week, first.exceptions, first.work_weeks, first.holidays) == (
        second.week,
        second.exceptions,
        second.work_weeks,
        second.holidays,
    )
