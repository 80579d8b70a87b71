"""The demo's resource pool: pools per division (SOUTH's shared with NORTH), about twenty people with
roles, skills, rates in their units' currencies and leave, over-allocated people, allocation requests."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from keel.core.demo import demo_load, demo_reset
from keel.orgs.models import User
from keel.resources import selectors
from keel.resources.models import Allocation, Assignment, CostRate, Resource, ResourcePool

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def demo(db):
    demo_load(projects=12, seed=42, today=TODAY)


def test_pools_people_rates_and_sharing(demo):
    assert set(ResourcePool.objects.values_list("code", flat=True)) == {
        "POOL-NORTH",
        "POOL-SOUTH",
        "POOL-AMER",
    }
    people = Resource.objects.filter(kind=Resource.Kind.PERSON)
    assert people.count() >= 20
    assert all(p.role_id or p.code in ("R-AVA", "R-OLIVIA") for p in people)
    for rate in CostRate.objects.select_related("resource__pool__org_unit"):
        assert rate.currency == rate.resource.pool.org_unit.currency
    omar, carlos = User.objects.get(username="omar"), User.objects.get(username="carlos")
    assert {r.pool.code for r in selectors.resource_list_for_user(omar)} == {"POOL-NORTH", "POOL-SOUTH"}
    assert {r.pool.code for r in selectors.resource_list_for_user(carlos)} == {"POOL-SOUTH"}
    assert Resource.objects.get(code="R-LENA").user.username == "lena"
    assert selectors.resource_get_for_user(
        User.objects.get(username="lena"), Resource.objects.get(code="R-LENA").pk
    )


def test_someone_is_over_allocated(demo):
    load: dict[tuple[int, dt.date], int] = defaultdict(int)
    for a in Assignment.objects.select_related("task", "resource").filter(resource__kind="person"):
        day = a.task.start.date()
        while day <= a.task.finish.date():
            if day.weekday() < 5:
                load[(a.resource_id, day)] += a.units
            day += dt.timedelta(days=1)
    over = {rid for (rid, _), units in load.items() if units > 100}
    assert over, "the heatmap needs someone above 100 %"
    assert Assignment.objects.filter(cost__gt=0).exists()


def test_allocation_requests_wait_for_raj(demo):
    raj = User.objects.get(username="raj")
    statuses = set(Allocation.objects.values_list("status", flat=True))
    assert statuses == {"requested", "approved", "rejected"}
    assert selectors.allocations_awaiting_decision(raj).count() == 2


def test_reset_removes_the_resources(demo):
    assert demo_reset()
    assert not Resource.objects.exists() and not ResourcePool.objects.exists()
