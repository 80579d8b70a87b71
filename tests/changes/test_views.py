"""Change pages: the log with filters and export, the form, the page with impact, the steps, the
PMO's list of changes awaiting a decision and the authority settings."""

from __future__ import annotations

import io
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from keel.changes import services
from keel.changes.models import ChangeAuthority, ChangeRequest, TaskEdit
from keel.schedule.models import Task
from tests.changes.conftest import draft
from tests.conftest import PASSWORD


def client_for(user) -> Client:
    """A browser signed in as `user`."""
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_log_lists_filters_and_exports(org):
    draft(org.pm_north, org.project_north, title="Second hall", category="scope")
    withdrawn = draft(org.pm_north, org.project_north, title="Cheaper racks", category="cost")
    services.change_withdraw(actor=org.pm_north, change=withdrawn, version=withdrawn.version)
    client = client_for(org.pm_north)
    url = reverse("changes:log", args=[org.project_north.pk])

    page = client.get(url).content.decode()
    assert "Second hall" in page and "Cheaper racks" in page
    filtered = client.get(url, {"status": "withdrawn"}).content.decode()
    assert "Cheaper racks" in filtered and "Second hall" not in filtered

    export = client.get(reverse("changes:export", args=[org.project_north.pk]), {"category": "cost"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    assert rows[0][0] == "Ref" and [r[1] for r in rows[1:]] == ["Cheaper racks"]


def test_the_form_raises_a_change_and_shows_errors_next_to_the_field(org):
    client = client_for(org.pm_north)
    url = reverse("changes:create", args=[org.project_north.pk])

    refused = client.post(url, {"title": "", "category": "scope"})
    assert refused.status_code == 422
    assert not ChangeRequest.objects.exists()

    answer = client.post(url, {"title": "Second hall", "category": "scope", "reason": "Demand"})
    change = ChangeRequest.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("changes:detail", args=[change.pk])
    assert change.requested_by == org.pm_north


def test_the_page_shows_the_impact_and_the_steps_follow(org, plan):
    change = draft(org.pm_north, org.project_north)
    pm = client_for(org.pm_north)
    detail = reverse("changes:detail", args=[change.pk])

    added = pm.post(
        reverse("changes:task_edit_add", args=[change.pk]),
        {"task_edit-kind": "duration", "task_edit-task": plan["Build"].pk, "task_edit-duration_days": "12"},
    )
    assert added.status_code == 302
    bad = pm.post(reverse("changes:budget_edit_add", args=[change.pk]), {"budget_edit-amount": "5"})
    assert bad.status_code == 422
    page = pm.get(detail).content.decode()
    assert "2.0</strong> working days" in page
    assert "Build: 12.00 working days" in page

    change.refresh_from_db()
    pm.post(reverse("changes:submit", args=[change.pk]), {"version": change.version})
    change.refresh_from_db()
    assert change.status == "submitted"

    own = pm.post(reverse("changes:approve", args=[change.pk]), {"version": change.version})
    assert own.status_code == 403  # a project manager is below the level

    admin = client_for(org.admin)
    assert "CR-001" in admin.get(reverse("changes:pending")).content.decode()
    admin.post(reverse("changes:approve", args=[change.pk]), {"version": change.version, "note": "ok"})
    change.refresh_from_db()
    assert change.status == "approved"
    assert Task.objects.get(pk=plan["Build"].pk).duration_minutes == 12 * plan.day
    approved = admin.get(detail).content.decode()
    assert "Baseline re-saved" in approved
    assert "(as computed when approved)" in approved and "2.0</strong> working days" in approved


def test_reject_needs_a_note_on_the_page(org, plan):
    change = draft(org.pm_north, org.project_north)
    services.change_submit(actor=org.pm_north, change=change, version=change.version)
    change.refresh_from_db()
    admin = client_for(org.admin)

    refused = admin.post(reverse("changes:reject", args=[change.pk]), {"version": change.version, "note": ""})
    assert refused.status_code == 422
    assert "Say why the change is rejected." in refused.content.decode()
    admin.post(reverse("changes:reject", args=[change.pk]), {"version": change.version, "note": "Too dear"})
    change.refresh_from_db()
    assert change.status == "rejected"


def test_edits_cannot_be_removed_by_another_division(org, plan):
    change = draft(org.pm_north, org.project_north)
    edit = services.task_edit_add(
        actor=org.pm_north, change=change, task=plan["Build"], duration_days=Decimal("3")
    )
    south = client_for(org.pm_south)
    url = reverse("changes:task_edit_delete", args=[change.pk, edit.pk])
    assert south.post(url).status_code == 404
    assert TaskEdit.objects.filter(pk=edit.pk).exists()
    assert client_for(org.pm_north).post(url).status_code == 302
    assert not TaskEdit.objects.exists()


def test_the_authority_page_is_the_pmos(org):
    url = reverse("changes:authority", args=[org.north.pk])
    assert client_for(org.pm_north).get(url).status_code == 403
    admin = client_for(org.admin)
    assert admin.get(url).status_code == 200
    data = {"levels-TOTAL_FORMS": "2", "levels-INITIAL_FORMS": "2", "version": ""}
    data |= {
        "levels-0-max_cost": "2500",
        "levels-0-max_slip_days": "3",
        "levels-0-approver_role": "project_manager",
    }
    data |= {"levels-1-approver_role": "pmo_admin"}
    answer = admin.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    levels = ChangeAuthority.objects.get(org_unit=org.north).levels
    assert [level["approver_role"] for level in levels] == ["project_manager", "pmo_admin"]
    assert levels[0]["max_cost"] == "2500.00"
