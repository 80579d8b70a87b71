"""Translation between schedule rows and the CPM engine's dataclasses, and the WBS numbering.

The engine works on naive local wall-clock datetimes and integer minutes; the database holds aware
datetimes. Everything here is plain Python over already loaded rows: no queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from keel.engines import calendars as engine_calendars
from keel.engines import cpm
from keel.orgs.models import Calendar, CalendarException, standard_week
from keel.schedule.models import DATED_CONSTRAINTS, Dependency, Task

DEFAULT_CALENDAR_ID = "Standard"
"""Engine id of the calendar used when neither the project nor its org units name one."""

_CONSTRAINTS = {constraint.name: constraint for constraint in cpm.ConstraintType}
_LINK_TYPES = {kind.value: kind for kind in cpm.LinkType}
_LAG_UNITS = {unit.value: unit for unit in cpm.LagUnit}


def to_local(value: dt.datetime | None, tz: ZoneInfo) -> dt.datetime | None:
    """An aware datetime as naive wall-clock time in `tz` (minutes kept, seconds dropped)."""
    if value is None:
        return None
    return value.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)


def to_aware(value: dt.datetime | None, tz: ZoneInfo) -> dt.datetime | None:
    """A naive wall-clock datetime in `tz` as an aware datetime (aware ones are kept)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=tz)


def _minutes(text: str) -> int:
    """ "HH:MM" (or "24:00") as minutes from midnight."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _intervals(pairs: Iterable[Sequence[str]]) -> engine_calendars.Intervals:
    """Working times stored as [["09:00", "12:00"], ...] as engine intervals."""
    return tuple((_minutes(start), _minutes(end)) for start, end in pairs)


def engine_calendar(
    calendar: Calendar | None, exceptions: Iterable[CalendarException] = ()
) -> engine_calendars.Calendar:
    """A stored calendar (with its exceptions) as an engine calendar; None gives Keel's standard week.

    The engine calendar's id is the calendar's name (unique), so engine messages name it readably. An
    exception recurring yearly becomes one yearly recurrence per day of its range.
    """
    if calendar is None:
        return engine_calendars.Calendar(
            id=DEFAULT_CALENDAR_ID,
            name=DEFAULT_CALENDAR_ID,
            week=tuple(_intervals(d) for d in standard_week()),
        )
    converted: list[engine_calendars.CalendarException] = []
    for exception in exceptions:
        working = _intervals(exception.working_times or [])
        if not exception.recurs_yearly:
            converted.append(
                engine_calendars.CalendarException(
                    start=exception.start_date, end=exception.end_date, working=working, name=exception.name
                )
            )
            continue
        day = exception.start_date
        while day <= exception.end_date:
            recurrence = engine_calendars.Recurrence(
                kind=engine_calendars.RecurrenceKind.YEARLY_BY_DAY, day=day.day, month=day.month
            )
            converted.append(
                engine_calendars.CalendarException(
                    start=day, working=working, recurrence=recurrence, name=exception.name
                )
            )
            day += dt.timedelta(days=1)
    return engine_calendars.Calendar(
        id=calendar.name,
        name=calendar.name,
        week=tuple(_intervals(day) for day in calendar.working_week),
        exceptions=tuple(converted),
    )


@dataclass(frozen=True)
class Outline:
    """A task's place in the WBS: order among siblings, row, outline number and level, summary flag."""

    position: int
    sort_index: int
    outline_number: str
    outline_level: int
    is_summary: bool


def outline(tasks: Sequence[Task]) -> dict[int, Outline]:
    """Number the WBS: depth-first from the top-level tasks, siblings by (position, uid).

    Positions are renumbered 0, 1, 2... among siblings; a task whose parent chain never reaches the top
    (which the services never let happen) is placed after the others at the top level.
    """
    children: dict[int | None, list[Task]] = {}
    for task in tasks:
        children.setdefault(task.parent_id, []).append(task)
    for siblings in children.values():
        siblings.sort(key=lambda t: (t.position, t.uid))
    result: dict[int, Outline] = {}
    row = 0
    stack: list[tuple[Task, int, str]] = [
        (task, index, str(index + 1)) for index, task in reversed(list(enumerate(children.get(None, []))))
    ]
    while stack:
        task, index, number = stack.pop()
        kids = children.get(task.pk, [])
        result[task.pk] = Outline(index, row, number, number.count(".") + 1, bool(kids))
        row += 1
        for kid_index, kid in reversed(list(enumerate(kids))):
            stack.append((kid, kid_index, f"{number}.{kid_index + 1}"))
    top = len(children.get(None, []))
    for task in tasks:
        if task.pk not in result:
            result[task.pk] = Outline(top, row, str(top + 1), 1, False)
            top += 1
            row += 1
    return result


def engine_project(
    *,
    start: dt.datetime,
    status_date: dt.datetime | None,
    honor_constraints: bool,
    calendar_id: str,
    calendars: Sequence[engine_calendars.Calendar],
    tasks: Sequence[Task],
    links: Sequence[Dependency],
    task_calendar_ids: Mapping[int, str],
    tz: ZoneInfo,
) -> cpm.Project:
    """The project as the engine takes it; task ids are the tasks' uids as text.

    `task_calendar_ids` maps a stored calendar's pk to its engine id; `start` and `status_date` are
    aware. Summary tasks pass no duration or progress: the engine rolls them up from their subtasks.
    """
    uid_of = {task.pk: task.uid for task in tasks}
    has_children = {task.parent_id for task in tasks if task.parent_id is not None}
    engine_tasks = []
    for task in tasks:
        summary = task.pk in has_children
        dated = task.constraint_type in DATED_CONSTRAINTS
        engine_tasks.append(
            cpm.Task(
                id=str(task.uid),
                name=task.name,
                duration=0 if summary else task.duration_minutes,
                elapsed=task.elapsed,
                milestone=task.is_milestone,
                parent_id=None if task.parent_id is None else str(uid_of[task.parent_id]),
                constraint=_CONSTRAINTS[task.constraint_type],
                constraint_date=to_local(task.constraint_date, tz) if dated else None,
                calendar_id=None if task.calendar_id is None else task_calendar_ids[task.calendar_id],
                percent_complete=0 if summary else task.percent_complete,
                actual_start=None if summary else to_local(task.actual_start, tz),
                actual_finish=None if summary else to_local(task.actual_finish, tz),
                deadline=to_local(task.deadline, tz),
                manual_start=None if summary else to_local(task.manual_start, tz),
                leveling_delay=0 if summary else task.leveling_delay_minutes,
                splits=() if summary else tuple((offset, pause) for offset, pause in task.splits),
            )
        )
    engine_links = tuple(
        cpm.Link(
            predecessor_id=str(uid_of[link.predecessor_id]),
            successor_id=str(uid_of[link.successor_id]),
            type=_LINK_TYPES[link.type],
            lag=link.lag,
            lag_unit=_LAG_UNITS[link.lag_unit],
        )
        for link in links
    )
    local_start = to_local(start, tz)
    assert local_start is not None
    return cpm.Project(
        start=local_start,
        calendar_id=calendar_id,
        calendars=tuple(calendars),
        tasks=tuple(engine_tasks),
        links=engine_links,
        status_date=to_local(status_date, tz),
        honor_constraints=honor_constraints,
    )


def loop_text(cycle: Sequence[str], names: Mapping[str, str], first: str | None = None) -> str:
    """A loop of engine task ids as task names, "B → C → D → B", starting at `first` when it is on it."""
    loop = list(cycle[:-1]) if len(cycle) > 1 and cycle[0] == cycle[-1] else list(cycle)
    if first is not None and first in loop:
        at = loop.index(first)
        loop = loop[at:] + loop[:at]
    loop.append(loop[0])
    return " → ".join(names.get(task_id, task_id) for task_id in loop)
