"""What-if impact of a change request: its schedule edits run through the CPM engine on an in-memory
copy of the project's schedule, its budget edits added to a copy of the budget.

Nothing here writes: the tasks and links are read once, copied, edited in memory and scheduled twice
(as they are, and with the edits) by `keel.engines.cpm` through `keel.schedule.engine_bridge`, so the
two finishes are computed the same way. The slip is counted in working days of the project calendar.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum

from keel.changes.models import BudgetEdit, ChangeRequest, TaskEdit
from keel.engines import calendars as engine_calendars
from keel.engines import cpm
from keel.finance import selectors as finance_selectors
from keel.schedule import engine_bridge
from keel.schedule import selectors as schedule_selectors
from keel.schedule.models import Dependency, Task

ELAPSED_DAY = 24 * 60


@dataclass(frozen=True)
class CostLine:
    """The budget edits of one cost category: the amount added (negative: taken away)."""

    category: str
    amount: Decimal


@dataclass(frozen=True)
class Impact:
    """What a change would do to the project's schedule and budget."""

    has_schedule: bool = False
    finish_before: dt.datetime | None = None
    finish_after: dt.datetime | None = None
    slip_days: Decimal = Decimal("0")
    critical_before: tuple[str, ...] = ()
    critical_after: tuple[str, ...] = ()
    budget_before: Decimal = Decimal("0")
    cost: Decimal = Decimal("0")
    cost_lines: tuple[CostLine, ...] = ()
    estimated: bool = False  # the slip is the requester's estimate (no schedule edit proposed)
    notes: tuple[str, ...] = field(default=())

    @property
    def budget_after(self) -> Decimal:
        """The project's current budget with the change."""
        return self.budget_before + self.cost

    @property
    def critical_changed(self) -> bool:
        """Whether the critical path runs through other tasks with the change."""
        return set(self.critical_before) != set(self.critical_after)

    @property
    def critical_added(self) -> tuple[str, ...]:
        """Tasks that become critical."""
        return tuple(name for name in self.critical_after if name not in self.critical_before)

    @property
    def critical_removed(self) -> tuple[str, ...]:
        """Tasks that are no longer critical."""
        return tuple(name for name in self.critical_before if name not in self.critical_after)

    def as_json(self) -> dict[str, Any]:
        """The impact as stored on the change request."""
        return {
            "finish_before": self.finish_before.isoformat() if self.finish_before else None,
            "finish_after": self.finish_after.isoformat() if self.finish_after else None,
            "slip_days": str(self.slip_days),
            "estimated": self.estimated,
            "critical_before": list(self.critical_before),
            "critical_after": list(self.critical_after),
            "budget_before": str(self.budget_before),
            "cost": str(self.cost),
            "cost_lines": [
                {"category": line.category, "amount": str(line.amount)} for line in self.cost_lines
            ],
        }


def duration_minutes(days: Decimal, task: Task | None, minutes_per_day: int) -> int:
    """A duration in working days as the task's minutes (elapsed tasks count 24-hour days)."""
    per_day = ELAPSED_DAY if task is not None and task.elapsed else minutes_per_day
    return int((days * per_day).to_integral_value(ROUND_HALF_UP))


@dataclass
class _Plan:
    schedule: Any
    tz: Any
    calendar: engine_calendars.Calendar
    calendars: list[engine_calendars.Calendar]
    task_calendar_ids: dict[int, str]
    tasks: list[Task]
    links: list[Dependency]


def _plan(change: ChangeRequest) -> _Plan:
    project = change.project
    schedule = schedule_selectors.schedule_for_project(project)
    tz = schedule_selectors.unit_time_zone(project.org_unit)
    tasks = list(Task.objects.filter(project=project))
    links = list(
        Dependency.objects.filter(project=project).only(
            "predecessor_id", "successor_id", "type", "lag", "lag_unit"
        )
    )
    calendar = schedule_selectors.project_calendar(project, schedule)
    pks = {task.calendar_id for task in tasks if task.calendar_id is not None}
    if calendar is not None:
        pks.add(calendar.pk)
    converted = schedule_selectors.engine_calendars_by_pk(pks)
    project_calendar = converted[calendar.pk] if calendar is not None else engine_bridge.engine_calendar(None)
    calendars = {c.id: c for c in converted.values()}
    calendars[project_calendar.id] = project_calendar
    return _Plan(
        schedule=schedule,
        tz=tz,
        calendar=project_calendar,
        calendars=list(calendars.values()),
        task_calendar_ids={pk: c.id for pk, c in converted.items()},
        tasks=tasks,
        links=links,
    )


def _run(plan: _Plan, tasks: Sequence[Task], links: Sequence[Dependency]) -> cpm.Schedule:
    names = {str(task.uid): task.name for task in tasks}
    try:
        return cpm.schedule(
            engine_bridge.engine_project(
                start=plan.schedule.start,
                status_date=plan.schedule.status_date,
                honor_constraints=plan.schedule.honor_constraints,
                calendar_id=plan.calendar.id,
                calendars=plan.calendars,
                tasks=tasks,
                links=links,
                task_calendar_ids=plan.task_calendar_ids,
                tz=plan.tz,
            )
        )
    except cpm.CycleError as error:
        loop = engine_bridge.loop_text(error.cycle, names)
        raise ValidationError({"task_edits": f"These edits would create a loop {loop}."}) from error
    except cpm.ScheduleError as error:
        raise ValidationError({"task_edits": f"The schedule cannot be computed: {error}"}) from error


def _critical(result: cpm.Schedule, tasks: Sequence[Task]) -> tuple[str, ...]:
    ordered = sorted(tasks, key=lambda t: (t.sort_index, t.uid))
    return tuple(
        task.name
        for task in ordered
        if result.tasks[str(task.uid)].critical and not result.tasks[str(task.uid)].summary
    )


def _edited(plan: _Plan, edits: Sequence[TaskEdit]) -> tuple[list[Task], list[Dependency]]:
    """Copies of the tasks and links with the edits applied (new tasks get negative ids)."""
    per_day = plan.calendar.minutes_per_day() or 480
    tasks = {task.pk: copy.copy(task) for task in plan.tasks}
    links = list(plan.links)
    top_uid = max((task.uid for task in plan.tasks), default=0)
    top_position = max((task.position for task in plan.tasks if task.parent_id is None), default=-1)
    new_id = 0
    for edit in edits:
        if edit.kind == TaskEdit.Kind.DURATION:
            task = tasks.get(edit.task_id)
            if task is None or task.pk in {t.parent_id for t in tasks.values()}:
                continue
            task.duration_minutes = duration_minutes(edit.duration_days, task, per_day)
            if task.duration_minutes > 0:
                task.is_milestone = False
        else:
            new_id -= 1
            top_uid += 1
            top_position += 1
            minutes = duration_minutes(edit.duration_days, None, per_day)
            tasks[new_id] = Task(
                id=new_id,
                project_id=plan.schedule.project_id,
                uid=top_uid,
                name=edit.name,
                position=top_position,
                sort_index=10**9 + top_uid,
                duration_minutes=minutes,
                is_milestone=minutes == 0,
            )
            if edit.predecessor_id is not None and edit.predecessor_id in tasks:
                links.append(
                    Dependency(
                        predecessor_id=edit.predecessor_id,
                        successor_id=new_id,
                        type="FS",
                        lag=0,
                        lag_unit="working",
                    )
                )
    return list(tasks.values()), links


def _slip_days(plan: _Plan, before: dt.datetime, after: dt.datetime) -> Decimal:
    """Working days between two finishes on the project calendar (negative when the finish comes earlier)."""
    per_day = plan.calendar.minutes_per_day() or 480
    origin = min(before, after).date()
    timeline = engine_calendars.Timeline(plan.calendar, origin)
    minutes = timeline.to_work(after) - timeline.to_work(before)
    return (Decimal(minutes) / Decimal(per_day)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def schedule_impact(change: ChangeRequest, edits: Sequence[TaskEdit]) -> dict[str, Any]:
    """The finish before and after the edits, the slip in working days and both critical paths."""
    plan = _plan(change)
    if not plan.tasks and not edits:
        return {"has_schedule": False}
    before = _run(plan, plan.tasks, plan.links) if plan.tasks else None
    tasks, links = _edited(plan, edits)
    after = _run(plan, tasks, links)
    finish_after = after.finish
    finish_before = before.finish if before is not None else after.start
    return {
        "has_schedule": True,
        "finish_before": finish_before.replace(tzinfo=plan.tz),
        "finish_after": finish_after.replace(tzinfo=plan.tz),
        "slip_days": _slip_days(plan, finish_before, finish_after),
        "critical_before": _critical(before, plan.tasks) if before is not None else (),
        "critical_after": _critical(after, tasks),
    }


def cost_impact(change: ChangeRequest, edits: Sequence[BudgetEdit]) -> dict[str, Any]:
    """The project's current budget and the amounts the edits add, per cost category."""
    budget = finance_selectors.budget_lines(change.project).aggregate(total=Sum("current_amount"))["total"]
    per_category: dict[str, Decimal] = {}
    for edit in edits:
        label = f"{edit.category.code} — {edit.category.name}"
        per_category[label] = per_category.get(label, Decimal("0")) + edit.amount
    return {
        "budget_before": budget or Decimal("0"),
        "cost": sum(per_category.values(), Decimal("0")),
        "cost_lines": tuple(CostLine(label, amount) for label, amount in sorted(per_category.items())),
    }


def impact_of(change: ChangeRequest) -> Impact:
    """The computed impact of the change's edits (the requester's slip estimate when it has none).

    Raises ValidationError naming `task_edits` when the edited schedule cannot be computed (a loop).
    """
    task_edits = list(change.task_edits.select_related("task", "predecessor"))
    budget_edits = list(change.budget_edits.select_related("category"))
    values: dict[str, Any] = {**cost_impact(change, budget_edits)}
    schedule = schedule_impact(change, task_edits)
    values.update(schedule)
    if not task_edits:
        values["slip_days"] = Decimal(change.schedule_days or 0)
        values["estimated"] = True
        values.pop("critical_after", None)
        values["critical_after"] = values.get("critical_before", ())
        if values.get("finish_before") is not None:
            values["finish_after"] = None
    return Impact(**values)


def minutes_per_day(change: ChangeRequest) -> int:
    """Working minutes in a day of the project calendar (the unit of the edits' durations)."""
    return _plan(change).calendar.minutes_per_day() or 480


def stored_impact(values: dict[str, Any]) -> Impact | None:
    """The impact stored on a change request (at submission or approval), or None when none was."""
    if not values:
        return None

    def when(key: str) -> dt.datetime | None:
        return dt.datetime.fromisoformat(values[key]) if values.get(key) else None

    return Impact(
        has_schedule=values.get("finish_before") is not None,
        finish_before=when("finish_before"),
        finish_after=when("finish_after"),
        slip_days=Decimal(values.get("slip_days") or "0"),
        critical_before=tuple(values.get("critical_before") or ()),
        critical_after=tuple(values.get("critical_after") or ()),
        budget_before=Decimal(values.get("budget_before") or "0"),
        cost=Decimal(values.get("cost") or "0"),
        cost_lines=tuple(
            CostLine(line["category"], Decimal(line["amount"])) for line in values.get("cost_lines") or ()
        ),
        estimated=bool(values.get("estimated")),
    )
