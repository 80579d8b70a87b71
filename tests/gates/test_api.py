"""The gates API: methodologies, a project's gate, deliverables, reviews and decisions, isolation."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from keel.gates.models import Deliverable, GateReview, Methodology
from keel.portfolio import services as portfolio_services
from tests.api.conftest import BASE, field_errors
from tests.gates.conftest import criterion


def _start(org, methodology, as_user):
    answer = as_user(org.pm_north).post(
        f"/projects/{org.project_north.pk}/methodology", {"methodology": methodology.pk}
    )
    assert answer.status == 200, answer.body
    return answer


def test_methodology_crud(org, as_user):
    admin = as_user(org.admin)
    created = admin.post("/methodologies", {"org_unit": org.central.pk, "name": "Lean", "approach": "agile"})
    assert created.status == 201, created.body
    pk = created.body["id"]
    phase = admin.post(f"/methodologies/{pk}/phases", {"name": "Build"})
    assert phase.status == 201 and phase.body["gate_name"] == "Build gate" and phase.body["order"] == 1
    crit = admin.post(
        f"/gate-phases/{phase.body['id']}/criteria", {"kind": "check", "title": "Tasks", "check_name": "nope"}
    )
    assert field_errors(crit) == {"check_name": crit.body["detail"][0]["msg"]}
    crit = admin.post(
        f"/gate-phases/{phase.body['id']}/criteria",
        {"kind": "check", "title": "Tasks", "check_name": "schedule_has_tasks"},
    )
    assert crit.status == 201
    detail = admin.get(f"/methodologies/{pk}")
    assert (
        detail.body["phases"][0]["criteria"][0]["key"]
        == f"gate:{phase.body['id']}:criterion:{crit.body['id']}"
    )
    stale = admin.patch(f"/methodologies/{pk}", {"name": "Leaner"}, headers={"If-Match": '"9"'})
    assert stale.status == 412
    changed = admin.patch(f"/methodologies/{pk}", {"name": "Leaner"}, headers={"If-Match": detail.etag})
    assert changed.status == 200 and changed.body["name"] == "Leaner"
    assert admin.delete(f"/methodologies/{pk}", headers={"If-Match": changed.etag}).status == 204
    assert not Methodology.objects.filter(pk=pk).exists()


def test_project_managers_see_the_methodologies_above_them_but_do_not_change_them(org, methodology, as_user):
    pm = as_user(org.pm_north)
    listed = pm.get("/methodologies")
    assert [m["name"] for m in listed.body["items"]] == ["Test lifecycle"]
    assert pm.patch(f"/methodologies/{methodology.pk}", {"name": "X", "version": 1}).status == 403
    assert pm.post("/methodologies", {"org_unit": org.north.pk, "name": "Mine"}).status == 403


def test_defaults_endpoint(org, as_user):
    answer = as_user(org.admin).post(f"/org-units/{org.north.pk}/default-methodologies")
    assert answer.status == 201
    assert [m["name"] for m in answer.body] == ["Waterfall — small", "Waterfall — large", "Agile"]
    assert as_user(org.pm_north).post(f"/org-units/{org.north.pk}/default-methodologies").status == 403


def test_gate_review_through_the_api(org, methodology, pfm, as_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pm = as_user(org.pm_north)
    _start(org, methodology, as_user)
    gate = pm.get(f"/projects/{org.project_north.pk}/gate")
    assert gate.body["phase"] == "Initiation"
    assert {i["title"]: i["missing"] for i in gate.body["checklist"]} == {
        "Charter": True,
        "Manager set": False,
        "Sponsor set": True,
        "Portfolio OK": False,
    }
    refused = pm.post(f"/projects/{org.project_north.pk}/gate-reviews", {})
    message = field_errors(refused)["checklist"]
    assert "Charter" in message and "Sponsor set" in message

    charter = criterion(methodology, "Charter")
    upload = pm.client.post(
        f"{BASE}/projects/{org.project_north.pk}/deliverables/upload",
        {"criterion": charter.pk, "file": SimpleUploadedFile("charter.pdf", b"%PDF-1.4")},
        headers={"Authorization": f"Bearer {pm.token}"},
    )
    assert upload.status_code == 201, upload.content
    assert upload.json()["file_name"] == "charter.pdf" and upload.json()["download_url"]
    project = org.project_north
    portfolio_services.project_update(
        actor=org.admin, project=project, version=project.version, sponsor=org.exec
    )

    requested = pm.post(f"/projects/{org.project_north.pk}/gate-reviews", {"comment": "Ready"})
    assert requested.status == 201, requested.body
    review_id = requested.body["id"]
    assert [r["id"] for r in as_user(pfm).get("/gate-review-queue").body] == [review_id]
    assert pm.post(f"/gate-reviews/{review_id}/decisions", {"outcome": "approve"}).status == 403
    no_reason = as_user(pfm).post(f"/gate-reviews/{review_id}/decisions", {"outcome": "reject"})
    assert "comment" in field_errors(no_reason)
    approved = as_user(pfm).post(f"/gate-reviews/{review_id}/decisions", {"outcome": "approve"})
    assert approved.status == 201, approved.body
    assert pm.get(f"/gate-reviews/{review_id}").body["status"] == "passed"
    assert pm.get(f"/projects/{org.project_north.pk}/gate").body["phase"] == "Delivery"
    history = pm.get(f"/projects/{org.project_north.pk}/gate-history").body
    assert [e["kind"] for e in history] == ["started", "gate_passed"]


def test_methodology_change_through_the_api(org, methodology, as_user):
    _start(org, methodology, as_user)
    other = as_user(org.admin).post("/methodologies", {"org_unit": org.central.pk, "name": "Other"}).body
    as_user(org.admin).post(f"/methodologies/{other['id']}/phases", {"name": "Only"})
    pm = as_user(org.pm_north)
    assert (
        pm.post(
            f"/projects/{org.project_north.pk}/methodology", {"methodology": other["id"], "reason": "x"}
        ).status
        == 403
    )
    no_reason = as_user(org.admin).post(
        f"/projects/{org.project_north.pk}/methodology", {"methodology": other["id"]}
    )
    assert "reason" in field_errors(no_reason)
    moved = as_user(org.admin).post(
        f"/projects/{org.project_north.pk}/methodology",
        {"methodology": other["id"], "reason": "Smaller than thought", "mapping": "reset"},
    )
    assert moved.status == 200 and moved.body["phase"] == "Only"


def test_south_records_are_out_of_reach(org, methodology, pfm, as_user):
    _start(org, methodology, as_user)
    link = as_user(org.pm_north).post(
        f"/projects/{org.project_north.pk}/deliverables",
        {"criterion": criterion(methodology, "Charter").pk, "link": "https://docs.example.org/charter"},
    )
    assert link.status == 201
    pm_south = as_user(org.pm_south)
    assert pm_south.get(f"/projects/{org.project_north.pk}/gate").status == 404
    assert pm_south.get(f"/gate-deliverables/{link.body['id']}").status == 404
    assert pm_south.delete(f"/gate-deliverables/{link.body['id']}", {"version": 1}).status == 404
    assert pm_south.post(f"/projects/{org.project_north.pk}/gate-reviews", {}).status == 404
    assert Deliverable.objects.count() == 1 and not GateReview.objects.exists()
