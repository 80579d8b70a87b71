"""Writes to project schedules. Every write checks scope, validates, versions, audits — and recomputes.

Each service is one transaction. A write that can move a date (a task's plan or progress, a link, the
schedule settings, the WBS) ends by recomputing the whole schedule with the CPM engine in the same
transaction, so the dates stored on tasks are never stale; when the engine refuses the result (a loop
of links, a calendar without working time) the whole write is refused with a 422-style
ValidationError naming the field, and nothing is written.

Writes to one project's schedule are serialised by locking its ``ProjectSchedule`` row first.

Datetimes given to services may be aware, or naive meaning wall-clock time in the project's time zone
(what project files hold). Durations, work and lags are integer minutes (see ``keel.schedule.models``).

For importers, :func:`schedule_replace` writes a whole schedule at once from plain dataclasses
(:class:`TaskData`, :class:`DependencyData`, :class:`BaselineData`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from keel.core.audit import snapshot
from keel.core.errors import NotFound
from keel.core.models import AuditEntry
from keel.core.services import audited_create, audited_delete, audited_update
from keel.engines import cpm
from keel.orgs import scoping
from keel.orgs.models import Calendar
from keel.orgs.scoping import Action
from keel.portfolio.models import Project
from keel.schedule import engine_bridge, selectors
from keel.schedule.models import (
    BASELINE_NUMBERS,
    MAX_DURATION,
    SUMMARY_ROLLUP_FIELDS,
    TASK_COMPUTED_FIELDS,
    Baseline,
    BaselineTask,
    Dependency,
    DurationUnit,
    EvMethod,
    ProjectSchedule,
    Task,
    TaskProgress,
    default_baseline_name,
)

SCHEDULE_FIELDS = ("calendar", "start", "status_date", "honor_constraints")
TASK_FIELDS = (
    "name",
    "notes",
    "wbs",
    "is_milestone",
    "duration_minutes",
    "duration_unit",
    "work_minutes",
    "cost",
    "percent_complete",
    "actual_start",
    "actual_finish",
    "manual_start",
    "constraint_type",
    "constraint_date",
    "deadline",
    "calendar",
    "leveling_delay_minutes",
    "splits",
    "ev_method",
    "ev_weight",
)
"""The task fields services accept (besides ``parent`` and ``position``, which place the task)."""

DESCRIPTIVE_FIELDS = frozenset({"name", "notes", "wbs", "ev_method", "ev_weight"})
"""Task fields that cannot move a date: changing only these does not recompute the schedule."""

ROLLED_UP_FIELDS = (
    "duration_minutes",
    "work_minutes",
    "cost",
    "percent_complete",
    "actual_start",
    "actual_finish",
    "manual_start",
    "leveling_delay_minutes",
    "splits",
)
"""Fields a summary task takes from its subtasks (or, for a leveling delay and splits, that only its
subtasks take); they cannot be set on a summary."""

DEPENDENCY_FIELDS = ("type", "lag", "lag_unit")
DATETIME_FIELDS = (
    "start",
    "status_date",
    "actual_start",
    "actual_finish",
    "manual_start",
    "constraint_date",
    "deadline",
)


# --- results of a computation ------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskViolation:
    """The violations the engine flagged on one task (a missed constraint or deadline, a broken link)."""

    task_id: int
    uid: int
    name: str
    messages: tuple[str, ...]


@dataclass(frozen=True)
class ComputeSummary:
    """What a computation changed: the project finish before and after, and the tasks that moved."""

    start: dt.datetime | None
    finish_before: dt.datetime | None
    finish: dt.datetime | None
    changed_tasks: tuple[int, ...]  # uids of tasks whose start or finish moved
    critical_count: int
    violations: tuple[TaskViolation, ...]

    @property
    def finish_moved(self) -> bool:
        """Whether the project finish changed."""
        return self.finish_before != self.finish


# --- helpers -----------------------------------------------------------------------------------------


def _require(actor: Any, project: Project, field_name: str) -> None:
    """Refuse (PermissionDenied naming the field) unless the actor may change the project's schedule."""
    scoping.require(actor, Action.CHANGE, Task, project.org_unit, field_name)


def _schedule_for_update(project: Project) -> ProjectSchedule:
    """The project's schedule row, locked for this transaction (created with defaults the first time)."""
    schedule = (
        ProjectSchedule.objects.select_for_update(of=("self",))
        .select_related("calendar")
        .filter(project=project)
        .order_by()
        .first()
    )
    if schedule is None:
        tz = selectors.unit_time_zone(project.org_unit)
        schedule = ProjectSchedule(
            project=project, start=selectors.default_start(project, tz), time_zone=tz.key
        )
        schedule.full_clean()
        schedule.save()
        schedule.zone = tz
    else:
        schedule.zone = selectors.unit_time_zone(project.org_unit)
    schedule.project = project
    return schedule


def _zone(schedule: ProjectSchedule) -> ZoneInfo:
    """The project's zone, resolved once per write: naive datetimes are read in it, dates computed in it."""
    return schedule.zone  # type: ignore[attr-defined, no-any-return]


def _first(changed: Mapping[str, Any], order: Sequence[str]) -> str:
    """The changed field that comes first in `order` (the one a refusal names)."""
    return next((name for name in order if name in changed), next(iter(changed)))


def _aware(values: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """Naive datetimes among `values` read as wall-clock time in `tz`."""
    return {
        name: engine_bridge.to_aware(value, tz)
        if name in DATETIME_FIELDS and isinstance(value, dt.datetime)
        else value
        for name, value in values.items()
    }


def _check_known(fields: Iterable[str], allowed: Iterable[str], what: str) -> None:
    """A programming error (not user input) when a service is given a field it does not know."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {what} fields: {', '.join(sorted(unknown))}")


def _audit_many(actor: Any, records: Sequence[models.Model], action: str, project: Project) -> None:
    """Audit entries for many records of one project in one bulk insert (deletes, imports)."""
    if not records:
        return
    now = timezone.now()
    actor = actor if getattr(actor, "is_authenticated", False) else None
    entries = []
    for record in records:
        values = snapshot(record)
        if action == AuditEntry.Action.DELETE:
            changes = {name: [value, None] for name, value in values.items() if value not in (None, "")}
        else:
            changes = {name: [None, value] for name, value in values.items() if value not in (None, "")}
        entries.append(
            AuditEntry(
                at=now,
                actor=actor,
                action=action,
                content_type=ContentType.objects.get_for_model(record, for_concrete_model=False),
                object_id=str(record.pk),
                object_repr=str(record)[:200],
                unit_path=project.org_unit.path,
                project_id=project.pk,
                changes=changes,
            )
        )
    AuditEntry.objects.bulk_create(entries, batch_size=500)


def _tree(project: Project) -> dict[int, int | None]:
    """Every task's parent, by task pk (one query)."""
    return dict(Task.objects.filter(project=project).values_list("pk", "parent_id"))


def _descendants(parents: Mapping[int, int | None], root: int) -> list[int]:
    """The pks of every task below `root`."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in parents.items():
        children.setdefault(parent, []).append(pk)
    found: list[int] = []
    stack = list(children.get(root, []))
    while stack:
        pk = stack.pop()
        found.append(pk)
        stack.extend(children.get(pk, []))
    return found


def _ancestors(parents: Mapping[int, int | None], pk: int | None) -> list[int]:
    """The pks above `pk` (its parent first), `pk` itself included."""
    chain: list[int] = []
    while pk is not None and pk not in chain:
        chain.append(pk)
        pk = parents.get(pk)
    return chain


# --- computing ---------------------------------------------------------------------------------------


def schedule_compute(*, actor: Any, project: Project) -> ComputeSummary:
    """Recompute the project's schedule with the CPM engine and store the results (see _recompute)."""
    with transaction.atomic():
        _require(actor, project, "project")
        return _recompute(project, _schedule_for_update(project))


def _recompute(
    project: Project, schedule: ProjectSchedule, blame: str = "schedule", first: str | None = None
) -> ComputeSummary:
    """Number the WBS, run the engine, write what changed: a fixed number of queries for any size.

    `blame` is the field a refusal names (the input that made the schedule impossible); `first` is the
    engine id (uid as text) a loop is told from, so that "this link would create a loop" reads from
    the link's successor.
    """
    tz = _zone(schedule)
    tasks = list(Task.objects.filter(project=project))
    links = list(
        Dependency.objects.filter(project=project).only(
            "predecessor_id", "successor_id", "type", "lag", "lag_unit"
        )
    )
    calendar = selectors.project_calendar(project, schedule)
    calendar_pks = {task.calendar_id for task in tasks if task.calendar_id is not None}
    if calendar is not None:
        calendar_pks.add(calendar.pk)
    converted = selectors.engine_calendars_by_pk(calendar_pks)
    project_engine_calendar = (
        converted[calendar.pk] if calendar is not None else engine_bridge.engine_calendar(None)
    )
    calendars = {c.id: c for c in converted.values()}
    calendars[project_engine_calendar.id] = project_engine_calendar
    names = {str(task.uid): task.name for task in tasks}
    try:
        result = cpm.schedule(
            engine_bridge.engine_project(
                start=schedule.start,
                status_date=schedule.status_date,
                honor_constraints=schedule.honor_constraints,
                calendar_id=project_engine_calendar.id,
                calendars=list(calendars.values()),
                tasks=tasks,
                links=links,
                task_calendar_ids={pk: c.id for pk, c in converted.items()},
                tz=tz,
            )
        )
    except cpm.CycleError as error:
        loop = engine_bridge.loop_text(error.cycle, names, first)
        verb = "link" if blame in ("predecessor", "successor", "type") else "change"
        raise ValidationError({blame: f"This {verb} would create a loop {loop}."}) from error
    except cpm.ScheduleError as error:
        where = (
            "calendar" if "calendar" in str(error) and blame not in ("calendar", "dependencies") else blame
        )
        raise ValidationError({where: f"The schedule cannot be computed: {error}"}) from error

    wbs = engine_bridge.outline(tasks)
    by_pk = {task.pk: task for task in tasks}
    children: dict[int, list[Task]] = {}
    for task in tasks:
        if task.parent_id is not None:
            children.setdefault(task.parent_id, []).append(task)
    rollups = _rollups(tasks, children, by_pk)
    changed_rows: list[dict[str, Any]] = []
    moved: list[int] = []
    violations: list[TaskViolation] = []
    critical = 0
    for task in tasks:
        computed = result.tasks[str(task.uid)]
        place = wbs[task.pk]
        values: dict[str, Any] = {
            "position": place.position,
            "sort_index": place.sort_index,
            "outline_number": place.outline_number,
            "outline_level": place.outline_level,
            "is_summary": place.is_summary,
            "start": computed.start.replace(tzinfo=tz),
            "finish": computed.finish.replace(tzinfo=tz),
            "early_start": computed.early_start.replace(tzinfo=tz),
            "early_finish": computed.early_finish.replace(tzinfo=tz),
            "late_start": computed.late_start.replace(tzinfo=tz),
            "late_finish": computed.late_finish.replace(tzinfo=tz),
            "total_float_minutes": computed.total_float,
            "free_float_minutes": computed.free_float,
            "is_critical": computed.critical,
            "violations": [_named(message, names) for message in computed.violations],
        }
        if place.is_summary:
            work, cost = rollups[task.pk]
            values.update(
                duration_minutes=computed.duration,
                work_minutes=work,
                cost=cost,
                percent_complete=computed.percent_complete,
            )
        else:
            values.update({name: getattr(task, name) for name in SUMMARY_ROLLUP_FIELDS})
        if task.start != values["start"] or task.finish != values["finish"]:
            moved.append(task.uid)
        if any(getattr(task, name) != value for name, value in values.items()):
            changed_rows.append({"id": task.pk, **values})
            for name, value in values.items():
                setattr(task, name, value)
        if computed.critical and not place.is_summary:
            critical += 1
        if computed.violations:
            violations.append(TaskViolation(task.pk, task.uid, task.name, tuple(values["violations"])))
    _write_rows(Task, changed_rows, ["position", *TASK_COMPUTED_FIELDS, *SUMMARY_ROLLUP_FIELDS])

    engine_calendar = project_engine_calendar
    finish_before = schedule.computed_finish.astimezone(tz) if schedule.computed_finish else None
    summary = ComputeSummary(
        start=result.start.replace(tzinfo=tz) if tasks else None,
        finish_before=finish_before,
        finish=result.finish.replace(tzinfo=tz) if tasks else None,
        changed_tasks=tuple(moved),
        critical_count=critical,
        violations=tuple(violations),
    )
    stored = {
        "time_zone": tz.key,
        "minutes_per_day": engine_calendar.minutes_per_day(),
        "minutes_per_week": engine_calendar.minutes_per_week(),
        "computed_start": summary.start,
        "computed_finish": summary.finish,
        "computed_at": timezone.now(),
        "task_count": len(tasks),
        "critical_count": critical,
        "violation_count": len(violations),
    }
    ProjectSchedule.objects.filter(pk=schedule.pk).update(**stored)
    for name, value in stored.items():
        setattr(schedule, name, value)
    return summary


_LINK_FROM = re.compile(r"link from '(\d+)'")


def _named(message: str, names: Mapping[str, str]) -> str:
    """An engine message with the predecessor named by task name instead of its uid."""
    return _LINK_FROM.sub(lambda match: f"link from {names.get(match.group(1), match.group(1))!r}", message)


def _rollups(
    tasks: Sequence[Task], children: Mapping[int, list[Task]], by_pk: Mapping[int, Task]
) -> dict[int, tuple[int, Decimal]]:
    """Work and cost of every summary task: the sums over its leaf tasks."""
    totals: dict[int, tuple[int, Decimal]] = {}

    def total(task: Task) -> tuple[int, Decimal]:
        if task.pk in totals:
            return totals[task.pk]
        kids = children.get(task.pk)
        if not kids:
            return task.work_minutes, task.cost
        # Depth-first without recursion limits: deep WBS trees come from imported files.
        stack: list[tuple[Task, bool]] = [(task, False)]
        while stack:
            node, done = stack.pop()
            node_kids = children.get(node.pk, [])
            if not node_kids:
                continue
            if done:
                work, cost = 0, Decimal("0")
                for kid in node_kids:
                    kid_work, kid_cost = totals.get(kid.pk, (kid.work_minutes, kid.cost))
                    work += kid_work
                    cost += kid_cost
                totals[node.pk] = (work, cost)
            else:
                stack.append((node, True))
                stack.extend((kid, False) for kid in node_kids if kid.pk not in totals)
        return totals[task.pk]

    for task in tasks:
        if task.pk in children:
            total(task)
    return totals


def _write_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> None:
    """Update `fields` of many rows in one statement, whatever their number.

    The new values travel as one JSON document (a single query parameter) joined to the table with
    ``jsonb_to_recordset`` on PostgreSQL and ``json_each`` on SQLite, so the number of queries does not
    grow with the rows (``bulk_update`` splits into batches by the database's parameter limit).
    """
    if not rows:
        return
    ops = connection.ops
    meta = model._meta
    table = ops.quote_name(meta.db_table)
    columns = [(meta.get_field(name), ops.quote_name(meta.get_field(name).column)) for name in fields]
    pk_column = ops.quote_name(meta.pk.column)
    if connection.vendor == "postgresql":
        documents = [
            {"id": row["id"], **{f.column: _json_value(f, row[f.name]) for f, _ in columns}} for row in rows
        ]
        assignments = ", ".join(f"{quoted} = v.{quoted}" for _, quoted in columns)
        types = ", ".join(
            [f"{pk_column} bigint", *(f"{quoted} {f.db_type(connection)}" for f, quoted in columns)]
        )
        sql = (
            f"UPDATE {table} SET {assignments} FROM jsonb_to_recordset(%s::jsonb) AS v({types}) "
            f"WHERE {table}.{pk_column} = v.{pk_column}"
        )
    else:
        documents = [
            {"id": row["id"], **{f.column: _sqlite_value(f, row[f.name]) for f, _ in columns}} for row in rows
        ]
        # json_extract gives a JSON array back as its text, which is how SQLite stores a JSONField.
        assignments = ", ".join(f"{quoted} = json_extract(v.value, '$.{f.column}')" for f, quoted in columns)
        sql = (
            f"UPDATE {table} SET {assignments} FROM json_each(%s) AS v "
            f"WHERE {table}.{pk_column} = json_extract(v.value, '$.id')"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(documents)])


def _json_value(model_field: models.Field, value: Any) -> Any:
    """A value as PostgreSQL reads it from JSON into the column's type."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _sqlite_value(model_field: models.Field, value: Any) -> Any:
    """A value as Django stores it in SQLite (datetimes as naive text in the connection's zone, UTC)."""
    if isinstance(value, dt.datetime):
        # What adapt_datetimefield_value gives, without its per-value overhead (thousands per write).
        return str(value.astimezone(connection.timezone).replace(tzinfo=None))
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- settings ----------------------------------------------------------------------------------------


@transaction.atomic
def schedule_update(*, actor: Any, project: Project, version: int, **changes: Any) -> ProjectSchedule:
    """Change the schedule settings (calendar, start, status date, honor_constraints) and recompute.

    `calendar` None means the org unit's calendar. A stale `version` raises ConflictError.
    """
    _require(actor, project, "project")
    _check_known(changes, SCHEDULE_FIELDS, "schedule")
    schedule = _schedule_for_update(project)
    changes = _aware(changes, _zone(schedule))
    if "start" in changes and changes["start"] is None:
        raise ValidationError({"start": "The schedule needs a start date."})
    changed = audited_update(actor=actor, instance=schedule, version=version, changes=changes)
    if changed:
        _recompute(project, schedule, blame=_first(changed, SCHEDULE_FIELDS))
    return schedule


# --- tasks -------------------------------------------------------------------------------------------


def _check_parent(
    project: Project, task: Task | None, parent: Task | None, parents: Mapping[int, int | None]
) -> None:
    """The parent must be a task of the same project, and not the task itself or one of its subtasks."""
    if parent is None:
        return
    if parent.project_id != project.pk:
        raise ValidationError({"parent": f"Task '{parent.name}' belongs to another project."})
    if task is not None and task.pk in _ancestors(parents, parent.pk):
        raise ValidationError(
            {"parent": f"Task '{task.name}' cannot be placed under itself or its own subtask."}
        )


def _check_position(position: int | None) -> None:
    """A position is a whole number from 0."""
    if position is not None and position < 0:
        raise ValidationError({"position": "The position counts from 0."})


def _next_uid(project: Project) -> int:
    """One more than the highest uid in use in the project."""
    highest = Task.objects.filter(project=project).aggregate(models.Max("uid"))["uid__max"]
    return (highest or 0) + 1


def _open_slot(
    project: Project, parent: Task | None, position: int | None, exclude: int | None = None
) -> int:
    """Make room at `position` (None: at the end) among the parent's subtasks; return the position used."""
    siblings = Task.objects.filter(project=project, parent=parent)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude)
    count = siblings.count()
    slot = count if position is None else min(position, count)
    siblings.filter(position__gte=slot).update(position=F("position") + 1)
    return slot


@transaction.atomic
def task_create(
    *,
    actor: Any,
    project: Project,
    name: str,
    parent: Task | None = None,
    position: int | None = None,
    uid: int | None = None,
    **fields: Any,
) -> Task:
    """Add a task under `parent` (None: at the top) at `position` among its siblings (None: last).

    `uid` defaults to one more than the highest in the project. `is_milestone` defaults to whether
    the duration is zero. Recomputes the schedule.
    """
    _require(actor, project, "project")
    _check_known(fields, TASK_FIELDS, "task")
    schedule = _schedule_for_update(project)
    _check_parent(project, None, parent, {})
    _check_position(position)
    fields = _aware(fields, _zone(schedule))
    if parent is not None and parent.is_summary is False:
        _refuse_progress_on_new_summary(parent)
    fields.setdefault("is_milestone", fields.get("duration_minutes", 0) == 0)
    if uid is not None and Task.objects.filter(project=project, uid=uid).exists():
        raise ValidationError({"uid": f"Uid {uid} is already used in this project."})
    slot = _open_slot(project, parent, position)
    task = Task(
        project=project,
        parent=parent,
        position=slot,
        uid=_next_uid(project) if uid is None else uid,
        name=name,
        **fields,
    )
    _check_earned_value(task)
    audited_create(actor=actor, instance=task)
    _record_progress(project, schedule, {task.uid: (0, task.percent_complete)})
    _recompute(project, schedule, blame="parent")
    return task


def _refuse_progress_on_new_summary(parent: Task) -> None:
    """A task with recorded progress cannot become a summary: its actual dates would be lost."""
    if parent.actual_start is not None or parent.percent_complete > 0:
        raise ValidationError(
            {"parent": f"Task '{parent.name}' has progress recorded; it cannot take subtasks."}
        )


@transaction.atomic
def task_update(*, actor: Any, task: Task, version: int, **changes: Any) -> Task:
    """Change a task made at `version`; `parent` and `position` move it in the WBS. Recomputes.

    A summary task's duration, work, cost, progress and actual dates are rolled up from its subtasks
    and cannot be set. A stale version raises ConflictError and writes nothing.
    """
    project = task.project
    _require(actor, project, "task")
    _check_known(changes, (*TASK_FIELDS, "parent", "position"), "task")
    schedule = _schedule_for_update(project)
    changes = _aware(changes, _zone(schedule))
    duration = changes.get("duration_minutes")
    if task.splits and "splits" not in changes and isinstance(duration, int):
        # A shorter task keeps only the pauses its work still reaches (as MS Project does).
        kept = [pair for pair in task.splits if pair[0] < duration]
        if kept != task.splits:
            changes["splits"] = kept
    if task.is_summary:
        refused = {
            name: "A summary task takes this from its subtasks."
            for name in ROLLED_UP_FIELDS
            if name in changes and changes[name] != getattr(task, name)
        }
        if refused:
            raise ValidationError(refused)
    moving = "parent" in changes or "position" in changes
    if moving:
        parent = changes.get("parent", task.parent)
        position = changes.get("position")
        _check_position(position)
        _check_parent(project, task, parent, _tree(project))
        same_parent = (parent.pk if parent is not None else None) == task.parent_id
        if not same_parent and parent is not None and not parent.is_summary:
            _refuse_progress_on_new_summary(parent)
        if same_parent and position is None:
            position = task.position
        _refuse_links_to_new_ancestors(project, task, parent)
        # Close the gap the task leaves among its siblings, then open one where it goes.
        Task.objects.filter(project=project, parent_id=task.parent_id, position__gt=task.position).exclude(
            pk=task.pk
        ).update(position=F("position") - 1)
        changes["position"] = _open_slot(project, parent, position, exclude=task.pk)
        changes["parent"] = parent
    before_percent = task.percent_complete
    changed = audited_update(
        actor=actor, instance=task, version=version, changes=changes, check=_earned_value_check(task)
    )
    if "percent_complete" in changed and not task.is_summary:
        _record_progress(project, schedule, {task.uid: (before_percent, task.percent_complete)})
    if changed and not set(changed) <= DESCRIPTIVE_FIELDS:
        _recompute(project, schedule, blame="parent" if moving else _first(changed, TASK_FIELDS))
        task.refresh_from_db()
    return task


def _earned_value_check(task: Task) -> Any:
    """The check of a task's earned value rules after a change (see :func:`_check_earned_value`)."""
    parent_id = task.parent_id if task.is_milestone and task.ev_weight is not None else None
    return lambda changed: _check_earned_value(changed, weighted_under=parent_id)


def _check_earned_value(task: Task, weighted_under: int | None = None) -> None:
    """Refuse earned value settings that cannot apply, naming the field.

    A weight belongs to a milestone; weighted milestones is the method of a summary task with weighted
    milestones among its subtasks, and 0/100 or 50/50 apply to tasks without subtasks. A weighted
    milestone cannot leave (lose its weight, stop being a milestone, move) a summary task that earns
    by it when it is that summary's last one. `weighted_under` is the parent of the task before the
    change when it was a weighted milestone.
    """
    errors: dict[str, str] = {}
    if task.ev_weight is not None:
        if task.ev_weight <= 0:
            errors["ev_weight"] = "A milestone's weight is greater than 0 (leave it empty for none)."
        elif not task.is_milestone:
            errors["ev_weight"] = f"Only a milestone has a weight; ‘{task.name}’ is not a milestone."
    kids = Task.objects.filter(parent_id=task.pk) if task.pk else Task.objects.none()
    if task.ev_method == EvMethod.MILESTONES:
        if not kids.exists():
            errors["ev_method"] = (
                f"Weighted milestones is the method of a summary task: ‘{task.name}’ has no subtasks."
            )
        elif not kids.filter(is_milestone=True, ev_weight__gt=0).exists():
            errors["ev_method"] = (
                f"‘{task.name}’ has no milestone with a weight among its subtasks: give them weights first."
            )
    elif task.ev_method != EvMethod.PHYSICAL and kids.exists():
        errors["ev_method"] = (
            f"‘{task.name}’ is a summary task: its subtasks earn by their own methods, "
            "or choose weighted milestones."
        )
    still_weighted = task.is_milestone and task.ev_weight is not None and task.parent_id == weighted_under
    if weighted_under is not None and not still_weighted and "ev_weight" not in errors:
        parent = Task.objects.filter(pk=weighted_under, ev_method=EvMethod.MILESTONES).first()
        others = Task.objects.filter(parent_id=weighted_under, is_milestone=True, ev_weight__gt=0)
        if parent is not None and not others.exclude(pk=task.pk).exists():
            errors["ev_weight"] = (
                f"‘{parent.name}’ earns by its weighted milestones and this is its last one: "
                "change its method first."
            )
    if errors:
        raise ValidationError(errors)


def _record_progress(
    project: Project, schedule: ProjectSchedule, changes: Mapping[int, tuple[int, int]]
) -> None:
    """Keep today's % complete (project's time zone) of the leaf tasks whose progress changed, by uid.

    `changes` maps uids to (before, after); one row per task and day (a later change the same day
    replaces the day's value and keeps the value from before the day's first change).
    """
    changes = {uid: pair for uid, pair in changes.items() if pair[0] != pair[1]}
    if not changes:
        return
    now = timezone.now()
    day = now.astimezone(_zone(schedule)).date()
    today = TaskProgress.objects.filter(project=project, day=day)
    earlier = dict(today.values_list("uid", "previous_percent"))
    today.filter(uid__in=[uid for uid in changes if uid in earlier]).delete()
    TaskProgress.objects.bulk_create(
        [
            TaskProgress(
                project=project,
                uid=uid,
                day=day,
                percent_complete=after,
                previous_percent=earlier.get(uid, before),
                recorded_at=now,
            )
            for uid, (before, after) in changes.items()
        ],
        batch_size=500,
    )


@transaction.atomic
def task_leveling_delays_set(*, actor: Any, project: Project, delays: Mapping[int, int]) -> ComputeSummary:
    """Set the leveling delay (working minutes) of tasks of `project`, by task id, and recompute once.

    What resource leveling calls to apply a leveling (and, with zeros or the previous values, to undo
    one). One transaction: every task id must be a task of the project that is not a summary task, and
    every delay a whole number of minutes from 0 to fifty years, or nothing is written (ValidationError
    under "delays" naming each task and the reason). Each task whose delay changes gets its version
    bumped and one audit entry; tasks given their current delay are left alone. Needs the right to change
    the project's schedule.
    """
    _require(actor, project, "project")
    schedule = _schedule_for_update(project)
    problems: list[str] = []
    for task_id, minutes in delays.items():
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= MAX_DURATION:
            problems.append(f"task {task_id}: the delay must be whole minutes from 0 to {MAX_DURATION}")
    tasks = {
        task.pk: task
        for task in Task.objects.select_for_update(of=("self",)).filter(project=project, pk__in=list(delays))
    }
    for task_id in delays:
        task = tasks.get(task_id)
        if task is None:
            problems.append(f"task {task_id}: not a task of project {project.code}")
        elif task.is_summary:
            problems.append(f"task {task_id} ‘{task.name}’: a summary task takes no leveling delay")
    if problems:
        raise ValidationError({"delays": problems})
    now = timezone.now()
    rows: list[dict[str, Any]] = []
    entries: list[AuditEntry] = []
    person = _person(actor)
    content_type = ContentType.objects.get_for_model(Task, for_concrete_model=False)
    for task_id, minutes in delays.items():
        task = tasks[task_id]
        if task.leveling_delay_minutes == minutes:
            continue
        rows.append(
            {"id": task.pk, "leveling_delay_minutes": minutes, "version": task.version + 1, "updated_at": now}
        )
        entries.append(
            AuditEntry(
                at=now,
                actor=person,
                action=AuditEntry.Action.UPDATE,
                content_type=content_type,
                object_id=str(task.pk),
                object_repr=str(task)[:200],
                unit_path=project.org_unit.path,
                project_id=project.pk,
                changes={"leveling_delay_minutes": [task.leveling_delay_minutes, minutes]},
            )
        )
    if not rows:
        return _recompute(project, schedule, blame="delays")
    _write_rows(Task, rows, ["leveling_delay_minutes", "version", "updated_at"])
    AuditEntry.objects.bulk_create(entries, batch_size=500)
    return _recompute(project, schedule, blame="delays")


@transaction.atomic
def task_progress_from_actuals(
    *, actor: Any, project: Project, actual_minutes: Mapping[int, int]
) -> list[Task]:
    """Set the % complete of tasks of `project` from their actual work (minutes, by task id).

    % complete = actual work / planned work (`work_minutes`), at most 100; remaining work is planned
    minus actual work, never below zero. Tasks without planned work, summary tasks, finished tasks
    (an actual finish) and ids of other projects are left alone. Called when a timesheet is approved:
    the approval is the authority (its approver may be a resource manager without rights on the
    schedule), so no right to change the schedule is needed. Each changed task is audited, its
    progress recorded for the day, and the schedule recomputed once. Returns the changed tasks.
    """
    schedule = _schedule_for_update(project)
    tasks = Task.objects.select_for_update(of=("self",)).filter(
        project=project, pk__in=list(actual_minutes), is_summary=False, work_minutes__gt=0, actual_finish=None
    )
    changed: list[Task] = []
    progress: dict[int, tuple[int, int]] = {}
    for task in tasks:
        percent = min(100, max(0, actual_minutes[task.pk]) * 100 // task.work_minutes)
        if percent == task.percent_complete:
            continue
        before = task.percent_complete
        audited_update(
            actor=actor, instance=task, version=task.version, changes={"percent_complete": percent}
        )
        progress[task.uid] = (before, percent)
        changed.append(task)
    if changed:
        _record_progress(project, schedule, progress)
        _recompute(project, schedule, blame="percent_complete")
    return changed


def _refuse_links_to_new_ancestors(project: Project, task: Task, parent: Task | None) -> None:
    """A task cannot go under a summary it is linked to (or a summary above it): refuse, naming the link."""
    if parent is None:
        return
    parents = _tree(project)
    above = set(_ancestors(parents, parent.pk))
    below = {task.pk, *_descendants(parents, task.pk)}
    link = (
        Dependency.objects.filter(
            models.Q(predecessor_id__in=above, successor_id__in=below)
            | models.Q(predecessor_id__in=below, successor_id__in=above)
        )
        .select_related("predecessor", "successor")
        .first()
    )
    if link is not None:
        raise ValidationError(
            {
                "parent": f"‘{link.successor.name}’ follows ‘{link.predecessor.name}’, which would make a summary "
                "task linked to its own subtask; remove that link first."
            }
        )


@transaction.atomic
def task_move(
    *, actor: Any, task: Task, version: int, parent: Task | None, position: int | None = None
) -> Task:
    """Place a task under `parent` (None: top level) at `position` among its new siblings (None: last)."""
    return task_update(actor=actor, task=task, version=version, parent=parent, position=position)


@transaction.atomic
def task_indent(*, actor: Any, task: Task, version: int) -> Task:
    """Make the task the last subtask of the sibling just above it (refused for a first sibling)."""
    above = (
        Task.objects.filter(project=task.project, parent_id=task.parent_id, position__lt=task.position)
        .order_by("-position")
        .first()
    )
    if above is None:
        raise ValidationError({"parent": f"Task '{task.name}' has no task above it to go under."})
    return task_update(actor=actor, task=task, version=version, parent=above, position=None)


@transaction.atomic
def task_outdent(*, actor: Any, task: Task, version: int) -> Task:
    """Move the task up one level, just after its current parent (refused at the top level)."""
    if task.parent is None:
        raise ValidationError({"parent": f"Task '{task.name}' is already at the top level."})
    parent = task.parent
    return task_update(
        actor=actor, task=task, version=version, parent=parent.parent, position=parent.position + 1
    )


@transaction.atomic
def task_delete(*, actor: Any, task: Task, version: int | None = None) -> None:
    """Delete a task, its subtasks and every link to or from them (refused when `version` is stale).

    Baselines keep the deleted tasks' values under their uids and names. Recomputes.
    """
    project = task.project
    _require(actor, project, "task")
    schedule = _schedule_for_update(project)
    below = _descendants(_tree(project), task.pk)
    doomed = [task.pk, *below]
    links = list(
        Dependency.objects.filter(models.Q(predecessor_id__in=doomed) | models.Q(successor_id__in=doomed))
    )
    _audit_many(actor, links, AuditEntry.Action.DELETE, project)
    _audit_many(actor, list(Task.objects.filter(pk__in=below)), AuditEntry.Action.DELETE, project)
    audited_delete(actor=actor, instance=task, version=version)
    _recompute(project, schedule)


# --- dependencies ------------------------------------------------------------------------------------


@transaction.atomic
def dependency_create(
    *,
    actor: Any,
    project: Project,
    predecessor: Task,
    successor: Task,
    type: str = "FS",
    lag: int = 0,
    lag_unit: str = "working",
) -> Dependency:
    """Link two tasks of `project`: `successor` follows `predecessor`. Recomputes.

    Refused (ValidationError naming the field, nothing written): a task of another project, a task
    following itself, a second link between the same two tasks, a link between a summary task and its
    own subtasks, and a link that closes a loop ("this link would create a loop B → C → D → B").
    """
    _require(actor, project, "project")
    schedule = _schedule_for_update(project)
    for name, task in (("predecessor", predecessor), ("successor", successor)):
        if task.project_id != project.pk:
            raise ValidationError({name: f"Task '{task.name}' belongs to another project."})
    if predecessor.pk == successor.pk:
        raise ValidationError({"successor": "A task cannot follow itself."})
    if Dependency.objects.filter(predecessor=predecessor, successor=successor).exists():
        raise ValidationError(
            {
                "successor": f"'{successor.name}' already follows '{predecessor.name}'; change that link instead."
            }
        )
    parents = _tree(project)
    if predecessor.pk in _ancestors(parents, successor.pk) or successor.pk in _ancestors(
        parents, predecessor.pk
    ):
        raise ValidationError({"successor": "A summary task cannot be linked to its own subtasks."})
    dependency = Dependency(
        project=project, predecessor=predecessor, successor=successor, type=type, lag=lag, lag_unit=lag_unit
    )
    audited_create(actor=actor, instance=dependency)
    _recompute(project, schedule, blame="predecessor", first=str(successor.uid))
    return dependency


@transaction.atomic
def dependency_update(*, actor: Any, dependency: Dependency, version: int, **changes: Any) -> Dependency:
    """Change a link's type, lag or lag unit, made at `version`. Recomputes."""
    project = dependency.project
    _require(actor, project, "dependency")
    _check_known(changes, DEPENDENCY_FIELDS, "dependency")
    schedule = _schedule_for_update(project)
    changed = audited_update(actor=actor, instance=dependency, version=version, changes=changes)
    if changed:
        _recompute(
            project, schedule, blame=_first(changed, DEPENDENCY_FIELDS), first=str(dependency.successor.uid)
        )
    return dependency


@transaction.atomic
def dependency_delete(*, actor: Any, dependency: Dependency, version: int | None = None) -> None:
    """Remove a link (refused when `version` is stale). Recomputes."""
    project = dependency.project
    _require(actor, project, "dependency")
    schedule = _schedule_for_update(project)
    audited_delete(actor=actor, instance=dependency, version=version)
    _recompute(project, schedule)


# --- baselines ---------------------------------------------------------------------------------------


def _check_baseline_number(number: int) -> None:
    """Baselines are numbered 0..10, so a project has at most 11."""
    if number not in BASELINE_NUMBERS:
        raise ValidationError({"number": "A baseline number is 0 (Baseline) to 10 (Baseline10)."})


@transaction.atomic
def baseline_save(*, actor: Any, project: Project, number: int = 0, name: str = "") -> Baseline:
    """Save the current schedule as baseline `number` (0..10), replacing what was saved under it."""
    _require(actor, project, "project")
    _check_baseline_number(number)
    _schedule_for_update(project)
    tasks = Task.objects.filter(project=project).values_list(
        "pk", "uid", "name", "start", "finish", "duration_minutes", "work_minutes", "cost"
    )
    rows = [
        BaselineTask(
            task_id=pk,
            uid=uid,
            name=task_name,
            start=start,
            finish=finish,
            duration_minutes=duration,
            work_minutes=work,
            cost=cost,
        )
        for pk, uid, task_name, start, finish, duration, work, cost in tasks
    ]
    return _store_baseline(actor, project, number, name, timezone.now(), rows)


def _store_baseline(
    actor: Any, project: Project, number: int, name: str, saved_at: dt.datetime, rows: list[BaselineTask]
) -> Baseline:
    """Create or replace baseline `number` with `rows`, audited as a create or an update."""
    existing = Baseline.objects.filter(project=project, number=number).first()
    values = {"name": name or default_baseline_name(number), "saved_at": saved_at, "saved_by": _person(actor)}
    if existing is None:
        baseline = Baseline(project=project, number=number, **values)
        audited_create(actor=actor, instance=baseline)
    else:
        baseline = existing
        BaselineTask.objects.filter(baseline=baseline).delete()
        before = snapshot(baseline)
        for key, value in values.items():
            setattr(baseline, key, value)
        baseline.full_clean()
        baseline.save()
        after = snapshot(baseline)
        _audit_changes(
            actor, baseline, project, {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        )
    for row in rows:
        row.baseline = baseline
    BaselineTask.objects.bulk_create(rows, batch_size=500)
    return baseline


def _person(actor: Any) -> Any:
    """The signed-in person behind `actor`, or None (a system write)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def _audit_changes(actor: Any, record: models.Model, project: Project, changes: dict[str, list[Any]]) -> None:
    """One update entry for a record written without a version (baselines)."""
    AuditEntry.objects.create(
        at=timezone.now(),
        actor=_person(actor),
        action=AuditEntry.Action.UPDATE,
        content_type=ContentType.objects.get_for_model(record, for_concrete_model=False),
        object_id=str(record.pk),
        object_repr=str(record)[:200],
        unit_path=project.org_unit.path,
        project_id=project.pk,
        changes=changes,
    )


@transaction.atomic
def baseline_clear(*, actor: Any, project: Project, number: int) -> None:
    """Delete baseline `number`; NotFound when it was never saved."""
    _require(actor, project, "project")
    _check_baseline_number(number)
    baseline = (
        Baseline.objects.filter(project=project, number=number).select_related("project__org_unit").first()
    )
    if baseline is None:
        raise NotFound("baseline")
    audited_delete(actor=actor, instance=baseline, version=None)


# --- a whole schedule at once (importers) -----------------------------------------------------------


@dataclass(frozen=True)
class TaskData:
    """One task of a schedule to write with :func:`schedule_replace`.

    `uid` identifies the task within the project (links and baselines name tasks by uid);
    `parent_uid` places it under another task; siblings keep the order they are given in unless
    `position` says otherwise. Durations, work and lags are minutes; datetimes naive (wall-clock time of
    the project's zone) or aware; `calendar` a stored calendar (create it first through keel.orgs).
    `is_milestone` None means "when the duration is zero". A summary task's duration, work, cost and
    progress are rolled up from its subtasks, whatever is given here.
    """

    uid: int
    name: str
    parent_uid: int | None = None
    position: int | None = None
    notes: str = ""
    wbs: str = ""
    is_milestone: bool | None = None
    duration_minutes: int = 0
    duration_unit: str = DurationUnit.DAYS
    work_minutes: int = 0
    cost: Decimal = Decimal("0")
    percent_complete: int = 0
    actual_start: dt.datetime | None = None
    actual_finish: dt.datetime | None = None
    manual_start: dt.datetime | None = None
    constraint_type: str = "ASAP"
    constraint_date: dt.datetime | None = None
    deadline: dt.datetime | None = None
    calendar: Calendar | None = None
    leveling_delay_minutes: int = 0
    splits: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class DependencyData:
    """One link between two tasks of :class:`TaskData`, by uid (type FS/SS/FF/SF; lag in minutes or %)."""

    predecessor_uid: int
    successor_uid: int
    type: str = "FS"
    lag: int = 0
    lag_unit: str = "working"


@dataclass(frozen=True)
class BaselineTaskData:
    """One task's values in a baseline, by uid (datetimes naive local or aware)."""

    uid: int
    start: dt.datetime | None = None
    finish: dt.datetime | None = None
    duration_minutes: int = 0
    work_minutes: int = 0
    cost: Decimal = Decimal("0")


@dataclass(frozen=True)
class BaselineData:
    """A baseline to keep (0..10) with its tasks' values; `saved_at` None means now."""

    number: int
    tasks: tuple[BaselineTaskData, ...] = ()
    name: str = ""
    saved_at: dt.datetime | None = None


_UNSET: Any = object()


@dataclass(frozen=True)
class ReplaceResult:
    """What :func:`schedule_replace` wrote: counts of records removed and created, and the computation."""

    tasks_removed: int
    tasks_created: int
    dependencies_created: int
    baselines_saved: tuple[int, ...]
    summary: ComputeSummary = field(repr=False)


@transaction.atomic
def schedule_replace(
    *,
    actor: Any,
    project: Project,
    tasks: Sequence[TaskData],
    dependencies: Sequence[DependencyData] = (),
    baselines: Sequence[BaselineData] = (),
    calendar: Calendar | None = _UNSET,
    start: dt.datetime | None = None,
    status_date: dt.datetime | None = _UNSET,
    honor_constraints: bool | None = None,
) -> ReplaceResult:
    """Replace the project's whole schedule (tasks, links, given baselines, settings) in one transaction.

    All or nothing: every invalid task, link or baseline is reported at once in a ValidationError whose
    keys are "tasks", "dependencies", "baselines" (or the setting's name), each message naming the
    uid, field and reason; nothing is written then. Baselines not given are kept, and their rows find
    the new tasks again by uid. The schedule is recomputed; a loop of links is refused naming it.
    Writes in bulk: the number of queries grows with the size only through insert batches.
    """
    _require(actor, project, "project")
    schedule = _schedule_for_update(project)
    tz = _zone(schedule)
    errors = _check_replacement(tasks, dependencies, baselines)
    if errors:
        raise ValidationError(errors)

    settings_changes: dict[str, Any] = {}
    if calendar is not _UNSET:
        settings_changes["calendar"] = calendar
    if start is not None:
        settings_changes["start"] = engine_bridge.to_aware(start, tz)
    if status_date is not _UNSET:
        settings_changes["status_date"] = engine_bridge.to_aware(status_date, tz)
    if honor_constraints is not None:
        settings_changes["honor_constraints"] = honor_constraints
    if settings_changes:
        audited_update(actor=actor, instance=schedule, version=schedule.version, changes=settings_changes)

    old_links = list(Dependency.objects.filter(project=project))
    old_tasks = list(Task.objects.filter(project=project))
    _audit_many(actor, old_links, AuditEntry.Action.DELETE, project)
    _audit_many(actor, old_tasks, AuditEntry.Action.DELETE, project)
    Dependency.objects.filter(project=project).delete()
    # Children first is not needed: the rows go in one statement, and baselines keep uid and name.
    Task.objects.filter(project=project).update(parent=None)
    Task.objects.filter(project=project).delete()

    created = _insert_tasks(project, tasks, tz)
    by_uid = {task.uid: task for task in created}
    was = {task.uid: task.percent_complete for task in old_tasks}
    summaries = {data.parent_uid for data in tasks}
    _record_progress(
        project,
        schedule,
        {t.uid: (was.get(t.uid, 0), t.percent_complete) for t in created if t.uid not in summaries},
    )
    links = [
        Dependency(
            project=project,
            predecessor=by_uid[data.predecessor_uid],
            successor=by_uid[data.successor_uid],
            type=data.type,
            lag=data.lag,
            lag_unit=data.lag_unit,
        )
        for data in dependencies
    ]
    link_errors = []
    for data, link in zip(dependencies, links, strict=True):
        try:
            link.full_clean(
                exclude=["project", "predecessor", "successor"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            link_errors.append(f"link {data.predecessor_uid} → {data.successor_uid}: {_flat(error)}")
    if link_errors:
        raise ValidationError({"dependencies": link_errors})
    Dependency.objects.bulk_create(links, batch_size=500)
    _audit_many(actor, created, AuditEntry.Action.CREATE, project)
    _audit_many(actor, links, AuditEntry.Action.CREATE, project)
    # Baselines saved before find their tasks again by uid.
    BaselineTask.objects.filter(baseline__project=project, task__isnull=True).update(
        task=Subquery(Task.objects.filter(project=project, uid=OuterRef("uid")).values("pk")[:1])
    )
    summary = _recompute(project, schedule, blame="dependencies")
    names = {task.uid: task.name for task in created}
    for data in baselines:
        rows = [
            BaselineTask(
                task_id=by_uid[row.uid].pk,
                uid=row.uid,
                name=names[row.uid],
                start=engine_bridge.to_aware(row.start, tz),
                finish=engine_bridge.to_aware(row.finish, tz),
                duration_minutes=row.duration_minutes,
                work_minutes=row.work_minutes,
                cost=row.cost,
            )
            for row in data.tasks
        ]
        saved_at = engine_bridge.to_aware(data.saved_at, tz) or timezone.now()
        _store_baseline(actor, project, data.number, data.name, saved_at, rows)
    return ReplaceResult(
        tasks_removed=len(old_tasks),
        tasks_created=len(created),
        dependencies_created=len(links),
        baselines_saved=tuple(data.number for data in baselines),
        summary=summary,
    )


def _flat(error: ValidationError) -> str:
    """A ValidationError as one line: "field: reason; field: reason"."""
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(str(m) for e in errors for m in e.messages)}"
            for name, errors in error.error_dict.items()
        )
    return " ".join(str(m) for m in error.messages)


def _check_replacement(
    tasks: Sequence[TaskData], dependencies: Sequence[DependencyData], baselines: Sequence[BaselineData]
) -> dict[str, list[str]]:
    """Row-by-row errors of a replacement that can be found before writing (structure and references)."""
    errors: dict[str, list[str]] = {}
    uids: dict[int, TaskData] = {}
    for data in tasks:
        if data.uid in uids:
            errors.setdefault("tasks", []).append(f"task {data.uid}: uid is used twice")
        uids[data.uid] = data
    for data in tasks:
        if data.parent_uid is not None and data.parent_uid not in uids:
            errors.setdefault("tasks", []).append(
                f"task {data.uid}: parent task {data.parent_uid} is not in the schedule"
            )
    for data in tasks:
        seen = {data.uid}
        parent = data.parent_uid
        while parent is not None and parent in uids:
            if parent in seen:
                errors.setdefault("tasks", []).append(f"task {data.uid}: its parent tasks loop back to it")
                break
            seen.add(parent)
            parent = uids[parent].parent_uid
    pairs: set[tuple[int, int]] = set()
    for data in dependencies:
        label = f"link {data.predecessor_uid} → {data.successor_uid}"
        for end, uid in (("predecessor", data.predecessor_uid), ("successor", data.successor_uid)):
            if uid not in uids:
                errors.setdefault("dependencies", []).append(
                    f"{label}: {end} task {uid} is not in the schedule"
                )
        if data.predecessor_uid == data.successor_uid:
            errors.setdefault("dependencies", []).append(f"{label}: a task cannot follow itself")
        if (data.predecessor_uid, data.successor_uid) in pairs:
            errors.setdefault("dependencies", []).append(f"{label}: the link is given twice")
        pairs.add((data.predecessor_uid, data.successor_uid))
    numbers: set[int] = set()
    for baseline in baselines:
        if baseline.number not in BASELINE_NUMBERS:
            errors.setdefault("baselines", []).append(f"baseline {baseline.number}: the number must be 0..10")
        if baseline.number in numbers:
            errors.setdefault("baselines", []).append(f"baseline {baseline.number}: given twice")
        numbers.add(baseline.number)
        for row in baseline.tasks:
            if row.uid not in uids:
                errors.setdefault("baselines", []).append(
                    f"baseline {baseline.number}: task {row.uid} is not in the schedule"
                )
    return errors


def _insert_tasks(project: Project, tasks: Sequence[TaskData], tz: ZoneInfo) -> list[Task]:
    """Validate and insert the tasks, then set their parents in one statement."""
    order: dict[int | None, int] = {}
    rows: list[Task] = []
    problems: list[str] = []
    for data in tasks:
        position = data.position
        if position is None:
            position = order.get(data.parent_uid, 0)
        order[data.parent_uid] = max(order.get(data.parent_uid, 0), position + 1)
        is_milestone = data.duration_minutes == 0 if data.is_milestone is None else data.is_milestone
        task = Task(
            project=project,
            uid=data.uid,
            position=position,
            name=data.name,
            notes=data.notes,
            wbs=data.wbs,
            is_milestone=is_milestone,
            duration_minutes=data.duration_minutes,
            duration_unit=data.duration_unit,
            work_minutes=data.work_minutes,
            cost=data.cost,
            percent_complete=data.percent_complete,
            actual_start=engine_bridge.to_aware(data.actual_start, tz),
            actual_finish=engine_bridge.to_aware(data.actual_finish, tz),
            manual_start=engine_bridge.to_aware(data.manual_start, tz),
            constraint_type=data.constraint_type,
            constraint_date=engine_bridge.to_aware(data.constraint_date, tz),
            deadline=engine_bridge.to_aware(data.deadline, tz),
            calendar=data.calendar,
            leveling_delay_minutes=data.leveling_delay_minutes,
            splits=[list(pair) for pair in data.splits],
        )
        try:
            # References and uniqueness were checked above; per-row queries would not scale.
            task.full_clean(
                exclude=["project", "parent", "calendar"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            problems.append(f"task {data.uid} {data.name!r}: {_flat(error)}")
        rows.append(task)
    if problems:
        raise ValidationError({"tasks": problems})
    Task.objects.bulk_create(rows, batch_size=500)
    if not all(task.pk for task in rows):
        # Databases that do not return ids from a bulk insert: read them back by uid.
        ids = dict(Task.objects.filter(project=project).values_list("uid", "pk"))
        for task in rows:
            task.pk = ids[task.uid]
    by_uid = {task.uid: task for task in rows}
    parented = []
    for data in tasks:
        if data.parent_uid is not None:
            task = by_uid[data.uid]
            task.parent_id = by_uid[data.parent_uid].pk
            parented.append({"id": task.pk, "parent": task.parent_id})
    _write_rows(Task, parented, ["parent"])
    return rows
