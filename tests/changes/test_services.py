"""Change requests through the services: what-if impact, authority levels, approval and refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from keel.changes import selectors, services, whatif
from keel.changes.models import ChangeAuthority, ChangeRequest, TaskEdit
from keel.core.errors import ConflictError, PermissionDenied
from keel.core.models import AuditEntry
from keel.finance.models import BudgetChange, BudgetLine
from keel.notifications.models import Kind, Notification
from keel.orgs.models import Role
from keel.schedule.models import Baseline, BaselineTask, Task
from tests.changes.conftest import MARCH, draft
from tests.factories import MembershipFactory, UserFactory
from tests.finance.helpers import category


def test_given_a_draft_when_created_then_it_is_numbered_and_requested_by_the_actor(org):
    first = draft(org.pm_north, org.project_north)
    second = draft(org.pm_north, org.project_north, title="Second")

    assert (first.reference, second.reference) == ("CR-001", "CR-002")
    assert first.requested_by == org.pm_north
    assert first.status == ChangeRequest.Status.DRAFT
    assert AuditEntry.objects.filter(object_id=str(first.pk), project_id=org.project_north.pk).exists()


def test_given_no_title_when_created_then_refused_naming_it(org):
    with pytest.raises(ValidationError) as error:
        services.change_create(actor=org.pm_north, project=org.project_north, title="  ")
    assert "title" in error.value.message_dict
    assert not ChangeRequest.objects.exists()


def test_given_another_division_when_raising_a_change_then_refused(org):
    with pytest.raises(PermissionDenied):
        draft(org.pm_south, org.project_north)
    with pytest.raises(PermissionDenied):
        draft(org.exec, org.project_north)


def test_given_a_duration_edit_when_computing_the_impact_then_the_copy_moves_and_the_schedule_does_not(
    org, plan
):
    change = draft(org.pm_north, org.project_north)
    build = plan["Build"]
    finish_before = max(t.finish for t in Task.objects.filter(project=org.project_north))
    services.task_edit_add(actor=org.pm_north, change=change, task=build, duration_days=Decimal("13"))

    impact = whatif.impact_of(change)

    assert impact.slip_days == Decimal("3.0")
    assert impact.finish_after > impact.finish_before
    assert impact.finish_before == finish_before
    assert "Build" in impact.critical_after
    assert plan["Build"].duration_minutes == 10 * plan.day  # nothing written
    assert max(t.finish for t in Task.objects.filter(project=org.project_north)) == finish_before


def test_given_a_long_new_task_when_computing_then_the_critical_path_changes(org, plan):
    change = draft(org.pm_north, org.project_north)
    services.task_edit_add(
        actor=org.pm_north,
        change=change,
        name="Extra docs",
        predecessor=plan["Docs"],
        duration_days=Decimal("20"),
    )

    impact = whatif.impact_of(change)

    assert impact.critical_changed
    assert "Extra docs" in impact.critical_added
    assert "Test" in impact.critical_removed
    assert impact.slip_days == Decimal("8.0")  # 5 + 3 + 20 = 28 days against 5 + 10 + 5 = 20
    assert not Task.objects.filter(name="Extra docs").exists()


def test_given_budget_edits_when_computing_then_the_cost_is_their_sum_by_category(org, plan):
    change = draft(org.pm_north, org.project_north)
    services.budget_edit_add(
        actor=org.pm_north,
        change=change,
        category=category("MATERIALS"),
        period_start=MARCH,
        amount=Decimal("5000"),
    )
    services.budget_edit_add(
        actor=org.pm_north,
        change=change,
        category=category("SERVICES"),
        period_start=dt.date(2026, 4, 1),
        amount=Decimal("-1000"),
    )

    impact = whatif.impact_of(change)

    assert impact.cost == Decimal("4000")
    assert impact.budget_before == Decimal("20000")
    assert impact.budget_after == Decimal("24000")
    assert len(impact.cost_lines) == 2


def test_given_bad_edits_when_added_then_each_is_refused_naming_the_field(org, plan):
    change = draft(org.pm_north, org.project_north)
    with pytest.raises(ValidationError) as error:
        services.task_edit_add(actor=org.pm_north, change=change, task=plan["Build"])
    assert "duration_days" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.task_edit_add(actor=org.pm_north, change=change, duration_days=Decimal("2"))
    assert "name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.budget_edit_add(
            actor=org.pm_north,
            change=change,
            category=category("MATERIALS"),
            period_start=dt.date(2026, 3, 5),
            amount=Decimal("1"),
        )
    assert "period_start" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.budget_edit_add(
            actor=org.pm_north,
            change=change,
            category=category("MATERIALS"),
            period_start=MARCH,
            amount=Decimal("0"),
        )
    assert "amount" in error.value.message_dict
    south = draft(org.pm_south, org.project_south)
    with pytest.raises(ValidationError) as error:
        services.task_edit_add(
            actor=org.pm_south, change=south, task=plan["Build"], duration_days=Decimal("2")
        )
    assert "task" in error.value.message_dict
    assert not TaskEdit.objects.exists()


def test_given_a_submitted_change_when_edited_then_refused(org, plan):
    change = draft(org.pm_north, org.project_north)
    services.change_submit(actor=org.pm_north, change=change, version=change.version)

    with pytest.raises(ValidationError) as error:
        services.change_update(actor=org.pm_north, change=change, version=change.version, title="Other")
    assert "status" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.task_edit_add(
            actor=org.pm_north, change=change, task=plan["Build"], duration_days=Decimal("2")
        )
    assert "change" in error.value.message_dict


def test_given_a_stale_version_when_submitting_then_conflict(org):
    change = draft(org.pm_north, org.project_north)
    with pytest.raises(ConflictError):
        services.change_submit(actor=org.pm_north, change=change, version=change.version + 1)
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.DRAFT


def test_given_a_small_change_when_submitted_then_the_portfolio_manager_is_asked(org, plan):
    portfolio = UserFactory(username="pf_eng")
    MembershipFactory(user=portfolio, unit=org.eng, role=Role.PORTFOLIO_MANAGER)
    change = draft(org.pm_north, org.project_north)
    services.budget_edit_add(
        actor=org.pm_north,
        change=change,
        category=category("MATERIALS"),
        period_start=MARCH,
        amount=Decimal("5000"),
    )

    services.change_submit(actor=org.pm_north, change=change, version=change.version)

    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.SUBMITTED
    assert change.approver_role == Role.PORTFOLIO_MANAGER
    asked = set(Notification.objects.filter(kind=Kind.APPROVAL).values_list("recipient__username", flat=True))
    assert asked == {"pf_eng", "admin"}
    assert change in selectors.undecided_changes(projects=[org.project_north])
    assert selectors.can_decide(portfolio, change)
    assert not selectors.can_decide(org.pm_north, change)


def test_given_a_big_slip_when_submitted_then_only_the_pmo_decides(org, plan):
    portfolio = UserFactory(username="pf_eng")
    MembershipFactory(user=portfolio, unit=org.eng, role=Role.PORTFOLIO_MANAGER)
    change = draft(org.pm_north, org.project_north)
    services.task_edit_add(actor=org.pm_north, change=change, task=plan["Build"], duration_days=Decimal("20"))
    services.change_submit(actor=org.pm_north, change=change, version=change.version)
    change.refresh_from_db()

    assert change.approver_role == Role.PMO_ADMIN
    with pytest.raises(PermissionDenied) as error:
        services.change_approve(actor=portfolio, change=change, version=change.version)
    assert "PMO administrator" in str(error.value)


def test_given_a_change_when_approved_then_budget_schedule_and_baseline_follow_in_one_go(org, plan):
    change = draft(org.pm_north, org.project_north)
    services.task_edit_add(actor=org.pm_north, change=change, task=plan["Build"], duration_days=Decimal("12"))
    services.task_edit_add(
        actor=org.pm_north,
        change=change,
        name="Commissioning",
        predecessor=plan["Test"],
        duration_days=Decimal("2"),
    )
    services.budget_edit_add(
        actor=org.pm_north,
        change=change,
        category=category("MATERIALS"),
        period_start=MARCH,
        amount=Decimal("7500"),
    )
    services.change_submit(actor=org.pm_north, change=change, version=change.version)
    change.refresh_from_db()

    services.change_approve(actor=org.admin, change=change, version=change.version, note="Go")

    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPROVED
    assert change.decided_by == org.admin
    line = BudgetLine.objects.get(
        project=org.project_north, category=category("MATERIALS"), period_start=MARCH
    )
    assert (line.approved_amount, line.current_amount) == (Decimal("27500"), Decimal("27500"))
    assert set(
        BudgetChange.objects.filter(change_request=str(change.pk)).values_list("field", flat=True)
    ) == {
        "approved_amount",
        "current_amount",
    }
    assert plan["Build"].duration_minutes == 12 * plan.day
    commissioning = Task.objects.get(project=org.project_north, name="Commissioning")
    assert commissioning.predecessor_links.get().predecessor == plan["Test"]
    baseline = Baseline.objects.get(project=org.project_north, number=0)
    assert BaselineTask.objects.filter(baseline=baseline, name="Commissioning").exists()
    assert BaselineTask.objects.get(baseline=baseline, name="Build").duration_minutes == 12 * plan.day
    assert change.impact["applied"]
    told = Notification.objects.get(kind=Kind.CHANGE)
    assert told.recipient == org.pm_north and "approved" in told.title


def test_given_ones_own_change_when_approving_then_refused_unless_the_level_allows(org, plan):
    change = draft(org.admin, org.project_north)
    services.change_submit(actor=org.admin, change=change, version=change.version)
    change.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        services.change_approve(actor=org.admin, change=change, version=change.version)
    assert "approver" in error.value.message_dict
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.SUBMITTED

    services.change_authority_set(
        actor=org.admin,
        unit=org.central,
        levels=[
            {"max_cost": None, "max_slip_days": None, "approver_role": "pmo_admin", "self_approval": True}
        ],
    )
    services.change_approve(actor=org.admin, change=change, version=change.version)
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPROVED


def test_given_an_edit_refused_on_approval_then_nothing_is_written(org, plan):
    change = draft(org.pm_north, org.project_north)
    services.budget_edit_add(
        actor=org.pm_north,
        change=change,
        category=category("MATERIALS"),
        period_start=MARCH,
        amount=Decimal("5000"),
    )
    services.budget_edit_add(
        actor=org.pm_north,
        change=change,
        category=category("TRAVEL"),
        period_start=MARCH,
        amount=Decimal("-10"),
    )
    services.task_edit_add(actor=org.pm_north, change=change, task=plan["Build"], duration_days=Decimal("12"))
    services.change_submit(actor=org.pm_north, change=change, version=change.version)
    change.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        services.change_approve(actor=org.admin, change=change, version=change.version)

    assert "budget_edits" in error.value.message_dict
    assert "below zero" in error.value.message_dict["budget_edits"][0]
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.SUBMITTED
    assert BudgetLine.objects.get(category=category("MATERIALS")).approved_amount == Decimal("20000")
    assert not BudgetChange.objects.filter(change_request=str(change.pk)).exists()
    assert plan["Build"].duration_minutes == 10 * plan.day


def test_given_a_rejection_or_withdrawal_then_the_change_stays_on_record(org, plan):
    rejected = draft(org.pm_north, org.project_north)
    services.change_submit(actor=org.pm_north, change=rejected, version=rejected.version)
    rejected.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.change_reject(actor=org.admin, change=rejected, version=rejected.version, note="")
    assert "note" in error.value.message_dict
    services.change_reject(actor=org.admin, change=rejected, version=rejected.version, note="No budget")
    withdrawn = draft(org.pm_north, org.project_north, title="Other")
    services.change_withdraw(actor=org.pm_north, change=withdrawn, version=withdrawn.version)

    statuses = dict(ChangeRequest.objects.values_list("number", "status"))
    assert statuses == {1: "rejected", 2: "withdrawn"}
    with pytest.raises(ValidationError):
        services.change_approve(actor=org.admin, change=rejected, version=rejected.version)
    assert selectors.undecided_changes(projects=[org.project_north]) == []


def test_authority_levels_are_inherited_and_validated(org):
    services.change_authority_set(
        actor=org.admin,
        unit=org.eng,
        levels=[
            {"max_cost": "1000", "max_slip_days": 2, "approver_role": "project_manager"},
            {"max_cost": None, "max_slip_days": None, "approver_role": "pmo_admin"},
        ],
    )
    authority = selectors.authority_for_unit(org.north)
    assert authority.source == org.eng
    assert authority.level_for(Decimal("500"), Decimal("1")).approver_role == "project_manager"
    assert authority.level_for(Decimal("500"), Decimal("3")).approver_role == "pmo_admin"
    assert selectors.authority_for_unit(org.central) == selectors.DEFAULT

    for bad in ([], [{"approver_role": "executive"}], [{"max_cost": "-1", "approver_role": "pmo_admin"}]):
        with pytest.raises(ValidationError) as error:
            services.change_authority_set(actor=org.admin, unit=org.north, levels=bad)
        assert "levels" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.change_authority_set(
            actor=org.pm_north, unit=org.north, levels=[{"approver_role": "pmo_admin"}]
        )
    assert ChangeAuthority.objects.count() == 1
