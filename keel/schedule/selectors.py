"""Reads of project schedules, always through the scoping layer (via the project or the record's path).

Datetimes come back aware. Task rows carry a ``time_zone`` attribute (the project's zone, in which
the schedule is computed) so that interfaces can show wall-clock times without another query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, QuerySet, Value
from django.utils import timezone

from keel.core.errors import NotFound
from keel.engines import calendars as engine_calendars
from keel.engines import cpm
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.models import Calendar, OrgUnit
from keel.orgs.scoping import Action
from keel.portfolio import selectors as portfolio_selectors
from keel.portfolio.models import Project
from keel.schedule import engine_bridge
from keel.schedule.models import Baseline, BaselineTask, Dependency, ProjectSchedule, Task

# --- the project, its zone and its calendars ---------------------------------------------------------


def project_for_user(user: Any, project_id: Any, action: Action = Action.VIEW) -> Project:
    """The project whose schedule is asked for; NotFound out of scope, PermissionDenied for a write."""
    return portfolio_selectors.project_get_for_user(user, project_id, action)


def unit_time_zone(unit: OrgUnit) -> ZoneInfo:
    """The time zone of the unit's location, else of the nearest ancestor's, else Keel's default."""
    zones = dict(
        OrgUnit.objects.filter(pk__in=unit.ancestor_ids, location__isnull=False).values_list(
            "pk", "location__time_zone"
        )
    )
    for pk in reversed(unit.ancestor_ids):
        if pk in zones:
            return ZoneInfo(zones[pk])
    return ZoneInfo(settings.TIME_ZONE)


def default_start(project: Project, tz: ZoneInfo) -> dt.datetime:
    """Where a new schedule starts: midnight of the project's planned start, else of today, in `tz`."""
    day = project.planned_start or timezone.localdate(timezone=tz)
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def schedule_for_project(project: Project) -> ProjectSchedule:
    """The project's stored schedule settings, or unsaved defaults when it has no schedule yet."""
    try:
        return ProjectSchedule.objects.select_related("calendar").get(project=project)
    except ProjectSchedule.DoesNotExist:
        tz = unit_time_zone(project.org_unit)
        return ProjectSchedule(project=project, start=default_start(project, tz), time_zone=tz.key)


def project_calendar(project: Project, schedule: ProjectSchedule) -> Calendar | None:
    """The calendar the project schedules on: its own, else its org unit's (inherited); None = standard."""
    if schedule.calendar_id is not None:
        return schedule.calendar
    return org_selectors.effective_calendar(project.org_unit)


def engine_calendars_by_pk(pks: Iterable[int]) -> dict[int, engine_calendars.Calendar]:
    """Stored calendars with their exceptions as engine calendars, by pk (two queries)."""
    wanted = set(pks)
    if not wanted:
        return {}
    stored = Calendar.objects.filter(pk__in=wanted).prefetch_related("exceptions")
    return {cal.pk: engine_bridge.engine_calendar(cal, cal.exceptions.all()) for cal in stored}


# --- settings and summary ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleView:
    """A project's schedule settings with what they resolve to: calendar, zone and working minutes."""

    project: Project
    schedule: ProjectSchedule
    effective_calendar: Calendar | None
    time_zone: str
    minutes_per_day: int
    minutes_per_week: int


def schedule_view_for_user(user: Any, project_id: Any) -> ScheduleView:
    """The schedule settings and summary of a project the user may see."""
    project = project_for_user(user, project_id)
    return schedule_view(project)


def schedule_view(project: Project) -> ScheduleView:
    """The schedule settings of `project` resolved (the caller has checked the user's scope)."""
    schedule = schedule_for_project(project)
    calendar = project_calendar(project, schedule)
    if schedule.pk is not None and schedule.computed_at is not None:
        per_day, per_week, zone = schedule.minutes_per_day, schedule.minutes_per_week, schedule.time_zone
    else:
        engine_calendar = engine_bridge.engine_calendar(calendar)
        per_day, per_week = engine_calendar.minutes_per_day(), engine_calendar.minutes_per_week()
        zone = unit_time_zone(project.org_unit).key
    return ScheduleView(project, schedule, calendar, zone, per_day, per_week)


def schedule_get_for_user(user: Any, project_id: Any, action: Action = Action.VIEW) -> ProjectSchedule:
    """A project's schedule settings (unsaved defaults if none yet); NotFound out of scope."""
    return schedule_for_project(project_for_user(user, project_id, action))


@dataclass(frozen=True)
class ScheduleSummary:
    """A project's schedule at a glance, as of its last computation."""

    start: dt.datetime | None
    finish: dt.datetime | None
    computed_at: dt.datetime | None
    task_count: int
    critical_count: int
    violation_count: int


def schedule_summary_for_user(user: Any, project_id: Any) -> ScheduleSummary:
    """Start, finish, and the numbers of tasks, critical tasks and tasks with violations."""
    schedule = schedule_get_for_user(user, project_id)
    return ScheduleSummary(
        start=schedule.computed_start,
        finish=schedule.computed_finish,
        computed_at=schedule.computed_at,
        task_count=schedule.task_count,
        critical_count=schedule.critical_count,
        violation_count=schedule.violation_count,
    )


# --- tasks and dependencies --------------------------------------------------------------------------


def task_list_for_project(
    user: Any, project_id: Any, *, critical: bool | None = None, milestone: bool | None = None
) -> QuerySet[Task]:
    """The project's tasks in WBS order with their computed dates (one query when evaluated)."""
    project = project_for_user(user, project_id)
    zone = ProjectSchedule.objects.filter(project=project).values_list("time_zone", flat=True).first()
    tasks = Task.objects.filter(project=project).annotate(time_zone=Value(zone or settings.TIME_ZONE))
    if critical is not None:
        tasks = tasks.filter(is_critical=critical)
    if milestone is not None:
        tasks = tasks.filter(is_milestone=milestone)
    return tasks.order_by("sort_index", "pk")


def task_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Task:
    """One task; NotFound when missing or out of scope, PermissionDenied for a write the role lacks."""
    queryset = Task.objects.select_related("project__org_unit").annotate(
        time_zone=F("project__schedule__time_zone")
    )
    return scoping.get_for_user(user, queryset, action, pk=pk)


def dependency_list_for_project(user: Any, project_id: Any) -> QuerySet[Dependency]:
    """The project's links with their tasks' uids and names, ordered by successor then predecessor."""
    project = project_for_user(user, project_id)
    return (
        Dependency.objects.filter(project=project)
        .select_related("predecessor", "successor")
        .only(
            *("id", "project_id", "type", "lag", "lag_unit", "version", "created_at", "updated_at"),
            *("predecessor__id", "predecessor__uid", "predecessor__name"),
            *("successor__id", "successor__uid", "successor__name"),
        )
        .order_by("successor__sort_index", "predecessor__sort_index", "pk")
    )


def dependency_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Dependency:
    """One link; NotFound when missing or out of scope, PermissionDenied for a write the role lacks."""
    queryset = Dependency.objects.select_related("project__org_unit", "predecessor", "successor")
    return scoping.get_for_user(user, queryset, action, pk=pk)


# --- baselines ---------------------------------------------------------------------------------------


def baseline_list_for_project(user: Any, project_id: Any) -> QuerySet[Baseline]:
    """The project's saved baselines (at most 11), by number, with their task counts."""
    project = project_for_user(user, project_id)
    return (
        Baseline.objects.filter(project=project)
        .select_related("saved_by")
        .annotate(task_count=Count("tasks"))
        .order_by("number")
    )


def baseline_get_for_user(user: Any, project_id: Any, number: int) -> Baseline:
    """Baseline `number` of a project the user may see; NotFound when it was never saved."""
    project = project_for_user(user, project_id)
    try:
        return Baseline.objects.select_related("project__org_unit").get(project=project, number=number)
    except Baseline.DoesNotExist as exc:
        raise NotFound("baseline") from exc


@dataclass(frozen=True)
class TaskVariance:
    """A task against a baseline: current and baseline values and their differences.

    Start and finish variances are working minutes of the project calendar (positive: later than the
    baseline); duration and work variances are minutes; cost variance is money. A value is None when
    the task was not in the baseline, or (``task_id`` None) when it has been deleted since.
    """

    task_id: int | None
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


def baseline_variance_for_user(user: Any, project_id: Any, number: int) -> list[TaskVariance]:
    """Every task in WBS order against baseline `number`, then the baseline's tasks deleted since.

    A fixed number of queries whatever the number of tasks.
    """
    baseline = baseline_get_for_user(user, project_id, number)
    project = baseline.project
    schedule = schedule_for_project(project)
    tz = ZoneInfo(schedule.time_zone) if schedule.time_zone else unit_time_zone(project.org_unit)
    calendar = project_calendar(project, schedule)
    if calendar is None:
        engine_calendar = engine_bridge.engine_calendar(None)
    else:
        engine_calendar = engine_calendars_by_pk([calendar.pk])[calendar.pk]
    timeline = engine_calendars.Timeline(engine_calendar, engine_bridge.to_local(schedule.start, tz))

    def work(value: dt.datetime | None) -> int | None:
        local = engine_bridge.to_local(value, tz)
        return None if local is None else timeline.to_work(local)

    def minus(current: Any, planned: Any) -> Any:
        return None if current is None or planned is None else current - planned

    saved = {row.uid: row for row in BaselineTask.objects.filter(baseline=baseline)}
    rows: list[TaskVariance] = []
    for task in Task.objects.filter(project=project).order_by("sort_index", "pk"):
        planned = saved.pop(task.uid, None)
        start, finish = _local(task.start, tz), _local(task.finish, tz)
        rows.append(
            TaskVariance(
                task_id=task.pk,
                uid=task.uid,
                name=task.name,
                outline_number=task.outline_number,
                is_summary=task.is_summary,
                is_milestone=task.is_milestone,
                start=start,
                finish=finish,
                baseline_start=_local(planned.start, tz) if planned else None,
                baseline_finish=_local(planned.finish, tz) if planned else None,
                start_variance_minutes=minus(work(task.start), work(planned.start)) if planned else None,
                finish_variance_minutes=minus(work(task.finish), work(planned.finish)) if planned else None,
                duration_minutes=task.duration_minutes,
                baseline_duration_minutes=planned.duration_minutes if planned else None,
                duration_variance_minutes=task.duration_minutes - planned.duration_minutes
                if planned
                else None,
                work_minutes=task.work_minutes,
                baseline_work_minutes=planned.work_minutes if planned else None,
                work_variance_minutes=task.work_minutes - planned.work_minutes if planned else None,
                cost=task.cost,
                baseline_cost=planned.cost if planned else None,
                cost_variance=task.cost - planned.cost if planned else None,
            )
        )
    for planned in saved.values():
        rows.append(
            TaskVariance(
                task_id=None,
                uid=planned.uid,
                name=planned.name,
                outline_number="",
                is_summary=False,
                is_milestone=False,
                start=None,
                finish=None,
                baseline_start=_local(planned.start, tz),
                baseline_finish=_local(planned.finish, tz),
                start_variance_minutes=None,
                finish_variance_minutes=None,
                duration_minutes=None,
                baseline_duration_minutes=planned.duration_minutes,
                duration_variance_minutes=None,
                work_minutes=None,
                baseline_work_minutes=planned.work_minutes,
                work_variance_minutes=None,
                cost=None,
                baseline_cost=planned.cost,
                cost_variance=None,
            )
        )
    return rows


def _local(value: dt.datetime | None, tz: ZoneInfo) -> dt.datetime | None:
    """An aware datetime shown in `tz` (the same instant)."""
    return None if value is None else value.astimezone(tz)


# --- across the portfolio ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneFilters:
    """Filters of the portfolio's milestone list; every field optional."""

    since: dt.date | None = None  # finishing on or after (UTC date)
    until: dt.date | None = None  # finishing on or before (UTC date)
    project: int | None = None


def milestone_list_for_user(user: Any, filters: MilestoneFilters | None = None) -> QuerySet[Task]:
    """Milestones of every project the user may see, by finish, with their projects (one query)."""
    filters = filters or MilestoneFilters()
    milestones = scoping.visible(
        user,
        Task.objects.filter(is_milestone=True, is_summary=False)
        .select_related("project")
        .annotate(time_zone=F("project__schedule__time_zone")),
    )
    if filters.since is not None:
        milestones = milestones.filter(finish__date__gte=filters.since)
    if filters.until is not None:
        milestones = milestones.filter(finish__date__lte=filters.until)
    if filters.project is not None:
        milestones = milestones.filter(project_id=filters.project)
    return milestones.order_by(F("finish").asc(nulls_last=True), "project__code", "sort_index")


def project_schedule_list_for_user(user: Any) -> QuerySet[ProjectSchedule]:
    """The schedules of the projects the user may see, with their computed start and finish."""
    return scoping.visible(
        user, ProjectSchedule.objects.select_related("project", "project__org_unit")
    ).order_by("project__code")


@dataclass
class ProjectMilestones:
    """One project of the portfolio timeline: its schedule's span and its milestones."""

    schedule: ProjectSchedule
    milestones: list[Task] = field(default_factory=list)


def portfolio_timeline_for_user(
    user: Any, filters: MilestoneFilters | None = None
) -> list[ProjectMilestones]:
    """The projects the user may see that have a schedule, each with its milestones (two queries)."""
    timeline = {s.project_id: ProjectMilestones(s) for s in project_schedule_list_for_user(user)}
    for milestone in milestone_list_for_user(user, filters):
        if milestone.project_id in timeline:
            timeline[milestone.project_id].milestones.append(milestone)
    return list(timeline.values())


# --- the Gantt pages ---------------------------------------------------------------------------------


def nonworking_days(view: ScheduleView, first: dt.date, last: dt.date) -> list[dt.date]:
    """The days from `first` to `last` on which the project's calendar has no working time."""
    calendar = view.effective_calendar
    if calendar is None:
        engine_calendar = engine_bridge.engine_calendar(None)
    else:
        engine_calendar = engine_calendars_by_pk([calendar.pk])[calendar.pk]
    exceptions = engine_calendar.exception_days(last)
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if not engine_calendar.intervals_on(day, exceptions)]


from keel.core.pagination import Page, paginate  # noqa: E402 - used only by the portfolio Gantt below


@dataclass
class PortfolioGanttRow:
    """One project of the portfolio Gantt: its unit, planned and scheduled span, and its milestones."""

    project: Project
    scheduled_start: dt.datetime | None
    scheduled_finish: dt.datetime | None
    time_zone: str
    milestones: list[Task] = field(default_factory=list)


def portfolio_gantt_for_user(
    user: Any, *, unit: int | None = None, status: tuple[str, ...] = (), page: int = 1, size: int = 100
) -> tuple[Page, list[PortfolioGanttRow]]:
    """One page of the projects the user may see, in org unit then code order, with their milestones.

    A fixed number of queries (count, page, milestones) whatever the number of projects or tasks.
    """
    projects = portfolio_selectors.project_list_for_user(
        user, portfolio_selectors.ProjectFilters(unit=unit, status=status)
    ).annotate(
        scheduled_start=F("schedule__computed_start"),
        scheduled_finish=F("schedule__computed_finish"),
        schedule_zone=F("schedule__time_zone"),
    )
    listed = paginate(projects.order_by("org_unit__path", "code", "pk"), page=page, size=size)
    rows = {
        project.pk: PortfolioGanttRow(
            project=project,
            scheduled_start=project.scheduled_start,
            scheduled_finish=project.scheduled_finish,
            time_zone=project.schedule_zone or settings.TIME_ZONE,
        )
        for project in listed.items
    }
    milestones = scoping.visible(
        user,
        Task.objects.filter(project_id__in=list(rows), is_milestone=True, is_summary=False).only(
            "id", "project_id", "name", "finish", "is_critical", "sort_index"
        ),
    ).order_by("project_id", "sort_index")
    for milestone in milestones:
        rows[milestone.project_id].milestones.append(milestone)
    return listed, list(rows.values())


GANTT_TASK_FIELDS = (
    "id",
    "uid",
    "outline_number",
    "outline_level",
    "name",
    "is_summary",
    "is_milestone",
    "is_critical",
    "start",
    "finish",
    "duration_minutes",
    "duration_unit",
    "total_float_minutes",
    "percent_complete",
    "version",
    "violations",
    "constraint_type",
    "constraint_date",
    "leveling_delay_minutes",
    "splits",
    "calendar_id",
    "elapsed",
)
GANTT_LINK_FIELDS = ("predecessor_id", "successor_id", "type", "lag", "lag_unit", "id", "version")


def gantt_rows_for_project(user: Any, project_id: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The project's tasks (GANTT_TASK_FIELDS, WBS order) and links (GANTT_LINK_FIELDS) as plain rows.

    Two queries and no model instances, so a chart of thousands of tasks reads fast.
    """
    project = project_for_user(user, project_id)
    tasks = list(
        Task.objects.filter(project=project).order_by("sort_index", "pk").values_list(*GANTT_TASK_FIELDS)
    )
    links = list(Dependency.objects.filter(project=project).order_by("pk").values_list(*GANTT_LINK_FIELDS))
    return tasks, links


@dataclass(frozen=True)
class SplitTask:
    """What drawing a split task's stretches needs: its dates, work, progress, pauses and calendar."""

    id: int
    start: dt.datetime
    finish: dt.datetime
    duration_minutes: int
    percent_complete: int
    splits: list[list[int]]
    calendar_id: int | None
    elapsed: bool


def split_stretches(
    view: ScheduleView, tasks: Iterable[SplitTask]
) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """When the work of each split task happens, as (start, finish) pairs in the project's zone, by task id.

    Done stretches run from the task's start and the remaining ones end at its finish (see
    :func:`keel.engines.cpm.stretch_layout`), on the task's calendar (elapsed time for an elapsed task).
    Two queries for the calendars, none when no task is split.
    """
    tasks = list(tasks)
    if not tasks:
        return {}
    tz = ZoneInfo(view.time_zone)
    origin = engine_bridge.to_local(view.schedule.start, tz)
    assert origin is not None
    project_calendar_pk = view.effective_calendar.pk if view.effective_calendar is not None else None
    own = engine_calendars_by_pk(
        {t.calendar_id for t in tasks if t.calendar_id is not None} | {project_calendar_pk} - {None}
    )
    timelines: dict[Any, engine_calendars.Timeline] = {}

    def timeline(task: SplitTask) -> engine_calendars.Timeline:
        key: Any = "elapsed" if task.elapsed else task.calendar_id
        if key not in timelines:
            if task.elapsed:
                calendar = engine_calendars.continuous_calendar()
            elif task.calendar_id is not None:
                calendar = own[task.calendar_id]
            elif project_calendar_pk is not None:
                calendar = own[project_calendar_pk]
            else:
                calendar = engine_bridge.engine_calendar(None)
            timelines[key] = engine_calendars.Timeline(calendar, origin)
        return timelines[key]

    result = {}
    for task in tasks:
        line = timeline(task)
        start, finish = engine_bridge.to_local(task.start, tz), engine_bridge.to_local(task.finish, tz)
        assert start is not None and finish is not None
        done = (2 * task.duration_minutes * task.percent_complete + 100) // 200
        done_part, remaining = cpm.stretch_layout(
            duration=task.duration_minutes,
            splits=[(offset, pause) for offset, pause in task.splits],
            done=done,
            start=line.to_work(start),
            finish=line.to_work(finish),
        )
        result[task.id] = [
            (line.start_at(begin).replace(tzinfo=tz), line.finish_at(end).replace(tzinfo=tz))
            for begin, end in done_part + remaining
        ]
    return result


@dataclass(frozen=True)
class BaselineBar:
    """A task's dates in a baseline and how far it has moved since (working minutes, + is later)."""

    start: dt.datetime | None
    finish: dt.datetime | None
    start_variance_minutes: int | None
    finish_variance_minutes: int | None


def baseline_bars_for_project(user: Any, project_id: Any, number: int) -> dict[int, BaselineBar]:
    """Baseline `number`'s dates of the project's current tasks, by task id, with their variances.

    The variances are those of :func:`baseline_variance_for_user`, read without model instances.
    """
    baseline = baseline_get_for_user(user, project_id, number)
    project = baseline.project
    schedule = schedule_for_project(project)
    tz = ZoneInfo(schedule.time_zone) if schedule.time_zone else unit_time_zone(project.org_unit)
    calendar = project_calendar(project, schedule)
    if calendar is None:
        engine_calendar = engine_bridge.engine_calendar(None)
    else:
        engine_calendar = engine_calendars_by_pk([calendar.pk])[calendar.pk]
    timeline = engine_calendars.Timeline(engine_calendar, engine_bridge.to_local(schedule.start, tz))

    def work(value: dt.datetime | None) -> int | None:
        local = engine_bridge.to_local(value, tz)
        return None if local is None else timeline.to_work(local)

    def moved(current: dt.datetime | None, planned: dt.datetime | None) -> int | None:
        now, then = work(current), work(planned)
        return None if now is None or then is None else now - then

    rows = BaselineTask.objects.filter(baseline=baseline, task__isnull=False).values_list(
        "task_id", "start", "finish", "task__start", "task__finish"
    )
    return {
        task_id: BaselineBar(start, finish, moved(current_start, start), moved(current_finish, finish))
        for task_id, start, finish, current_start, current_finish in rows
    }
