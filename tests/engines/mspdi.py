"""Test-only reader of MS Project XML (MSPDI) files into engine inputs plus MS Project's own results.

Only what the golden tests need: calendars (both exception encodings, base/derived calendars, work
weeks), tasks, links, constraints, progress, and the schedule values MS Project stored. Production
import of project files goes through MPXJ (keel/interchange), not through this module.

Format notes (see ../shared/data/SOURCES.md): durations are ISO ``PTnHnMnS`` in working time (elapsed
time for elapsed duration formats); ``LinkLag``, ``TotalSlack`` and ``FreeSlack`` are tenths of a
minute; link ``Type`` 0 = FF, 1 = FS, 2 = SF, 3 = SS; ``WeekDay/DayType`` 1 = Sunday … 7 = Saturday,
0 = a dated exception; recurring exceptions count months from 0 and weekdays as a Sunday-first bitmask.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from keel.engines.calendars import (
    LAST,
    Calendar,
    CalendarException,
    DaySelector,
    Intervals,
    Recurrence,
    RecurrenceKind,
    Timeline,
    WorkWeek,
)
from keel.engines.cpm import ConstraintType, LagUnit, Link, LinkType, Project, Task, splits_of

NS = "{http://schemas.microsoft.com/project}"

LINK_TYPES = {"0": LinkType.FF, "1": LinkType.FS, "2": LinkType.SF, "3": LinkType.SS}
CONSTRAINTS = {
    "0": ConstraintType.ASAP,
    "1": ConstraintType.ALAP,
    "2": ConstraintType.MSO,
    "3": ConstraintType.MFO,
    "4": ConstraintType.SNET,
    "5": ConstraintType.SNLT,
    "6": ConstraintType.FNET,
    "7": ConstraintType.FNLT,
}
# Duration/lag formats: 3 m, 4 em, 5 h, 6 eh, 7 d, 8 ed, 9 w, 10 ew, 11 mo, 12 emo, 19 %, 20 e%;
# +32 marks an estimated duration.
ELAPSED_FORMATS = {4, 6, 8, 10, 12, 20}
PERCENT_FORMATS = {19, 20}
# MonthItem: 0 day, 1 weekday, 2 weekend day, 3 Sunday … 9 Saturday.
MONTH_ITEMS = {
    0: DaySelector.DAY,
    1: DaySelector.WEEKDAY,
    2: DaySelector.WEEKEND_DAY,
    3: DaySelector.SUNDAY,
    4: DaySelector.MONDAY,
    5: DaySelector.TUESDAY,
    6: DaySelector.WEDNESDAY,
    7: DaySelector.THURSDAY,
    8: DaySelector.FRIDAY,
    9: DaySelector.SATURDAY,
}
_DURATION = re.compile(r"^(-)?PT(\d+)H(\d+)M(\d+(?:\.\d+)?)S$")


@dataclass(frozen=True)
class MsTask:
    """The values MS Project stored for one task (floats in minutes; None when not stored)."""

    uid: str
    name: str
    summary: bool
    start: datetime | None
    finish: datetime | None
    early_start: datetime | None
    early_finish: datetime | None
    late_start: datetime | None
    late_finish: datetime | None
    total_slack: int | None
    free_slack: int | None
    critical: bool | None


@dataclass
class MspdiFile:
    """One file read: the engine's project, MS Project's results and the calendars by UID."""

    path: Path
    project: Project
    expected: dict[str, MsTask]
    calendars: dict[str, Calendar]
    assignment_spans: dict[str, int] = field(default_factory=dict)
    _timelines: dict[str, Timeline] = field(default_factory=dict, repr=False)

    def timeline_of(self, task_id: str) -> Timeline:
        """The timeline a task schedules on (24×7 for elapsed tasks), built once per calendar."""
        task = next(t for t in self.project.tasks if t.id == task_id)
        key = "\x00elapsed" if task.elapsed else task.calendar_id or self.project.calendar_id
        if key not in self._timelines:
            calendar = Calendar(id="24x7", week=(((0, 1440),),) * 7) if task.elapsed else self.calendars[key]
            self._timelines[key] = Timeline(calendar, self.project.start)
        return self._timelines[key]


def _text(element: ET.Element, name: str) -> str | None:
    """Text of a direct child element, or None."""
    child = element.find(NS + name)
    return None if child is None or child.text is None else child.text.strip()


def _datetime(value: str | None) -> datetime | None:
    """An MSPDI datetime (naive local time)."""
    return None if not value else datetime.fromisoformat(value)


def duration_minutes(value: str | None) -> int:
    """Minutes of an ISO ``PTnHnMnS`` duration (rounded to the minute)."""
    if not value:
        return 0
    match = _DURATION.match(value)
    if match is None:
        raise ValueError(f"unsupported duration {value!r}")
    sign = -1 if match.group(1) else 1
    minutes = int(match.group(2)) * 60 + int(match.group(3)) + float(match.group(4)) / 60
    return sign * round(minutes)


def _time_minutes(value: str, is_end: bool) -> int:
    """Minutes from midnight of ``HH:MM:SS``; an end at 00:00 is midnight at the end of the day."""
    hours, minutes, _ = (int(part) for part in value.split(":"))
    total = hours * 60 + minutes
    return 1440 if is_end and total == 0 else total


def _intervals(element: ET.Element) -> Intervals:
    """Working intervals under ``WorkingTimes``."""
    result = []
    times = element.find(NS + "WorkingTimes")
    if times is None:
        return ()
    for working_time in times.findall(NS + "WorkingTime"):
        start = _text(working_time, "FromTime")
        end = _text(working_time, "ToTime")
        if start is None or end is None:
            continue
        result.append((_time_minutes(start, False), _time_minutes(end, True)))
    return tuple(sorted(result))


def _period(element: ET.Element) -> tuple[date, date]:
    """The ``TimePeriod`` date range of an element."""
    period = element.find(NS + "TimePeriod")
    assert period is not None
    start = _datetime(_text(period, "FromDate"))
    end = _datetime(_text(period, "ToDate"))
    assert start is not None and end is not None
    return start.date(), end.date()


def _week_days(element: ET.Element | None) -> tuple[dict[int, Intervals], list[CalendarException]]:
    """Weekday definitions (Python weekday -> intervals) and DayType 0 exceptions of a WeekDays list."""
    days: dict[int, Intervals] = {}
    exceptions: list[CalendarException] = []
    if element is None:
        return days, exceptions
    for week_day in element.findall(NS + "WeekDay"):
        day_type = int(_text(week_day, "DayType") or "0")
        working = _text(week_day, "DayWorking") == "1"
        intervals = _intervals(week_day) if working else ()
        if day_type == 0:
            start, end = _period(week_day)
            exceptions.append(CalendarException(start=start, end=end, working=intervals))
        else:
            days[(day_type + 5) % 7] = intervals  # 1 = Sunday -> 6, 2 = Monday -> 0
    return days, exceptions


def _exception(element: ET.Element) -> CalendarException:
    """One ``Exceptions/Exception`` entry (Project 2007+ encoding), recurring or not.

    Weekly recurrences count weeks from Sunday whatever the project's ``WeekStartDay``: that is how
    MS Project expands them (its own DayType 0 copy of the same exceptions shows it).
    """
    start, end = _period(element)
    name = _text(element, "Name") or ""
    working = _intervals(element) if _text(element, "DayWorking") == "1" else ()
    kind = int(_text(element, "Type") or "1")
    occurrences_text = _text(element, "Occurrences")
    occurrences = int(occurrences_text) if occurrences_text else None
    period = int(_text(element, "Period") or "1")
    if kind == 1:  # a plain date range
        return CalendarException(start=start, end=end, working=working, name=name)
    if kind == 7:
        recurrence = Recurrence(RecurrenceKind.DAILY, period=period)
    elif kind == 6:
        mask = int(_text(element, "DaysOfWeek") or "0")
        weekdays = frozenset((bit + 6) % 7 for bit in range(7) if mask & (1 << bit))
        recurrence = Recurrence(RecurrenceKind.WEEKLY, period=period, weekdays=weekdays)
    elif kind in (4, 2):
        day = int(_text(element, "MonthDay") or "1")
        if kind == 4:
            recurrence = Recurrence(RecurrenceKind.MONTHLY_BY_DAY, period=period, day=day)
        else:
            month = int(_text(element, "Month") or "0") + 1
            recurrence = Recurrence(RecurrenceKind.YEARLY_BY_DAY, day=day, month=month)
    elif kind in (5, 3):
        selector = MONTH_ITEMS[int(_text(element, "MonthItem") or "0")]
        position_code = int(_text(element, "MonthPosition") or "0")
        position = LAST if position_code == 4 else position_code + 1
        if kind == 5:
            recurrence = Recurrence(
                RecurrenceKind.MONTHLY_BY_POSITION, period=period, position=position, selector=selector
            )
        else:
            month = int(_text(element, "Month") or "0") + 1
            recurrence = Recurrence(
                RecurrenceKind.YEARLY_BY_POSITION, month=month, position=position, selector=selector
            )
    else:
        raise ValueError(f"exception {name!r}: unknown recurrence type {kind}")
    return CalendarException(
        start=start, end=end, working=working, recurrence=recurrence, occurrences=occurrences, name=name
    )


@dataclass
class _RawCalendar:
    """A calendar as written, before base-calendar inheritance is resolved."""

    uid: str
    name: str
    base_uid: str | None
    days: dict[int, Intervals]
    exceptions: list[CalendarException]
    work_weeks: list[WorkWeek]


def _raw_calendars(root: ET.Element, encoding: str) -> dict[str, _RawCalendar]:
    """Calendars as written; ``encoding`` picks the exception list: "exceptions", "weekdays" or "auto"."""
    result: dict[str, _RawCalendar] = {}
    calendars = root.find(NS + "Calendars")
    if calendars is None:
        return result
    for element in calendars.findall(NS + "Calendar"):
        uid = _text(element, "UID") or ""
        base = _text(element, "BaseCalendarUID")
        days, day_type_exceptions = _week_days(element.find(NS + "WeekDays"))
        listed = element.find(NS + "Exceptions")
        listed_exceptions = (
            [_exception(e) for e in listed.findall(NS + "Exception")] if listed is not None else []
        )
        if encoding == "weekdays" or (encoding == "auto" and not listed_exceptions):
            exceptions = day_type_exceptions
        else:
            exceptions = listed_exceptions
        work_weeks: list[WorkWeek] = []
        weeks = element.find(NS + "WorkWeeks")
        if weeks is not None:
            for week in weeks.findall(NS + "WorkWeek"):
                start, end = _period(week)
                week_days, _ = _week_days(week.find(NS + "WeekDays"))
                work_weeks.append(
                    WorkWeek(
                        start=start,
                        end=end,
                        days=tuple(week_days.get(d, ()) for d in range(7)),
                        name=_text(week, "Name") or "",
                    )
                )
        result[uid] = _RawCalendar(
            uid=uid,
            name=_text(element, "Name") or "",
            base_uid=base if base not in (None, "-1", "0") and base != uid else None,
            days=days,
            exceptions=exceptions,
            work_weeks=work_weeks,
        )
    return result


def _resolve(raw: dict[str, _RawCalendar]) -> dict[str, Calendar]:
    """Resolve derived calendars: days not defined fall back to the base calendar, exceptions add up."""
    resolved: dict[str, Calendar] = {}

    def build(uid: str) -> Calendar:
        if uid in resolved:
            return resolved[uid]
        own = raw[uid]
        base = build(own.base_uid) if own.base_uid in raw else None
        week = tuple(own.days.get(d, base.week[d] if base else ()) for d in range(7))
        exceptions = (base.exceptions if base else ()) + tuple(own.exceptions)
        work_weeks = tuple(own.work_weeks) or (base.work_weeks if base else ())
        resolved[uid] = Calendar(
            id=uid, name=own.name, week=week, exceptions=exceptions, work_weeks=work_weeks
        )
        return resolved[uid]

    for uid in raw:
        build(uid)
    return resolved


def read_calendars(path: Path, encoding: str = "auto") -> dict[str, Calendar]:
    """Only the calendars of a file, with a choice of exception encoding."""
    return _resolve(_raw_calendars(ET.parse(path).getroot(), encoding))


def read(path: Path) -> MspdiFile:
    """Read a file into a :class:`Project` plus MS Project's stored results per task UID."""
    root = ET.parse(path).getroot()
    calendars = _resolve(_raw_calendars(root, "auto"))
    project_start = _datetime(_text(root, "StartDate"))
    assert project_start is not None
    project_calendar = _text(root, "CalendarUID") or "1"
    elements = root.find(NS + "Tasks")
    assert elements is not None

    tasks: list[Task] = []
    links: list[Link] = []
    expected: dict[str, MsTask] = {}
    durations: dict[str, int] = {}
    parents: list[tuple[int, str]] = []  # (outline level, uid) of the open summary chain
    raw_tasks = [e for e in elements.findall(NS + "Task") if _text(e, "UID") is not None]
    for element in raw_tasks:
        uid = _text(element, "UID") or ""
        level = int(_text(element, "OutlineLevel") or "1")
        if level == 0 or _text(element, "IsNull") == "1" or _text(element, "Active") == "0":
            continue
        summary = _text(element, "Summary") == "1"
        while parents and parents[-1][0] >= level:
            parents.pop()
        parent = parents[-1][1] if parents else None
        if summary:
            parents.append((level, uid))
        duration_format = int(_text(element, "DurationFormat") or "7") & ~32
        elapsed = duration_format in ELAPSED_FORMATS
        duration = duration_minutes(_text(element, "Duration"))
        durations[uid] = duration
        calendar_uid = _text(element, "CalendarUID")
        constraint = CONSTRAINTS[_text(element, "ConstraintType") or "0"]
        manual = _text(element, "Manual") == "1" and not summary
        milestone = _text(element, "Milestone") == "1"
        tasks.append(
            Task(
                id=uid,
                name=_text(element, "Name") or "",
                duration=0 if summary else duration,
                elapsed=elapsed,
                milestone=milestone,
                parent_id=parent,
                constraint=constraint,
                constraint_date=_datetime(_text(element, "ConstraintDate"))
                if constraint not in (ConstraintType.ASAP, ConstraintType.ALAP)
                else None,
                calendar_id=calendar_uid if calendar_uid not in (None, "-1") else None,
                percent_complete=int(_text(element, "PercentComplete") or "0"),
                actual_start=_datetime(_text(element, "ActualStart")),
                actual_finish=_datetime(_text(element, "ActualFinish")),
                deadline=_datetime(_text(element, "Deadline")),
                manual_start=_datetime(_text(element, "Start")) if manual else None,
            )
        )
        total = _text(element, "TotalSlack")
        free = _text(element, "FreeSlack")
        critical = _text(element, "Critical")
        expected[uid] = MsTask(
            uid=uid,
            name=_text(element, "Name") or "",
            summary=summary,
            start=_datetime(_text(element, "Start")),
            finish=_datetime(_text(element, "Finish")),
            early_start=_datetime(_text(element, "EarlyStart")),
            early_finish=_datetime(_text(element, "EarlyFinish")),
            late_start=_datetime(_text(element, "LateStart")),
            late_finish=_datetime(_text(element, "LateFinish")),
            total_slack=None if total is None else round(float(total) / 10),
            free_slack=None if free is None else round(float(free) / 10),
            critical=None if critical is None else critical == "1",
        )
        for predecessor in element.findall(NS + "PredecessorLink"):
            pred_uid = _text(predecessor, "PredecessorUID") or ""
            lag_format = int(_text(predecessor, "LagFormat") or "7") & ~32
            lag_tenths = float(_text(predecessor, "LinkLag") or "0")
            if lag_format in PERCENT_FORMATS:
                unit, lag = LagUnit.PERCENT, round(lag_tenths / 10)
            elif lag_format in ELAPSED_FORMATS:
                unit, lag = LagUnit.ELAPSED, round(lag_tenths / 10)
            else:
                unit, lag = LagUnit.WORKING, round(lag_tenths / 10)
            links.append(
                Link(
                    predecessor_id=pred_uid,
                    successor_id=uid,
                    type=LINK_TYPES[_text(predecessor, "Type") or "1"],
                    lag=lag,
                    lag_unit=unit,
                )
            )
    known = {t.id for t in tasks}
    links = [link for link in links if link.predecessor_id in known and link.successor_id in known]
    spans = _assignment_spans(root, tasks, calendars, project_calendar, project_start)
    if spans:
        tasks = [replace(t, duration=spans[t.id]) if t.id in spans else t for t in tasks]
    splits = _splits(root, tasks, calendars, project_calendar, project_start)
    if splits:
        tasks = [replace(t, splits=splits[t.id]) if t.id in splits else t for t in tasks]
    project = Project(
        start=project_start,
        calendar_id=project_calendar,
        calendars=tuple(calendars.values()),
        tasks=tuple(tasks),
        links=tuple(links),
        status_date=_datetime(_text(root, "StatusDate")),
        honor_constraints=_text(root, "HonorConstraints") != "0",
    )
    return MspdiFile(
        path=path, project=project, expected=expected, calendars=calendars, assignment_spans=spans
    )


def _assignment_spans(
    root: ET.Element,
    tasks: list[Task],
    calendars: dict[str, Calendar],
    project_calendar: str,
    project_start: datetime,
) -> dict[str, int]:
    """Durations of tasks driven by resources working on other calendars than the task's.

    Keel's CPM engine schedules a task by its duration on the task's calendar; spreading work over
    resource calendars is resource scheduling, not CPM. MS Project's ``Duration`` of such a task is
    not its span on the task calendar (legacy-sample UID 2: Duration 800 h, on the calendar 50 days),
    so the reader gives the engine the working time the task's assignments span on its calendar.
    """
    resources: dict[str, str] = {}
    resource_list = root.find(NS + "Resources")
    if resource_list is not None:
        for resource in resource_list.findall(NS + "Resource"):
            calendar_uid = _text(resource, "CalendarUID")
            if calendar_uid is not None:
                resources[_text(resource, "UID") or ""] = calendar_uid
    assignments = root.find(NS + "Assignments")
    if assignments is None:
        return {}
    by_task = {t.id: t for t in tasks}
    spans: dict[str, tuple[datetime, datetime, bool]] = {}
    for assignment in assignments.findall(NS + "Assignment"):
        task_uid = _text(assignment, "TaskUID") or ""
        task = by_task.get(task_uid)
        resource_calendar = resources.get(_text(assignment, "ResourceUID") or "")
        start = _datetime(_text(assignment, "Start"))
        finish = _datetime(_text(assignment, "Finish"))
        if task is None or resource_calendar is None or start is None or finish is None or task.elapsed:
            continue
        task_calendar = calendars[task.calendar_id or project_calendar]
        other = resource_calendar in calendars and not _same_working_time(
            calendars[resource_calendar], task_calendar
        )
        first, last, any_other = spans.get(task_uid, (start, finish, False))
        spans[task_uid] = (min(first, start), max(last, finish), any_other or other)
    result: dict[str, int] = {}
    for task_uid, (first, last, any_other) in spans.items():
        if any_other:
            task = by_task[task_uid]
            timeline = Timeline(calendars[task.calendar_id or project_calendar], project_start)
            result[task_uid] = timeline.between(first, last)
    return result


def _splits(
    root: ET.Element,
    tasks: list[Task],
    calendars: dict[str, Calendar],
    project_calendar: str,
    project_start: datetime,
) -> dict[str, tuple[tuple[int, int], ...]]:
    """Splits of tasks whose work pauses: stretches of working time without work between work.

    MS Project stores a split task's work per day in its assignments' timephased data (type 1: planned
    work); a working day with no work inside the task is a pause. Only tasks whose work stretches add
    up to their duration are taken (one full-time stretch of work per working minute).
    """
    assignments = root.find(NS + "Assignments")
    if assignments is None:
        return {}
    by_task = {t.id: t for t in tasks}
    segments: dict[str, list[tuple[int, int]]] = {}
    for assignment in assignments.findall(NS + "Assignment"):
        task = by_task.get(_text(assignment, "TaskUID") or "")
        if task is None or task.elapsed or not task.duration:
            continue
        timeline = Timeline(calendars[task.calendar_id or project_calendar], project_start)
        for period in assignment.findall(NS + "TimephasedData"):
            start, finish = _datetime(_text(period, "Start")), _datetime(_text(period, "Finish"))
            if _text(period, "Type") != "1" or start is None or finish is None:
                continue
            if duration_minutes(_text(period, "Value")) > 0:
                segments.setdefault(task.id, []).append((timeline.to_work(start), timeline.to_work(finish)))
    result = {}
    for task_id, stretches in segments.items():
        splits = splits_of(stretches)
        span = max(end for _, end in stretches) - min(start for start, _ in stretches)
        if splits and span - sum(pause for _, pause in splits) == by_task[task_id].duration:
            result[task_id] = splits
    return result


def _same_working_time(first: Calendar, second: Calendar) -> bool:
    """Whether two calendars define the same week, exceptions and work weeks."""
    return (first.week, first.exceptions, first.work_weeks, first.holidays) == (
        second.week,
        second.exceptions,
        second.work_weeks,
        second.holidays,
    )
