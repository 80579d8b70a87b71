"""The capacity API: the heatmap matrix, the demand behind a cell, roles, skills, over-allocations."""

from __future__ import annotations

import pytest

from keel.resources.models import Allocation, Assignment
from tests.factories import ProjectFactory
from tests.resources.test_capacity import H, World, at, d, task

BASE = "/api/v1/capacity"


@pytest.fixture
def world(org) -> World:
    return World(org)


@pytest.fixture
def overloaded(world, org):
    """Ada at 64 of 40 hours in W11 on two NORTH projects; a requested allocation on top."""
    second = ProjectFactory(code="N-002", name="Fibre backbone", org_unit=org.north)
    Assignment.objects.create(
        task=task(org.project_north, "Rack servers", at(d(3, 9), 8), at(d(3, 13), 17), 40 * H),
        resource=world.ada,
    )
    Assignment.objects.create(
        task=task(second, "Splice fibre", at(d(3, 9), 8), at(d(3, 11), 17), 24 * H), resource=world.ada
    )
    Allocation.objects.create(
        project=second, resource=world.ada, start_week=d(3, 9), end_week=d(3, 9), hours_per_week=2
    )


def get(client, user, path, **query):
    client.force_login(user)
    response = client.get(BASE + path, query)
    return response.status_code, response.json()


def test_heatmap_answers_hours_load_and_over_per_cell(client, org, world, overloaded):
    status, body = get(client, org.admin, "/heatmap", start="2026-03-04", periods=2)
    assert status == 200
    assert [p["key"] for p in body["periods"]] == ["2026-W10", "2026-W11"]
    ada = next(r for r in body["rows"] if r["code"] == "ADA")
    assert ada["capacity_hours"] == [32.0, 40.0]
    assert ada["demand_hours"] == [0.0, 64.0]
    assert ada["requested_hours"] == [0.0, 2.0]
    assert ada["load_percent"] == [0.0, 160.0]
    assert ada["over"] == [False, True]
    assert ada["role_name"] == "ENGINEER" and ada["pool_code"] == "NPOOL"


def test_demand_of_one_cell(client, org, world, overloaded):
    status, body = get(client, org.admin, "/demand", resource=world.ada.pk, period="2026-W11")
    assert status == 200
    assert body["count"] == 3
    assert [(i["source"], i["project_code"], i["task_name"], i["hours"]) for i in body["items"]] == [
        ("task", "N-001", "Rack servers", 40.0),
        ("task", "N-002", "Splice fibre", 24.0),
        ("requested", "N-002", "", 2.0),
    ]


def test_roles_and_skills(client, org, world, overloaded):
    status, body = get(client, org.admin, "/roles", start="2026-03-09", periods=1)
    assert status == 200
    [engineer] = body["groups"]
    assert engineer["capacity_hours"] == [140.0] and engineer["demand_hours"] == [64.0]
    status, body = get(client, org.admin, "/skills", start="2026-03-09", periods=1, granularity="week")
    assert status == 200 and body["groups"][0]["name"] == "Networks"


def test_overallocations_with_cause_and_suggestions(client, org, world, overloaded):
    status, body = get(client, org.admin, "/overallocations", start="2026-03-02", periods=3)
    assert status == 200 and body["count"] == 1
    [item] = body["items"]
    assert (item["resource_code"], item["period"]["key"], item["excess_hours"]) == ("ADA", "2026-W11", 24.0)
    assert [s["resource_code"] for s in item["suggestions"]] == ["CY", "BO"]
    assert item["suggestions"][0]["free_hours"] == 40.0


def test_by_month_with_the_proposed_switch(client, org, world):
    idea = ProjectFactory(code="N-IDEA", name="Idea", org_unit=org.north, status="proposed")
    Assignment.objects.create(
        task=task(idea, "Pilot", at(d(3, 9), 8), at(d(3, 13), 17), 40 * H), resource=world.bo, units=50
    )
    query = {"start": "2026-03-01", "periods": 1, "granularity": "month"}
    _, plain = get(client, org.admin, "/heatmap", **query)
    _, what_if = get(client, org.admin, "/heatmap", include_proposed="true", **query)
    bo = [next(r for r in b["rows"] if r["code"] == "BO") for b in (plain, what_if)]
    assert [b["demand_hours"] for b in bo] == [[0.0], [20.0]]


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/heatmap", {"periods": 0}, "periods"),
        ("/heatmap", {"periods": 40, "granularity": "month"}, "periods"),
        ("/heatmap", {"granularity": "day"}, "granularity"),
        ("/heatmap", {"start": "yesterday"}, "start"),
        ("/heatmap", {"start": "0001-01-01"}, "start"),
        ("/roles", {"pool": 999999}, "pool"),
        ("/skills", {"skill": 999999}, "skill"),
        ("/overallocations", {"unit": 999999}, "unit"),
        ("/demand", {"resource": 999999}, "resource"),
        ("/demand", {"period": "2026-W99"}, "period"),
        ("/demand", {"period": "march"}, "period"),
    ],
)
def test_a_bad_filter_is_a_422_naming_it(client, org, world, path, query, field):
    status, body = get(client, org.admin, path, **query)
    assert status == 422, body
    assert ["query", field] in [item["loc"] for item in body["detail"]], body


def test_pm_north_sees_no_south_demand_and_south_resources_are_bad_filters(client, org, world):
    from keel.resources.models import Resource, ResourcePool

    pool = ResourcePool.objects.create(code="SOWN", name="South own", org_unit=org.south)
    secret = Resource.objects.create(pool=pool, code="SECRET", name="Secret", home_unit=org.south)
    Assignment.objects.create(
        task=task(org.project_south, "Madrid move", at(d(3, 10), 9), at(d(3, 10), 18), 8 * H), resource=secret
    )
    status, body = get(client, org.pm_north, "/heatmap", start="2026-03-02")
    assert status == 200 and "SECRET" not in {r["code"] for r in body["rows"]}
    status, body = get(client, org.pm_north, "/demand", resource=secret.pk)
    assert status == 422
    status, body = get(client, org.pm_south, "/demand", resource=secret.pk, period="2026-W11")
    assert status == 200 and [i["project_code"] for i in body["items"]] == ["S-001"]


def test_anonymous_gets_401(client):
    assert client.get(BASE + "/heatmap").status_code == 401
