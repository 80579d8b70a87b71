"""Capacity and demand by resource, role and skill: the numbers behind the heatmap, the role chart and
the over-allocation list, with the same filters as the pages (see docs/capacity.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from keel.core.api import LIST_ERRORS, Id, PageParams, page_of, responses
from keel.core.errors import validation_errors
from keel.resources import capacity as selectors

capacity = Router(tags=["capacity"])

T = TypeVar("T")


# --- schemas -------------------------------------------------------------------------------------------


class CapacityFilterIn(Schema):
    """The window, the what-if switch and which resources to count."""

    start: dt.date | None = Field(
        None, description="A day in the first period (default: today); the window starts at its week or month"
    )
    periods: int | None = Field(
        None, ge=1, le=104, description="How many weeks (at most 104) or months (at most 36); default 12 or 6"
    )
    granularity: Literal["week", "month"] = Field("week", description="ISO weeks or calendar months")
    include_proposed: bool = Field(False, description="Count the demand of proposed projects too (what-if)")
    pool: Id | None = Field(None, description="A resource pool id")
    role: Id | None = Field(None, description="A generic role's resource id: the role and its members")
    unit: Id | None = Field(None, description="An org unit id: resources whose home unit lies in its subtree")
    skill: Id | None = Field(None, description="A skill id: resources holding it")
    min_level: int = Field(1, ge=1, le=5, description="The lowest skill level that counts")


class DemandFilterIn(CapacityFilterIn):
    """The capacity filters, one resource and one period: the demand behind one heatmap cell."""

    resource: Id | None = Field(None, description="A resource id")
    period: str | None = Field(
        None,
        pattern=r"^[0-9]{4}-(W[0-9]{2}|[0-9]{2})$",
        description='One period, "2026-W11" (an ISO week) or "2026-03" (a month); replaces start and periods',
    )


class PeriodOut(Schema):
    """An ISO week or a month: its key, its first day and the day after its last."""

    key: str
    start: dt.date
    end: dt.date
    label: str


class SeriesOut(Schema):
    """Per period of the window, in hours: one number per period in each list."""

    capacity_hours: list[float]
    demand_hours: list[float]
    requested_hours: list[float] = Field(..., description="Requested allocations, not counted in the load")
    load_percent: list[float | None] = Field(
        ..., description="Demand / capacity; null for demand without capacity"
    )
    over: list[bool] = Field(..., description="Demand above capacity")


class ResourceRowOut(SeriesOut):
    """A resource's row of the heatmap."""

    id: int
    code: str
    name: str
    kind: str
    pool_id: int
    pool_code: str
    role_id: int | None
    role_name: str
    max_units: int


class HeatmapOut(Schema):
    """Resources × periods."""

    granularity: str
    include_proposed: bool
    periods: list[PeriodOut]
    rows: list[ResourceRowOut]


class GroupRowOut(SeriesOut):
    """A generic role's or a skill's capacity and demand (its resources summed)."""

    id: int
    name: str
    resource_ids: list[int]


class GroupsOut(Schema):
    """Roles (or skills) × periods."""

    granularity: str
    include_proposed: bool
    periods: list[PeriodOut]
    groups: list[GroupRowOut]


class DemandLineOut(Schema):
    """A task assignment or an allocation behind a resource's demand in a period."""

    resource_id: int
    resource_code: str
    resource_name: str
    period: str
    source: Literal["task", "allocation", "requested"]
    project_id: int
    project_code: str
    project_name: str
    project_status: str
    task_id: int | None
    task_name: str
    hours: float


class SuggestionOut(Schema):
    """Someone with the same role or a shared skill and free hours in the period."""

    resource_id: int
    resource_code: str
    resource_name: str
    free_hours: float
    reason: str


class OverAllocationOut(Schema):
    """A resource over capacity in a period: by how much, why, and who could help."""

    resource_id: int
    resource_code: str
    resource_name: str
    period: PeriodOut
    capacity_hours: float
    demand_hours: float
    excess_hours: float
    load_percent: float | None
    lines: list[DemandLineOut]
    suggestions: list[SuggestionOut]


# --- conversions ---------------------------------------------------------------------------------------


def _filters(params: CapacityFilterIn, **changes: Any) -> selectors.CapacityFilters:
    values = params.dict()
    values.pop("resource", None)
    values.pop("period", None)
    values.update(changes)
    return selectors.CapacityFilters(**values)


def _answer(call: Callable[[], T]) -> T:
    """Run a selector; its filter errors become 422s located in the query string."""
    try:
        return call()
    except ValidationError as exc:
        items = [
            {"loc": ["query", name], "msg": message, "type": "value_error"}
            for name, messages in validation_errors(exc).items()
            for message in messages
        ]
        raise NinjaValidationError(items) from exc


def _period(period: selectors.Period) -> dict[str, Any]:
    return {"key": period.key, "start": period.start, "end": period.end, "label": period.label}


def _series(load: Any, n: int) -> dict[str, list[Any]]:
    capacity, demand = load.capacity, load.demand
    return {
        "capacity_hours": [round(value / 60, 2) for value in capacity],
        "demand_hours": [round(value / 60, 2) for value in demand],
        "requested_hours": [round(value / 60, 2) for value in load.requested],
        "load_percent": [
            round(100 * d / c, 1) if c > 0 else (None if d > 0 else 0.0)
            for d, c in zip(demand, capacity, strict=True)
        ],
        "over": [d > c + selectors.OVER_TOLERANCE for d, c in zip(demand, capacity, strict=True)],
    }


def _line(
    resource: selectors.ResourceLoad, period: selectors.Period, line: selectors.DemandLine
) -> dict[str, Any]:
    return {
        "resource_id": resource.id,
        "resource_code": resource.code,
        "resource_name": resource.name,
        "period": period.key,
        "source": line.source,
        "project_id": line.project_id,
        "project_code": line.project_code,
        "project_name": line.project_name,
        "project_status": line.project_status,
        "task_id": line.task_id,
        "task_name": line.task_name,
        "hours": selectors.hours(line.minutes),
    }


def _groups(matrix: selectors.GroupMatrix) -> dict[str, Any]:
    n = len(matrix.periods)
    return {
        "granularity": matrix.filters.granularity,
        "include_proposed": matrix.filters.include_proposed,
        "periods": [_period(p) for p in matrix.periods],
        "groups": [
            {"id": g.id, "name": g.name, "resource_ids": [m.id for m in g.members], **_series(g, n)}
            for g in matrix.groups
        ],
    }


# --- endpoints -----------------------------------------------------------------------------------------


@capacity.get(
    "/capacity/heatmap", response=responses({200: HeatmapOut}, LIST_ERRORS), summary="Utilization heatmap"
)
def heatmap(request: HttpRequest, filters: Query[CapacityFilterIn]) -> Any:
    """Capacity, demand, requested hours and load of every resource you can see, per week or month."""
    matrix = _answer(lambda: selectors.capacity_matrix_for_user(request.auth, _filters(filters)))
    n = len(matrix.periods)
    return {
        "granularity": matrix.filters.granularity,
        "include_proposed": matrix.filters.include_proposed,
        "periods": [_period(p) for p in matrix.periods],
        "rows": [
            {
                "id": r.id,
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "pool_id": r.pool_id,
                "pool_code": r.pool_code,
                "role_id": r.role_id,
                "role_name": r.role_name,
                "max_units": r.max_units,
                **_series(r, n),
            }
            for r in matrix.rows
        ],
    }


@capacity.get(
    "/capacity/demand",
    response=responses({200: page_of(DemandLineOut)}, LIST_ERRORS),
    summary="Demand behind the heatmap",
)
def demand_lines(request: HttpRequest, filters: Query[DemandFilterIn], paging: Query[PageParams]) -> Any:
    """The task assignments and allocations behind each resource's demand; name a resource and a period
    for one heatmap cell."""
    changes: dict[str, Any] = {"resource": filters.resource}
    if filters.period is not None:
        try:
            start, granularity = selectors.period_for_key(filters.period)
        except ValueError as exc:
            item = {
                "loc": ["query", "period"],
                "msg": "Not a week or month that exists.",
                "type": "value_error",
            }
            raise NinjaValidationError([item]) from exc
        changes.update(start=start, periods=1, granularity=granularity)
    lines = _answer(lambda: selectors.demand_lines_for_user(request.auth, _filters(filters, **changes)))
    size = paging.page_size
    pages = max(1, -(-len(lines) // size))
    number = min(paging.page, pages)
    chosen = lines[(number - 1) * size : number * size]
    return {
        "items": [_line(*entry) for entry in chosen],
        "count": len(lines),
        "page": number,
        "page_size": size,
    }


@capacity.get(
    "/capacity/roles", response=responses({200: GroupsOut}, LIST_ERRORS), summary="Role capacity vs demand"
)
def roles(request: HttpRequest, filters: Query[CapacityFilterIn]) -> Any:
    """Each generic role's capacity and demand: the role resource's own plus its members'."""
    return _groups(_answer(lambda: selectors.role_capacity_for_user(request.auth, _filters(filters))))


@capacity.get(
    "/capacity/skills", response=responses({200: GroupsOut}, LIST_ERRORS), summary="Skill capacity vs demand"
)
def skills(request: HttpRequest, filters: Query[CapacityFilterIn]) -> Any:
    """Each skill's capacity and demand: those of the resources holding it at `min_level` or above."""
    return _groups(_answer(lambda: selectors.skill_capacity_for_user(request.auth, _filters(filters))))


@capacity.get(
    "/capacity/overallocations",
    response=responses({200: page_of(OverAllocationOut)}, LIST_ERRORS),
    summary="Over-allocations",
)
def overallocations(request: HttpRequest, filters: Query[CapacityFilterIn], paging: Query[PageParams]) -> Any:
    """Resources over capacity, most excessive first: the tasks and projects behind it and who has room."""
    page = _answer(
        lambda: selectors.overallocations_for_user(
            request.auth, _filters(filters), page=paging.page, size=paging.page_size
        )
    )
    items = [
        {
            "resource_id": item.resource.id,
            "resource_code": item.resource.code,
            "resource_name": item.resource.name,
            "period": _period(item.period),
            "capacity_hours": selectors.hours(item.capacity),
            "demand_hours": selectors.hours(item.demand),
            "excess_hours": selectors.hours(item.excess),
            "load_percent": item.load,
            "lines": [_line(item.resource, item.period, line) for line in item.lines],
            "suggestions": [
                {
                    "resource_id": s.resource.id,
                    "resource_code": s.resource.code,
                    "resource_name": s.resource.name,
                    "free_hours": selectors.hours(s.free_minutes),
                    "reason": s.reason,
                }
                for s in item.suggestions
            ],
        }
        for item in page.items
    ]
    return {"items": items, "count": page.count, "page": page.number, "page_size": page.size}
