"""The change control API: create, edits, impact, submit, approve, refusals, authority levels."""

from __future__ import annotations

from decimal import Decimal

from keel.changes.models import ChangeRequest, TaskEdit
from keel.finance.models import BudgetLine
from tests.api.conftest import field_errors
from tests.changes.conftest import MARCH


def test_given_a_pm_when_raising_editing_and_submitting_a_change_then_the_impact_is_computed(
    org, plan, as_user
):
    pm = as_user(org.pm_north)
    created = pm.post(
        f"/projects/{org.project_north.pk}/changes", {"title": "Second hall", "category": "scope"}
    )
    assert created.status == 201, created.body
    change_id = created.body["id"]
    assert created.body["reference"] == "CR-001"
    assert created.body["requested_by"]["username"] == "pm_north"

    edit = pm.post(f"/changes/{change_id}/task-edits", {"task": plan["Build"].pk, "duration_days": "20"})
    assert edit.status == 201, edit.body
    assert edit.body["kind"] == "duration"
    budget = pm.post(
        f"/changes/{change_id}/budget-edits",
        {"category": "materials", "period_start": "2026-03-01", "amount": "8000"},
    )
    assert budget.status == 201, budget.body

    impact = pm.get(f"/changes/{change_id}/impact")
    assert impact.status == 200
    assert Decimal(impact.body["slip_days"]) == Decimal("10")
    assert Decimal(impact.body["cost"]) == Decimal("8000")
    assert impact.body["level"]["approver_role"] == "pmo_admin"

    detail = pm.get(f"/changes/{change_id}")
    submitted = pm.post(f"/changes/{change_id}/submit", {}, headers={"If-Match": detail.etag})
    assert submitted.status == 200, submitted.body
    assert submitted.body["status"] == "submitted"
    assert submitted.body["approver_role"] == "pmo_admin"

    pending = as_user(org.admin).get("/changes/pending")
    assert [c["id"] for c in pending.body] == [change_id]

    approved = as_user(org.admin).post(
        f"/changes/{change_id}/approve", {"version": submitted.body["version"], "note": "Fine"}
    )
    assert approved.status == 200, approved.body
    assert approved.body["status"] == "approved"
    line = BudgetLine.objects.get(project=org.project_north, period_start=MARCH)
    assert line.approved_amount == Decimal("28000")


def test_bad_inputs_are_422_naming_the_field_and_write_nothing(org, plan, as_user):
    pm = as_user(org.pm_north)
    assert "title" in field_errors(pm.post(f"/projects/{org.project_north.pk}/changes", {"title": ""}))
    change_id = pm.post(f"/projects/{org.project_north.pk}/changes", {"title": "X"}).body["id"]
    assert "duration_days" in field_errors(
        pm.post(f"/changes/{change_id}/task-edits", {"task": plan["Build"].pk})
    )
    assert "task" in field_errors(
        pm.post(f"/changes/{change_id}/task-edits", {"task": 999999, "duration_days": 2})
    )
    assert "name" in field_errors(pm.post(f"/changes/{change_id}/task-edits", {"duration_days": 2}))
    assert "category" in field_errors(
        pm.post(
            f"/changes/{change_id}/budget-edits",
            {"category": "NOPE", "period_start": "2026-03-01", "amount": 1},
        )
    )
    assert "period_start" in field_errors(
        pm.post(
            f"/changes/{change_id}/budget-edits",
            {"category": "MATERIALS", "period_start": "2026-03-02", "amount": 1},
        )
    )
    assert "requested_by" in field_errors(
        pm.patch(f"/changes/{change_id}", {"requested_by": org.pm_south.pk, "version": 1})
    )
    assert not TaskEdit.objects.exists()


def test_a_loop_in_the_edits_is_refused_naming_task_edits(org, plan, as_user):
    pm = as_user(org.pm_north)
    change_id = pm.post(f"/projects/{org.project_north.pk}/changes", {"title": "X"}).body["id"]
    answer = pm.post(
        f"/changes/{change_id}/task-edits",
        {"name": "Rework", "predecessor": plan["Test"].pk, "duration_days": 1},
    )
    assert answer.status == 201  # a new task after Test: no loop
    impact = pm.get(f"/changes/{change_id}/impact")
    assert impact.status == 200


def test_approving_ones_own_change_is_refused_with_a_clear_error(org, plan, as_user):
    admin = as_user(org.admin)
    change = admin.post(f"/projects/{org.project_north.pk}/changes", {"title": "Mine"}).body
    submitted = admin.post(f"/changes/{change['id']}/submit", {"version": change["version"]})
    answer = admin.post(f"/changes/{change['id']}/approve", {"version": submitted.body["version"]})
    assert "approver" in field_errors(answer)
    assert "another" in field_errors(answer)["approver"]
    assert ChangeRequest.objects.get().status == "submitted"


def test_a_stale_version_is_409_and_a_missing_one_428(org, as_user):
    pm = as_user(org.pm_north)
    change = pm.post(f"/projects/{org.project_north.pk}/changes", {"title": "X"}).body
    assert pm.post(f"/changes/{change['id']}/submit", {"version": change["version"] + 5}).status == 409
    assert pm.post(f"/changes/{change['id']}/submit", {}, headers={"If-Match": '"99"'}).status == 412
    assert pm.post(f"/changes/{change['id']}/submit", {}).status == 428


def test_authority_levels_through_the_api(org, as_user):
    admin = as_user(org.admin)
    answer = admin.call(
        "PUT",
        f"/org-units/{org.eng.pk}/change-authority",
        {
            "levels": [
                {"max_cost": "5000", "approver_role": "project_manager"},
                {"approver_role": "pmo_admin"},
            ]
        },
    )
    assert answer.status == 200, answer.body
    inherited = admin.get(f"/org-units/{org.north.pk}/change-authority").body
    assert inherited["own"] is False and inherited["inherited_from"]["code"] == "ENG"
    assert inherited["levels"][0]["approver_role"] == "project_manager"
    bad = admin.call(
        "PUT", f"/org-units/{org.eng.pk}/change-authority", {"levels": [{"approver_role": "executive"}]}
    )
    assert bad.status == 422
    refused = as_user(org.pm_north).call(
        "PUT", f"/org-units/{org.north.pk}/change-authority", {"levels": [{"approver_role": "pmo_admin"}]}
    )
    assert refused.status == 403
