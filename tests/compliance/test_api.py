"""The compliance API: gap lists with filters, the roll-up, a project's summary, waivers, reminders and
a unit's settings — with 422 naming the field, 404 out of scope, 403 for viewers, 409/412 on stale
versions."""

from __future__ import annotations

import pytest

from keel.compliance.models import ComplianceConfig, Reminder, Waiver
from keel.notifications.models import Notification
from tests.compliance.conftest import in_execution, make_risk

pytestmark = pytest.mark.django_db


@pytest.fixture
def gaps(org):
    """N-001 is in execution without a baseline; S-001 too."""
    in_execution(org.pm_north, org.project_north)
    in_execution(org.pm_south, org.project_south)


def test_gap_list_is_scoped_and_filtered(org, gaps, as_user):
    admin = as_user(org.admin)
    answer = admin.get("/compliance/gaps", kind="baseline")
    assert answer.status == 200
    assert {(g["project"]["code"], g["key"]) for g in answer.body["items"]} == {
        ("N-001", "baseline"),
        ("S-001", "baseline"),
    }
    gap = next(g for g in answer.body["items"] if g["project"]["code"] == "N-001")
    assert gap["owner"]["username"] == "pm_north" and gap["kind_label"] == "Baseline missing"
    assert gap["age_days"] >= 0 and gap["url"] == f"/projects/{org.project_north.pk}/schedule/"

    north = as_user(org.pm_north).get("/compliance/gaps")
    assert {g["project"]["code"] for g in north.body["items"]} == {"N-001"}
    by_unit = admin.get("/compliance/gaps", unit=org.south.pk, kind="baseline")
    assert [g["project"]["code"] for g in by_unit.body["items"]] == ["S-001"]
    by_project = admin.get("/compliance/gaps", project=org.project_north.pk, kind="baseline")
    assert [g["project"]["code"] for g in by_project.body["items"]] == ["N-001"]


def test_bad_filters_are_refused_naming_them(org, gaps, as_user):
    north = as_user(org.pm_north)
    answer = north.get("/compliance/gaps", kind="nonsense")
    assert answer.status == 422 and answer.body["detail"][0]["loc"] == ["query", "kind"]
    assert north.get("/compliance/gaps", project=org.project_south.pk).status == 404
    assert north.get("/compliance/gaps", unit=org.south.pk).status == 404


def test_unit_rollup_and_project_summary(org, gaps, as_user):
    admin = as_user(org.admin)
    rollup = {r["unit"]["code"]: r for r in admin.get("/compliance/units").body}
    assert rollup["ENG"]["projects"] == 2 and rollup["ENG"]["counts"]["baseline"] == 2
    assert rollup["ENG"]["share_compliant"] == 0
    assert [r["unit"]["code"] for r in as_user(org.pm_north).get("/compliance/units").body] == ["NORTH"]

    summary = admin.get(f"/compliance/projects/{org.project_north.pk}").body
    assert summary["checked"] and not summary["compliant"]
    assert "baseline" in {g["key"] for g in summary["gaps"]}
    assert as_user(org.pm_north).get(f"/compliance/projects/{org.project_south.pk}").status == 404


def test_waiver_create_read_and_withdraw(org, gaps, as_user):
    admin = as_user(org.admin)
    path = f"/compliance/projects/{org.project_north.pk}/waivers"

    made = admin.post(path, {"key": "baseline", "reason": "Run as agile", "expires_on": "2099-01-01"})

    assert made.status == 201 and made.etag == '"1"'
    waiver_id = made.body["id"]
    assert made.body["waived_by"]["username"] == "admin" and made.body["kind"] == "baseline"
    waived = admin.get("/compliance/waived-gaps", project=org.project_north.pk).body["items"]
    assert [(w["gap"]["key"], w["waiver"]["id"]) for w in waived] == [("baseline", waiver_id)]
    assert "baseline" not in {
        g["key"] for g in admin.get("/compliance/gaps", project=org.project_north.pk).body["items"]
    }
    assert [w["id"] for w in admin.get("/compliance/waivers").body["items"]] == [waiver_id]
    assert as_user(org.pm_north).get("/compliance/waivers").body["count"] == 1
    assert as_user(org.pm_south).get("/compliance/waivers").body["count"] == 0

    assert admin.delete(f"/compliance/waivers/{waiver_id}").status == 428
    assert admin.delete(f"/compliance/waivers/{waiver_id}", headers={"If-Match": '"7"'}).status == 412
    assert admin.delete(f"/compliance/waivers/{waiver_id}", headers={"If-Match": '"1"'}).status == 204
    assert not Waiver.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"key": "baseline", "reason": ""}, "reason"),
        ({"key": "baseline", "reason": "   "}, "reason"),
        ({"key": "nope", "reason": "x"}, "key"),
        ({"key": "baseline", "reason": "x", "expires_on": "2000-01-01"}, "expires_on"),
        ({"key": "baseline", "reason": "x", "extra": 1}, "extra"),
        ({"reason": "x"}, "key"),
    ],
)
def test_bad_waivers_are_422_naming_the_field(org, gaps, as_user, body, field):
    answer = as_user(org.admin).post(f"/compliance/projects/{org.project_north.pk}/waivers", body)
    assert answer.status == 422, answer.body
    assert answer.body["detail"][0]["loc"][-1] == field
    assert not Waiver.objects.exists()


def test_only_the_pmo_waives(org, gaps, as_user):
    body = {"key": "baseline", "reason": "mine"}
    assert (
        as_user(org.pm_north).post(f"/compliance/projects/{org.project_north.pk}/waivers", body).status == 403
    )
    assert as_user(org.exec).post(f"/compliance/projects/{org.project_north.pk}/waivers", body).status == 403
    assert (
        as_user(org.pm_north).post(f"/compliance/projects/{org.project_south.pk}/waivers", body).status == 404
    )
    assert not Waiver.objects.exists()


def test_reminders(org, gaps, as_user):
    north = as_user(org.pm_north)
    answer = north.post(f"/compliance/projects/{org.project_north.pk}/reminders", {"key": "baseline"})
    assert answer.status == 201, answer.body
    assert (
        answer.body["recipient"]["username"] == "pm_north"
        and answer.body["sent_by"]["username"] == "pm_north"
    )
    assert Notification.objects.get().recipient == org.pm_north
    gap = next(g for g in north.get("/compliance/gaps").body["items"] if g["key"] == "baseline")
    assert gap["last_reminded_at"] is not None

    assert (
        north.post(f"/compliance/projects/{org.project_south.pk}/reminders", {"key": "baseline"}).status
        == 404
    )
    assert (
        as_user(org.exec)
        .post(f"/compliance/projects/{org.project_north.pk}/reminders", {"key": "baseline"})
        .status
        == 403
    )
    bad = north.post(f"/compliance/projects/{org.project_north.pk}/reminders", {"key": "raid:risk:999"})
    assert bad.status == 422 and bad.body["detail"][0]["loc"] == ["body", "key"]
    assert Reminder.objects.count() == 1


def test_stale_risk_owner_is_reminded_through_the_api(org, as_user):
    risk = make_risk(org.pm_north, org.project_north, owner=org.member_north)
    risk.refresh_from_db()
    # Not stale today: the key names no gap yet.
    answer = as_user(org.pm_north).post(
        f"/compliance/projects/{org.project_north.pk}/reminders", {"key": f"raid:risk:{risk.pk}"}
    )
    assert answer.status == 422 and "no gap" in answer.body["detail"][0]["msg"]


def test_unit_settings(org, as_user):
    admin = as_user(org.admin)
    path = f"/compliance/org-units/{org.north.pk}/settings"
    assert admin.get(path).body == {
        "unit": {"id": org.north.pk, "code": "NORTH", "name": "Division North"},
        "own": False,
        "inherited_from": None,
        "stale_raid_days": 30,
        "change_age_days": 14,
        "baseline_required": True,
        "version": None,
    }
    made = admin.call("PUT", path, {"stale_raid_days": 10})
    assert made.status == 200 and made.body["own"] and made.body["stale_raid_days"] == 10
    assert admin.call("PUT", path, {"stale_raid_days": 12}).status == 428
    assert admin.call("PUT", path, {"stale_raid_days": 12}, headers={"If-Match": '"5"'}).status == 412
    bad = admin.call("PUT", path, {"stale_raid_days": 0, "version": 1})
    assert bad.status == 422 and bad.body["detail"][0]["loc"] == ["body", "stale_raid_days"]
    null = admin.call("PUT", path, {"change_age_days": None, "version": 1})
    assert null.status == 422 and null.body["detail"][0]["loc"] == ["body", "change_age_days"]
    assert admin.call("PUT", path, {"stale_raid_days": 12, "version": 1}).body["stale_raid_days"] == 12
    assert as_user(org.pm_north).call("PUT", path, {"stale_raid_days": 3, "version": 2}).status == 403
    assert as_user(org.pm_south).get(path).status == 404
    child = admin.get(f"/compliance/org-units/{org.south.pk}/settings").body
    assert child["inherited_from"] is None  # SOUTH is a sibling: it keeps the defaults
    assert admin.delete(path, headers={"If-Match": '"2"'}).status == 204
    assert not ComplianceConfig.objects.exists()
