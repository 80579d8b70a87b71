"""Resource pools of the two divisions, with a resource manager each, made through the services.

NORTH pool (manager rm_north): a generic role "Business analyst", Ana (member_north's resource) at
80 NOK/h, a crane (equipment). SOUTH pool (manager rm_south): Sofia at 60 EUR/h. Skills: "Python"
kept by the central PMO, "SOUTH flamenco" kept by SOUTH. One five-day task in each project.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from keel.orgs.models import Role, User
from keel.resources import services
from keel.resources.models import Resource, ResourcePool, Skill
from keel.schedule import services as schedule_services
from keel.schedule.models import Task
from tests.factories import MembershipFactory, UserFactory


@dataclass
class Pools:
    """The resource records of the test organisation."""

    rm_north: User
    rm_south: User
    north: ResourcePool
    south: ResourcePool
    analyst: Resource
    ana: Resource
    crane: Resource
    sofia: Resource
    python: Skill
    flamenco: Skill
    task_north: Task
    task_south: Task


@pytest.fixture
def pools(org) -> Pools:
    """Build the pools, resources, skills and one task per project."""
    rm_north = UserFactory(username="rm_north")
    MembershipFactory(user=rm_north, unit=org.north, role=Role.RESOURCE_MANAGER)
    rm_south = UserFactory(username="rm_south")
    MembershipFactory(user=rm_south, unit=org.south, role=Role.RESOURCE_MANAGER)
    north = services.pool_create(
        actor=org.admin, org_unit=org.north, code="POOL-N", name="North engineers", manager=rm_north
    )
    south = services.pool_create(
        actor=org.admin, org_unit=org.south, code="POOL-SOUTH", name="SOUTH engineers", manager=rm_south
    )
    analyst = services.resource_create(
        actor=rm_north,
        pool=north,
        code="R-BA",
        name="Business analyst",
        kind=Resource.Kind.ROLE,
        max_units=300,
    )
    ana = services.resource_create(
        actor=rm_north, pool=north, code="R-ANA", name="Ana Berg", user=org.member_north, role=analyst
    )
    crane = services.resource_create(
        actor=rm_north, pool=north, code="R-CRANE", name="Crane", kind=Resource.Kind.EQUIPMENT
    )
    sofia = services.resource_create(actor=rm_south, pool=south, code="R-SOFIA", name="SOUTH Sofia")
    services.cost_rate_create(
        actor=rm_north,
        resource=ana,
        effective_from=dt.date(2020, 1, 1),
        standard_rate=Decimal("80"),
        cost_per_use=Decimal("10"),
        currency="NOK",
    )
    services.cost_rate_create(
        actor=rm_south,
        resource=sofia,
        effective_from=dt.date(2020, 1, 1),
        standard_rate=Decimal("60"),
        currency="EUR",
    )
    python = services.skill_create(actor=org.admin, org_unit=org.central, name="Python", category="Software")
    flamenco = services.skill_create(actor=org.admin, org_unit=org.south, name="SOUTH flamenco")
    task_north = schedule_services.task_create(
        actor=org.pm_north, project=org.project_north, name="Design", duration_minutes=2400
    )
    task_south = schedule_services.task_create(
        actor=org.pm_south, project=org.project_south, name="Survey", duration_minutes=2400
    )
    task_north.refresh_from_db()
    task_south.refresh_from_db()
    return Pools(
        rm_north=rm_north,
        rm_south=rm_south,
        north=north,
        south=south,
        analyst=analyst,
        ana=ana,
        crane=crane,
        sofia=sofia,
        python=python,
        flamenco=flamenco,
        task_north=task_north,
        task_south=task_south,
    )
