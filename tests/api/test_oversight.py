"""The audit trail, a project's activity feed and the dashboard through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keel.core.models import AuditEntry
from keel.orgs.models import Role
from keel.portfolio import services as portfolio_services
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def changes(org):
    """One change in each division, made through the services."""
    portfolio_services.project_update(
        actor=org.pm_north, project=org.project_north, version=1, health="amber"
    )
    portfolio_services.project_update(
        actor=org.pm_south, project=org.project_south, version=1, status="on_hold"
    )
    return org


def _entries(answer) -> list[tuple[str, str]]:
    assert answer.status == 200, answer.body
    return [(e["object_repr"].split(" ")[0], e["action"]) for e in answer.body["items"]]


def test_audit_trail_for_central_admin_and_filters(changes, as_user):
    """Given changes in NORTH and SOUTH, then the central administrator sees both and can filter them."""
    org = changes
    client = as_user(org.admin)
    everything = client.get("/audit")
    assert _entries(everything) == [("S-001", "update"), ("N-001", "update")]
    entry = everything.body["items"][1]
    assert entry["actor"]["username"] == "pm_north"
    assert entry["content_type"] == "portfolio.project"
    assert entry["changes"] == {"health": ["green", "amber"]}
    assert entry["project_id"] == org.project_north.pk

    assert _entries(client.get("/audit", unit=org.north.pk)) == [("N-001", "update")]
    assert _entries(client.get("/audit", actor=org.pm_south.pk)) == [("S-001", "update")]
    assert len(_entries(client.get("/audit", content_type="portfolio.project"))) == 2
    assert _entries(client.get("/audit", content_type="orgs.orgunit")) == []
    assert _entries(client.get("/audit", object_id=str(org.project_south.pk))) == [("S-001", "update")]
    today = timezone.localdate()
    assert len(_entries(client.get("/audit", since=today.isoformat(), until=today.isoformat()))) == 2
    assert _entries(client.get("/audit", until=(today - dt.timedelta(days=1)).isoformat())) == []


def test_audit_trail_is_for_administrators_of_the_units(changes, as_user):
    """Given a PMO administrator of NORTH only, then they see NORTH's entries; project managers and the
    executive see none."""
    org = changes
    north_admin = UserFactory(username="north_admin")
    MembershipFactory(user=north_admin, unit=org.north, role=Role.PMO_ADMIN)
    assert _entries(as_user(north_admin).get("/audit")) == [("N-001", "update")]
    assert _entries(as_user(north_admin).get("/audit", unit=org.south.pk)) == []
    for user in (org.pm_north, org.exec, org.outsider):
        assert _entries(as_user(user).get("/audit")) == []


@pytest.mark.parametrize(
    "query",
    [{"content_type": "project"}, {"content_type": "a.b.c"}, {"since": "yesterday"}, {"actor": 0}],
)
def test_audit_filters_are_validated(org, as_user, query):
    """Given a malformed filter, then 422 names it."""
    answer = as_user(org.admin).get("/audit", **query)
    assert answer.status == 422
    assert answer.body["detail"][0]["loc"] == ["query", next(iter(query))]


def test_project_activity_feed(changes, as_user):
    """Given a change to N-001, then its feed shows it to anyone who sees the project, and 404 to others."""
    org = changes
    path = f"/projects/{org.project_north.pk}/activity"
    for user in (org.pm_north, org.member_north, org.exec, org.admin):
        answer = as_user(user).get(path)
        assert answer.status == 200
        assert [(e["action"], e["changes"]) for e in answer.body] == [
            ("update", {"health": ["green", "amber"]})
        ]
    assert as_user(org.pm_south).get(path).status == 404
    assert len(as_user(org.admin).get(path, limit=1).body) == 1
    assert as_user(org.admin).get(path, limit=0).status == 422


def test_dashboard_counts_visible_projects(org, as_user):
    """Given one project per division, then the dashboard counts what each person may see."""
    soon = timezone.localdate() + dt.timedelta(days=10)
    org.project_north.planned_finish = soon
    org.project_north.save(update_fields=["planned_finish"])

    admin = as_user(org.admin).get("/dashboard").body
    north = as_user(org.pm_north).get("/dashboard").body
    outsider = as_user(org.outsider).get("/dashboard").body

    assert admin["total"] == 2 and admin["by_status"] == {"active": 2}
    assert [u["code"] for u in admin["by_unit"]] == ["NORTH", "SOUTH"]
    assert north["total"] == 1 and north["by_unit"] == [
        {"code": "NORTH", "name": "Division North", "count": 1}
    ]
    assert north["finishing"]["30"] == 1
    assert [p["code"] for p in north["finishing_soon"]] == ["N-001"]
    assert outsider == {
        "total": 0,
        "by_status": {},
        "by_health": {},
        "by_unit": [],
        "finishing": {"30": 0, "60": 0, "90": 0},
        "finishing_soon": [],
    }
    assert not AuditEntry.objects.exists()
