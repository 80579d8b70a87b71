"""Capacity and demand by resource, role and skill, per ISO week or per month (selectors: scoped reads).

Units and conventions
---------------------
* Working time is counted in minutes; the interfaces show hours.
* A period is an ISO week (Monday to Sunday) or a calendar month; a window is ``periods`` consecutive
  periods from the one holding ``start``.
* **Capacity** of a resource in a period: the working minutes of its calendar in the period (its own
  calendar, else its home unit's, inherited up the unit tree; Keel's standard week when none is set),
  with the calendar's exceptions and holidays, × ``max_units`` / 100, minus leave (each leave day
  takes ``percent`` of that day's capacity).
* **Demand**: each task assignment's work (``work_minutes`` when set, else the task's duration ×
  units / 100) spread over the task's scheduled start..finish in proportion to the task's working
  time (the task's calendar, else the project's, else the project unit's; elapsed tasks in elapsed
  time), plus approved allocations (hours per week, spread over the week's working days of the
  resource's calendar). Requested allocations are counted apart as ``requested`` and never in the load.
* Only projects the user can see count, and only active, on-hold and closed ones; proposed projects
  count when ``include_proposed`` is on (the what-if switch); cancelled ones never.
* A generic role's capacity and demand are the role resource's own plus its member persons'; a
  skill's are those of the resources holding it (at ``min_level`` or above).

Everything is read in a fixed number of queries whatever the size of the portfolio (resources,
units, assignments, allocations, leave, skills, calendars) and computed in Python dictionaries.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from keel.core.errors import NotFound
from keel.core.pagination import Page
from keel.engines import calendars as engine_calendars
from keel.orgs import scoping
from keel.orgs.models import OrgUnit
from keel.portfolio.models import Project
from keel.resources.models import (
    Allocation,
    Assignment,
    Resource,
    ResourceLeave,
    ResourcePool,
    ResourceSkill,
    Skill,
    monday,
)
from keel.schedule import engine_bridge
from keel.schedule import selectors as schedule_selectors

WEEK = "week"
MONTH = "month"
GRANULARITIES = (WEEK, MONTH)
MAX_PERIODS = {WEEK: 104, MONTH: 36}
DEFAULT_PERIODS = {WEEK: 12, MONTH: 6}
DEMAND_STATUSES = (Project.Status.ACTIVE, Project.Status.ON_HOLD, Project.Status.CLOSED)
CAPACITY_KINDS = (Resource.Kind.PERSON, Resource.Kind.ROLE, Resource.Kind.EQUIPMENT)
OVER_TOLERANCE = 1.0
"""Minutes of demand above capacity that still count as fully loaded, not over-allocated (rounding)."""

TASK = "task"
ALLOCATION = "allocation"
REQUESTED = "requested"

_STANDARD = "standard"
_ELAPSED = "elapsed"


# --- periods -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """One column of a capacity view: an ISO week or a month, ``start`` inclusive, ``end`` exclusive."""

    key: str
    start: dt.date
    end: dt.date
    label: str


def _month_start(day: dt.date, months: int = 0) -> dt.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def periods_for(start: dt.date, count: int, granularity: str = WEEK) -> list[Period]:
    """`count` consecutive periods from the one holding `start`."""
    result = []
    if granularity == WEEK:
        first = monday(start)
        for n in range(count):
            begin = first + dt.timedelta(weeks=n)
            year, week, _ = begin.isocalendar()
            result.append(
                Period(
                    f"{year}-W{week:02d}", begin, begin + dt.timedelta(days=7), f"W{week:02d} {begin:%d %b}"
                )
            )
    else:
        for n in range(count):
            begin = _month_start(start, n)
            result.append(Period(f"{begin:%Y-%m}", begin, _month_start(begin, 1), f"{begin:%b %Y}"))
    return result


def period_for_key(key: str) -> tuple[dt.date, str]:
    """The first day and granularity of a period key ("2026-W10" or "2026-03"); ValueError if malformed."""
    text = key.strip()
    if "-W" in text:
        year, week = text.split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 1), WEEK
    year, month = text.split("-")
    if len(year) != 4 or len(month) != 2:
        raise ValueError(key)
    return dt.date(int(year), int(month), 1), MONTH


# --- filters -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapacityFilters:
    """What a capacity view covers: the window, the what-if switch and which resources."""

    start: dt.date | None = None
    periods: int | None = None
    granularity: str = WEEK
    include_proposed: bool = False
    pool: int | None = None
    role: int | None = None
    unit: int | None = None
    skill: int | None = None
    min_level: int = 1
    resource: int | None = None
    resource_ids: frozenset[int] | None = None

    def window(self) -> list[Period]:
        """The periods of the window (this week or month on when no start is given)."""
        start = self.start or timezone.localdate()
        count = self.periods or DEFAULT_PERIODS[self.granularity]
        return periods_for(start, count, self.granularity)


def check_filters(user: Any, filters: CapacityFilters) -> CapacityFilters:
    """Refuse filters that name nothing the user can see or are out of range (ValidationError per field)."""
    errors: dict[str, str] = {}
    if filters.granularity not in GRANULARITIES:
        errors["granularity"] = "Choose 'week' or 'month'."
    else:
        limit = MAX_PERIODS[filters.granularity]
        if filters.periods is not None and not 1 <= filters.periods <= limit:
            errors["periods"] = f"Give between 1 and {limit} {filters.granularity}s."
    if not 1 <= filters.min_level <= 5:
        errors["min_level"] = "A skill level runs from 1 to 5."
    if filters.start is not None and not dt.date(1900, 1, 1) <= filters.start <= dt.date(2999, 12, 1):
        errors["start"] = "Give a date between 1900 and 2999."
    lookups: dict[str, tuple[QuerySet[Any], str]] = {
        "pool": (scoping.visible(user, ResourcePool.objects.all()), "resource pool"),
        "role": (scoping.visible(user, Resource.objects.filter(kind=Resource.Kind.ROLE)), "generic role"),
        "unit": (scoping.visible(user, OrgUnit.objects.all()), "org unit"),
        "resource": (scoping.visible(user, Resource.objects.all()), "resource"),
        "skill": (scoping.visible(user, Skill.objects.all()), "skill"),
    }
    for name, (queryset, label) in lookups.items():
        pk = getattr(filters, name)
        if pk is not None and not queryset.filter(pk=pk).exists():
            errors[name] = f"There is no {label} with id {pk}."
    if errors:
        raise ValidationError(errors)
    return filters


# --- results -----------------------------------------------------------------------------------------


def hours(minutes: float) -> float:
    """Minutes as hours, rounded to the hundredth."""
    return round(minutes / 60, 2)


def load_percent(demand: float, capacity: float) -> float | None:
    """Demand as a percentage of capacity; None when there is no capacity (any demand is then over)."""
    if capacity <= 0:
        return None if demand > 0 else 0.0
    return round(100 * demand / capacity, 1)


def is_over(demand: float, capacity: float) -> bool:
    """Whether demand exceeds capacity (beyond a minute of rounding)."""
    return demand > capacity + OVER_TOLERANCE


@dataclass
class ResourceLoad:
    """One resource's capacity, demand and requested minutes per period of the window."""

    id: int
    code: str
    name: str
    kind: str
    role_id: int | None
    role_name: str
    pool_id: int
    pool_code: str
    home_unit_id: int
    max_units: int
    capacity: list[float]
    demand: list[float]
    requested: list[float]

    def load(self, index: int) -> float | None:
        """Load of one period in percent (None: demand without capacity)."""
        return load_percent(self.demand[index], self.capacity[index])

    def over(self, index: int) -> bool:
        """Whether the resource is over-allocated in one period."""
        return is_over(self.demand[index], self.capacity[index])

    def free(self, index: int) -> float:
        """Minutes left in one period (never negative)."""
        return max(0.0, self.capacity[index] - self.demand[index])


@dataclass(frozen=True)
class DemandLine:
    """One task assignment or allocation behind a resource's demand in a period."""

    source: str  # TASK, ALLOCATION (approved) or REQUESTED
    project_id: int
    project_code: str
    project_name: str
    project_status: str
    task_id: int | None
    task_name: str
    minutes: float


@dataclass
class CapacityMatrix:
    """Resources × periods: the numbers behind the heatmap, its table and its export."""

    filters: CapacityFilters
    periods: list[Period]
    rows: list[ResourceLoad]
    lines: dict[tuple[int, int], list[DemandLine]] = field(default_factory=dict)

    def lines_for(self, resource_id: int, index: int) -> list[DemandLine]:
        """The demand lines of one cell, largest first (empty unless computed with detail)."""
        return sorted(self.lines.get((resource_id, index), []), key=lambda line: -line.minutes)


# --- calendars as day tables -------------------------------------------------------------------------


class _DayTable:
    """A calendar's working minutes per day over a range of days, with prefix sums for fast spans."""

    def __init__(self, calendar: engine_calendars.Calendar, first: dt.date, last: dt.date) -> None:
        self.first = first
        exceptions = calendar.exception_days(last)
        self.intervals: list[engine_calendars.Intervals] = []
        self.prefix = [0]
        day = first
        while day <= last:
            intervals = calendar.intervals_on(day, exceptions)
            self.intervals.append(intervals)
            self.prefix.append(self.prefix[-1] + sum(end - start for start, end in intervals))
            day += dt.timedelta(days=1)
        self.size = len(self.intervals)
        self._bounds: dict[tuple[dt.date, int, dt.date], list[int]] = {}

    def day_minutes(self, day: dt.date) -> int:
        """Working minutes of one day (0 outside the table)."""
        index = (day - self.first).days
        if 0 <= index < self.size:
            return self.prefix[index + 1] - self.prefix[index]
        return 0

    def before(self, when: dt.datetime) -> int:
        """Working minutes from the table's first midnight up to `when` (naive local time), clamped."""
        index = (when.date() - self.first).days
        if index < 0:
            return 0
        if index >= self.size:
            return self.prefix[-1]
        minute = when.hour * 60 + when.minute
        if minute == 0:
            return self.prefix[index]
        within = sum(max(0, min(end, minute) - start) for start, end in self.intervals[index])
        return self.prefix[index] + within

    def between(self, start: dt.datetime, finish: dt.datetime) -> int:
        """Working minutes from `start` to `finish`."""
        return max(0, self.before(finish) - self.before(start))

    def dates(self, start: dt.date, end: dt.date) -> int:
        """Working minutes of the days from `start` up to `end` exclusive."""
        return max(0, self.at_day(end) - self.at_day(start))

    def at_day(self, day: dt.date) -> int:
        """Working minutes from the table's first midnight up to `day`'s midnight, clamped."""
        return self.prefix[min(max((day - self.first).days, 0), self.size)]

    def bounds(self, periods: Sequence[Period]) -> list[int]:
        """`at_day` of each period's first day and of the last period's end (cached per window)."""
        key = (periods[0].start, len(periods), periods[-1].end)
        cached = self._bounds.get(key)
        if cached is None:
            cached = [self.at_day(p.start) for p in periods] + [self.at_day(periods[-1].end)]
            self._bounds[key] = cached
        return cached


def _parse_utc(text: str) -> dt.datetime:
    """A datetime column read as text (UTC; naive on SQLite, "+00" on PostgreSQL) as an aware datetime."""
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


# --- reading rows ------------------------------------------------------------------------------------


def _statuses(include_proposed: bool) -> tuple[str, ...]:
    return (*DEMAND_STATUSES, Project.Status.PROPOSED) if include_proposed else DEMAND_STATUSES


def resources_for_user(user: Any, filters: CapacityFilters) -> QuerySet[Resource]:
    """Active person, role and equipment resources the user can see, narrowed by the filters."""
    queryset = scoping.visible(user, Resource.objects.filter(is_active=True, kind__in=CAPACITY_KINDS))
    if filters.pool is not None:
        queryset = queryset.filter(pool_id=filters.pool)
    if filters.role is not None:
        queryset = queryset.filter(Q(pk=filters.role) | Q(role_id=filters.role))
    if filters.unit is not None:
        unit_path = OrgUnit.objects.filter(pk=filters.unit).values("path")[:1]
        paths = list(unit_path)
        prefix = paths[0]["path"] if paths else "-"
        queryset = queryset.filter(home_unit__path__startswith=prefix)
    if filters.skill is not None:
        queryset = queryset.filter(skills__skill_id=filters.skill, skills__level__gte=filters.min_level)
    if filters.resource is not None:
        queryset = queryset.filter(pk=filters.resource)
    if filters.resource_ids is not None:
        queryset = queryset.filter(pk__in=sorted(filters.resource_ids))
    return queryset


_RESOURCE_FIELDS = (
    "id",
    "code",
    "name",
    "kind",
    "role_id",
    "role__name",
    "pool_id",
    "pool__code",
    "home_unit_id",
    "calendar_id",
    "max_units",
)


@dataclass
class _Units:
    """Every org unit's effective calendar and time zone, inherited down the tree (one query)."""

    calendar: dict[int, int | None]
    zone: dict[int, str]

    @classmethod
    def load(cls) -> _Units:
        rows = list(OrgUnit.objects.values_list("id", "path", "calendar_id", "location__time_zone"))
        own_calendar = {pk: cal for pk, _, cal, _ in rows}
        own_zone = {pk: zone for pk, _, _, zone in rows}
        calendar: dict[int, int | None] = {}
        zone: dict[int, str] = {}
        for pk, path, _, _ in rows:
            chain = [int(part) for part in path.split(".") if part]
            calendar[pk] = next((own_calendar[a] for a in reversed(chain) if own_calendar.get(a)), None)
            zone[pk] = next((own_zone[a] for a in reversed(chain) if own_zone.get(a)), settings.TIME_ZONE)
        return cls(calendar, zone)


def _compute(
    user: Any,
    filters: CapacityFilters,
    resource_rows: Sequence[dict[str, Any]],
    *,
    detail: bool = False,
) -> CapacityMatrix:
    """Capacity, demand and requested minutes of `resource_rows` over the filters' window."""
    periods = filters.window()
    window_start, window_end = periods[0].start, periods[-1].end
    starts = [p.start for p in periods]
    statuses = _statuses(filters.include_proposed)
    resource_ids = [row["id"] for row in resource_rows]
    if not resource_ids:
        return CapacityMatrix(filters, periods, [])
    wanted = resources_for_user(user, filters).values("pk")
    units = _Units.load()

    # Tasks running in the window (a day's margin each side for the zones), of visible projects.
    margin = dt.timedelta(days=1)
    utc = dt.UTC
    assignments = list(
        scoping.visible(user, Assignment.objects.all())
        .filter(
            resource__in=wanted,
            task__start__lt=dt.datetime.combine(window_end + margin, dt.time.min, tzinfo=utc),
            task__finish__gt=dt.datetime.combine(window_start - margin, dt.time.min, tzinfo=utc),
            task__project__status__in=statuses,
        )
        # Read as text and parsed below: Django's per-value datetime conversion is most of the read time.
        .annotate(start_text=Cast("task__start", CharField()), finish_text=Cast("task__finish", CharField()))
        .values_list(
            "resource_id",
            "units",
            "work_minutes",
            "task_id",
            "task__name",
            "start_text",
            "finish_text",
            "task__duration_minutes",
            "task__elapsed",
            "task__calendar_id",
            "task__project_id",
            "task__project__code",
            "task__project__name",
            "task__project__status",
            "task__project__org_unit_id",
            "task__project__schedule__calendar_id",
            "task__project__schedule__time_zone",
        )
    )
    allocations = list(
        scoping.visible(user, Allocation.objects.all())
        .filter(
            resource__in=wanted,
            status__in=(Allocation.Status.APPROVED, Allocation.Status.REQUESTED),
            start_week__lt=window_end,
            end_week__gte=window_start - dt.timedelta(days=6),
            project__status__in=statuses,
        )
        .values_list(
            "resource_id",
            "project_id",
            "project__code",
            "project__name",
            "project__status",
            "start_week",
            "end_week",
            "hours_per_week",
            "status",
        )
    )
    leaves = list(
        ResourceLeave.objects.filter(
            resource__in=wanted, start_date__lt=window_end, end_date__gte=window_start
        ).values_list("resource_id", "start_date", "end_date", "percent")
    )

    # Local task spans and the calendar each one runs on.
    spans = []
    first_day, last_day = window_start, window_end
    default_zone = settings.TIME_ZONE
    zones: dict[str, ZoneInfo] = {}
    for row in assignments:
        (_, _, _, _, _, start, finish, _, elapsed, task_cal, _, _, _, _, unit_id, sched_cal, zone) = row
        if start is None or finish is None:
            continue
        start, finish = _parse_utc(start), _parse_utc(finish)
        name = zone or units.zone.get(unit_id) or default_zone
        tz = zones.get(name)
        if tz is None:
            tz = zones[name] = ZoneInfo(name)
        local_start = start.astimezone(tz).replace(tzinfo=None)
        local_finish = finish.astimezone(tz).replace(tzinfo=None)
        if elapsed:
            key: Any = _ELAPSED
        else:
            key = task_cal or sched_cal or units.calendar.get(unit_id) or _STANDARD
        spans.append((row, local_start, local_finish, key))
        first_day = min(first_day, local_start.date())
        last_day = max(last_day, local_finish.date() + dt.timedelta(days=1))

    resource_calendar = {
        row["id"]: row["calendar_id"] or units.calendar.get(row["home_unit_id"]) or _STANDARD
        for row in resource_rows
    }
    calendar_ids = {key for key in resource_calendar.values() if isinstance(key, int)}
    calendar_ids |= {key for *_, key in spans if isinstance(key, int)}
    engine = {pk: cal for pk, cal in schedule_selectors.engine_calendars_by_pk(calendar_ids).items()}
    engine[_STANDARD] = engine_bridge.engine_calendar(None)
    engine[_ELAPSED] = engine_calendars.continuous_calendar()
    tables: dict[Any, _DayTable] = {}

    def table(key: Any) -> _DayTable:
        if key not in tables:
            tables[key] = _DayTable(engine.get(key, engine[_STANDARD]), first_day, last_day)
        return tables[key]

    def period_index(day: dt.date) -> int:
        return bisect_right(starts, day) - 1

    n = len(periods)
    by_id: dict[int, ResourceLoad] = {}
    for row in resource_rows:
        days = table(resource_calendar[row["id"]])
        factor = row["max_units"] / 100
        by_id[row["id"]] = ResourceLoad(
            id=row["id"],
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            role_id=row["role_id"],
            role_name=row["role__name"] or "",
            pool_id=row["pool_id"],
            pool_code=row["pool__code"],
            home_unit_id=row["home_unit_id"],
            max_units=row["max_units"],
            capacity=[(high - low) * factor for low, high in pairwise(days.bounds(periods))],
            demand=[0.0] * n,
            requested=[0.0] * n,
        )

    for resource_id, start, end, percent in leaves:
        load = by_id.get(resource_id)
        if load is None:
            continue
        days = table(resource_calendar[resource_id])
        factor = load.max_units / 100 * percent / 100
        day = max(start, window_start)
        while day <= end and day < window_end:
            load.capacity[period_index(day)] -= days.day_minutes(day) * factor
            day += dt.timedelta(days=1)
    for resource_id in {leave[0] for leave in leaves}:
        if resource_id in by_id:
            by_id[resource_id].capacity = [max(0.0, value) for value in by_id[resource_id].capacity]

    lines: dict[tuple[int, int], list[DemandLine]] = defaultdict(list)
    rates: dict[tuple[int, Any], list[float]] = {}
    for row, local_start, local_finish, key in spans:
        (resource_id, units_pct, work, task_id, task_name, _, _, duration, _, _, project_id) = row[:11]
        load = by_id.get(resource_id)
        if load is None:
            continue
        total = work if work else duration * units_pct / 100
        if total <= 0:
            continue
        days = table(key)
        low, high = days.before(local_start), days.before(local_finish)
        if high <= low:  # no working time in the span: spread over elapsed time instead
            key = _ELAPSED
            days = table(key)
            low, high = days.before(local_start), days.before(local_finish)
        bounds = days.bounds(periods)
        span = high - low
        if span <= 0:  # a zero-length task carrying work: all of it on its day
            index = period_index(local_start.date())
            if 0 <= index < n and local_start.date() < window_end:
                load.demand[index] += total
                if detail:
                    lines[(resource_id, index)].append(
                        DemandLine(TASK, project_id, row[11], row[12], row[13], task_id, task_name, total)
                    )
            continue
        rate = total / span
        if detail:
            for index in range(max(0, period_index(local_start.date())), n):
                if bounds[index] > high:
                    break
                minutes = rate * (min(high, bounds[index + 1]) - max(low, bounds[index]))
                if minutes > 0:
                    load.demand[index] += minutes
                    lines[(resource_id, index)].append(
                        DemandLine(TASK, project_id, row[11], row[12], row[13], task_id, task_name, minutes)
                    )
            continue
        # The periods holding the start and the finish get their share; those wholly inside the span
        # get rate × their working minutes, added once per resource and calendar at the end.
        first = period_index(local_start.date())
        last = period_index(local_finish.date()) if local_finish.date() < window_end else n
        for index in {first, last}:
            if 0 <= index < n:
                load.demand[index] += max(
                    0.0, rate * (min(high, bounds[index + 1]) - max(low, bounds[index]))
                )
        inner_first, inner_last = max(first + 1, 0), min(last - 1, n - 1)
        if inner_first <= inner_last:
            steps = rates.get((resource_id, key))
            if steps is None:
                steps = rates[(resource_id, key)] = [0.0] * (n + 1)
            steps[inner_first] += rate
            steps[inner_last + 1] -= rate

    for (resource_id, key), steps in rates.items():
        bounds = tables[key].bounds(periods)
        demand = by_id[resource_id].demand
        running = 0.0
        for index in range(n):
            running += steps[index]
            if running:
                demand[index] += running * (bounds[index + 1] - bounds[index])

    for resource_id, project_id, code, name, status, first, last, per_week, alloc_status in allocations:
        load = by_id.get(resource_id)
        if load is None:
            continue
        weekly = float(per_week) * 60
        source = ALLOCATION if alloc_status == Allocation.Status.APPROVED else REQUESTED
        target = load.demand if source == ALLOCATION else load.requested
        days = table(resource_calendar[resource_id])
        spread: dict[int, float] = defaultdict(float)
        week = first
        while week <= last:
            if week < window_end and week + dt.timedelta(days=7) > window_start:
                if filters.granularity == WEEK:
                    spread[period_index(week)] += weekly
                else:
                    week_minutes = days.dates(week, week + dt.timedelta(days=7))
                    for offset in range(7):
                        day = week + dt.timedelta(days=offset)
                        if not window_start <= day < window_end:
                            continue
                        share = days.day_minutes(day) / week_minutes if week_minutes > 0 else 1 / 7
                        spread[period_index(day)] += weekly * share
            week += dt.timedelta(days=7)
        for index, minutes in spread.items():
            if minutes <= 0:
                continue
            target[index] += minutes
            if detail:
                lines[(resource_id, index)].append(
                    DemandLine(source, project_id, code, name, status, None, "", minutes)
                )

    return CapacityMatrix(filters, periods, [by_id[row["id"]] for row in resource_rows], dict(lines))


def _rows(user: Any, filters: CapacityFilters) -> list[dict[str, Any]]:
    return list(resources_for_user(user, filters).order_by("name", "code").values(*_RESOURCE_FIELDS))


# --- the views' selectors ----------------------------------------------------------------------------


def capacity_matrix_for_user(user: Any, filters: CapacityFilters, *, detail: bool = False) -> CapacityMatrix:
    """The heatmap's numbers: every filtered resource's capacity, demand and requested per period."""
    check_filters(user, filters)
    return _compute(user, filters, _rows(user, filters), detail=detail)


@dataclass(frozen=True)
class CellDetail:
    """What lies behind one heatmap cell: the resource, the period, its numbers and its demand lines."""

    resource: ResourceLoad
    period: Period
    index: int
    lines: list[DemandLine]

    @property
    def capacity(self) -> float:
        return self.resource.capacity[self.index]

    @property
    def demand(self) -> float:
        return self.resource.demand[self.index]

    @property
    def requested(self) -> float:
        return self.resource.requested[self.index]

    @property
    def load(self) -> float | None:
        return self.resource.load(self.index)

    @property
    def over(self) -> bool:
        return self.resource.over(self.index)


def cell_detail_for_user(
    user: Any, resource_id: int, period_start: dt.date, filters: CapacityFilters
) -> CellDetail:
    """One resource in one period (the period holding `period_start`); NotFound out of scope."""
    scoped = replace(filters, start=period_start, periods=1, resource=None, resource_ids=None)
    check_filters(user, scoped)
    one = replace(scoped, pool=None, role=None, unit=None, skill=None, resource=resource_id)
    rows = _rows(user, one)
    if not rows:
        raise NotFound("resource")
    matrix = _compute(user, one, rows, detail=True)
    return CellDetail(matrix.rows[0], matrix.periods[0], 0, matrix.lines_for(resource_id, 0))


def demand_lines_for_user(
    user: Any, filters: CapacityFilters
) -> list[tuple[ResourceLoad, Period, DemandLine]]:
    """Every demand line of the filtered resources over the window, by resource, period, largest first."""
    matrix = capacity_matrix_for_user(user, filters, detail=True)
    result = []
    for row in matrix.rows:
        for index, period in enumerate(matrix.periods):
            result.extend((row, period, line) for line in matrix.lines_for(row.id, index))
    return result


# --- roles and skills --------------------------------------------------------------------------------


@dataclass
class GroupLoad:
    """A role's or a skill's capacity, demand and requested minutes per period, with its resources."""

    id: int
    name: str
    members: list[ResourceLoad]
    capacity: list[float]
    demand: list[float]
    requested: list[float]

    def load(self, index: int) -> float | None:
        return load_percent(self.demand[index], self.capacity[index])

    def over(self, index: int) -> bool:
        return is_over(self.demand[index], self.capacity[index])


def _sum(loads: Iterable[ResourceLoad], n: int, attr: str) -> list[float]:
    total = [0.0] * n
    for load in loads:
        for index, value in enumerate(getattr(load, attr)):
            total[index] += value
    return total


def _group(pk: int, name: str, members: list[ResourceLoad], n: int) -> GroupLoad:
    return GroupLoad(
        pk,
        name,
        members,
        _sum(members, n, "capacity"),
        _sum(members, n, "demand"),
        _sum(members, n, "requested"),
    )


@dataclass
class GroupMatrix:
    """Roles (or skills) × periods."""

    filters: CapacityFilters
    periods: list[Period]
    groups: list[GroupLoad]


def role_capacity_for_user(user: Any, filters: CapacityFilters) -> GroupMatrix:
    """Each visible generic role (or the filtered one): its own plus its members' capacity and demand."""
    check_filters(user, filters)
    base = resources_for_user(user, replace(filters, role=None)).filter(
        Q(kind=Resource.Kind.ROLE) | Q(role__isnull=False)
    )
    if filters.role is not None:
        base = base.filter(Q(pk=filters.role) | Q(role_id=filters.role))
    rows = list(base.order_by("name", "code").values(*_RESOURCE_FIELDS))
    matrix = _compute(user, filters, rows)
    n = len(matrix.periods)
    roles = [load for load in matrix.rows if load.kind == Resource.Kind.ROLE]
    members: dict[int, list[ResourceLoad]] = defaultdict(list)
    for load in matrix.rows:
        if load.role_id is not None:
            members[load.role_id].append(load)
    # A role outside the user's view still groups its visible members, under its name.
    names = {load.role_id: load.role_name for load in matrix.rows if load.role_id is not None}
    groups = [_group(role.id, role.name, [role, *members.pop(role.id, [])], n) for role in roles]
    groups += [_group(pk, names[pk], loads, n) for pk, loads in members.items()]
    groups.sort(key=lambda group: group.name)
    return GroupMatrix(filters, matrix.periods, groups)


def skill_capacity_for_user(user: Any, filters: CapacityFilters) -> GroupMatrix:
    """Each skill (or the filtered one): the capacity and demand of the resources holding it."""
    check_filters(user, filters)
    rows = _rows(user, replace(filters, skill=None))
    holders = ResourceSkill.objects.filter(
        resource__in=resources_for_user(user, replace(filters, skill=None)).values("pk"),
        level__gte=filters.min_level,
    )
    if filters.skill is not None:
        holders = holders.filter(skill_id=filters.skill)
    pairs = list(holders.values_list("skill_id", "skill__name", "resource_id"))
    held = {resource_id for _, _, resource_id in pairs}
    matrix = _compute(user, filters, [row for row in rows if row["id"] in held])
    by_id = {load.id: load for load in matrix.rows}
    members: dict[tuple[str, int], list[ResourceLoad]] = defaultdict(list)
    for skill_id, name, resource_id in pairs:
        members[(name, skill_id)].append(by_id[resource_id])
    n = len(matrix.periods)
    groups = [_group(pk, name, loads, n) for (name, pk), loads in sorted(members.items())]
    return GroupMatrix(filters, matrix.periods, groups)


# --- over-allocations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """Another resource with the same role or a shared skill who has room in the period."""

    resource: ResourceLoad
    free_minutes: float
    reason: str


@dataclass
class OverAllocation:
    """A resource loaded beyond its capacity in a period: the cause and who could take some of it."""

    resource: ResourceLoad
    period: Period
    index: int
    lines: list[DemandLine] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def capacity(self) -> float:
        return self.resource.capacity[self.index]

    @property
    def demand(self) -> float:
        return self.resource.demand[self.index]

    @property
    def excess(self) -> float:
        return self.demand - self.capacity

    @property
    def load(self) -> float | None:
        return self.resource.load(self.index)


@dataclass(frozen=True)
class OverAllocationPage:
    """One page of the over-allocation list (the most excessive first)."""

    filters: CapacityFilters
    periods: list[Period]
    items: list[OverAllocation]
    number: int
    size: int
    count: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return 0 if self.count == 0 else (self.number - 1) * self.size + 1

    @property
    def last_index(self) -> int:
        return min(self.count, self.number * self.size)


MAX_SUGGESTIONS = 5


def overallocations_for_user(
    user: Any, filters: CapacityFilters, *, page: int = 1, size: int = 25
) -> OverAllocationPage:
    """The filtered resources' over-allocated periods, most excessive first, with cause and suggestions.

    Suggestions come from every active resource the user can see (any pool) that fills the same
    generic role, or is that role's member, or holds one of the resource's skills, and has free time in
    the period; the freest first.
    """
    check_filters(user, filters)
    everyone = replace(filters, pool=None, role=None, unit=None, skill=None, resource=None, resource_ids=None)
    all_rows = _rows(user, everyone)
    listed = set(resources_for_user(user, filters).values_list("pk", flat=True))
    matrix = _compute(user, everyone, all_rows)
    found = [
        OverAllocation(load, period, index)
        for load in matrix.rows
        if load.id in listed
        for index, period in enumerate(matrix.periods)
        if load.over(index)
    ]
    found.sort(key=lambda item: (-item.excess, item.period.start, item.resource.name))
    size = max(1, min(size, 500))
    count = len(found)
    number = max(1, min(page, max(1, -(-count // size))))
    items = found[(number - 1) * size : number * size]
    if items:
        ids = frozenset(item.resource.id for item in items)
        detailed = _compute(
            user, replace(everyone, resource_ids=ids), [r for r in all_rows if r["id"] in ids], detail=True
        )
        skills: dict[int, set[str]] = defaultdict(set)
        for resource_id, name in ResourceSkill.objects.filter(
            resource__in=resources_for_user(user, everyone).values("pk")
        ).values_list("resource_id", "skill__name"):
            skills[resource_id].add(name)
        by_id = {load.id: load for load in matrix.rows}
        for item in items:
            item.lines = detailed.lines_for(item.resource.id, item.index)
            item.suggestions = _suggest(item, by_id, skills)
    return OverAllocationPage(filters, matrix.periods, items, number, size, count)


def _suggest(
    item: OverAllocation, by_id: dict[int, ResourceLoad], skills: dict[int, set[str]]
) -> list[Suggestion]:
    """Other resources with the same role or a shared skill and free time in the item's period."""
    me = item.resource
    my_roles = {me.role_id} if me.role_id else set()
    if me.kind == Resource.Kind.ROLE:
        my_roles.add(me.id)
    role_name = me.name if me.kind == Resource.Kind.ROLE else me.role_name
    kind = Resource.Kind.EQUIPMENT if me.kind == Resource.Kind.EQUIPMENT else Resource.Kind.PERSON
    mine = skills.get(me.id, set())
    result = []
    for other in by_id.values():
        if other.id == me.id or other.kind != kind:
            continue
        free = other.free(item.index)
        if free < 60:  # less than an hour of room is no help
            continue
        reasons = []
        if other.role_id is not None and other.role_id in my_roles:
            reasons.append(f"same role ({role_name})")
        shared = sorted(mine & skills.get(other.id, set()))
        if shared:
            reasons.append("shares " + ", ".join(shared))
        if reasons:
            result.append(Suggestion(other, free, "; ".join(reasons)))
    result.sort(key=lambda s: (-s.free_minutes, s.resource.name))
    return result[:MAX_SUGGESTIONS]


# --- pages ---------------------------------------------------------------------------------------------


def heatmap_page_for_user(
    user: Any, filters: CapacityFilters, *, page: int = 1, size: int = 50
) -> tuple[CapacityMatrix, Page]:
    """One page of the heatmap's resources (by name) with their numbers; only that page is computed."""
    check_filters(user, filters)
    rows = _rows(user, filters)
    size = max(1, min(size, 500))
    count = len(rows)
    number = max(1, min(page, max(1, -(-count // size))))
    chosen = rows[(number - 1) * size : number * size]
    ids = frozenset(row["id"] for row in chosen)
    matrix = _compute(user, replace(filters, resource_ids=ids), chosen)
    return matrix, Page(items=matrix.rows, number=number, size=size, count=count)


@dataclass(frozen=True)
class FilterChoices:
    """What the capacity pages' filters offer: the pools, roles, units and skills the user can see."""

    pools: list[tuple[int, str]]
    roles: list[tuple[int, str]]
    units: list[tuple[int, str]]
    skills: list[tuple[int, str]]


def filter_choices_for_user(user: Any) -> FilterChoices:
    """The choices of the capacity filters (four queries)."""
    pools = scoping.visible(user, ResourcePool.objects.all()).values_list("pk", "code", "name")
    roles = scoping.visible(user, Resource.objects.filter(kind=Resource.Kind.ROLE, is_active=True))
    units = scoping.visible(user, OrgUnit.objects.all()).values_list("pk", "code", "name")
    skills = scoping.visible(user, Skill.objects.all()).order_by("name").values_list("pk", "name")
    return FilterChoices(
        pools=[(pk, f"{code} — {name}") for pk, code, name in pools],
        roles=list(roles.order_by("name").values_list("pk", "name")),
        units=[(pk, f"{code} — {name}") for pk, code, name in units],
        skills=list(skills),
    )
