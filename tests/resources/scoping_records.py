"""Records of the resource pool for the generic scoping tests (see tests/scoping_hooks.py).

Each division gets, made through the services: a pool (not shared), a person with a skill kept by
the division, a rate and a leave, an assignment on a task of its project, and an allocation request.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from keel.resources import services
from keel.resources.models import (
    Allocation,
    Assignment,
    CostRate,
    Resource,
    ResourceLeave,
    ResourcePool,
    Skill,
)
from keel.schedule import services as schedule_services

MONDAY = dt.date(2026, 3, 2)


def _division_records(*, org: Any, code: str, unit: Any, pm: Any, project: Any) -> dict[str, Any]:
    """The pool, person, skill, rate, leave, assignment and allocation of one division."""
    pool = services.pool_create(actor=org.admin, org_unit=unit, code=f"POOL-{code}", name=f"{code} pool")
    person = services.resource_create(actor=org.admin, pool=pool, code=f"R-{code}", name=f"{code} engineer")
    skill = services.skill_create(actor=org.admin, org_unit=unit, name=f"{code} welding")
    services.resource_skill_set(actor=org.admin, resource=person, skill=skill, level=4)
    rate = services.cost_rate_create(
        actor=org.admin,
        resource=person,
        effective_from=dt.date(2026, 1, 1),
        standard_rate=Decimal("75"),
        currency=unit.currency,
    )
    leave = services.leave_create(actor=org.admin, resource=person, start_date=MONDAY, end_date=MONDAY)
    task = schedule_services.task_create(
        actor=pm, project=project, name=f"{code} staffing", duration_minutes=960
    )
    assignment = services.assignment_create(actor=pm, task=task, resource=person)
    allocation = services.allocation_request(
        actor=pm,
        project=project,
        resource=person,
        start_week=MONDAY,
        end_week=MONDAY + dt.timedelta(weeks=2),
        hours_per_week=Decimal("20"),
    )
    return {
        "pool_id": pool,
        "resource_id": person,
        "skill_id": skill,
        "rate_id": rate,
        "leave_id": leave,
        "assignment_id": assignment,
        "allocation_id": allocation,
    }


def api_records(*, org: Any, name: str, unit: Any, pm: Any, project: Any) -> tuple[dict, dict]:
    """Path parameters of the resource endpoints, for one division."""
    return _division_records(org=org, code=name.upper(), unit=unit, pm=pm, project=project), {}


def south_records(org: Any) -> dict[str, Any]:
    """SOUTH's resource records for the page walk, made the first time they are asked for."""
    pool = ResourcePool.objects.filter(code="POOL-SOUTH").first()
    if pool is None:
        return _division_records(
            org=org, code="SOUTH", unit=org.south, pm=org.pm_south, project=org.project_south
        )
    person = Resource.objects.get(code="R-SOUTH")
    return {
        "pool_id": pool,
        "resource_id": person,
        "skill_id": Skill.objects.get(name="SOUTH welding"),
        "rate_id": CostRate.objects.get(resource=person),
        "leave_id": ResourceLeave.objects.get(resource=person),
        "assignment_id": Assignment.objects.get(resource=person),
        "allocation_id": Allocation.objects.get(resource=person),
    }


def _south(name: str) -> Any:
    return lambda org, extra: south_records(org)[name].pk


SOUTH_PAGE_RECORDS = {
    name: _south(name)
    for name in (
        "pool_id",
        "resource_id",
        "skill_id",
        "rate_id",
        "leave_id",
        "assignment_id",
        "allocation_id",
    )
}
EXECUTIVE_PAGES = (
    "resources:pool_list",
    "resources:pool_detail",
    "resources:resource_list",
    "resources:resource_export",
    "resources:resource_detail",
    "resources:project_resources",
    "resources:allocation_list",
    "resources:skill_list",
)


# --- capacity and demand (keel/resources/capacity*.py) ------------------------------------------------
# Read-only pages with query parameters only: an executive viewer may open them.
EXECUTIVE_PAGES = (
    *EXECUTIVE_PAGES,
    "capacity:heatmap",
    "capacity:cell",
    "capacity:heatmap_export",
    "capacity:roles",
    "capacity:overallocations",
)
