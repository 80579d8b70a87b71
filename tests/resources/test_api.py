"""Resource API: the request / approve flow, 422 naming fields, 404 out of scope, 403 when only visible,
versions through If-Match and body, filters and pagination."""

from __future__ import annotations

import datetime as dt

import pytest

from keel.orgs import services as org_services
from keel.resources import services
from keel.resources.models import Allocation, Assignment
from tests.api.conftest import ApiClient, field_errors

MONDAY = "2026-03-02"


@pytest.fixture
def api(org):
    """api(user) -> a JSON client holding a fresh personal token of `user`."""
    clients: dict[int, ApiClient] = {}

    def make(user):
        if user.pk not in clients:
            _, plaintext = org_services.api_token_create(user=user, name="tests")
            clients[user.pk] = ApiClient(plaintext)
        return clients[user.pk]

    return make


def test_request_approve_through_the_api(org, pools, api):
    pm, rm = api(org.pm_north), api(pools.rm_north)
    created = pm.post(
        f"/projects/{org.project_north.pk}/allocations",
        {"resource": pools.ana.pk, "start_week": MONDAY, "end_week": "2026-03-16", "hours_per_week": "12.5"},
    )
    assert created.status == 201, created.body
    assert created.etag == '"1"' and created.body["status"] == "requested"
    assert created.body["requested_by"]["username"] == "pm_north"
    allocation_id = created.body["id"]

    waiting = rm.get("/allocations", awaiting="true")
    assert [a["id"] for a in waiting.body["items"]] == [allocation_id]
    assert pm.get("/allocations", awaiting="true").body["items"] == []
    assert [a["id"] for a in pm.get("/allocations", mine="true").body["items"]] == [allocation_id]

    refused = pm.post(f"/allocations/{allocation_id}/approve", {"version": 1})
    assert refused.status == 403
    approved = rm.post(
        f"/allocations/{allocation_id}/approve", {"comment": "Go"}, headers={"If-Match": '"1"'}
    )
    assert approved.status == 200, approved.body
    assert approved.body["status"] == "approved" and approved.body["decided_by"]["username"] == "rm_north"
    stale = rm.post(f"/allocations/{allocation_id}/reject", {"comment": "no"}, headers={"If-Match": '"1"'})
    assert stale.status == 412
    again = rm.post(f"/allocations/{allocation_id}/reject", {"comment": "no", "version": 2})
    assert field_errors(again) == {"status": "This allocation is approved; it cannot be rejected."}
    cancelled = pm.post(f"/allocations/{allocation_id}/cancel", {"version": 2})
    assert cancelled.status == 200 and cancelled.body["status"] == "cancelled"


def test_bad_requests_name_their_field_and_write_nothing(org, pools, api):
    pm = api(org.pm_north)
    url = f"/projects/{org.project_north.pk}/allocations"
    assert set(field_errors(pm.post(url, {}))) == {"resource", "start_week", "end_week", "hours_per_week"}
    assert "resource" in field_errors(
        pm.post(
            url, {"resource": pools.sofia.pk, "start_week": MONDAY, "end_week": MONDAY, "hours_per_week": 8}
        )
    )
    assert "start_week" in field_errors(
        pm.post(
            url,
            {"resource": pools.ana.pk, "start_week": "2026-03-03", "end_week": MONDAY, "hours_per_week": 8},
        )
    )
    assert "hours_per_week" in field_errors(
        pm.post(
            url, {"resource": pools.ana.pk, "start_week": MONDAY, "end_week": MONDAY, "hours_per_week": 0}
        )
    )
    assert "extra" in field_errors(pm.post(url, {"extra": 1}))
    assert not Allocation.objects.exists()
    rm = api(pools.rm_north)
    rates = f"/resources/{pools.ana.pk}/rates"
    assert field_errors(rm.post(rates, {"effective_from": MONDAY, "standard_rate": "90"})) == {
        "currency": "Give the rate's currency as an ISO 4217 code, e.g. EUR."
    }
    assert "currency" in field_errors(
        rm.post(rates, {"effective_from": MONDAY, "standard_rate": 90, "currency": "eur"})
    )
    leave = rm.post(f"/resources/{pools.ana.pk}/leave", {"start_date": MONDAY, "end_date": "2026-03-01"})
    assert set(field_errors(leave)) == {"end_date"}


def test_assignment_api_defaults_and_scoping(org, pools, api):
    pm = api(org.pm_north)
    created = pm.post(f"/tasks/{pools.task_north.pk}/assignments", {"resource": pools.ana.pk, "units": 50})
    assert created.status == 201, created.body
    assert (created.body["work_minutes"], created.body["cost"]) == (1200, "1610.00")
    assignment_id = created.body["id"]
    assert pm.get(f"/projects/{org.project_north.pk}/assignments").body["count"] == 1
    assert pm.get(f"/resources/{pools.ana.pk}/assignments").body["count"] == 1
    # SOUTH's resource is unknown to NORTH until shared
    assert "resource" in field_errors(
        pm.post(f"/tasks/{pools.task_north.pk}/assignments", {"resource": pools.sofia.pk})
    )
    assert field_errors(pm.post(f"/tasks/{pools.task_north.pk}/assignments", {})) == {
        "resource": "Choose the resource to assign."
    }
    # out of scope: 404, exactly like a missing one
    assert api(org.pm_south).get(f"/assignments/{assignment_id}").status == 404
    assert api(org.pm_south).patch(f"/assignments/{assignment_id}", {"units": 10, "version": 1}).status == 404
    # visible but not changeable: 403
    assert api(org.exec).get(f"/assignments/{assignment_id}").status == 200
    assert api(org.exec).patch(f"/assignments/{assignment_id}", {"units": 10, "version": 1}).status == 403
    # versions
    assert pm.patch(f"/assignments/{assignment_id}", {"units": 100}).status == 428
    changed = pm.patch(f"/assignments/{assignment_id}", {"units": 100}, headers={"If-Match": '"1"'})
    assert changed.status == 200 and changed.body["work_minutes"] == 2400 and changed.etag == '"2"'
    assert pm.patch(f"/assignments/{assignment_id}", {"units": 10, "version": 1}).status == 409
    assert pm.delete(f"/assignments/{assignment_id}", {"version": 2}).status == 204
    assert not Assignment.objects.exists()


def test_shared_pool_through_the_api(org, pools, api):
    admin, pm = api(org.admin), api(org.pm_north)
    assert pm.get(f"/resources/{pools.sofia.pk}").status == 404
    refused = api(pools.rm_south).call(
        "PUT", f"/resource-pools/{pools.south.pk}/shared-with", {"units": [org.north.pk], "version": 1}
    )
    assert refused.status == 403
    shared = admin.call(
        "PUT",
        f"/resource-pools/{pools.south.pk}/shared-with",
        {"units": [org.north.pk]},
        headers={"If-Match": '"1"'},
    )
    assert shared.status == 200, shared.body
    assert [u["code"] for u in shared.body["shared_with"]] == ["NORTH"]
    assert pm.get(f"/resources/{pools.sofia.pk}").status == 200
    assert pm.patch(f"/resources/{pools.sofia.pk}", {"name": "x", "version": 1}).status == 403
    listed = pm.get("/resources", pool=pools.south.pk)
    assert [r["code"] for r in listed.body["items"]] == ["R-SOFIA"]
    unknown = admin.call(
        "PUT", f"/resource-pools/{pools.south.pk}/shared-with", {"units": [999999], "version": 2}
    )
    assert set(field_errors(unknown)) == {"units"}


def test_resource_list_filters_and_pages(org, pools, api):
    services.resource_skill_set(actor=pools.rm_north, resource=pools.ana, skill=pools.python, level=4)
    rm = api(pools.rm_north)
    assert [r["code"] for r in rm.get("/resources", skill=pools.python.pk).body["items"]] == ["R-ANA"]
    assert [r["code"] for r in rm.get("/resources", kind="role").body["items"]] == ["R-BA"]
    assert {r["code"] for r in rm.get("/resources", role=pools.analyst.pk).body["items"]} == {"R-BA", "R-ANA"}
    page = rm.get("/resources", page_size=2, ordering="-code")
    assert page.body["count"] == 3 and [r["code"] for r in page.body["items"]] == ["R-CRANE", "R-BA"]
    assert rm.get("/resources", kind="robot").status == 422


def test_resource_with_history_is_refused_deletion(org, pools, api):
    services.assignment_create(actor=org.pm_north, task=pools.task_north, resource=pools.crane)
    rm = api(pools.rm_north)
    answer = rm.delete(f"/resources/{pools.crane.pk}", {"version": 1})
    assert set(field_errors(answer)) == {"resource"}
    assert "deactivate" in field_errors(answer)["resource"]
    assert rm.patch(f"/resources/{pools.crane.pk}", {"is_active": False, "version": 1}).status == 200


def test_skill_catalogue_api(org, pools, api):
    admin = api(org.admin)
    created = admin.post("/skills", {"name": "Rust", "org_unit": org.north.pk, "category": "Software"})
    assert created.status == 201
    assert api(org.pm_north).get(f"/skills/{created.body['id']}").status == 200
    assert api(org.pm_south).get(f"/skills/{created.body['id']}").status == 404
    assert api(pools.rm_north).post("/skills", {"name": "Go", "org_unit": org.north.pk}).status == 403
    held = api(pools.rm_north).call(
        "PUT", f"/resources/{pools.ana.pk}/skills/{created.body['id']}", {"level": 2}
    )
    assert held.status == 200 and held.body == {
        "skill": {"id": created.body["id"], "name": "Rust", "category": "Software"},
        "level": 2,
    }
    assert (
        api(pools.rm_north)
        .call("PUT", f"/resources/{pools.ana.pk}/skills/{pools.flamenco.pk}", {"level": 2})
        .status
        == 404
    )
    assert api(org.pm_north).get(f"/resources/{pools.ana.pk}/skills").body[0]["level"] == 2


def test_rates_api_versions(org, pools, api):
    rm = api(pools.rm_north)
    created = rm.post(
        f"/resources/{pools.ana.pk}/rates",
        {"effective_from": str(dt.date(2026, 6, 1)), "standard_rate": "95.50", "currency": "NOK"},
    )
    assert created.status == 201
    rate_id = created.body["id"]
    assert (
        rm.patch(f"/rates/{rate_id}", {"standard_rate": 99}, headers={"If-Match": '"1"'}).body[
            "standard_rate"
        ]
        == "99.00"
    )
    assert rm.patch(f"/rates/{rate_id}", {"standard_rate": 98}, headers={"If-Match": '"1"'}).status == 412
    assert api(org.pm_north).delete(f"/rates/{rate_id}", {"version": 2}).status == 403
    assert rm.delete(f"/rates/{rate_id}", {"version": 2}).status == 204
