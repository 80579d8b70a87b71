"""The benefits API: register, change, contribute, measure, and the realized-vs-planned reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keel.benefits.models import Benefit, Measurement
from tests.api.conftest import field_errors

pytestmark = pytest.mark.django_db


def _body(org, **changes):
    return {
        "code": "B-API",
        "name": "Fewer truck rolls",
        "owner": org.member_north.pk,
        "lead_project": org.project_north.pk,
        "measure": "Truck rolls per month",
        "measure_unit": "rolls",
        "baseline_value": 200,
        "baseline_date": "2026-01-01",
        "target_value": "120",
        "target_date": "2026-12-31",
        "milestones": [{"date": "2026-06-30", "value": 180}],
        "frequency": "monthly",
        **changes,
    }


def test_register_change_and_read_a_benefit(org, as_user):
    pm = as_user(org.pm_north)
    created = pm.post("/benefits", _body(org))
    assert created.status == 201, created.body
    b = created.body
    assert b["org_unit"]["code"] == "NORTH" and b["lead_project"]["code"] == "N-001"
    assert b["milestones"] == [{"date": "2026-06-30", "value": "180"}]
    assert created.etag == '"1"'

    changed = pm.patch(f"/benefits/{b['id']}", {"target_value": 100}, headers={"If-Match": '"1"'})
    assert changed.status == 200 and changed.body["target_value"] in ("100.0000", "100")
    stale = pm.patch(f"/benefits/{b['id']}", {"name": "x"}, headers={"If-Match": '"1"'})
    assert stale.status == 412
    assert pm.patch(f"/benefits/{b['id']}", {"name": "x"}).status == 428

    listed = pm.get("/benefits", status="active", q="truck")
    assert [x["code"] for x in listed.body["items"]] == ["B-API"]
    assert as_user(org.pm_south).get(f"/benefits/{b['id']}").status == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"target_date": "2025-06-01"}, "target_date"),
        ({"baseline_value": "a lot"}, "baseline_value"),
        ({"currency": "EUR"}, "currency"),  # not financial
        ({"milestones": [{"date": "2027-03-01", "value": 1}]}, "milestones"),
        ({"lead_project": 999999}, "lead_project"),
        ({"owner": 999999}, "owner"),
        ({"frequency": "hourly"}, "frequency"),
        ({"baseline_date": "0999-01-01"}, "baseline_date"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(org, as_user, changes, field):
    answer = as_user(org.pm_north).post("/benefits", _body(org, **changes))
    assert field in field_errors(answer), answer.body
    assert not Benefit.objects.exists()


def test_the_owner_records_measurements_and_reads_realized_vs_planned(org, as_user):
    created = as_user(org.pm_north).post("/benefits", _body(org)).body
    owner = as_user(org.member_north)
    url = f"/benefits/{created['id']}"
    assert owner.patch(url, {"name": "mine"}, headers={"If-Match": '"1"'}).status == 403
    recorded = owner.post(f"{url}/measurements", {"measured_on": "2026-03-01", "value": 190, "note": "Q1"})
    assert recorded.status == 201, recorded.body
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    future = owner.post(f"{url}/measurements", {"measured_on": tomorrow, "value": 1})
    assert "in the future" in field_errors(future)["measured_on"]
    assert "value" in field_errors(
        owner.post(f"{url}/measurements", {"measured_on": "2026-03-02", "value": "x"})
    )
    assert (
        as_user(org.exec).post(f"{url}/measurements", {"measured_on": "2026-03-02", "value": 1}).status == 403
    )

    real = owner.get(f"{url}/realization").body
    # 1 Mar 2026 is day 59 of 180 to the milestone: 200 − 20 × 59/180 = 193.4444 planned; 190 measured.
    point = next(p for p in real["series"] if p["kind"] == "measurement")
    assert (point["date"], point["planned"], point["realized"]) == ("2026-03-01", "193.4444", "190.0000")
    assert real["latest_value"] == "190.0000"
    assert (
        real["shortfall_percent"] == "-52.54"
    )  # ahead: 10 down where 6.5556 was planned: (−6.5556 + 10) / −6.5556

    (m,) = owner.get(f"{url}/measurements").body
    assert owner.delete(f"{url}/measurements/{m['id']}").status == 204
    assert not Measurement.objects.exists()


def test_contributions_and_a_projects_benefits(org, as_user):
    created = as_user(org.pm_north).post("/benefits", _body(org)).body
    admin = as_user(org.admin)
    added = admin.post(
        f"/benefits/{created['id']}/contributions", {"project": org.project_south.pk, "share_percent": 30}
    )
    assert added.status == 201 and added.body["project"]["code"] == "S-001"
    codes = [
        s["benefit"]["code"]
        for s in as_user(org.pm_south).get(f"/projects/{org.project_south.pk}/benefits").body
    ]
    assert codes == ["B-API"]
    listed = admin.get(f"/benefits/{created['id']}/contributions").body
    lead = next(c for c in listed if c["project"]["code"] == "N-001")
    refused = admin.delete(f"/benefits/{created['id']}/contributions/{lead['id']}")
    assert "lead project" in field_errors(refused)["project"]
    assert admin.delete(f"/benefits/{created['id']}/contributions/{added.body['id']}").status == 204


def test_reports_and_threshold(org, as_user):
    created = (
        as_user(org.pm_north).post("/benefits", _body(org, baseline_date="2020-01-01", milestones=[])).body
    )
    admin = as_user(org.admin)
    overdue = admin.get("/benefit-reports/overdue").body
    assert [s["benefit"]["code"] for s in overdue] == ["B-API"] and overdue[0]["overdue"]
    assert as_user(org.pm_south).get("/benefit-reports/overdue").body == []
    as_user(org.member_north).post(
        f"/benefits/{created['id']}/measurements",
        {"measured_on": timezone.localdate().isoformat(), "value": 200},
    )
    at_risk = admin.get("/benefit-reports/at-risk").body
    assert [s["benefit"]["code"] for s in at_risk] == ["B-API"] and at_risk[0][
        "shortfall_percent"
    ] == "100.00"
    assert (
        as_user(org.pm_north)
        .call("PUT", "/benefit-reports/threshold", {"org_unit": org.north.pk, "at_risk_percent": 5})
        .status
        == 403
    )
    set_ = admin.call(
        "PUT", "/benefit-reports/threshold", {"org_unit": org.north.pk, "at_risk_percent": "100"}
    )
    assert set_.status == 200 and float(set_.body["percent"]) == 100
    assert admin.get("/benefit-reports/at-risk").body == []
    report = admin.get("/benefit-reports/portfolio").body
    assert [s["benefit"]["code"] for s in report["benefits"]] == ["B-API"]
    assert report["currencies"] == []  # not a financial benefit
    assert admin.delete(f"/benefits/{created['id']}", headers={"If-Match": '"1"'}).status == 204
