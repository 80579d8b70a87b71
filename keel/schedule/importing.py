"""Project files in and out: import a file MPXJ reads as a new project with its schedule, export one.

:func:`project_import` reads the file (MS Project .mpp/.xml, Primavera .xer/P6 XML, GanttProject,
Planner, ...) through :mod:`keel.interchange.mpxj` before touching the database, then in ONE
transaction creates the portfolio project in the org unit, its calendars (``orgs.Calendar`` rows named
after the project) and its schedule (tasks with their WBS, links, constraints, progress, baselines).
A file that cannot be read or mapped raises and leaves nothing behind. Keel recomputes the schedule
with its own engine; the dates stored in the file are not kept.

Keel holds a calendar as a week plus dated exceptions: recurring exceptions, alternate work weeks and
base-calendar inheritance are stored resolved (as the days they cover). Resources are matched to
Keel's resources or created, and the assignments stored, by :mod:`keel.resources.importing` in the
same transaction; a resource calendar with other working time than the project's is stored too.

:func:`project_export` writes a project's schedule as MS Project XML, Primavera XER or P6 XML.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from keel.engines import calendars as engine_calendars
from keel.interchange import model as interchange
from keel.interchange import mpxj
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs import services as org_services
from keel.orgs.models import Calendar, OrgUnit
from keel.portfolio import services as portfolio_services
from keel.portfolio.models import Project
from keel.resources import importing as resource_importing
from keel.resources.models import Assignment, Resource
from keel.schedule import engine_bridge, selectors, services
from keel.schedule.models import Dependency, DurationUnit, LagUnit, Task

Progress = Callable[[str], None]

_DURATION_UNITS = {
    (interchange.TimeUnit.MINUTES, False): DurationUnit.MINUTES,
    (interchange.TimeUnit.HOURS, False): DurationUnit.HOURS,
    (interchange.TimeUnit.DAYS, False): DurationUnit.DAYS,
    (interchange.TimeUnit.WEEKS, False): DurationUnit.WEEKS,
    (interchange.TimeUnit.MONTHS, False): DurationUnit.MONTHS,
    (interchange.TimeUnit.MINUTES, True): DurationUnit.ELAPSED_MINUTES,
    (interchange.TimeUnit.HOURS, True): DurationUnit.ELAPSED_HOURS,
    (interchange.TimeUnit.DAYS, True): DurationUnit.ELAPSED_DAYS,
    (interchange.TimeUnit.WEEKS, True): DurationUnit.ELAPSED_WEEKS,
    (interchange.TimeUnit.MONTHS, True): DurationUnit.ELAPSED_MONTHS,
}
_UNITS_OF = {unit: pair for pair, unit in _DURATION_UNITS.items()}
_CENT = Decimal("0.01")
_CALENDAR_HORIZON_YEARS = 10
"""Recurring exceptions without an end are stored up to this many years after the project's last date."""
_YEARLY_OCCURRENCES = 50
"""How many years a yearly exception is written for (project files want recurrences to end)."""


@dataclass(frozen=True)
class ImportSummary:
    """What came in from a project file, and what could not."""

    project: Project
    file_name: str
    file_format: str
    tasks: int
    summary_tasks: int
    milestones: int
    dependencies: int
    calendars: tuple[str, ...]
    baselines: tuple[int, ...]
    resources: resource_importing.ResourceImportSummary
    start: dt.datetime | None
    finish: dt.datetime | None
    warnings: tuple[str, ...]

    def lines(self) -> list[str]:
        """The summary as lines of text for a person."""
        lines = [
            f"Imported {self.file_name} ({self.file_format}) as project {self.project.code} "
            f"'{self.project.name}' in {self.project.org_unit.code}:",
            f"  {self.tasks} tasks ({self.summary_tasks} summary tasks, {self.milestones} milestones), "
            f"{self.dependencies} dependencies",
            f"  {len(self.calendars)} calendar(s): {', '.join(self.calendars)}",
            "  baselines: " + (", ".join(_baseline_name(n) for n in self.baselines) or "none"),
        ]
        if self.start and self.finish:
            lines.append(
                f"  scheduled by Keel from {self.start:%Y-%m-%d %H:%M} to {self.finish:%Y-%m-%d %H:%M}"
            )
        lines.extend(self.resources.lines())
        lines.extend(f"  warning: {warning}" for warning in self.warnings)
        return lines


@dataclass(frozen=True)
class ExportSummary:
    """What a project export wrote, and what the format could not hold."""

    path: Path
    file_format: str
    tasks: int
    dependencies: int
    calendars: int
    baselines: int
    warnings: tuple[str, ...]
    resources: int = 0
    assignments: int = 0

    def lines(self) -> list[str]:
        """The summary as lines of text for a person."""
        lines = [
            f"Wrote {self.path} ({mpxj.FORMATS[self.file_format][2]}): {self.tasks} tasks, "
            f"{self.dependencies} dependencies, {self.calendars} calendar(s), {self.baselines} baseline(s), "
            f"{self.resources} resource(s), {self.assignments} assignment(s)"
        ]
        lines.extend(f"  warning: {warning}" for warning in self.warnings)
        return lines


def _baseline_name(number: int) -> str:
    """MS Project's name of a baseline number."""
    return "Baseline" if number == 0 else f"Baseline{number}"


def _nothing(_: str) -> None:
    """Progress reporter that reports nothing."""


# --- import ------------------------------------------------------------------------------------------


def project_import(
    *,
    actor: Any,
    path: str | os.PathLike[str],
    org_unit: OrgUnit,
    code: str | None = None,
    name: str | None = None,
    progress: Progress = _nothing,
) -> ImportSummary:
    """Import a project file as a new project of `org_unit`, all or nothing.

    Raises InterchangeError for a file that cannot be read, ValidationError naming the record and
    field for one that cannot be mapped, PermissionDenied when the actor may not create projects in
    the unit; nothing is written then.
    """
    file_path = Path(path)
    progress(f"Reading {file_path.name}")
    source = mpxj.read_project(file_path)
    progress(
        f"Read {len(source.tasks)} tasks, {len(source.links)} links and {len(source.calendars)} calendars "
        f"({source.source_format})"
    )
    warnings = list(source.warnings)
    with transaction.atomic():
        project_code = code or _free_code(source.name or file_path.stem)
        progress(f"Creating project {project_code}")
        earliest = min([source.start, *(t.start for t in source.tasks if t.start is not None)])
        latest = max(_latest(source) or earliest, earliest)
        project = portfolio_services.project_create(
            actor=actor,
            org_unit=org_unit,
            code=project_code,
            name=(name or source.name or file_path.stem)[:200],
            planned_start=earliest.date(),
            planned_finish=latest.date(),
        )
        progress("Creating calendars")
        calendars = _create_calendars(actor, org_unit, project, source, warnings)
        progress(f"Writing {len(source.tasks)} tasks and scheduling them")
        spans = _resource_driven(source, warnings)
        tasks = [_task_data(task, calendars, warnings, spans.get(task.uid)) for task in source.tasks]
        _note_assumed_actuals(source, warnings)
        result = services.schedule_replace(
            actor=actor,
            project=project,
            tasks=tasks,
            dependencies=[_dependency_data(link) for link in source.links],
            baselines=_baseline_data(source),
            calendar=calendars[source.default_calendar_uid],
            start=source.start,
            status_date=source.status_date,
            honor_constraints=source.honor_constraints,
        )
        if source.resources:
            progress(
                f"Matching {len(source.resources)} resources and storing {len(source.assignments)} assignments"
            )
        resources = resource_importing.resources_import(
            actor=actor,
            project=project,
            resources=source.resources,
            assignments=source.assignments,
            calendars=_resource_calendars(source, calendars),
            minutes_per_day=source.minutes_per_day,
            minutes_per_week=source.minutes_per_week,
            days_per_month=source.days_per_month,
        )
        warnings.extend(resources.not_mapped)
    progress("Done")
    return ImportSummary(
        project=project,
        file_name=file_path.name,
        file_format=source.source_format,
        tasks=result.tasks_created,
        summary_tasks=sum(t.summary for t in source.tasks),
        milestones=sum(t.milestone for t in source.tasks),
        dependencies=result.dependencies_created,
        calendars=tuple(calendar.name for calendar in dict.fromkeys(calendars.values())),
        baselines=result.baselines_saved,
        resources=resources,
        start=result.summary.start,
        finish=result.summary.finish,
        warnings=tuple(warnings),
    )


def _free_code(name: str) -> str:
    """A project code made from a name, not used by any project yet ("COMMERCIAL-CONSTRUCTION-2")."""
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-._").upper()[:30] or "IMPORTED"
    candidate, number = base, 1
    # Codes are unique across the organisation, whoever may see the projects that hold them.
    while Project.objects.filter(code=candidate).exists():
        number += 1
        suffix = f"-{number}"
        candidate = base[: 30 - len(suffix)] + suffix
    return candidate


def _latest(source: interchange.InterchangeProject) -> dt.datetime | None:
    """The last date of the project: its finish, else the latest task date."""
    dates = [d for t in source.tasks for d in (t.finish, t.late_finish, t.early_finish) if d is not None]
    if source.finish is not None:
        dates.append(source.finish)
    return max(dates, default=None)


def _create_calendars(
    actor: Any,
    unit: OrgUnit,
    project: Project,
    source: interchange.InterchangeProject,
    warnings: list[str],
) -> dict[int, Calendar]:
    """Store the project calendar and the task calendars, by the file's calendar UID."""
    used = [source.default_calendar_uid]
    used += [
        t.calendar_uid for t in source.tasks if t.calendar_uid is not None and t.calendar_uid not in used
    ]
    resolved = interchange.engine_calendars(source)
    used += _own_resource_calendars(source, resolved)
    used = list(dict.fromkeys(used))
    latest = _latest(source) or source.start
    horizon = dt.date(latest.year + _CALENDAR_HORIZON_YEARS, 12, 31)
    created: dict[int, Calendar] = {}
    for uid in used:
        calendar = source.calendar(uid)
        week, exceptions = calendar_rows(resolved[uid], horizon)
        if any(
            e.recurrence is not None and e.end is None and e.occurrences is None
            for e in resolved[uid].exceptions
        ):
            warnings.append(
                f"calendar {calendar.name!r}: an exception repeats without end; Keel stored its dates up to {horizon}"
            )
        created[uid] = org_services.calendar_create(
            actor=actor,
            unit=unit,
            name=_free_calendar_name(f"{project.code} · {calendar.name}"),
            working_week=week,
            exceptions=exceptions,
        )
    return created


def _same_time(first: engine_calendars.Calendar, second: engine_calendars.Calendar) -> bool:
    """Whether two resolved calendars have the same working time."""
    return (first.week, first.exceptions, first.work_weeks) == (
        second.week,
        second.exceptions,
        second.work_weeks,
    )


def _own_resource_calendars(
    source: interchange.InterchangeProject, resolved: dict[int, engine_calendars.Calendar]
) -> list[int]:
    """UIDs of resource calendars whose working time differs from the project calendar's."""
    default = resolved[source.default_calendar_uid]
    return [
        r.calendar_uid
        for r in source.resources
        if r.calendar_uid is not None and not _same_time(resolved[r.calendar_uid], default)
    ]


def _resource_calendars(
    source: interchange.InterchangeProject, created: dict[int, Calendar]
) -> dict[int, Calendar]:
    """The stored calendar of each resource calendar: its own, or the project's when they work alike."""
    default = created[source.default_calendar_uid]
    return {
        r.calendar_uid: created.get(r.calendar_uid, default)
        for r in source.resources
        if r.calendar_uid is not None
    }


def _free_calendar_name(name: str) -> str:
    """A calendar name not used yet (calendar names are unique), at most 100 characters."""
    base = name[:100]
    taken = set(
        org_selectors.calendar_list().filter(name__startswith=base[:90]).values_list("name", flat=True)
    )
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        suffix = f" ({number})"
        candidate = base[: 100 - len(suffix)] + suffix
    return candidate


def _hhmm(minutes: int) -> str:
    """Minutes from midnight as "HH:MM" (1440 is "24:00")."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _stored_intervals(intervals: engine_calendars.Intervals) -> list[list[str]]:
    """Engine intervals as stored working times [["08:00", "12:00"], ...]."""
    return [[_hhmm(start), _hhmm(end)] for start, end in intervals]


def calendar_rows(
    calendar: engine_calendars.Calendar, horizon: dt.date
) -> tuple[list[list[list[str]]], list[dict[str, Any]]]:
    """A resolved calendar as a stored week and dated exceptions (consecutive equal days merged).

    Every day up to `horizon` whose working time differs from the week — through an exception, a
    recurrence or an alternate work week — becomes part of an exception; days that change nothing
    are left out.
    """
    week = [_stored_intervals(day) for day in calendar.week]
    exception_days = calendar.exception_days(horizon)
    names: dict[dt.date, str] = {}
    for exception in calendar.exceptions:
        for day in exception.dates(horizon):
            names[day] = exception.name
    candidates = set(exception_days)
    for work_week in calendar.work_weeks:
        day = work_week.start
        while day <= min(work_week.end, horizon):
            candidates.add(day)
            names.setdefault(day, work_week.name)
            day += dt.timedelta(days=1)
    changed = []
    for day in sorted(candidates):
        intervals = calendar.intervals_on(day, exception_days)
        if intervals != calendar.week[day.weekday()]:
            changed.append((day, intervals, names.get(day, "")))
    rows: list[dict[str, Any]] = []
    for day, intervals, name in changed:
        label = (name or ("Holiday" if not intervals else "Changed working time"))[:100]
        previous = rows[-1] if rows else None
        if (
            previous is not None
            and previous["end_date"] + dt.timedelta(days=1) == day
            and previous["name"] == label
            and previous["working_times"] == _stored_intervals(intervals)
        ):
            previous["end_date"] = day
            continue
        rows.append(
            {
                "name": label,
                "start_date": day,
                "end_date": day,
                "working_times": _stored_intervals(intervals),
                "recurs_yearly": False,
            }
        )
    return week, rows


def _resource_driven(source: interchange.InterchangeProject, warnings: list[str]) -> dict[int, int]:
    """Tasks whose dates in the file come from resources working on other calendars, and their spans.

    MS Project spreads such a task's work over its resources' calendars (a night-shift resource makes
    it last longer in day-shift hours). Keel schedules a task on the task's calendar only, so, as `keel
    schedule` does, such a task is stored with the working time its assignments span on the task's
    calendar as its duration (without splits), which keeps the file's dates; each one is named.
    """
    spans = interchange.resource_spans_of(source, interchange.engine_calendars(source))
    kept = {}
    for task in source.tasks:
        if task.uid in spans and spans[task.uid] != task.duration:
            kept[task.uid] = spans[task.uid]
            warnings.append(
                f"task {task.name!r} (UID {task.uid}): its resources work on other calendars, which made it "
                f"span {spans[task.uid]} working minutes of the task's calendar in the file; Keel holds that "
                f"span as its duration (the file's duration: {task.duration} minutes on its resources' hours)"
            )
    return kept


def _note_assumed_actuals(source: interchange.InterchangeProject, warnings: list[str]) -> None:
    """Say how many tasks had progress without actual dates (see :func:`_actual_dates`)."""
    assumed = [
        t for t in source.tasks if not t.summary and _actual_dates(t) != (t.actual_start, t.actual_finish)
    ]
    if assumed:
        warnings.append(
            f"{len(assumed)} task(s) have progress but no actual dates in the file; their start (and the "
            "finish of finished ones) were taken as actual, as MS Project does"
        )


def _actual_dates(task: interchange.Task) -> tuple[dt.datetime | None, dt.datetime | None]:
    """A task's actual start and finish; a task with progress has started (and at 100 % finished).

    Some formats (GanttProject) record progress without actual dates. As MS Project does when a
    percentage is entered, the current start becomes the actual start and, when complete, the current
    finish the actual finish, so that the engine keeps done work where it happened.
    """
    actual_start, actual_finish = task.actual_start, task.actual_finish
    if task.percent_complete > 0 and actual_start is None:
        actual_start = task.start
    if task.percent_complete == 100 and actual_finish is None and actual_start is not None:
        actual_finish = task.finish
    return actual_start, actual_finish


def _task_data(
    task: interchange.Task, calendars: dict[int, Calendar], warnings: list[str], span: int | None = None
) -> services.TaskData:
    """One file task as the schedule service takes it; summaries pass no progress (it rolls up).

    `span` replaces the duration of a task its resources' calendars drove (see :func:`_resource_driven`).
    """
    label = f"task {task.name!r} (UID {task.uid})"
    unit = _DURATION_UNITS.get((task.duration_unit, task.elapsed))
    if unit is None:
        unit = DurationUnit.ELAPSED_MONTHS if task.elapsed else DurationUnit.MONTHS
        if task.duration_unit is interchange.TimeUnit.YEARS:
            warnings.append(
                f"{label}: Keel shows durations in months at most; its duration in years is shown in months"
            )
        else:
            unit = DurationUnit.ELAPSED_DAYS if task.elapsed else DurationUnit.DAYS
    if len(task.name) > 255:
        warnings.append(f"{label}: the name was cut to 255 characters")
    progress = not task.summary
    actual_start, actual_finish = _actual_dates(task)
    return services.TaskData(
        uid=task.uid,
        name=task.name[:255] or f"Task {task.uid}",
        parent_uid=task.parent_uid,
        notes=task.notes,
        wbs=task.wbs[:100],
        is_milestone=task.milestone,
        duration_minutes=task.duration if span is None else span,
        duration_unit=unit,
        work_minutes=task.work,
        cost=task.cost.quantize(_CENT, rounding=ROUND_HALF_UP),
        percent_complete=task.percent_complete if progress else 0,
        actual_start=actual_start if progress else None,
        actual_finish=actual_finish if progress else None,
        manual_start=task.start if progress and task.manual else None,
        constraint_type=task.constraint.name,
        constraint_date=task.constraint_date,
        deadline=task.deadline,
        calendar=calendars.get(task.calendar_uid) if task.calendar_uid is not None else None,
        leveling_delay_minutes=task.leveling_delay if progress else 0,
        splits=task.splits if progress and span is None else (),
    )


def _dependency_data(link: interchange.Link) -> services.DependencyData:
    """One file link as the schedule service takes it."""
    if link.lag_unit is interchange.TimeUnit.PERCENT:
        unit = LagUnit.PERCENT
    else:
        unit = LagUnit.ELAPSED if link.lag_elapsed else LagUnit.WORKING
    return services.DependencyData(
        predecessor_uid=link.predecessor_uid,
        successor_uid=link.successor_uid,
        type=link.type.value,
        lag=link.lag,
        lag_unit=unit,
    )


def _baseline_data(source: interchange.InterchangeProject) -> list[services.BaselineData]:
    """The file's baselines, each with its tasks' values and the date it was saved."""
    saved = dict(source.baseline_dates)
    by_number: dict[int, list[services.BaselineTaskData]] = {}
    for row in source.baselines:
        by_number.setdefault(row.number, []).append(
            services.BaselineTaskData(
                uid=row.task_uid,
                start=row.start,
                finish=row.finish,
                duration_minutes=max(0, row.duration or 0),
                work_minutes=max(0, row.work or 0),
                cost=(row.cost or Decimal(0)).quantize(_CENT, rounding=ROUND_HALF_UP),
            )
        )
    return [
        services.BaselineData(number=number, tasks=tuple(rows), saved_at=saved.get(number))
        for number, rows in sorted(by_number.items())
    ]


# --- export ------------------------------------------------------------------------------------------


def project_export(
    *, user: Any, project: Project, path: str | os.PathLike[str], format: str = "mspdi"
) -> ExportSummary:
    """Write the schedule of a project the user may see as `format` (mspdi, xer or pmxml).

    Raises NotFound for a project out of the user's scope and InterchangeError for an unknown format
    or a path that cannot be written.
    """
    if format not in mpxj.FORMATS:
        raise interchange.InterchangeError(
            f"format {format!r} is not one Keel writes; choose one of {', '.join(mpxj.FORMATS)}"
        )
    visible = selectors.project_for_user(user, project.pk)
    source = project_interchange(user, visible)
    warnings = mpxj.write_project(source, path, format, code=visible.code)
    return ExportSummary(
        path=Path(path),
        file_format=format,
        tasks=len(source.tasks),
        dependencies=len(source.links),
        calendars=len(source.calendars),
        baselines=len(source.baseline_dates),
        warnings=warnings,
        resources=len(source.resources),
        assignments=len(source.assignments),
    )


def project_interchange(user: Any, project: Project) -> interchange.InterchangeProject:
    """A project's schedule as Keel's interchange picture (dates naive, in the project's time zone)."""
    view = selectors.schedule_view_for_user(user, project.pk)
    tz = ZoneInfo(view.time_zone)
    tasks = list(selectors.task_list_for_project(user, project.pk))
    links = list(selectors.dependency_list_for_project(user, project.pk))
    baselines = list(selectors.baseline_list_for_project(user, project.pk).prefetch_related("tasks"))
    assignments = list(
        scoping.visible(user, Assignment.objects.filter(task__project=project))
        .select_related("resource", "task")
        .prefetch_related("resource__rates")
        .order_by("task__sort_index", "resource__name", "pk")
    )
    people = sorted({a.resource for a in assignments}, key=lambda r: (r.name, r.pk))
    wanted = {task.calendar_id for task in tasks if task.calendar_id is not None}
    wanted |= {r.calendar_id for r in people if r.calendar_id is not None}
    if view.effective_calendar is not None:
        wanted.add(view.effective_calendar.pk)
    found = {
        c.pk: c for c in org_selectors.calendar_list().filter(pk__in=wanted).prefetch_related("exceptions")
    }
    # The project calendar first: it becomes calendar 1 of the file.
    order = sorted(
        found, key=lambda pk: (view.effective_calendar is None or pk != view.effective_calendar.pk, pk)
    )
    stored_calendars = {pk: found[pk] for pk in order}
    uids = {pk: number for number, pk in enumerate(stored_calendars, start=1)}
    calendars = [
        _interchange_calendar(uids[pk], calendar, project.code) for pk, calendar in stored_calendars.items()
    ]
    default_uid = uids[view.effective_calendar.pk] if view.effective_calendar else len(calendars) + 1
    if view.effective_calendar is None:
        standard = engine_bridge.engine_calendar(None)
        calendars.append(interchange.Calendar(uid=default_uid, name=standard.name, week=standard.week))
    uid_of = {task.pk: task.uid for task in tasks}
    task_uids = set(uid_of.values())
    schedule = view.schedule
    resource_uids = {resource.pk: number for number, resource in enumerate(people, start=1)}
    start = engine_bridge.to_local(schedule.start, tz)
    assert start is not None
    return interchange.InterchangeProject(
        name=project.name,
        start=start,
        finish=engine_bridge.to_local(schedule.computed_finish, tz),
        status_date=engine_bridge.to_local(schedule.status_date, tz),
        default_calendar_uid=default_uid,
        calendars=tuple(calendars),
        tasks=tuple(_interchange_task(task, uid_of, uids, tz) for task in tasks),
        links=tuple(_interchange_link(link) for link in links),
        resources=tuple(
            _interchange_resource(resource_uids[r.pk], r, uids, schedule.start.date()) for r in people
        ),
        assignments=tuple(
            interchange.Assignment(
                task_uid=a.task.uid,
                resource_uid=resource_uids[a.resource_id],
                units=Decimal(a.units),
                work=a.work_minutes,
                actual_work=a.actual_work_minutes,
                cost=a.cost,
                uid=a.uid,
            )
            for a in assignments
            if a.task.uid in task_uids
        ),
        baselines=tuple(
            interchange.TaskBaseline(
                task_uid=row.uid,
                number=baseline.number,
                start=engine_bridge.to_local(row.start, tz),
                finish=engine_bridge.to_local(row.finish, tz),
                duration=row.duration_minutes,
                work=row.work_minutes,
                cost=row.cost,
            )
            for baseline in baselines
            for row in baseline.tasks.all()
            if row.uid in task_uids
        ),
        baseline_dates=tuple(
            (baseline.number, engine_bridge.to_local(baseline.saved_at, tz)) for baseline in baselines
        ),
        minutes_per_day=view.minutes_per_day or 480,
        minutes_per_week=view.minutes_per_week or 2400,
        honor_constraints=schedule.honor_constraints,
        currency=project.currency,
        source_format="Keel",
    )


def _engine_intervals(pairs: list[list[str]]) -> engine_calendars.Intervals:
    """Stored working times [["08:00", "12:00"], ...] as engine intervals."""
    return tuple((_minutes(start), _minutes(end)) for start, end in pairs)


def _minutes(text: str) -> int:
    """ "HH:MM" (or "24:00") as minutes from midnight."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _interchange_calendar(uid: int, calendar: Calendar, code: str) -> interchange.Calendar:
    """A stored calendar with its exceptions (yearly ones as yearly recurrences, one per day)."""
    week = tuple(_engine_intervals(day) for day in calendar.working_week)
    exceptions: list[engine_calendars.CalendarException] = []
    for row in calendar.exceptions.all():
        working = _engine_intervals(row.working_times or [])
        if not row.recurs_yearly:
            exceptions.append(
                engine_calendars.CalendarException(
                    start=row.start_date,
                    end=row.end_date if row.end_date != row.start_date else None,
                    working=working,
                    name=row.name,
                )
            )
            continue
        day = row.start_date
        while day <= row.end_date:
            # Project files need an end to a recurrence: fifty years of a yearly holiday is plenty.
            exceptions.append(
                engine_calendars.CalendarException(
                    start=day,
                    occurrences=_YEARLY_OCCURRENCES,
                    working=working,
                    recurrence=engine_calendars.Recurrence(
                        engine_calendars.RecurrenceKind.YEARLY_BY_DAY, day=day.day, month=day.month
                    ),
                    name=row.name,
                )
            )
            day += dt.timedelta(days=1)
    prefix = f"{code} · "
    name = calendar.name[len(prefix) :] if calendar.name.startswith(prefix) else calendar.name
    return interchange.Calendar(uid=uid, name=name, week=week, exceptions=tuple(exceptions))


def _interchange_task(
    task: Task, uid_of: dict[int, int], calendar_uids: dict[int, int], tz: ZoneInfo
) -> interchange.Task:
    """One stored task with Keel's computed schedule."""
    unit, elapsed = _UNITS_OF.get(DurationUnit(task.duration_unit), (interchange.TimeUnit.DAYS, False))
    local = lambda value: engine_bridge.to_local(value, tz)  # noqa: E731 - a short local helper
    return interchange.Task(
        uid=task.uid,
        id=task.sort_index + 1,
        name=task.name,
        outline_number=task.outline_number,
        outline_level=task.outline_level,
        parent_uid=uid_of.get(task.parent_id) if task.parent_id is not None else None,
        wbs=task.wbs,
        notes=task.notes,
        summary=task.is_summary,
        milestone=task.is_milestone,
        manual=task.manual_start is not None,
        duration=task.duration_minutes,
        duration_unit=unit,
        elapsed=elapsed,
        work=task.work_minutes,
        cost=task.cost,
        percent_complete=task.percent_complete,
        actual_start=local(task.actual_start),
        actual_finish=local(task.actual_finish),
        constraint=interchange.ConstraintType[task.constraint_type],
        constraint_date=local(task.constraint_date),
        deadline=local(task.deadline),
        calendar_uid=calendar_uids.get(task.calendar_id) if task.calendar_id is not None else None,
        start=local(task.start),
        finish=local(task.finish),
        early_start=local(task.early_start),
        early_finish=local(task.early_finish),
        late_start=local(task.late_start),
        late_finish=local(task.late_finish),
        total_float=task.total_float_minutes,
        free_float=task.free_float_minutes,
        critical=task.is_critical,
        leveling_delay=0 if task.is_summary else task.leveling_delay_minutes,
        splits=() if task.is_summary else tuple((offset, pause) for offset, pause in task.splits),
    )


_RESOURCE_TYPES = {
    Resource.Kind.PERSON: interchange.ResourceType.WORK,
    Resource.Kind.ROLE: interchange.ResourceType.WORK,
    Resource.Kind.EQUIPMENT: interchange.ResourceType.MATERIAL,
    Resource.Kind.COST: interchange.ResourceType.COST,
}


def _interchange_resource(
    uid: int, resource: Resource, calendar_uids: dict[int, int], on: dt.date
) -> interchange.Resource:
    """A resource with the rate in effect at the project's start (else its first one), per hour."""
    rates = sorted(resource.rates.all(), key=lambda r: r.effective_from)
    current = [r for r in rates if r.effective_from <= on]
    rate = current[-1] if current else (rates[0] if rates else None)
    kind = _RESOURCE_TYPES[Resource.Kind(resource.kind)]
    return interchange.Resource(
        uid=uid,
        name=resource.name,
        code=resource.code,
        type=kind,
        calendar_uid=calendar_uids.get(resource.calendar_id) if resource.calendar_id is not None else None,
        max_units=Decimal(resource.max_units) if kind is interchange.ResourceType.WORK else None,
        standard_rate=rate.standard_rate if rate else Decimal(0),
        overtime_rate=rate.overtime_rate if rate else Decimal(0),
        cost_per_use=rate.cost_per_use if rate else Decimal(0),
        email=resource.email,
    )


def _interchange_link(link: Dependency) -> interchange.Link:
    """One stored dependency."""
    unit = interchange.TimeUnit.PERCENT if link.lag_unit == LagUnit.PERCENT else interchange.TimeUnit.DAYS
    return interchange.Link(
        predecessor_uid=link.predecessor.uid,
        successor_uid=link.successor.uid,
        type=interchange.LinkType(link.type),
        lag=link.lag,
        lag_unit=unit,
        lag_elapsed=link.lag_unit == LagUnit.ELAPSED,
    )
