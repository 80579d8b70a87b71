"""Resource leveling of a project, or of the projects sharing a pool: compute, compare, apply, undo.

:func:`leveling_run_create` records a run and queues it; the background task runs
:func:`leveling_run_execute`, which

1. computes each project's schedule without leveling delays (in a transaction that is rolled back, so
   nothing is written), which gives every task's earliest start and float;
2. maps the leaf tasks onto working hours of a reference calendar (the project's, or the pool unit's
   for a pool) as an :mod:`keel.engines.leveling` problem: durations, links as start-to-start distances,
   the resources' units per day and their capacity (max units, less leave), the load of tasks it does not
   move (other projects, started or pinned tasks) as fixed activities, and project priorities as weights;
3. levels it with the chosen mode and turns each task's new start into a *leveling delay* (working minutes
   after the start its links allow, as in MS Project);
4. computes the schedules with those delays (again rolled back) for the before/after comparison.

Nothing changes until the person applies the run (:func:`leveling_run_apply`), which sets the delays
through the schedule's services (audited, recomputed); :func:`leveling_run_undo` puts the previous
delays back. A run whose projects changed since it was computed is refused, so stale results never
overwrite newer plans.

A run whose worker died stays queued or running: :func:`leveling_runs_fail_stale` ends every run that
has not moved for ``KEEL_JOB_STALE_MINUTES`` as failed; ``keel worker`` calls it when it starts, and the
reads call it before they answer.

Leveling moves tasks, so it needs the right to change every project it moves: a pool's leveling moves
the projects the person may change and treats the rest as fixed load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from keel.core import jobs
from keel.core.errors import PermissionDenied, error_text
from keel.engines import calendars as engine_calendars
from keel.engines import leveling as engine
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action
from keel.portfolio.models import Project
from keel.resources.models import Assignment, LevelingRun, ResourceLeave, ResourcePool
from keel.schedule import selectors as schedule_selectors
from keel.schedule import services as schedule_services
from keel.schedule.models import Dependency, Task

logger = logging.getLogger(__name__)

T = TypeVar("T")
MAX_TIME_LIMIT = 120
"""Seconds the optimizing mode may be given at most."""
OPEN_STATUSES = (Project.Status.PROPOSED, Project.Status.ACTIVE, Project.Status.ON_HOLD)
"""Projects whose tasks leveling may move or must count."""
_FIXED_CONSTRAINTS = {"MSO", "MFO"}
PERIOD_MINUTES = 60
"""The leveling grid: one working hour of the reference calendar."""


# --- creating and reading runs -------------------------------------------------------------------------


def leveling_run_create(
    *,
    actor: Any,
    project: Project | None = None,
    pool: ResourcePool | None = None,
    mode: str = LevelingRun.Mode.HEURISTIC,
    time_limit: int = 10,
) -> LevelingRun:
    """Record a leveling of `project` or of the projects sharing `pool`, queued for the background worker.

    Refuses (naming the field) anything but exactly one of project and pool, an unknown mode, a time limit
    outside 1–120 s, and a person who may not change the project (or the pool). Nothing is stored then.
    """
    if (project is None) == (pool is None):
        raise ValidationError({"project": "Choose either a project or a resource pool to level."})
    if mode not in LevelingRun.Mode.values:
        raise ValidationError({"mode": f"Choose one of {', '.join(LevelingRun.Mode.values)}."})
    if not isinstance(time_limit, int) or not 1 <= time_limit <= MAX_TIME_LIMIT:
        raise ValidationError({"time_limit": f"Give a whole number of seconds from 1 to {MAX_TIME_LIMIT}."})
    if project is not None:
        scoping.require(actor, Action.CHANGE, Task, project.org_unit, "project")
        if project.status not in OPEN_STATUSES:
            raise ValidationError({"project": f"{project.code} is {project.get_status_display().lower()}."})
        unit = project.org_unit
    else:
        assert pool is not None
        scoping.require(actor, Action.CHANGE, ResourcePool, pool.org_unit, "pool")
        unit = pool.org_unit
    with transaction.atomic():
        run = LevelingRun(
            org_unit=unit, project=project, pool=pool, mode=mode, time_limit=time_limit, created_by=actor
        )
        run.full_clean()
        run.save()
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    """Hand the run to the background worker."""
    from keel.resources.tasks import level_resources

    level_resources.enqueue(run_id)


_OPEN = (LevelingRun.Status.QUEUED, LevelingRun.Status.RUNNING)


def _stale_message(status: str) -> str:
    """Why a stale run failed, and how to start again."""
    minutes = jobs.stale_minutes()
    if status == LevelingRun.Status.QUEUED:
        return (
            f"No background worker started this leveling within {minutes} minutes; nothing was changed. "
            f"Make sure `{jobs.WORKER_COMMAND}` runs, then level again."
        )
    return (
        f"The worker stopped before the leveling finished (no progress for {minutes} minutes); nothing "
        f"was changed. Start it again with `{jobs.WORKER_COMMAND}`, then level again."
    )


def leveling_runs_fail_stale(*, run_ids: list[int] | None = None) -> int:
    """End as failed every queued or running run (of `run_ids`, or any) idle for ``KEEL_JOB_STALE_MINUTES``.

    A run writes nothing to the schedules until it is applied, so a run whose worker died only needs
    to say so. Returns how many runs were failed.
    """
    open_runs = LevelingRun.objects.filter(status__in=_OPEN)
    if run_ids is not None:
        open_runs = open_runs.filter(pk__in=run_ids)
    failed = jobs.fail_stale(
        open_runs,
        fields=(),
        failed=lambda row: {"status": LevelingRun.Status.FAILED, "message": _stale_message(row["status"])},
        what="leveling runs",
    )
    return len(failed)


def leveling_run_list_for_user(user: Any) -> QuerySet[LevelingRun]:
    """Leveling runs in the units the user can see, newest first (stale runs failed first)."""
    leveling_runs_fail_stale()
    return scoping.visible(
        user, LevelingRun.objects.select_related("org_unit", "project", "pool", "created_by")
    )


def leveling_run_get_for_user(user: Any, run_id: Any) -> LevelingRun:
    """One leveling run the user can see; NotFound when it is missing or out of scope.

    A run left queued or running by a worker that stopped is failed first, with how to start again.
    """
    runs = LevelingRun.objects.select_related("org_unit", "project", "pool", "created_by")
    run = scoping.get_for_user(user, runs, Action.VIEW, pk=run_id)
    if (
        run.status in _OPEN
        and run.updated_at < jobs.stale_before()
        and leveling_runs_fail_stale(run_ids=[run.pk])
    ):
        run = runs.get(pk=run.pk)
    return run


def leveling_targets_for_user(user: Any) -> tuple[QuerySet[Project], QuerySet[ResourcePool]]:
    """The projects (open, schedule changeable) and pools (changeable) the user may level."""
    projects = scoping.visible(user, Project.objects.filter(status__in=OPEN_STATUSES), Action.VIEW)
    paths = scoping.scope_paths(user, scoping.roles_for(Task, Action.CHANGE))
    if not scoping.is_global(user):
        projects = projects.filter(scoping.path_q("org_unit__path", paths))
    pools = scoping.visible(user, ResourcePool.objects.all(), Action.CHANGE)
    return projects.order_by("code"), pools.order_by("code")


# --- running ------------------------------------------------------------------------------------------


def leveling_run_execute(*, run_id: int) -> LevelingRun | None:
    """Compute a queued run; it ends done with its comparison, or failed with the reason.

    A run that is not queued any more (another worker took it) is left alone and None is returned.
    """
    claimed = LevelingRun.objects.filter(pk=run_id, status=LevelingRun.Status.QUEUED).update(
        status=LevelingRun.Status.RUNNING, progress=1, updated_at=timezone.now()
    )
    if not claimed:
        return None
    run = LevelingRun.objects.select_related("org_unit", "project", "pool", "created_by").get(pk=run_id)
    try:
        actor = run.created_by
        if actor is None or not actor.is_active:
            raise PermissionDenied("The person who asked for this leveling can no longer sign in.")
        result = compute(run, actor, progress=_report(run.pk))
    except (ValidationError, PermissionDenied, engine.LevelingError) as error:
        _finish(run, LevelingRun.Status.FAILED, message=error_text(error))
    except Exception as error:  # a run must never stay "running": say so, keep the details in the log
        logger.exception("Leveling run %s failed", run.pk)
        _finish(
            run,
            LevelingRun.Status.FAILED,
            message=f"The leveling stopped on an unexpected error ({type(error).__name__}); nothing was "
            "changed. The server log has the details.",
        )
    else:
        _finish(
            run,
            LevelingRun.Status.DONE,
            result=result,
            proven_optimal=result["engine"]["proven_optimal"],
            message=result["message"],
            progress=100,
        )
    run.refresh_from_db()
    return run


def _report(run_id: int) -> Callable[[float], None]:
    """A progress callback writing the run's percentage (the engine's share is 20–80 %)."""
    last = {"value": 0}

    def report(fraction: float) -> None:
        value = max(1, min(99, int(fraction * 100)))
        if value != last["value"]:
            last["value"] = value
            LevelingRun.objects.filter(pk=run_id).update(progress=value, updated_at=timezone.now())

    return report


def _finish(run: LevelingRun, status: str, **values: Any) -> None:
    LevelingRun.objects.filter(pk=run.pk).update(status=status, updated_at=timezone.now(), **values)


class _Rollback(Exception):
    """Raised to leave a transaction without keeping what it wrote."""


def _dry_run(work: Callable[[], T]) -> T:
    """Run `work` in a transaction that is rolled back, returning what it returned."""
    captured: list[T] = []
    try:
        with transaction.atomic():
            captured.append(work())
            raise _Rollback
    except _Rollback:
        pass
    return captured[0]


@dataclass
class _Row:
    """What the comparison keeps of one leaf task."""

    pk: int
    project_id: int
    uid: int
    name: str
    start: dt.datetime | None
    finish: dt.datetime | None
    total_float: int | None
    delay: int


def _rows(project_ids: Iterable[int]) -> dict[int, _Row]:
    """The leaf tasks of the projects as they stand in this transaction."""
    return {
        pk: _Row(pk, project_id, uid, name, start, finish, total_float, delay)
        for pk, project_id, uid, name, start, finish, total_float, delay in Task.objects.filter(
            project_id__in=list(project_ids), is_summary=False
        ).values_list(
            "pk",
            "project_id",
            "uid",
            "name",
            "start",
            "finish",
            "total_float_minutes",
            "leveling_delay_minutes",
        )
    }


def _finishes(project_ids: Iterable[int]) -> dict[int, dt.datetime | None]:
    """Each project's computed finish as it stands in this transaction."""
    return dict(
        Project.objects.filter(pk__in=list(project_ids)).values_list("pk", "schedule__computed_finish")
    )


def _set_delays(actor: Any, projects: Sequence[Project], delays: Mapping[int, int]) -> None:
    """Set the leveling delays of the projects' tasks (pk -> minutes) through the schedule's service."""
    by_project: dict[int, dict[int, int]] = {project.pk: {} for project in projects}
    project_of = dict(Task.objects.filter(pk__in=list(delays)).values_list("pk", "project_id"))
    for pk, minutes in delays.items():
        by_project.setdefault(project_of[pk], {})[pk] = minutes
    for project in projects:
        changes = by_project.get(project.pk)
        if changes:
            schedule_services.task_leveling_delays_set(actor=actor, project=project, delays=changes)


def fingerprint(project_ids: Iterable[int]) -> str:
    """A digest of everything leveling reads from the projects: tasks, links and assignments by version."""
    ids = sorted(project_ids)
    parts = [
        list(Task.objects.filter(project_id__in=ids).order_by("pk").values_list("pk", "version")),
        list(Dependency.objects.filter(project_id__in=ids).order_by("pk").values_list("pk", "version")),
        list(Assignment.objects.filter(task__project_id__in=ids).order_by("pk").values_list("pk", "version")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def compute(run: LevelingRun, actor: Any, progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    """Level the run's projects and return the comparison (see the module docstring); writes nothing."""
    report = progress or (lambda fraction: None)
    projects, resource_ids = _scope(run, actor)
    if not projects:
        raise ValidationError({"pool": "No open project you may change uses this pool's resources."})
    project_ids = [project.pk for project in projects]
    stamp = fingerprint(project_ids)
    before_rows = _rows(project_ids)
    before_finish = _finishes(project_ids)
    previous = {pk: row.delay for pk, row in before_rows.items()}
    report(0.05)

    def unleveled() -> tuple[dict[int, _Row], dict[int, dt.datetime | None]]:
        _set_delays(actor, projects, {pk: 0 for pk, minutes in previous.items() if minutes})
        return _rows(project_ids), _finishes(project_ids)

    base_rows, base_finish = _dry_run(unleveled)
    report(0.15)
    problem, mapping = _problem(run, projects, resource_ids, base_rows)
    engine_progress = (lambda fraction: report(0.2 + 0.6 * fraction)) if progress else None
    result = engine.level(problem, mode=run.mode, time_limit=float(run.time_limit), progress=engine_progress)
    delays = mapping.delays(result.starts)
    report(0.85)

    def leveled() -> tuple[dict[int, _Row], dict[int, dt.datetime | None]]:
        _set_delays(actor, projects, {pk: delays.get(pk, 0) for pk in base_rows})
        return _rows(project_ids), _finishes(project_ids)

    after_rows, after_finish = _dry_run(leveled)
    report(0.95)
    moved = [pk for pk in base_rows if delays.get(pk, 0) != previous.get(pk, 0)]
    tasks = []
    for pk in sorted(base_rows, key=lambda pk: (base_rows[pk].project_id, base_rows[pk].start or _FAR, pk)):
        before, base, after = before_rows[pk], base_rows[pk], after_rows[pk]
        delay = delays.get(pk, 0)
        tasks.append(
            {
                "task_id": pk,
                "project_id": base.project_id,
                "uid": base.uid,
                "name": base.name,
                "start_before": _iso(before.start),
                "finish_before": _iso(before.finish),
                "start_after": _iso(after.start),
                "finish_after": _iso(after.finish),
                "delay_before_minutes": previous.get(pk, 0),
                "delay_minutes": delay,
                "float_minutes": base.total_float,
                "within_float": delay == 0 or (base.total_float is not None and delay <= base.total_float),
                "moved": pk in moved,
            }
        )
    summary = []
    for project in projects:
        summary.append(
            {
                "project_id": project.pk,
                "code": project.code,
                "name": project.name,
                "priority": project.priority,
                "finish_before": _iso(before_finish.get(project.pk)),
                "finish_unleveled": _iso(base_finish.get(project.pk)),
                "finish_after": _iso(after_finish.get(project.pk)),
                "delayed_tasks": sum(
                    1 for t in tasks if t["project_id"] == project.pk and t["delay_minutes"]
                ),
            }
        )
    delayed = sum(1 for t in tasks if t["delay_minutes"])
    message = (
        f"{delayed} of {len(tasks)} tasks delayed"
        + (f", {len(mapping.warnings)} warnings" if mapping.warnings else "")
        + f"; {'proven optimal' if result.proven_optimal else run.get_mode_display().lower()}."
    )
    return {
        "projects": summary,
        "tasks": tasks,
        "delays": {str(pk): minutes for pk, minutes in delays.items() if minutes},
        "previous_delays": {str(pk): minutes for pk, minutes in previous.items() if minutes},
        "fingerprint": stamp,
        "warnings": mapping.warnings,
        "resources": len(resource_ids),
        "period_minutes": mapping.period_minutes,
        "minutes_per_day": mapping.minutes_per_day,
        "engine": {
            "mode": result.mode,
            "makespan_hours": result.makespan,
            "lower_bound_hours": result.lower_bound,
            "proven_optimal": result.proven_optimal,
            "seconds": round(result.seconds, 3),
            "schedules": result.schedules,
            "activities": len(problem.activities),
        },
        "message": message,
    }


_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _scope(run: LevelingRun, actor: Any) -> tuple[list[Project], set[int]]:
    """The projects the run moves and the resources it levels."""
    if run.project is not None:
        scoping.require(actor, Action.CHANGE, Task, run.project.org_unit, "project")
        resource_ids = set(
            Assignment.objects.filter(task__project=run.project).values_list("resource_id", flat=True)
        )
        return [run.project], resource_ids
    assert run.pool is not None
    scoping.require(actor, Action.CHANGE, ResourcePool, run.pool.org_unit, "pool")
    resource_ids = set(run.pool.resources.values_list("pk", flat=True))
    candidates = Project.objects.filter(
        status__in=OPEN_STATUSES, tasks__assignments__resource_id__in=resource_ids
    ).distinct()
    changeable = scoping.path_q(
        "org_unit__path", scoping.scope_paths(actor, scoping.roles_for(Task, Action.CHANGE))
    )
    if not scoping.is_global(actor):
        candidates = candidates.filter(changeable)
    projects = list(candidates.select_related("org_unit").order_by("-priority", "code"))
    return projects, resource_ids


# --- the engine problem -----------------------------------------------------------------------------


@dataclass
class _Mapping:
    """How tasks became activities on the grid, to turn the engine's starts back into delays."""

    period_minutes: int
    minutes_per_day: int  # of the reference calendar, to show delays in days
    movable: dict[str, int]  # activity id -> task pk
    project_of: dict[int, int]
    release: dict[str, int]
    preds: dict[str, list[tuple[str, int]]]
    warnings: list[str]

    def delays(self, starts: Mapping[str, int]) -> dict[int, int]:
        """Leveling delay (working minutes) per moved task: its new start after the start its links allow."""
        order = sorted(self.movable, key=lambda a: starts[a])
        allowed: dict[str, int] = {}
        result: dict[int, int] = {}
        for activity in order:
            earliest = self.release.get(activity, 0)
            for pred, distance in self.preds.get(activity, ()):
                if pred in starts:
                    earliest = max(earliest, starts[pred] + distance)
            allowed[activity] = earliest
            periods = max(0, starts[activity] - earliest)
            pk = self.movable[activity]
            result[pk] = periods * self.period_minutes
        return result


def _reference_timeline(
    run: LevelingRun, projects: Sequence[Project], origin: dt.date
) -> engine_calendars.Timeline:
    """The project's calendar, or the pool unit's, whose working hours are the leveling grid."""
    if run.project is not None:
        schedule = schedule_selectors.schedule_for_project(run.project)
        stored = schedule_selectors.project_calendar(run.project, schedule)
    else:
        assert run.pool is not None
        stored = org_selectors.effective_calendar(run.pool.org_unit)
    if stored is None:
        from keel.schedule.engine_bridge import engine_calendar

        return engine_calendars.Timeline(engine_calendar(None), origin)
    converted = schedule_selectors.engine_calendars_by_pk([stored.pk])
    return engine_calendars.Timeline(converted[stored.pk], origin)


def _problem(
    run: LevelingRun, projects: Sequence[Project], resource_ids: set[int], rows: Mapping[int, _Row]
) -> tuple[engine.Problem, _Mapping]:
    """The leveling problem on working hours of the reference calendar (see the module docstring)."""
    project_ids = [project.pk for project in projects]
    schedules = {p.pk: schedule_selectors.schedule_for_project(p) for p in projects}
    zones = {pk: ZoneInfo(s.time_zone) if s.time_zone else ZoneInfo("UTC") for pk, s in schedules.items()}
    starts = [row.start for row in rows.values() if row.start is not None]
    origin = (min(starts) if starts else timezone.now()).date() - dt.timedelta(days=7)
    timeline = _reference_timeline(run, projects, origin)
    period = PERIOD_MINUTES
    working_share = timeline.minutes_per_week() / (7 * 24 * 60)  # elapsed lags, as working time on average
    reference_zone = zones[projects[0].pk]

    def work(when: dt.datetime, tz: ZoneInfo) -> int:
        return timeline.to_work(when.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0))

    def day(when: dt.datetime, tz: ZoneInfo) -> int:
        """The grid day a start falls on."""
        return max(0, work(when, tz) // period)

    def day_end(when: dt.datetime, tz: ZoneInfo) -> int:
        """The grid day after the one a finish falls on (an end of day counts as that day)."""
        return max(0, -(-work(when, tz) // period))

    tasks = {
        task.pk: task
        for task in Task.objects.filter(project_id__in=project_ids, is_summary=False).only(
            "pk",
            "project_id",
            "duration_minutes",
            "percent_complete",
            "actual_start",
            "manual_start",
            "constraint_type",
            "is_milestone",
        )
    }
    assignments = list(
        Assignment.objects.filter(resource_id__in=resource_ids)
        .filter(Q(task__project_id__in=project_ids) | Q(task__project__status__in=OPEN_STATUSES))
        .values_list(
            "task_id",
            "task__project_id",
            "resource_id",
            "units",
            "resource__max_units",
            "task__start",
            "task__finish",
            "task__is_summary",
        )
    )
    capacities: dict[str, int] = {}
    demands: dict[int, dict[str, int]] = {}
    fixed_load: dict[int, tuple[int, int, dict[str, int]]] = {}
    warnings: list[str] = []
    for task_id, project_id, resource_id, units, max_units, start, finish, summary in assignments:
        if summary or units == 0:
            continue
        key = f"r{resource_id}"
        capacities[key] = max_units
        used = min(units, max_units) if max_units else 0
        if units > max_units:
            warnings.append(
                f"Task {task_id} uses resource {resource_id} at {units}% but it has {max_units}%; "
                f"leveled as {max_units}%."
            )
        if used == 0:
            continue
        if project_id in project_ids:
            demands.setdefault(task_id, {})[key] = demands.get(task_id, {}).get(key, 0) + used
        elif start is not None and finish is not None and day_end(finish, reference_zone) > 0:
            first = day(start, reference_zone)
            length = max(1, day_end(finish, reference_zone) - first)
            _, _, load = fixed_load.setdefault(task_id, (first, length, {}))
            load[key] = load.get(key, 0) + used
    # Leave lowers a resource's capacity on its days (from midnight to midnight).
    changes: dict[str, list[tuple[int, int]]] = {}
    leaves = ResourceLeave.objects.filter(resource_id__in=resource_ids, end_date__gte=origin)
    for resource_id, start_date, end_date, percent in leaves.values_list(
        "resource_id", "start_date", "end_date", "percent"
    ):
        key = f"r{resource_id}"
        if key not in capacities:
            continue
        base = capacities[key]
        reduced = base - base * percent // 100
        begin = day(dt.datetime.combine(start_date, dt.time(0, 0), tzinfo=reference_zone), reference_zone)
        end = day(
            dt.datetime.combine(end_date + dt.timedelta(days=1), dt.time(0, 0), tzinfo=reference_zone),
            reference_zone,
        )
        if end > begin:
            changes.setdefault(key, []).extend([(begin, reduced), (end, base)])

    activities: list[engine.Activity] = []
    fixed_pks: set[int] = set()
    loads: list[
        tuple[int, int, dict[str, int]]
    ] = []  # (first period, periods, units per resource) kept as is
    movable: dict[str, int] = {}
    release: dict[str, int] = {}
    project_of: dict[int, int] = {}
    for pk, row in rows.items():
        task = tasks.get(pk)
        if task is None or row.start is None:
            continue
        tz = zones[row.project_id]
        activity_id = f"t{pk}"
        duration = 0 if task.is_milestone else math.ceil(task.duration_minutes / period)
        started = task.actual_start is not None or task.percent_complete > 0
        pinned = task.manual_start is not None or task.constraint_type in _FIXED_CONSTRAINTS
        start_day = day(row.start, tz)
        project_of[pk] = row.project_id
        if task.percent_complete >= 100:
            continue
        if started or pinned:
            # Work that stays where it is: its load comes off the capacity (below), so an over-allocation
            # among such tasks is left as it is rather than making the problem impossible.
            fixed_pks.add(pk)
            loads.append((start_day, duration, demands.get(pk, {})))
            activities.append(
                engine.Activity(
                    id=activity_id,
                    duration=duration,
                    group=str(row.project_id),
                    release=start_day,
                    fixed_start=start_day,
                )
            )
            continue
        activities.append(
            engine.Activity(
                id=activity_id,
                duration=duration,
                demands=demands.get(pk, {}),
                group=str(row.project_id),
                release=start_day,
            )
        )
        movable[activity_id] = pk
        release[activity_id] = start_day
    loads.extend(fixed_load.values())
    present = {activity.id for activity in activities}
    durations = {activity.id: activity.duration for activity in activities}
    precedences: list[engine.Precedence] = []
    preds: dict[str, list[tuple[str, int]]] = {}
    links = Dependency.objects.filter(project_id__in=project_ids).values_list(
        "predecessor_id", "successor_id", "type", "lag", "lag_unit"
    )
    for pred_pk, succ_pk, kind, lag, lag_unit in links:
        pred, succ = f"t{pred_pk}", f"t{succ_pk}"
        if pred not in present or succ not in present or succ_pk in fixed_pks:
            continue  # summary, finished or fixed successors: their effect is in the releases already
        lag_periods = _lag_periods(lag, lag_unit, durations[pred], working_share)
        distance = {
            "FS": durations[pred] + lag_periods,
            "SS": lag_periods,
            "FF": durations[pred] - durations[succ] + lag_periods,
            "SF": lag_periods - durations[succ],
        }[kind]
        precedences.append(engine.Precedence(pred, succ, distance))
        preds.setdefault(succ, []).append((pred, distance))
    weights = {str(project.pk): 1 + project.priority for project in projects}
    # Leave ends, so capacity always comes back: a task waits for it rather than making the problem impossible.
    capacity_changes = _capacity_steps(capacities, changes, loads)
    problem = engine.Problem(
        activities=tuple(activities),
        precedences=tuple(precedences),
        capacities=capacities,
        capacity_changes=capacity_changes,
        group_weights=weights,
    )
    mapping = _Mapping(
        period_minutes=period,
        minutes_per_day=max(1, timeline.minutes_per_day()),
        movable=movable,
        project_of=project_of,
        release=release,
        preds=preds,
        warnings=warnings[:50],
    )
    return problem, mapping


def _capacity_steps(
    capacities: Mapping[str, int],
    leave: Mapping[str, list[tuple[int, int]]],
    loads: Sequence[tuple[int, int, Mapping[str, int]]],
) -> dict[str, tuple[tuple[int, int], ...]]:
    """Each resource's capacity over time for the work leveling moves: its units, less leave, less the
    load of the work that stays where it is (never below zero), as (from period, capacity) steps."""
    leave_at: dict[str, list[tuple[int, int]]] = {key: sorted(steps) for key, steps in leave.items()}
    load_changes: dict[str, dict[int, int]] = {}
    for first, length, demands in loads:
        for key, units in demands.items():
            if key in capacities and units and length > 0:
                changes = load_changes.setdefault(key, {})
                changes[first] = changes.get(first, 0) + units
                changes[first + length] = changes.get(first + length, 0) - units
    result: dict[str, tuple[tuple[int, int], ...]] = {}
    for key in set(leave_at) | set(load_changes):
        base_steps = leave_at.get(key, [])
        delta = load_changes.get(key, {})
        points = sorted({0, *(at for at, _ in base_steps), *delta})
        steps: list[tuple[int, int]] = []
        base, load, index = capacities[key], 0, 0
        for at in points:
            while index < len(base_steps) and base_steps[index][0] <= at:
                base = base_steps[index][1]
                index += 1
            load += delta.get(at, 0)
            capacity = max(0, base - load)
            if not steps or steps[-1][1] != capacity:
                steps.append((at, capacity))
        result[key] = tuple(steps)
    return result


def _lag_periods(lag: int, unit: str, pred_duration: int, working_share: float) -> int:
    """A link's lag in periods of the grid (working minutes, elapsed minutes or percent of the predecessor)."""
    if unit == "percent":
        return round(pred_duration * lag / 100)
    if unit == "elapsed":
        return round(lag * working_share / PERIOD_MINUTES)
    return round(lag / PERIOD_MINUTES)


# --- applying and undoing ------------------------------------------------------------------------------


def _projects_of(run: LevelingRun) -> list[Project]:
    ids = [entry["project_id"] for entry in run.result.get("projects", [])]
    return list(Project.objects.filter(pk__in=ids).select_related("org_unit"))


def _switch(actor: Any, run: LevelingRun, *, to: str, stamp_key: str, stale: str) -> LevelingRun:
    """Apply (`to` = applied) or undo (`to` = undone) a run: set the delays in one transaction."""
    expected = LevelingRun.Status.DONE if to == LevelingRun.Status.APPLIED else LevelingRun.Status.APPLIED
    with transaction.atomic():
        locked = LevelingRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != expected:
            verb = "applied" if to == LevelingRun.Status.APPLIED else "undone"
            raise ValidationError(
                {"status": f"This leveling is {locked.get_status_display().lower()}; it cannot be {verb}."}
            )
        projects = _projects_of(locked)
        for project in projects:
            scoping.require(actor, Action.CHANGE, Task, project.org_unit, "project")
        if fingerprint(p.pk for p in projects) != locked.result.get(stamp_key):
            raise ValidationError({"run": stale})
        new = {int(pk): minutes for pk, minutes in locked.result.get("delays", {}).items()}
        previous = {int(pk): minutes for pk, minutes in locked.result.get("previous_delays", {}).items()}
        wanted = new if to == LevelingRun.Status.APPLIED else previous
        _set_delays(actor, projects, {pk: wanted.get(pk, 0) for pk in set(new) | set(previous)})
        if to == LevelingRun.Status.APPLIED:
            locked.result["applied_fingerprint"] = fingerprint(p.pk for p in projects)
        locked.status = to
        locked.save(update_fields=["status", "result", "updated_at"])
    return locked


def leveling_run_apply(*, actor: Any, run: LevelingRun) -> LevelingRun:
    """Set the run's leveling delays on its projects (audited, rescheduled); refused when stale."""
    return _switch(
        actor,
        run,
        to=LevelingRun.Status.APPLIED,
        stamp_key="fingerprint",
        stale="The schedules changed since this leveling was computed; level again.",
    )


def leveling_run_undo(*, actor: Any, run: LevelingRun) -> LevelingRun:
    """Put back the leveling delays the tasks had before the run was applied; refused once they changed."""
    return _switch(
        actor,
        run,
        to=LevelingRun.Status.UNDONE,
        stamp_key="applied_fingerprint",
        stale="The schedules changed since this leveling was applied, so it can no longer be undone.",
    )


def leveling_run_for_action(user: Any, run_id: Any) -> LevelingRun:
    """A run the user may apply or undo: visible, and the user may change every project it moves."""
    run = leveling_run_get_for_user(user, run_id)
    projects = _projects_of(run) or ([run.project] if run.project else [])
    if not projects or not all(scoping.can(user, Action.CHANGE, Task, p.org_unit) for p in projects):
        raise PermissionDenied("You may view this leveling but not apply or undo it.")
    return run


def pool_for_leveling(user: Any, pool_id: Any) -> ResourcePool:
    """A pool the user can see (for naming it in a leveling request); NotFound otherwise."""
    return scoping.get_for_user(
        user, ResourcePool.objects.select_related("org_unit"), Action.VIEW, pk=pool_id
    )


def project_for_leveling(user: Any, project_id: Any) -> Project:
    """A project the user can see (for naming it in a leveling request); NotFound otherwise."""
    return schedule_selectors.project_for_user(user, project_id)
