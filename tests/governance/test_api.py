"""RAID API: CRUD with versions, 422 naming the field, the heat map, escalate and resolve, settings."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from keel.governance.models import Risk


def _risk(client, project, **body):
    return client.post(
        f"/projects/{project.pk}/risks", {"title": "Vendor late", "probability": 2, "impact": 3, **body}
    )


def test_risk_crud_with_versions(org, as_user):
    client = as_user(org.pm_north)
    created = _risk(client, org.project_north, owner=org.member_north.pk, category="Supplier")
    assert created.status == 201, created.body
    body = created.body
    assert (body["reference"], body["score"], body["owner"]["username"], created.etag) == (
        "R-001",
        6,
        "member_north",
        '"1"',
    )
    pk = body["id"]
    changed = client.patch(f"/risks/{pk}", {"impact": 5}, headers={"If-Match": '"1"'})
    assert changed.status == 200 and changed.body["score"] == 10
    stale = client.patch(f"/risks/{pk}", {"impact": 4}, headers={"If-Match": '"1"'})
    assert stale.status == 412
    assert client.patch(f"/risks/{pk}", {"impact": 4}).status == 428
    listed = client.get(f"/projects/{org.project_north.pk}/risks", min_score=10)
    assert [r["reference"] for r in listed.body["items"]] == ["R-001"]
    assert client.delete(f"/risks/{pk}", {"version": 2}).status == 204
    assert not Risk.objects.exists()


def test_bad_input_is_a_422_naming_the_field(org, as_user):
    client = as_user(org.pm_north)
    answer = _risk(client, org.project_north, probability=6)
    assert answer.status == 422 and answer.body["detail"][0]["loc"] == ["body", "probability"]
    answer = _risk(client, org.project_north, probability=11)  # beyond any scale: the schema refuses it
    assert answer.status == 422 and answer.body["detail"][0]["loc"][-1] == "probability"
    answer = _risk(client, org.project_north, residual_probability=3, residual_impact=3)
    assert answer.status == 422 and answer.body["detail"][0]["loc"] == ["body", "residual_impact"]
    answer = _risk(client, org.project_north, owner=org.pm_south.pk)
    assert answer.status == 422 and answer.body["detail"][0]["loc"] == ["body", "owner"]
    risk = _risk(client, org.project_north).body
    answer = client.post(f"/risks/{risk['id']}/actions", {"description": "Call", "due_date": None})
    assert answer.status == 422 and answer.body["detail"][0]["loc"][-1] == "due_date"
    answer = client.post(
        f"/projects/{org.project_north.pk}/decisions",
        {"title": "Buy", "decided_by": "Board", "decided_on": "2026-03-01", "rationale": " "},
    )
    assert answer.status == 422 and answer.body["detail"][0]["loc"] == ["body", "rationale"]
    assert Risk.objects.count() == 1


def test_issues_assumptions_decisions_and_actions(org, as_user):
    client = as_user(org.pm_north)
    risk = _risk(client, org.project_north).body
    action = client.post(
        f"/risks/{risk['id']}/actions", {"description": "Second vendor", "due_date": "2026-06-01"}
    )
    assert action.status == 201 and action.body["risk"]["reference"] == "R-001"
    done = client.patch(
        f"/risk-actions/{action.body['id']}", {"status": "done", "completed_on": "2026-05-30", "version": 1}
    )
    assert done.status == 200 and done.body["status"] == "done"
    issue = client.post(f"/projects/{org.project_north.pk}/issues", {"title": "Racks late", "severity": 2})
    assumption = client.post(f"/projects/{org.project_north.pk}/assumptions", {"title": "Power ready"})
    decision = client.post(
        f"/projects/{org.project_north.pk}/decisions",
        {
            "title": "Buy spare racks",
            "decided_by": "Steering committee",
            "decided_on": "2026-03-01",
            "rationale": "Cheaper than a delay",
            "options_considered": "Wait; rent; buy",
            "linked_risks": [risk["id"]],
            "linked_issues": [issue.body["id"]],
        },
    )
    assert (issue.body["reference"], assumption.body["reference"], decision.body["reference"]) == (
        "I-001",
        "A-001",
        "D-001",
    )
    assert [r["reference"] for r in decision.body["linked_risks"]] == ["R-001"]
    assert client.get(f"/risks/{risk['id']}").body["actions"][0]["status"] == "done"


def test_heat_map_and_escalation_through_the_api(org, as_user):
    pm, admin = as_user(org.pm_north), as_user(org.admin)
    high = _risk(pm, org.project_north, probability=4, impact=4).body
    low = _risk(pm, org.project_north, probability=1, impact=1).body
    heat = pm.get(f"/projects/{org.project_north.pk}/risk-heatmap").body
    cells = {(c["probability"], c["impact"]): c["count"] for c in heat["cells"]}
    assert (heat["size"], heat["total"], cells[(4, 4)], cells[(1, 1)], cells[(2, 2)]) == (5, 2, 1, 1, 0)
    assert admin.get("/risk-heatmap").body["total"] == 2
    assert as_user(org.pm_south).get("/risk-heatmap").body["total"] == 0

    flagged = pm.post(f"/risks/{low['id']}/escalate", {"reason": "Vendor insolvent", "version": 1})
    assert flagged.status == 200 and flagged.body["escalated"] is True
    listed = admin.get("/escalations").body["items"]
    assert sorted((e["reference"], tuple(e["reasons"])) for e in listed) == [
        ("R-001", ("threshold",)),
        ("R-002", ("flagged",)),
    ]
    assert pm.post(f"/risks/{low['id']}/resolve-escalation", {"resolution": "x", "version": 2}).status == 403
    empty = admin.post(f"/risks/{low['id']}/resolve-escalation", {"resolution": "", "version": 2})
    assert empty.status == 422 and empty.body["detail"][0]["loc"] == ["body", "resolution"]
    done = admin.post(f"/risks/{low['id']}/resolve-escalation", {"resolution": "Second vendor", "version": 2})
    assert done.status == 200 and done.body["resolved_by"]["username"] == "admin"
    assert [e["reference"] for e in admin.get("/escalations").body["items"]] == [high["reference"]]
    assert as_user(org.pm_south).get("/escalations").body["items"] == []


def test_unit_settings(org, as_user):
    admin = as_user(org.admin)
    inherited = admin.get(f"/org-units/{org.north.pk}/raid-config").body
    assert (inherited["own"], inherited["scale_size"], inherited["version"]) == (False, 5, None)
    answer = admin.call(
        "PUT", f"/org-units/{org.eng.pk}/raid-config", {"scale_size": 4, "escalation_threshold": 9}
    )
    assert answer.status == 200 and answer.body["own"] and answer.body["version"] == 1
    north = admin.get(f"/org-units/{org.north.pk}/raid-config").body
    assert (north["scale_size"], north["inherited_from"]["code"], north["probability_labels"]) == (
        4,
        "ENG",
        ["1", "2", "3", "4"],
    )
    bad = admin.call(
        "PUT", f"/org-units/{org.eng.pk}/raid-config", {"escalation_threshold": 17, "version": 1}
    )
    assert bad.status == 422 and bad.body["detail"][0]["loc"] == ["body", "escalation_threshold"]
    assert (
        as_user(org.pm_north).call("PUT", f"/org-units/{org.north.pk}/raid-config", {"scale_size": 3}).status
        == 403
    )
    assert admin.delete(f"/org-units/{org.eng.pk}/raid-config", {"version": 1}).status == 204
    assert admin.get(f"/org-units/{org.north.pk}/raid-config").body["scale_size"] == 5


def test_overdue_issue_shows_its_age(org, as_user):
    client = as_user(org.pm_north)
    due = timezone.localdate() - dt.timedelta(days=3)
    client.post(
        f"/projects/{org.project_north.pk}/issues",
        {"title": "Late", "severity": 1, "due_date": due.isoformat()},
    )
    [row] = client.get("/escalations").body["items"]
    assert (row["reasons"], row["age_days"], row["since"]) == (
        ["overdue"],
        2,
        (due + dt.timedelta(days=1)).isoformat(),
    )
