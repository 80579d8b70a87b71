"""The project register through the API: create, read, change, delete, list, filter, order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.core.models import AuditEntry
from keel.portfolio.models import Project
from tests.api.conftest import field_errors
from tests.factories import ProjectFactory


def test_create_read_change_delete_a_project(org, as_user):
    """Given pm_north, when they register, read, change and delete a project, then each step is stored
    and audited with them as the actor."""
    client = as_user(org.pm_north)

    created = client.post(
        "/projects",
        {
            "code": "N-002",
            "name": "Fibre backbone",
            "org_unit": org.north.pk,
            "manager": org.pm_north.pk,
            "status": "active",
            "planned_start": "2026-03-02",
            "planned_finish": "2026-09-30",
            "budget": "250000.50",
        },
    )
    assert created.status == 201, created.body
    body = created.body
    assert body["org_unit"] == {"id": org.north.pk, "code": "NORTH", "name": "Division North"}
    assert body["manager"]["username"] == "pm_north"
    assert (body["currency"], body["budget"], body["version"]) == ("NOK", "250000.50", 1)
    assert (body["phase"], body["health"], body["priority"]) == ("initiation", "green", 500)
    assert created.etag == '"1"'
    project = Project.objects.get(code="N-002")
    assert project.budget == Decimal("250000.50") and project.planned_finish == dt.date(2026, 9, 30)

    read = client.get(f"/projects/{project.pk}")
    assert read.status == 200 and read.body == body

    changed = client.patch(
        f"/projects/{project.pk}", {"health": "red", "planned_finish": None}, headers={"If-Match": read.etag}
    )
    assert changed.status == 200, changed.body
    assert (changed.body["health"], changed.body["planned_finish"], changed.body["version"]) == (
        "red",
        None,
        2,
    )

    deleted = client.delete(f"/projects/{project.pk}", {"version": 2})
    assert deleted.status == 204
    assert not Project.objects.filter(pk=project.pk).exists()

    trail = AuditEntry.objects.filter(object_id=str(project.pk), content_type__model="project").order_by("id")
    assert [(e.action, e.actor) for e in trail] == [
        ("create", org.pm_north),
        ("update", org.pm_north),
        ("delete", org.pm_north),
    ]
    assert trail[1].changes == {"health": ["green", "red"], "planned_finish": ["2026-09-30", None]}


def test_create_names_every_invalid_field(org, as_user):
    """Given a body with several invalid fields, then 422 names each field with its reason; nothing is made."""
    answer = as_user(org.pm_north).post(
        "/projects",
        {
            "code": "bad code!",
            "name": "",
            "org_unit": org.north.pk,
            "status": "sleeping",
            "priority": 1001,
            "budget": "-5",
            "planned_start": "2026-02-30",
        },
    )
    errors = field_errors(answer)
    assert set(errors) == {"code", "name", "status", "priority", "budget", "planned_start"}
    assert "1000" in errors["priority"]
    assert "proposed" in errors["status"]
    assert not Project.objects.filter(org_unit=org.north).exclude(pk=org.project_north.pk).exists()
    assert not AuditEntry.objects.exists()


def test_domain_rules_come_back_as_422_on_the_field(org, as_user):
    """Given a finish before the start and a code already taken, then 422 names planned_finish and code."""
    client = as_user(org.pm_north)
    backwards = client.post(
        "/projects",
        {
            "code": "N-003",
            "name": "Backwards",
            "org_unit": org.north.pk,
            "planned_start": "2026-06-01",
            "planned_finish": "2026-05-01",
        },
    )
    taken = client.post("/projects", {"code": "N-001", "name": "Again", "org_unit": org.north.pk})
    assert "before the planned start" in field_errors(backwards)["planned_finish"]
    assert "already exists" in field_errors(taken)["code"]
    assert answer_shape_is_uniform(backwards.body) and answer_shape_is_uniform(taken.body)


def answer_shape_is_uniform(body) -> bool:
    """Domain 422s have ninja's own shape: loc, msg, type on each item."""
    return all({"loc", "msg", "type"} <= set(item) for item in body["detail"])


def test_unknown_or_invisible_references_are_422_on_the_field(org, as_user):
    """Given ids of records that do not exist or that pm_north cannot see, then 422 names each field,
    worded the same for both, so that the answer reveals nothing."""
    client = as_user(org.pm_north)
    answer = client.post(
        "/projects",
        {
            "code": "N-004",
            "name": "References",
            "org_unit": org.north.pk,
            "manager": org.pm_south.pk,
            "sponsor": 987654,
        },
    )
    errors = field_errors(answer)
    assert set(errors) == {"manager", "sponsor"}
    assert errors["manager"] == f"There is no user with id {org.pm_south.pk}."
    assert errors["sponsor"] == "There is no user with id 987654."
    assert (
        "There is no org unit"
        in field_errors(client.post("/projects", {"code": "N-5", "name": "x", "org_unit": org.south.pk}))[
            "org_unit"
        ]
    )


def test_manager_must_hold_a_role_in_the_unit(org, as_user):
    """Given the admin naming pm_south as manager of a NORTH project, then 422 explains the manager's role."""
    answer = as_user(org.admin).patch(
        f"/projects/{org.project_north.pk}", {"manager": org.pm_south.pk, "version": 1}
    )
    assert "holds no role covering NORTH" in field_errors(answer)["manager"]


def test_program_of_an_ancestor_unit_may_be_joined(org, as_user):
    """Given a program run by ENG (an ancestor of NORTH) that pm_north cannot list, then a NORTH project
    may still join it, as the service allows."""
    program = org.project_north.program
    answer = as_user(org.pm_north).post(
        "/projects", {"code": "N-006", "name": "Joins", "org_unit": org.north.pk, "program": program.pk}
    )
    assert answer.status == 201, answer.body
    assert answer.body["program"]["code"] == "PG-NET"


def test_team_member_and_executive_cannot_write(org, as_user):
    """Given a team member of NORTH and the executive viewer, then creating or changing projects is 403."""
    for user in (org.member_north, org.exec):
        client = as_user(user)
        created = client.post("/projects", {"code": "N-007", "name": "No", "org_unit": org.north.pk})
        changed = client.patch(
            f"/projects/{org.project_north.pk}", {"name": "No"}, headers={"If-Match": '"1"'}
        )
        assert created.status == 403 and changed.status == 403
        assert "org_unit" in created.body["detail"]
    assert Project.objects.get(pk=org.project_north.pk).name == "Oslo data centre"
    assert not Project.objects.filter(code="N-007").exists()


@pytest.fixture
def register(org):
    """More projects in NORTH and SOUTH to filter, order and page through."""
    ProjectFactory(
        code="N-100",
        name="Alpha upgrade",
        org_unit=org.north,
        status="on_hold",
        health="red",
        planned_finish=dt.date(2026, 3, 31),
        budget=Decimal("5000"),
        priority=900,
    )
    ProjectFactory(
        code="N-101",
        name="Beta rollout",
        org_unit=org.north,
        status="proposed",
        health="amber",
        planned_finish=dt.date(2027, 6, 30),
        budget=Decimal("750000"),
        priority=100,
    )
    ProjectFactory(
        code="S-100",
        name="Gamma move",
        org_unit=org.south,
        status="active",
        health="red",
        planned_finish=dt.date(2026, 5, 15),
        description="alpha site",
        priority=300,
    )
    return org


def _codes(answer) -> list[str]:
    assert answer.status == 200, answer.body
    return [item["code"] for item in answer.body["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["N-001", "N-100", "N-101", "S-001", "S-100"]),
        ({"q": "alpha"}, ["N-100", "S-100"]),
        ({"status": ["on_hold", "proposed"]}, ["N-100", "N-101"]),
        ({"health": "red"}, ["N-100", "S-100"]),
        ({"health": ["red", "amber"], "unit": "NORTH"}, ["N-100", "N-101"]),
        ({"unit": "ENG"}, ["N-001", "N-100", "N-101", "S-001", "S-100"]),
        ({"unit": "SOUTH"}, ["S-001", "S-100"]),
        ({"finish_before": "2026-06-01"}, ["N-100", "S-100"]),
        ({"finish_after": "2026-06-01", "finish_before": "2026-12-31"}, ["N-001", "S-001"]),
        ({"manager": "pm_south"}, ["S-001"]),
        ({"program": "PG-NET"}, ["N-001"]),
        ({"portfolio": "PF-ENG"}, ["N-001"]),
        ({"phase": "initiation", "status": "active"}, ["N-001", "S-001", "S-100"]),
        ({"ordering": "-budget", "unit": "NORTH"}, ["N-101", "N-001", "N-100"]),
        ({"ordering": "priority", "health": "red"}, ["S-100", "N-100"]),
        ({"ordering": "-finish", "unit": "SOUTH"}, ["S-001", "S-100"]),
    ],
)
def test_list_filters_and_ordering(register, as_user, query, expected):
    """Given the register, when it is filtered and ordered, then exactly the matching projects come back."""
    org = register
    ids = {
        "NORTH": org.north.pk,
        "SOUTH": org.south.pk,
        "ENG": org.eng.pk,
        "pm_south": org.pm_south.pk,
        "PG-NET": org.project_north.program_id,
        "PF-ENG": org.project_north.program.portfolio_id,
    }
    query = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in query.items()}
    answer = as_user(org.admin).get("/projects", **query)
    assert _codes(answer) == expected
    assert answer.body["count"] == len(expected)


def test_filters_stay_within_scope(register, as_user):
    """Given pm_north filtering on SOUTH's unit, then the list is empty (never another unit's projects)."""
    client = as_user(register.pm_north)
    assert _codes(client.get("/projects")) == ["N-001", "N-100", "N-101"]
    assert _codes(client.get("/projects", unit=register.south.pk)) == []
    assert _codes(client.get("/projects", q="alpha")) == ["N-100"]


def test_pagination(register, as_user):
    """Given five projects, when they are read two at a time, then pages hold them in order with the count."""
    client = as_user(register.admin)
    pages = [client.get("/projects", page=n, page_size=2).body for n in (1, 2, 3)]
    assert [[i["code"] for i in p["items"]] for p in pages] == [
        ["N-001", "N-100"],
        ["N-101", "S-001"],
        ["S-100"],
    ]
    assert {(p["count"], p["page_size"]) for p in pages} == {(5, 2)}
    assert [p["page"] for p in pages] == [1, 2, 3]
    past_end = client.get("/projects", page=99, page_size=2).body
    assert (past_end["page"], [i["code"] for i in past_end["items"]]) == (3, ["S-100"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"ordering": "colour"}, "ordering"),
        ({"ordering": "--code"}, "ordering"),
        ({"status": "sleeping"}, "status"),
        ({"page_size": 501}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"unit": "abc"}, "unit"),
        ({"unit": str(2**64)}, "unit"),
        ({"finish_before": "2026-13-01"}, "finish_before"),
        ({"q": "nul\x00byte"}, "q"),
    ],
)
def test_invalid_list_parameters_are_422(org, as_user, query, field):
    """Given an invalid filter, ordering or page parameter, then 422 names it."""
    answer = as_user(org.admin).get("/projects", **query)
    assert answer.status == 422, answer.body
    assert [item["loc"][:2] for item in answer.body["detail"]][0] == ["query", field]
