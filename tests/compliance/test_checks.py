"""The checks, the selectors and the services of compliance, against the real database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from keel.compliance import checks, selectors, services
from keel.compliance.models import ComplianceConfig, Reminder, Waiver
from keel.core.errors import ConflictError, PermissionDenied
from keel.core.models import AuditEntry
from keel.governance import selectors as governance_selectors
from keel.governance import services as governance_services
from keel.notifications.models import Kind, Notification
from keel.portfolio import services as portfolio_services
from keel.schedule import services as schedule_services
from tests.compliance.conftest import LATER_DAYS, in_execution, make_risk

pytestmark = pytest.mark.django_db


def _keys(found):
    return {(g.project.code, g.key) for g in found.gaps}


# --- the registry ----------------------------------------------------------------------------------------


def test_registry_holds_every_kind_and_runs_the_available_ones():
    assert set(checks.REGISTRY) == {"phase_item", "status_report", "baseline", "change", "raid"}
    running = {c.kind for c in checks.available_checks()}
    assert {"phase_item", "baseline", "change", "raid"} <= running
    for check in checks.REGISTRY.values():
        assert check.available() == (check.kind in running)


def test_a_selector_that_does_not_exist_is_not_available():
    assert checks.selector("keel.nothing_here", "x") is None
    assert checks.selector("keel.governance.selectors", "no_such_selector") is None
    assert checks.selector("keel.governance.selectors", "stale_raid_items") is not None


# --- baselines -------------------------------------------------------------------------------------------


def test_a_project_in_execution_without_baseline_is_a_gap_owned_by_its_manager(org):
    in_execution(org.pm_north, org.project_north)

    found = selectors.compliance_for_user(org.admin)

    gap = next(g for g in found.gaps if g.kind == "baseline")
    assert gap.project == org.project_north and gap.key == "baseline"
    assert gap.owner == org.pm_north
    assert gap.since == org.project_north.planned_start  # planned start passed: the gap dates from it
    assert gap.age_days == (timezone.localdate() - gap.since).days
    assert gap.url == f"/projects/{org.project_north.pk}/schedule/"
    assert ("S-001", "baseline") not in _keys(found)  # still in initiation


def test_a_saved_baseline_closes_the_gap(org):
    in_execution(org.pm_north, org.project_north)
    schedule_services.task_create(
        actor=org.pm_north, project=org.project_north, name="Build", duration_minutes=480
    )
    schedule_services.baseline_save(actor=org.pm_north, project=org.project_north, number=0)

    assert ("N-001", "baseline") not in _keys(selectors.compliance_for_user(org.admin))


def test_closed_projects_and_units_that_do_not_require_a_baseline_owe_none(org):
    in_execution(org.pm_north, org.project_north)
    services.compliance_config_set(actor=org.admin, unit=org.north, baseline_required=False)
    assert ("N-001", "baseline") not in _keys(selectors.compliance_for_user(org.admin))

    in_execution(org.pm_south, org.project_south)
    org.project_south.refresh_from_db()
    portfolio_services.project_update(
        actor=org.pm_south, project=org.project_south, version=org.project_south.version, status="closed"
    )
    found = selectors.compliance_for_user(org.admin)
    assert ("S-001", "baseline") not in _keys(found)
    assert org.project_south.pk not in found.projects


# --- stale RAID items ------------------------------------------------------------------------------------


def test_stale_raid_items_selector_finds_old_and_overdue_items(org, later):
    risk = make_risk(org.pm_north, org.project_north)
    today = timezone.localdate()
    issue = governance_services.issue_create(
        actor=org.pm_north,
        project=org.project_north,
        title="Racks late",
        severity=2,
        due_date=today - dt.timedelta(days=3),
    )
    action = governance_services.risk_action_create(
        actor=org.pm_north, risk=risk, description="Second vendor", due_date=today + dt.timedelta(days=90)
    )

    now = governance_selectors.stale_raid_items_for_user(org.admin, days=30, today=today)
    assert [(i.kind, i.pk, i.due) for i in now] == [("issue", issue.pk, issue.due_date)]

    found = governance_selectors.stale_raid_items_for_user(org.admin, days=30, today=later)
    assert {(i.kind, i.pk) for i in found} == {("risk", risk.pk), ("issue", issue.pk), ("action", action.pk)}
    assert governance_selectors.stale_raid_items_for_user(org.pm_south, days=30, today=later) == []


def test_stale_raid_gaps_follow_the_units_days(org, later):
    risk = make_risk(org.pm_north, org.project_north, owner=org.member_north)
    make_risk(org.pm_south, org.project_south)

    found = selectors.compliance_for_user(org.admin, today=later)
    gap = next(g for g in found.gaps if g.key == f"raid:risk:{risk.pk}")
    assert gap.owner == org.member_north
    assert gap.title == "R-001 Supplier late"
    assert gap.detail == f"Not updated for {LATER_DAYS} days"
    assert gap.age_days == LATER_DAYS - 30
    assert {g.project.code for g in found.gaps if g.kind == "raid"} == {"N-001", "S-001"}

    services.compliance_config_set(actor=org.admin, unit=org.south, stale_raid_days=60)
    found = selectors.compliance_for_user(org.admin, today=later)
    assert {g.project.code for g in found.gaps if g.kind == "raid"} == {"N-001"}


def test_a_closed_risk_is_never_stale(org, later):
    risk = make_risk(org.pm_north, org.project_north)
    governance_services.risk_update(actor=org.pm_north, risk=risk, version=risk.version, status="closed")
    assert not [g for g in selectors.compliance_for_user(org.admin, today=later).gaps if g.kind == "raid"]


# --- settings --------------------------------------------------------------------------------------------


def test_settings_are_inherited_down_the_tree_and_need_a_pmo_administrator(org):
    assert selectors.rules_for_unit(org.north) == checks.DEFAULT_RULES
    services.compliance_config_set(actor=org.admin, unit=org.eng, stale_raid_days=10)
    rules = selectors.rules_for_unit(org.north)
    assert rules.stale_raid_days == 10 and rules.source == org.eng

    with pytest.raises(PermissionDenied):
        services.compliance_config_set(actor=org.pm_north, unit=org.north, stale_raid_days=5)
    with pytest.raises(ValidationError) as err:
        services.compliance_config_set(actor=org.admin, unit=org.north, stale_raid_days=0)
    assert "stale_raid_days" in err.value.message_dict
    assert not ComplianceConfig.objects.filter(org_unit=org.north).exists()

    config = ComplianceConfig.objects.get(org_unit=org.eng)
    with pytest.raises(ConflictError):
        services.compliance_config_set(
            actor=org.admin, unit=org.eng, version=config.version + 1, stale_raid_days=12
        )
    services.compliance_config_clear(actor=org.admin, unit=org.eng, version=config.version)
    assert selectors.rules_for_unit(org.north) == checks.DEFAULT_RULES


# --- waivers ---------------------------------------------------------------------------------------------


def test_a_waived_gap_is_listed_apart_and_counts_as_in_place(org):
    in_execution(org.pm_north, org.project_north)

    waiver = services.waiver_create(
        actor=org.admin, project=org.project_north, key="baseline", reason="Agile: no baseline"
    )

    found = selectors.compliance_for_user(org.admin)
    assert ("N-001", "baseline") not in _keys(found)
    assert [(w.gap.key, w.waiver) for w in found.waived] == [("baseline", waiver)]
    assert not [g for g in found.projects[org.project_north.pk].gaps if g.kind == "baseline"]
    north = next(r for r in found.rollup if r.unit == org.north)
    assert (north.projects, north.counts["baseline"], north.waived) == (1, 0, 1)
    entry = AuditEntry.objects.filter(object_id=str(waiver.pk), action="create").get()
    assert entry.project_id == org.project_north.pk and entry.actor == org.admin


def test_an_expired_waiver_counts_no_more_and_can_be_renewed(org):
    in_execution(org.pm_north, org.project_north)
    today = timezone.localdate()
    services.waiver_create(
        actor=org.admin,
        project=org.project_north,
        key="baseline",
        reason="Until the plan is agreed",
        expires_on=today + dt.timedelta(days=10),
    )
    after = today + dt.timedelta(days=10)
    assert ("N-001", "baseline") in _keys(selectors.compliance_for_user(org.admin, today=after))

    renewed = services.waiver_create(
        actor=org.admin, project=org.project_north, key="baseline", reason="Renewed", today=after
    )
    assert list(Waiver.objects.all()) == [renewed]


def test_waivers_are_refused_with_the_field_and_reason(org):
    in_execution(org.pm_north, org.project_north)
    cases = [
        ({"key": "baseline", "reason": "  "}, "reason"),
        ({"key": "nothing:here", "reason": "x"}, "key"),
        ({"key": "baseline", "reason": "x", "expires_on": timezone.localdate()}, "expires_on"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as err:
            services.waiver_create(actor=org.admin, project=org.project_north, **fields)
        assert field in err.value.message_dict
    services.waiver_create(actor=org.admin, project=org.project_north, key="baseline", reason="x")
    with pytest.raises(ValidationError) as err:
        services.waiver_create(actor=org.admin, project=org.project_north, key="baseline", reason="again")
    assert "already waived" in err.value.message_dict["key"][0]
    assert Waiver.objects.count() == 1


def test_only_the_pmo_waives_and_withdraws(org):
    in_execution(org.pm_north, org.project_north)
    for person in (org.pm_north, org.exec):
        with pytest.raises(PermissionDenied):
            services.waiver_create(actor=person, project=org.project_north, key="baseline", reason="mine")
    waiver = services.waiver_create(actor=org.admin, project=org.project_north, key="baseline", reason="PMO")
    with pytest.raises(PermissionDenied):
        services.waiver_delete(actor=org.pm_north, waiver=waiver, version=waiver.version)
    with pytest.raises(ConflictError):
        services.waiver_delete(actor=org.admin, waiver=waiver, version=waiver.version + 1)
    services.waiver_delete(actor=org.admin, waiver=waiver, version=waiver.version)
    assert ("N-001", "baseline") in _keys(selectors.compliance_for_user(org.admin))


# --- reminders -------------------------------------------------------------------------------------------


def test_a_reminder_notifies_the_owner_and_is_recorded(org, later):
    risk = make_risk(org.pm_north, org.project_north, owner=org.member_north)
    key = f"raid:risk:{risk.pk}"

    reminder = services.gap_remind(actor=org.pm_north, project=org.project_north, key=key, today=later)

    note = Notification.objects.get()
    assert note.recipient == org.member_north and note.kind == Kind.REMINDER
    assert note.title == "N-001: R-001 Supplier late" and note.project == org.project_north
    assert note.url == f"/governance/risks/{risk.pk}/"
    assert reminder.recipient == org.member_north and reminder.sent_by == org.pm_north
    found = selectors.compliance_for_user(org.admin, today=later)
    gap = next(g for g in found.gaps if g.key == key)
    assert found.last_reminder(gap) == reminder.sent_at


def test_reminders_are_refused_for_viewers_unknown_and_waived_gaps(org, later):
    risk = make_risk(org.pm_north, org.project_north)
    key = f"raid:risk:{risk.pk}"
    with pytest.raises(PermissionDenied):
        services.gap_remind(actor=org.exec, project=org.project_north, key=key, today=later)
    with pytest.raises(PermissionDenied):
        services.gap_remind(actor=org.pm_south, project=org.project_north, key=key, today=later)
    with pytest.raises(ValidationError) as err:
        services.gap_remind(actor=org.pm_north, project=org.project_north, key="raid:risk:0", today=later)
    assert "key" in err.value.message_dict
    services.waiver_create(
        actor=org.admin, project=org.project_north, key=key, reason="Accepted", today=later
    )
    with pytest.raises(ValidationError) as err:
        services.gap_remind(actor=org.pm_north, project=org.project_north, key=key, today=later)
    assert "waived" in err.value.message_dict["key"][0]
    assert not Reminder.objects.exists() and not Notification.objects.exists()


def test_a_gap_without_owner_cannot_be_reminded(org, later):
    org.project_north.refresh_from_db()
    portfolio_services.project_update(
        actor=org.admin, project=org.project_north, version=org.project_north.version, manager=None
    )
    risk = make_risk(org.admin, org.project_north)
    with pytest.raises(ValidationError) as err:
        services.gap_remind(
            actor=org.admin, project=org.project_north, key=f"raid:risk:{risk.pk}", today=later
        )
    assert "no owner" in err.value.message_dict["key"][0]


# --- scope and roll-up -----------------------------------------------------------------------------------


def test_a_project_manager_sees_only_their_division(org, later):
    make_risk(org.pm_north, org.project_north)
    make_risk(org.pm_south, org.project_south)

    north = selectors.compliance_for_user(org.pm_north, today=later)
    assert {g.project.code for g in north.gaps} == {"N-001"}
    assert [r.unit.code for r in north.rollup] == ["NORTH"]
    assert selectors.compliance_for_user(org.outsider, today=later).gaps == []

    admin = selectors.compliance_for_user(org.admin, today=later)
    rollup = {r.unit.code: r for r in admin.rollup}
    assert set(rollup) == {"CPMO", "ENG", "NORTH", "SOUTH"}
    assert (rollup["ENG"].projects, rollup["ENG"].compliant, rollup["ENG"].counts["raid"]) == (2, 0, 2)
    assert rollup["ENG"].share_compliant == 0


def test_filters_by_unit_kind_and_project(org, later):
    in_execution(org.pm_north, org.project_north)
    make_risk(org.pm_south, org.project_south)

    by_unit = selectors.compliance_for_user(org.admin, selectors.GapFilters(unit=org.south), today=later)
    assert {g.project.code for g in by_unit.gaps} == {"S-001"}
    assert [r.unit.code for r in by_unit.rollup] == ["SOUTH"]
    by_kind = selectors.compliance_for_user(org.admin, selectors.GapFilters(kind="baseline"), today=later)
    assert {(g.project.code, g.kind) for g in by_kind.gaps} == {("N-001", "baseline")}
    by_project = selectors.compliance_for_user(
        org.admin, selectors.GapFilters(project=org.project_south), today=later
    )
    assert {g.project.code for g in by_project.gaps} == {"S-001"}


# --- the current phase's required items (gates) and undecided changes -----------------------------------


def test_unmet_criteria_of_the_current_gate_are_gaps_and_give_the_phase_share(org):
    from keel.gates import selectors as gate_selectors
    from keel.gates import services as gate_services

    methodology = gate_services.methodology_defaults_install(actor=org.admin, org_unit=org.central)[0]
    gate_services.lifecycle_start(actor=org.admin, project=org.project_north, methodology=methodology)
    items = gate_selectors.current_phase_items(projects=[org.project_north])[org.project_north.pk]
    unmet = [i for i in items if not i.met]
    assert unmet

    summary = selectors.project_compliance_for_user(org.pm_north, org.project_north.pk)
    phase_gaps = [g for g in summary.gaps if g.kind == "phase_item"]
    assert {g.key for g in phase_gaps} == {f"phase:{i.key}" for i in unmet}
    assert (summary.phase_met, summary.phase_total) == (len(items) - len(unmet), len(items))
    first = phase_gaps[0]
    assert first.since == unmet[0].since and first.url == unmet[0].url

    services.waiver_create(
        actor=org.admin, project=org.project_north, key=first.key, reason="Not for this project"
    )
    summary = selectors.project_compliance(org.project_north)
    assert summary.phase_met == len(items) - len(unmet) + 1
    rollup = next(r for r in selectors.compliance_for_user(org.admin).rollup if r.unit == org.north)
    assert (rollup.phase_met, rollup.phase_total) == (summary.phase_met, summary.phase_total)


def test_a_change_undecided_for_longer_than_the_unit_allows_is_a_gap(org, later):
    from keel.changes import services as change_services

    change = change_services.change_create(actor=org.pm_north, project=org.project_north, title="More racks")
    change_services.change_submit(actor=org.pm_north, change=change, version=change.version)

    assert not [g for g in selectors.compliance_for_user(org.admin).gaps if g.kind == "change"]
    gap = next(g for g in selectors.compliance_for_user(org.admin, today=later).gaps if g.kind == "change")
    assert gap.key == f"change:{change.pk}" and gap.owner == org.pm_north
    assert gap.title == "Change awaiting a decision: More racks"
    assert gap.age_days == LATER_DAYS and gap.url == change.get_absolute_url()

    services.compliance_config_set(actor=org.admin, unit=org.north, change_age_days=LATER_DAYS + 1)
    assert not [g for g in selectors.compliance_for_user(org.admin, today=later).gaps if g.kind == "change"]


def test_overdue_status_reports_are_gaps(org):
    from keel.statusreports import selectors as report_selectors

    today = timezone.localdate()
    overdue = report_selectors.overdue_reports(projects=[org.project_north, org.project_south], today=today)
    expected = {(r.project.code, f"report:{r.due.isoformat()}", r.owner, r.url) for r in overdue}
    assert expected  # active projects that never reported owe the last period's report

    found = selectors.compliance_for_user(org.admin, today=today)

    gaps = {(g.project.code, g.key, g.owner, g.url) for g in found.gaps if g.kind == "status_report"}
    assert gaps == expected
    for gap in (g for g in found.gaps if g.kind == "status_report"):
        assert gap.age_days == (today - gap.since).days
    north = {
        g.key
        for g in selectors.compliance_for_user(org.pm_north, today=today).gaps
        if g.kind == "status_report"
    }
    assert north == {key for code, key, *_ in expected if code == "N-001"}
