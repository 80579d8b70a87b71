"""Reads of project money, always through the scoping layer, and earned value through the EVM engine.

Amounts are Decimal. A project's figures are in its own currency; roll-ups convert each project's
summed values (BAC, PV, EV, AC, ETC, budget) into the reporting currency at the rate of the status
date, then compute the indices from the sums (never averaged).

Everything a page or a roll-up needs for any number of projects is read in a fixed number of
queries (`_load`): the projects, their baseline tasks, approved hours, the rates of the people who
booked them, expenses, forecasts, budgets, settings, unit time zones and exchange rates.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from keel.core.unit_settings import settings_in_force
from keel.engines import evm
from keel.finance.models import (
    BudgetChange,
    BudgetLine,
    CostCategory,
    EvmSnapshot,
    ExchangeRate,
    Expense,
    Forecast,
    PeriodKind,
    ProjectFinance,
    Thresholds,
    next_period,
    period_start,
)
from keel.finance.rates import RateTable, round_money
from keel.orgs import scoping
from keel.orgs.models import Membership, OrgUnit
from keel.orgs.scoping import Action
from keel.portfolio import selectors as portfolio_selectors
from keel.portfolio.models import Project
from keel.resources.models import CostRate
from keel.schedule.models import BaselineTask, EvMethod, ProjectSchedule, Task, TaskProgress
from keel.timesheets import selectors as timesheet_selectors
from keel.timesheets.models import Timesheet, TimesheetEntry

ZERO = Decimal(0)
DEFAULT_THRESHOLD = Decimal("0.90")
LABOR = "labor"
"""The category key of labor actuals when no category is marked as labor."""


# --- reference data ---------------------------------------------------------------------------------------


def category_list(*, active_only: bool = False) -> QuerySet[CostCategory]:
    """The PMO's cost categories (reference data every signed-in person may read)."""
    rows = CostCategory.objects.all()
    return rows.filter(active=True) if active_only else rows


def category_get(pk: Any) -> CostCategory:
    """One cost category; NotFound when missing."""
    from keel.core.errors import NotFound

    try:
        return CostCategory.objects.get(pk=pk)
    except (CostCategory.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("cost category") from exc


def category_by_code(code: str) -> CostCategory | None:
    """The category with `code` (case-insensitive), or None."""
    return CostCategory.objects.filter(code__iexact=code).first()


def rate_list(*, from_currency: str = "", to_currency: str = "") -> QuerySet[ExchangeRate]:
    """The PMO's exchange rates, newest first per pair."""
    rows = ExchangeRate.objects.all()
    if from_currency:
        rows = rows.filter(from_currency=from_currency.upper())
    if to_currency:
        rows = rows.filter(to_currency=to_currency.upper())
    return rows


def rate_get(pk: Any) -> ExchangeRate:
    """One exchange rate; NotFound when missing."""
    from keel.core.errors import NotFound

    try:
        return ExchangeRate.objects.get(pk=pk)
    except (ExchangeRate.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("exchange rate") from exc


def known_currencies() -> list[str]:
    """Currencies Keel knows: those of units, projects and exchange rates."""
    found = set(OrgUnit.objects.values_list("currency", flat=True))
    found |= set(ExchangeRate.objects.values_list("from_currency", flat=True))
    found |= set(ExchangeRate.objects.values_list("to_currency", flat=True))
    return sorted(c for c in found if c)


def reporting_currency(user: Any) -> str:
    """The viewer's reporting currency: that of the highest unit they hold a role in (else the root's)."""
    paths = [path for path, _ in scoping.memberships(user)]
    if paths:
        top = min(paths, key=lambda p: (p.count("."), p))
        unit = OrgUnit.objects.filter(path=top).values_list("currency", flat=True).first()
        if unit:
            return unit
    root = (
        OrgUnit.objects.filter(parent__isnull=True)
        .order_by("path")
        .values_list("currency", flat=True)
        .first()
    )
    return root or "EUR"


# --- project-level reads ------------------------------------------------------------------------------------


def project_for_user(user: Any, project_id: Any, action: Action = Action.VIEW) -> Project:
    """The project whose money is asked for; NotFound out of scope, PermissionDenied for a write."""
    return portfolio_selectors.project_get_for_user(user, project_id, action)


def can_change(user: Any, project: Project) -> bool:
    """Whether `user` may change the project's budget, expenses and forecasts."""
    return scoping.can(user, Action.CHANGE, BudgetLine, project.org_unit)


def finance_settings(project: Project) -> ProjectFinance:
    """The project's finance settings, or unsaved defaults (monthly, no reserves)."""
    return ProjectFinance.objects.filter(project=project).first() or ProjectFinance(project=project)


def budget_lines(project: Project) -> QuerySet[BudgetLine]:
    """The project's budget lines by period and category (caller has checked scope)."""
    return BudgetLine.objects.filter(project=project).select_related("category")


def budget_line_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> BudgetLine:
    """One budget line the user may see."""
    return scoping.get_for_user(
        user, BudgetLine.objects.select_related("project__org_unit", "category"), action, pk=pk
    )


def budget_changes(project: Project) -> QuerySet[BudgetChange]:
    """The project's budget changes, newest first."""
    return BudgetChange.objects.filter(project=project).select_related("category", "changed_by")


def expense_list(project: Project) -> QuerySet[Expense]:
    """The project's expenses, newest first."""
    return Expense.objects.filter(project=project).select_related("category", "created_by")


def expense_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Expense:
    """One expense the user may see (NotFound otherwise)."""
    return scoping.get_for_user(
        user, Expense.objects.select_related("project__org_unit", "category"), action, pk=pk
    )


def forecast_list(project: Project) -> QuerySet[Forecast]:
    """The project's entered forecasts (estimate to complete per category and period)."""
    return Forecast.objects.filter(project=project).select_related("category")


def forecast_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Forecast:
    """One forecast the user may see."""
    return scoping.get_for_user(
        user, Forecast.objects.select_related("project__org_unit", "category"), action, pk=pk
    )


def snapshot_list(project: Project) -> QuerySet[EvmSnapshot]:
    """The recorded status dates of a project, oldest first."""
    return EvmSnapshot.objects.filter(project=project)


def thresholds_for(unit: OrgUnit) -> tuple[Decimal, Decimal]:
    """(CPI min, SPI min) set for `unit` or its nearest ancestor; 0.90 each by default."""
    found = settings_in_force(unit, Thresholds)
    return (DEFAULT_THRESHOLD, DEFAULT_THRESHOLD) if found is None else (found.cpi_min, found.spi_min)


def thresholds_list_for_user(user: Any) -> QuerySet[Thresholds]:
    """The thresholds set in units the user may see."""
    return scoping.visible(user, Thresholds.objects.select_related("org_unit"))


# --- bulk loading ----------------------------------------------------------------------------------------


@dataclass
class CostRow:
    """An actual cost of a project on a day, in the project's currency (labor: category of labor)."""

    day: dt.date
    category_id: int | None
    amount: Decimal
    labor: bool = False


@dataclass(frozen=True)
class TaskRow:
    """A baselined leaf task as earned value reads it: its budget and baseline days (project's zone),
    the method it earns by and its % complete now.

    `method` is the task's own, or "milestones" when a summary task above it earns by weighted
    milestones (`summary` is then that summary's id); a task deleted since the baseline earns nothing.
    """

    uid: int
    budget: Decimal
    start: dt.date
    finish: dt.date
    method: str
    percent: int
    summary: int | None = None
    gone: bool = False


class Progress:
    """Each task's % complete at any day, from the progress history (`TaskProgress`), by uid.

    A task with no history stands at its current % complete; before its first recorded day at the
    % complete that day's change started from.
    """

    def __init__(self, rows: Iterable[tuple[int, dt.date, int, int]] = ()) -> None:
        self.days: dict[int, list[dt.date]] = {}
        self.values: dict[int, list[int]] = {}
        self.before: dict[int, int] = {}
        for uid, day, percent, previous in rows:  # ordered by uid and day
            if uid not in self.days:
                self.days[uid], self.values[uid], self.before[uid] = [], [], previous
            self.days[uid].append(day)
            self.values[uid].append(percent)

    def at(self, uid: int, day: dt.date, current: int) -> int:
        """The % complete of task `uid` at the end of `day` (`current` when it has no history)."""
        days = self.days.get(uid)
        if days is None:
            return current
        index = bisect.bisect_right(days, day) - 1
        return self.values[uid][index] if index >= 0 else self.before[uid]


class ProgressOn(Progress):
    """The % complete of each task with a history on one day only (what a roll-up reads)."""

    def __init__(self, day: dt.date, values: dict[int, int]) -> None:
        super().__init__()
        self.day = day
        self.on = values

    def at(self, uid: int, day: dt.date, current: int) -> int:
        """The % complete of task `uid` on the loaded day."""
        return self.on.get(uid, current)


@dataclass
class ProjectData:
    """What the EVM of one project needs, loaded in bulk."""

    project: Project
    zone: ZoneInfo
    rows: list[TaskRow] = field(default_factory=list)
    milestones: dict[int, list[tuple[int, Decimal, int]]] = field(default_factory=dict)
    """The weighted milestones (uid, weight, % complete now) of each summary that earns by them."""
    progress: Progress = field(default_factory=Progress)
    settled_day: dt.date | None = None
    """The day of the sums below: tasks wholly planned or not yet planned then, added up in the database."""
    settled_bac: Decimal = ZERO
    settled_pv: Decimal = ZERO
    settled_ev: Decimal = ZERO
    costs: list[CostRow] = field(default_factory=list)
    forecasts: list[tuple[dt.date, int, Decimal]] = field(default_factory=list)
    budget_current: Decimal = ZERO
    budget_approved: Decimal = ZERO
    period: str = PeriodKind.MONTH
    computed_finish: dt.date | None = None
    unpriced_hours: Decimal = ZERO


def _zones(units: Iterable[OrgUnit]) -> dict[int, ZoneInfo]:
    """Each unit's time zone (its location's, else its nearest ancestor's, else Keel's), in one query."""
    units = list(units)
    wanted = {pk for u in units for pk in u.ancestor_ids}
    located = dict(
        OrgUnit.objects.filter(pk__in=wanted, location__isnull=False).values_list("pk", "location__time_zone")
    )
    result = {}
    for unit in units:
        name = next((located[pk] for pk in reversed(unit.ancestor_ids) if pk in located), settings.TIME_ZONE)
        result[unit.pk] = ZoneInfo(name)
    return result


def labor_category_id() -> int | None:
    """The category approved timesheet hours are booked to (the first active one marked labor)."""
    return (
        CostCategory.objects.filter(is_labor=True, active=True)
        .order_by("code")
        .values_list("pk", flat=True)
        .first()
    )


def _local_day(value: Any, zone: ZoneInfo, cache: dict[tuple[Any, str], dt.date]) -> dt.date:
    """The day in `zone` of a stored datetime (SQLite: its UTC text), computed once per value and zone."""
    key = (value, zone.key)
    day = cache.get(key)
    if day is None:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        day = cache[key] = moment.astimezone(zone).date()
    return day


def _raw_datetime(name: str) -> Any:
    """A datetime column read without per-row conversion: SQLite's stored UTC text, else the value."""
    if connection.vendor == "sqlite":
        return Cast(name, output_field=CharField())
    return F(name)


ZONE_REACH = dt.timedelta(hours=14)
"""No time zone is further than this from UTC."""


def _sum_settled_tasks(data: dict[int, ProjectData], baselined: QuerySet, day: dt.date) -> QuerySet:
    """Add up in the database the tasks whose planned value at the end of `day` is all or nothing.

    A task that finishes before `day` ends in every time zone is wholly planned, one that starts after
    it in every zone not at all; their budgets are summed per project, method and % complete on `day`
    (from the progress history, else the current one; 0 for a task deleted since the baseline), which
    is all earned value needs from them. Projects with a summary that earns by weighted milestones are
    left out (their tasks are read one by one). Returns the query of the remaining tasks, read one by one.
    """
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    done_before, future_from = midnight - ZONE_REACH, midnight + ZONE_REACH
    by_milestones = [pid for pid, item in data.items() if item.milestones]
    settled = (Q(start__lt=done_before) & Q(finish__lt=done_before)) | Q(start__gte=future_from)
    same = {"project_id": OuterRef("baseline__project_id"), "uid": OuterRef("uid")}
    then = TaskProgress.objects.filter(**same, day__lte=day).order_by("-day").values("percent_complete")[:1]
    before = TaskProgress.objects.filter(**same, day__gt=day).order_by("day").values("previous_percent")[:1]
    percent = Case(
        When(task__isnull=True, then=Value(0)),
        default=Coalesce(Subquery(then), Subquery(before), F("task__percent_complete")),
        output_field=IntegerField(),
    )
    sums = (
        baselined.filter(settled, start__isnull=False, finish__isnull=False)
        .exclude(baseline__project_id__in=by_milestones)
        .annotate(done=Case(When(finish__lt=done_before, then=Value(1)), default=Value(0)), at=percent)
        .values("baseline__project_id", "done", "task__ev_method", "at")
        .annotate(total=Sum("cost"))
        .values_list("baseline__project_id", "done", "task__ev_method", "at", "total")
    )
    for pid, done, method, at, total in sums:
        item = data[pid]
        item.settled_day = day
        if method not in (EvMethod.ZERO_HUNDRED, EvMethod.FIFTY_FIFTY):
            method = EvMethod.PHYSICAL
        item.settled_bac += total
        item.settled_pv += total if done else ZERO
        item.settled_ev += evm.earned_amount(total, method, Decimal(at or 0))
    return baselined.exclude(settled & ~Q(baseline__project_id__in=by_milestones))


def _load_tasks(data: dict[int, ProjectData], ids: list[int], progress_on: dt.date | None) -> None:
    """The baselined leaf tasks of the projects with the methods they earn by, and their progress history.

    A leaf task under a summary that earns by weighted milestones (the nearest such summary with at
    least one weighted milestone among its subtasks) earns its budget × the weight of that summary's
    milestones reached; other leaf tasks earn by their own method (weighted milestones on a task
    without such subtasks falls back to physical % complete). Each budget is counted once: summary
    tasks have no budget of their own in EV. With `progress_on`, the history is read for that day only.
    Five queries whatever the number of projects and tasks.
    """
    summaries = {
        pk: (parent, method)
        for pk, parent, method in Task.objects.filter(project_id__in=ids, is_summary=True).values_list(
            "pk", "parent_id", "ev_method"
        )
    }
    for pid, parent, uid, weight, percent in Task.objects.filter(
        project_id__in=ids, is_milestone=True, ev_weight__gt=0, parent__ev_method=EvMethod.MILESTONES
    ).values_list("project_id", "parent_id", "uid", "ev_weight", "percent_complete"):
        data[pid].milestones.setdefault(parent, []).append((uid, weight, percent))
    earning: dict[int | None, int | None] = {None: None}

    def earning_summary(pid: int, parent: int | None) -> int | None:
        """The nearest summary at or above `parent` that earns by weighted milestones."""
        chain = []
        while parent not in earning:
            chain.append(parent)
            up, method = summaries.get(parent, (None, ""))  # type: ignore[arg-type]
            if method == EvMethod.MILESTONES and parent in data[pid].milestones:
                earning[parent] = parent
                break
            parent = up
        found = earning[parent]
        for pk in chain:
            earning[pk] = found
        return found

    cache: dict[tuple[Any, str], dt.date] = {}
    baselined = BaselineTask.objects.filter(baseline__project_id__in=ids, baseline__number=0).exclude(
        task__is_summary=True
    )
    if progress_on is not None:
        baselined = _sum_settled_tasks(data, baselined, progress_on)
    rows = baselined.annotate(
        raw_start=_raw_datetime("start"), raw_finish=_raw_datetime("finish")
    ).values_list(
        "baseline__project_id",
        "uid",
        "raw_start",
        "raw_finish",
        "cost",
        "task_id",
        "task__percent_complete",
        "task__ev_method",
        "task__parent_id",
    )
    for pid, uid, start, finish, cost, task_id, percent, method, parent in rows:
        if start is None or finish is None:
            continue
        zone = data[pid].zone
        first = _local_day(start, zone, cache)
        last = max(first, _local_day(finish, zone, cache))
        summary = earning_summary(pid, parent) if summaries else None
        if summary is not None:
            method = EvMethod.MILESTONES
        elif method == EvMethod.MILESTONES or method is None:
            method = EvMethod.PHYSICAL
        data[pid].rows.append(
            TaskRow(uid, cost, first, last, method, percent or 0, summary, gone=task_id is None)
        )
    history = TaskProgress.objects.filter(project_id__in=ids)
    if progress_on is None:
        by_project: dict[int, list[tuple[int, dt.date, int, int]]] = defaultdict(list)
        for pid, uid, day, percent, previous in history.order_by("project_id", "uid", "day").values_list(
            "project_id", "uid", "day", "percent_complete", "previous_percent"
        ):
            by_project[pid].append((uid, day, percent, previous))
        for pid, found in by_project.items():
            data[pid].progress = Progress(found)
        return
    # One day: each task's last row on or before it, else what its first row started from.
    same = {"project_id": OuterRef("project_id"), "uid": OuterRef("uid")}
    last = TaskProgress.objects.filter(**same, day__lte=progress_on).order_by("-day").values("day")[:1]
    first = TaskProgress.objects.filter(**same, day__gt=progress_on).order_by("day").values("day")[:1]
    values: dict[int, dict[int, int]] = defaultdict(dict)
    for pid, uid, percent in history.filter(day__gt=progress_on, day=Subquery(first)).values_list(
        "project_id", "uid", "previous_percent"
    ):
        values[pid][uid] = percent
    for pid, uid, percent in history.filter(day__lte=progress_on, day=Subquery(last)).values_list(
        "project_id", "uid", "percent_complete"
    ):
        values[pid][uid] = percent
    for pid, item in data.items():
        item.progress = ProgressOn(progress_on, values.get(pid, {}))


MAX_PRICE_PERIODS = 400
"""Above this many days on which a price may change, a roll-up prices approved hours day by day."""


def _hours_by_price_period(
    ids: list[int], until: dt.date, cost_rates: QuerySet, rates: RateTable
) -> list[tuple[int, int | None, dt.date, Decimal]]:
    """Approved hours up to `until` per project, resource and stretch of days over which its price holds.

    A price (a person's cost rate converted into the project's currency) can change only on a day a
    cost rate takes effect or an exchange rate is dated, so the hours between two such days are added
    up in the database and priced once, at the first day they hold (what a roll-up needs: the total
    to the status date). The same hours as ``approved_hours`` (approved timesheets, corrections
    netted). Empty when there are too many such days (the caller then prices day by day).
    """
    changes = sorted(set(cost_rates.values_list("effective_from", flat=True).distinct()) | rates.dates())
    if len(changes) > MAX_PRICE_PERIODS or not ids:
        return []
    period = Case(
        *(When(date__lt=day, then=Value(index)) for index, day in enumerate(changes)),
        default=Value(len(changes)),
        output_field=IntegerField(),
    )
    rows = (
        TimesheetEntry.objects.filter(
            line__project_id__in=ids, date__lte=until, line__timesheet__status=Timesheet.Status.APPROVED
        )
        .annotate(period=period)
        .values("line__project_id", "line__timesheet__user__resource", "period")
        .annotate(total=Sum("hours"), first=Min("date"))
        .values_list("line__project_id", "line__timesheet__user__resource", "first", "total")
    )
    return [(pid, resource, first, total) for pid, resource, first, total in rows if total]


def _load(
    projects: list[Project],
    until: dt.date,
    *,
    rates: RateTable | None = None,
    progress_on: dt.date | None = None,
) -> dict[int, ProjectData]:
    """Baselines, actual costs up to `until`, forecasts, budgets and settings of `projects`, in bulk.

    Costs are converted into each project's currency at their day's rate (MissingRate names the pair
    and day). The progress history is read whole, or for the day `progress_on` only (roll-ups). Not
    scoped: pass projects the reader may see.
    """
    ids = [p.pk for p in projects]
    zones = _zones(p.org_unit for p in projects)
    data = {p.pk: ProjectData(project=p, zone=zones[p.org_unit_id]) for p in projects}
    if not ids:
        return data
    for pid, kind in ProjectFinance.objects.filter(project_id__in=ids).values_list("project_id", "period"):
        data[pid].period = kind
    for pid, finish in ProjectSchedule.objects.filter(project_id__in=ids).values_list(
        "project_id", "computed_finish"
    ):
        if finish is not None:
            data[pid].computed_finish = timezone.localtime(finish, data[pid].zone).date()
    _load_tasks(data, ids, progress_on)
    for pid, current, approved in (
        BudgetLine.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(current=Sum("current_amount"), approved=Sum("approved_amount"))
        .values_list("project_id", "current", "approved")
    ):
        data[pid].budget_current = current or ZERO
        data[pid].budget_approved = approved or ZERO
    for pid, start, category_id, amount in Forecast.objects.filter(project_id__in=ids).values_list(
        "project_id", "period_start", "category_id", "amount"
    ):
        data[pid].forecasts.append((start, category_id, amount))

    # Actual costs: approved hours at the people's effective rates, plus expenses.
    cost_rates = CostRate.objects.filter(effective_from__lte=until)
    hours: list[tuple[int, int | None, dt.date, Decimal]] = []
    if progress_on is not None and rates is not None:
        cost_rates = cost_rates.filter(resource__user__isnull=False)
        hours = _hours_by_price_period(ids, until, cost_rates, rates)
    if not hours:
        hours = [
            (h.project_id, h.resource_id, h.date, h.hours)
            for h in timesheet_selectors.approved_hours(ids, dt.date(1970, 1, 1), until)
        ]
        cost_rates = cost_rates.filter(resource_id__in={h[1] for h in hours if h[1] is not None})
    rate_points: dict[int, tuple[list[dt.date], list[tuple[Decimal, str]]]] = {}
    for resource_id, since, standard, currency in cost_rates.order_by(
        "resource_id", "effective_from"
    ).values_list("resource_id", "effective_from", "standard_rate", "currency"):
        days, values = rate_points.setdefault(resource_id, ([], []))
        days.append(since)
        values.append((standard, currency))
    expenses = list(
        Expense.objects.filter(project_id__in=ids, date__lte=until)
        .values("project_id", "date", "category_id", "currency")
        .annotate(total=Sum("amount"))
        .values_list("project_id", "date", "category_id", "currency", "total")
    )
    if rates is None:
        currencies = {p.currency for p in projects} | {c for _, _, _, c, _ in expenses}
        currencies |= {c for _, values in rate_points.values() for _, c in values}
        rates = RateTable.load(currencies, until=until)
    labor_id = labor_category_id()
    # Hours are priced per (resource, day, project currency) once, and summed per project and day.
    prices: dict[tuple[int, dt.date, str], Decimal | None] = {}
    labor: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    for project_id, resource_id, day, amount in hours:
        project_data = data[project_id]
        target = project_data.project.currency
        key = (resource_id or 0, day, target)
        if key in prices:
            price = prices[key]
        else:
            price = None
            points = rate_points.get(resource_id) if resource_id is not None else None
            index = bisect.bisect_right(points[0], day) - 1 if points else -1
            if index >= 0:
                standard, currency = points[1][index]  # type: ignore[index]
                price = rates.convert(standard, currency, target, day)
            prices[key] = price
        if price is None:
            project_data.unpriced_hours += amount
            continue
        labor[(project_id, day)] += amount * price
    for (pid, day), amount in labor.items():
        data[pid].costs.append(CostRow(day, labor_id, amount, labor=True))
    for pid, day, category_id, currency, total in expenses:
        amount = rates.convert(total, currency, data[pid].project.currency, day)
        data[pid].costs.append(CostRow(day, category_id, amount))
    return data


# --- earned value of one project ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectEvm:
    """A project's earned value at a status date, in its currency, with earned schedule when defined."""

    project: Project
    currency: str
    status_date: dt.date
    metrics: evm.Metrics
    has_baseline: bool
    start: dt.date | None
    finish: dt.date | None
    schedule: evm.EarnedSchedule | None
    forecast_finish: dt.date | None
    budget_current: Decimal
    budget_approved: Decimal
    unpriced_hours: Decimal

    @property
    def eac(self) -> Decimal:
        """The EAC shown by default: bottom-up when forecasts exist, else BAC / CPI, else AC + (BAC − EV)."""
        m = self.metrics
        for value in (m.EAC_bottom_up, m.EAC_cpi):
            if value is not None:
                return value
        return m.EAC_atypical


def _etc_bottom_up(item: ProjectData, status_date: dt.date) -> Decimal | None:
    """The entered forecasts of the periods not over at the status date, or None without forecasts."""
    if not item.forecasts:
        return None
    return sum(
        (amount for start, _, amount in item.forecasts if next_period(start, item.period) > status_date), ZERO
    )


def _span(item: ProjectData) -> tuple[dt.date | None, dt.date | None]:
    """Where the project starts and ends for status dates: baseline, plan, schedule and actuals."""
    starts = [t.start for t in item.rows] + (
        [item.project.planned_start] if item.project.planned_start else []
    )
    finishes = [t.finish for t in item.rows] + [c.day for c in item.costs]
    for extra in (item.project.planned_finish, item.computed_finish):
        if extra is not None:
            finishes.append(extra)
    return (min(starts) if starts else None), (max(finishes) if finishes else None)


def _weekly_pv(tasks: list[evm.TaskValue], start: dt.date, finish: dt.date) -> list[Decimal]:
    """Cumulative PV at the end of each week from `start` until the week holding `finish`."""
    weeks = (finish - start).days // 7 + 1
    return evm.pv_curve(tasks, [start + dt.timedelta(days=7 * (i + 1) - 1) for i in range(weeks)])


def phasing(item: ProjectData) -> list[evm.TaskValue]:
    """The project's baselined leaf tasks as the engine's TaskValue (for the PV curve; progress not set)."""
    return [evm.TaskValue(id=str(r.uid), budget=r.budget, start=r.start, finish=r.finish) for r in item.rows]


def _settled(item: ProjectData, day: dt.date) -> ProjectData:
    """The project, checked to hold no sums of settled tasks unless for `day` (they hold for it only)."""
    if item.settled_day is not None and item.settled_day != day:
        raise ValueError(f"tasks were added up for {item.settled_day}, not {day}")
    return item


def planned_at(item: ProjectData, day: dt.date) -> Decimal:
    """Cumulative planned value of the project at the end of `day`."""
    total = _settled(item, day).settled_pv
    for row in item.rows:
        if day >= row.finish:
            total += row.budget
        elif day >= row.start:
            total += evm.planned_amount(row.budget, row.start, row.finish, day)
    return total


def earned_at(item: ProjectData, day: dt.date) -> Decimal:
    """Earned value of the project at the end of `day`: each task by its method at its % complete then."""
    progress = item.progress
    reached: dict[int, tuple[tuple[Decimal, bool], ...]] = {}
    physical = ZERO
    total = _settled(item, day).settled_ev
    for row in item.rows:
        if row.gone or not row.budget:
            continue
        if row.method == EvMethod.PHYSICAL:
            physical += row.budget * progress.at(row.uid, day, row.percent)
            continue
        if row.summary is not None:
            weights = reached.get(row.summary)
            if weights is None:
                weights = reached[row.summary] = evm.milestone_weights(
                    (weight, progress.at(uid, day, percent) == 100)
                    for uid, weight, percent in item.milestones[row.summary]
                )
            total += evm.earned_amount(row.budget, row.method, ZERO, weights)
        else:
            total += evm.earned_amount(
                row.budget, row.method, Decimal(progress.at(row.uid, day, row.percent))
            )
    return total + physical / 100


def _evm_of(item: ProjectData, status_date: dt.date, *, with_schedule: bool) -> ProjectEvm:
    """The metrics of one loaded project (status date already checked or clamped by the caller)."""
    ac = sum((c.amount for c in item.costs if c.day <= status_date), ZERO)
    ac = round_money(ac)
    etc = _etc_bottom_up(item, status_date)
    first = min((r.start for r in item.rows), default=None)
    m = evm.metrics(
        bac=sum((r.budget for r in item.rows), item.settled_bac),
        pv=planned_at(item, status_date),
        ev=earned_at(item, status_date),
        ac=ac,
        etc_bottom_up=etc,
    )
    tasks = phasing(item) if with_schedule else []
    start, finish = _span(item)
    schedule = None
    forecast_finish = None
    if with_schedule and tasks and m.BAC > 0 and status_date >= first:  # type: ignore[operator]
        base_finish = max(t.finish for t in tasks)
        pvs = _weekly_pv(tasks, first, max(base_finish, first))  # type: ignore[arg-type]
        actual_weeks = Decimal((status_date - first).days + 1) / 7  # type: ignore[operator]
        planned_weeks = Decimal((base_finish - first).days + 1) / 7  # type: ignore[operator]
        schedule = evm.earned_schedule(
            pv_by_period=pvs, ev=m.EV, actual_time=actual_weeks, planned_duration=planned_weeks
        )
        if schedule.IEAC_t is not None:
            forecast_finish = evm.period_end(start=first, periods=schedule.IEAC_t, period="week")  # type: ignore[arg-type]
    return ProjectEvm(
        project=item.project,
        currency=item.project.currency,
        status_date=status_date,
        metrics=m,
        has_baseline=bool(item.rows) or item.settled_day is not None,
        start=start,
        finish=finish,
        schedule=schedule,
        forecast_finish=forecast_finish,
        budget_current=item.budget_current,
        budget_approved=item.budget_approved,
        unpriced_hours=item.unpriced_hours,
    )


def default_status_date(project: Project, today: dt.date | None = None) -> dt.date:
    """Today, or the planned finish when the project has ended, or its start when it has not begun."""
    day = today or timezone.localdate()
    if project.planned_finish and day > project.planned_finish:
        day = project.planned_finish
    if project.planned_start and day < project.planned_start:
        day = project.planned_start
    return day


def project_evm(project: Project, status_date: dt.date | None = None) -> ProjectEvm:
    """The project's earned value at `status_date` (default: see default_status_date), caller-scoped.

    A status date before the project starts or after it ends is a ValidationError naming status_date.
    """
    status_date = status_date or default_status_date(project)
    item = _load([project], status_date)[project.pk]
    start, finish = _span(item)
    if start is not None and status_date < start:
        raise ValidationError(
            {"status_date": f"The status date {status_date} is before the project starts ({start})."}
        )
    if finish is not None and status_date > finish:
        raise ValidationError(
            {"status_date": f"The status date {status_date} is after the project ends ({finish})."}
        )
    try:
        return _evm_of(item, status_date, with_schedule=True)
    except evm.EvmError as exc:
        raise ValidationError({"status_date" if exc.field == "status_date" else exc.field: str(exc)}) from exc


def project_evm_for_user(user: Any, project_id: Any, status_date: dt.date | None = None) -> ProjectEvm:
    """`project_evm` of a project the user may see (NotFound otherwise)."""
    return project_evm(project_for_user(user, project_id), status_date)


# --- the finance tab: S-curve, table by category and period, trend ---------------------------------------------


@dataclass(frozen=True)
class CurvePoint:
    """One date of the S-curve: cumulative PV, AC (to the status date) and EV (recorded status dates)."""

    day: dt.date
    pv: Decimal
    ac: Decimal | None
    ev: Decimal | None


@dataclass(frozen=True)
class PeriodRow:
    """Budget, actual and forecast of one category in one period (project currency)."""

    period: dt.date
    category: str
    approved: Decimal
    current: Decimal
    actual: Decimal
    forecast: Decimal
    computed_forecast: Decimal


@dataclass(frozen=True)
class FinanceTab:
    """Everything the project's finance tab shows."""

    evm: ProjectEvm
    curve: list[CurvePoint]
    eac_line: list[tuple[dt.date, Decimal]]
    periods: list[PeriodRow]
    trend: list[EvmSnapshot]
    settings: ProjectFinance
    categories: dict[int, CostCategory]


def _month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    days = []
    cursor = dt.date(first.year, first.month, 1)
    while cursor <= last:
        following = next_period(cursor, PeriodKind.MONTH)
        days.append(following - dt.timedelta(days=1))
        cursor = following
    return days


def computed_forecast(
    result: ProjectEvm, lines: list[BudgetLine], kind: str
) -> dict[tuple[dt.date, int | None], Decimal]:
    """EAC − AC spread over the periods after the status date up to the forecast finish.

    Split across categories in proportion to their remaining current budget (else their whole
    budget); evenly over periods; one "unassigned" category when the project has no budget.
    """
    remaining = result.eac - result.metrics.AC
    if remaining <= 0:
        return {}
    first = next_period(period_start(result.status_date, kind), kind)
    last_day = max(result.forecast_finish or result.finish or first, first)
    periods = []
    cursor = first
    while cursor <= last_day:
        periods.append(cursor)
        cursor = next_period(cursor, kind)
    if not periods:
        periods = [first]
    weights: dict[int | None, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.period_start >= first:
            weights[line.category_id] += line.current_amount
    if not any(weights.values()):
        for line in lines:
            weights[line.category_id] += line.current_amount
    if not any(weights.values()):
        weights = {None: Decimal(1)}
    total = sum(weights.values(), ZERO)
    out: dict[tuple[dt.date, int | None], Decimal] = {}
    for category_id, weight in weights.items():
        share = remaining * weight / total / len(periods)
        for start in periods:
            out[(start, category_id)] = round_money(share)
    return out


def _trend_point(
    project: Project, day: dt.date, bac: Decimal, pv: Decimal, ev: Decimal, ac: Decimal
) -> EvmSnapshot:
    """An unsaved snapshot of the project's EVM at `day` (for the trend), from cumulative values."""
    m = evm.metrics(bac=bac, pv=min(pv, bac), ev=min(ev, bac), ac=ac)
    return EvmSnapshot(
        project=project,
        status_date=day,
        bac=bac,
        pv=pv,
        ev=ev,
        ac=ac,
        cpi=None if m.CPI is None else m.CPI.quantize(Decimal("0.0001")),
        spi=None if m.SPI is None else m.SPI.quantize(Decimal("0.0001")),
        eac=round_money(m.EAC_cpi if m.EAC_cpi is not None else m.EAC_atypical),
    )


def finance_tab(project: Project, status_date: dt.date | None = None) -> FinanceTab:
    """The project's finance tab at `status_date` (caller-scoped; status date checked like project_evm)."""
    result = project_evm(project, status_date)
    status_date = result.status_date
    settings_ = finance_settings(project)
    kind = settings_.period
    item = _load([project], max(status_date, result.finish or status_date))[project.pk]
    tasks = phasing(item)
    categories = {c.pk: c for c in CostCategory.objects.all()}
    lines = list(budget_lines(project))
    # S-curve from the day before the start to the later of the baseline finish and the forecast finish.
    first = result.start or status_date
    baseline_finish = max((t.finish for t in tasks), default=None)
    last = max(d for d in (baseline_finish, result.forecast_finish, status_date) if d is not None)
    snapshots = list(snapshot_list(project))
    if (last - first).days <= 190:  # short projects: a point a week, else a point a month
        steps = [first + dt.timedelta(days=d) for d in range(6 - first.weekday(), (last - first).days + 7, 7)]
    else:
        steps = _month_ends(first, last)
    days = sorted({first - dt.timedelta(days=1), *steps, *(s.status_date for s in snapshots), status_date})
    costs = sorted(item.costs, key=lambda c: c.day)
    curve = []
    running = ZERO
    index = 0
    pvs = evm.pv_curve(tasks, days)
    bac = result.metrics.BAC
    computed: dict[dt.date, EvmSnapshot] = {}
    for day, pv in zip(days, pvs, strict=True):
        while index < len(costs) and costs[index].day <= day:
            running += costs[index].amount
            index += 1
        past = day <= status_date and day >= first
        ev = round_money(earned_at(item, day)) if past else None
        ac = round_money(running) if day <= status_date else None
        curve.append(CurvePoint(day=day, pv=round_money(pv), ac=ac, ev=ev))
        if past and ev is not None and ac is not None and (pv or ac):
            computed[day] = _trend_point(project, day, bac, round_money(pv), ev, ac)
    # The trend: CPI and SPI from the progress history at each point, a recorded status where there is one.
    computed.update({s.status_date: s for s in snapshots})
    trend = [computed[day] for day in sorted(computed)]
    eac_line = []
    if result.forecast_finish or result.finish:
        eac_line = [
            (status_date, result.metrics.AC),
            (result.forecast_finish or result.finish, round_money(result.eac)),
        ]  # type: ignore[list-item]
    # Budget vs actual vs forecast by category and period.
    table: dict[tuple[dt.date, int | None], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        cell = table[(line.period_start, line.category_id)]
        cell["approved"] += line.approved_amount
        cell["current"] += line.current_amount
    for cost in item.costs:
        if cost.day <= status_date:
            table[(period_start(cost.day, kind), cost.category_id)]["actual"] += cost.amount
    for start, category_id, amount in item.forecasts:
        table[(start, category_id)]["forecast"] += amount
    for key, amount in computed_forecast(result, lines, kind).items():
        table[key]["computed"] += amount
    periods = [
        PeriodRow(
            period=start,
            category=categories[cid].name if cid in categories else "Unassigned",
            approved=cell["approved"],
            current=cell["current"],
            actual=round_money(cell["actual"]),
            forecast=cell["forecast"],
            computed_forecast=cell["computed"],
        )
        for (start, cid), cell in sorted(table.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))
    ]
    return FinanceTab(
        evm=result,
        curve=curve,
        eac_line=eac_line,
        periods=periods,
        trend=trend,
        settings=settings_,
        categories=categories,
    )


# --- roll-ups to program, portfolio and org unit ---------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRollupRow:
    """One project in the roll-up: its metrics converted into the reporting currency, and its flags."""

    project: Project
    metrics: evm.Metrics
    budget: Decimal
    forecast: Decimal
    flags: tuple[str, ...]


@dataclass(frozen=True)
class GroupRow:
    """A program, portfolio or org unit: summed values in the reporting currency, indices from the sums."""

    kind: str
    key: int | None
    label: str
    metrics: evm.Metrics
    budget: Decimal
    forecast: Decimal
    projects: int


@dataclass(frozen=True)
class Rollup:
    """The portfolio finance picture of a viewer at a status date, in one currency."""

    status_date: dt.date
    currency: str
    projects: list[ProjectRollupRow]
    total: evm.Metrics
    units: list[GroupRow]
    programs: list[GroupRow]
    portfolios: list[GroupRow]

    @property
    def flagged(self) -> list[ProjectRollupRow]:
        """Projects outside the PMO's thresholds."""
        return [row for row in self.projects if row.flags]


def _convert_metrics(m: evm.Metrics, rate: Decimal) -> evm.Metrics:
    etc = m.ETC_bottom_up
    return evm.metrics(
        bac=m.BAC * rate,
        pv=m.PV * rate,
        ev=m.EV * rate,
        ac=m.AC * rate,
        etc_bottom_up=None if etc is None else etc * rate,
    )


def _flags(m: evm.Metrics, cpi_min: Decimal, spi_min: Decimal) -> tuple[str, ...]:
    flags = []
    if m.CPI is not None and cpi_min > m.CPI:
        flags.append(f"CPI {m.CPI:.2f} < {cpi_min}")
    if m.SPI is not None and spi_min > m.SPI:
        flags.append(f"SPI {m.SPI:.2f} < {spi_min}")
    return tuple(flags)


def rollup_projects(
    projects: list[Project], status_date: dt.date, currency: str, units: dict[int, OrgUnit] | None = None
) -> Rollup:
    """The roll-up of `projects` (already scoped) at `status_date` in `currency`, in a fixed number of queries.

    Each project is taken as it stands at the status date (before its start: nothing planned or
    spent; after its finish: its values at completion). Its BAC, PV, EV, AC, ETC, budget and EAC are
    converted at the status date's rate; groups sum them and compute indices from the sums.
    """
    currencies = {p.currency for p in projects} | {currency}
    table = RateTable.load(
        currencies
        | set(
            Expense.objects.filter(project__in=[p.pk for p in projects])
            .values_list("currency", flat=True)
            .distinct()
        )
        | set(CostRate.objects.values_list("currency", flat=True).distinct()),
        until=status_date,
    )
    loaded = _load(projects, status_date, rates=table, progress_on=status_date)
    unit_paths = {p.org_unit_id: p.org_unit.path for p in projects}
    all_units = units if units is not None else {u.pk: u for u in OrgUnit.objects.all()}
    thresholds = {t.org_unit_id: (t.cpi_min, t.spi_min) for t in Thresholds.objects.all()}
    rows: list[ProjectRollupRow] = []
    groups: dict[tuple[str, int | None], list[tuple[evm.Metrics, Decimal, Decimal]]] = defaultdict(list)
    for project in projects:
        try:
            result = _evm_of(loaded[project.pk], status_date, with_schedule=False)
        except evm.EvmError as exc:
            raise ValidationError({exc.field: f"{project.code}: {exc}"}) from exc
        rate = table.rate(project.currency, currency, status_date)
        m = _convert_metrics(result.metrics, rate)
        budget = result.budget_current * rate
        forecast = result.eac * rate
        unit_ids = [int(part) for part in unit_paths[project.org_unit_id].split(".") if part]
        limit = next((thresholds[pk] for pk in reversed(unit_ids) if pk in thresholds), None)
        cpi_min, spi_min = limit or (DEFAULT_THRESHOLD, DEFAULT_THRESHOLD)
        rows.append(
            ProjectRollupRow(
                project, m, round_money(budget), round_money(forecast), _flags(m, cpi_min, spi_min)
            )
        )
        entry = (m, budget, forecast)
        for pk in unit_ids:
            groups[("unit", pk)].append(entry)
        if project.program_id:
            groups[("program", project.program_id)].append(entry)
            groups[("portfolio", project.program.portfolio_id)].append(entry)  # type: ignore[union-attr]

    def group(kind: str, key: int | None, label: str) -> GroupRow:
        entries = groups[(kind, key)]
        return GroupRow(
            kind=kind,
            key=key,
            label=label,
            metrics=evm.rollup(m for m, _, _ in entries),
            budget=round_money(sum((b for _, b, _ in entries), ZERO)),
            forecast=round_money(sum((f for _, _, f in entries), ZERO)),
            projects=len(entries),
        )

    programs = {p.program_id: p.program for p in projects if p.program_id}
    portfolios = {p.program.portfolio_id: p.program.portfolio for p in projects if p.program_id}  # type: ignore[union-attr]
    unit_keys = [pk for kind, pk in groups if kind == "unit" and pk in all_units]
    unit_groups = [
        group("unit", pk, str(all_units[pk]))
        for pk in sorted(unit_keys, key=lambda pk: all_units[pk].path)  # type: ignore[index]
    ]
    return Rollup(
        status_date=status_date,
        currency=currency,
        projects=rows,
        total=evm.rollup(row.metrics for row in rows),
        units=unit_groups,
        programs=[
            group("program", pk, str(p)) for pk, p in sorted(programs.items(), key=lambda kv: kv[1].code)
        ],
        portfolios=[
            group("portfolio", pk, str(p)) for pk, p in sorted(portfolios.items(), key=lambda kv: kv[1].code)
        ],
    )


def rollup_for_user(user: Any, status_date: dt.date | None = None, currency: str = "") -> Rollup:
    """The roll-up of the active projects the user may see, in their reporting currency (or `currency`)."""
    status_date = status_date or timezone.localdate()
    currency = (currency or reporting_currency(user)).upper()
    projects = list(
        scoping.visible(user, Project.objects.all())
        .exclude(status=Project.Status.CANCELLED)
        .select_related("org_unit", "program__portfolio")
        .order_by("code")
    )
    units = {u.pk: u for u in scoping.visible(user, OrgUnit.objects.all())}
    return rollup_projects(projects, status_date, currency, units)


def viewer_units(user: Any) -> QuerySet[Membership]:
    """The user's memberships (for choosing a reporting currency)."""
    return Membership.objects.filter(user=user).select_related("unit")
