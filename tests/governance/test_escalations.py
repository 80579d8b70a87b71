"""The heat map's counts and the escalation list: threshold, overdue, flagged, resolved; e-mail sent once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from keel.core.errors import PermissionDenied
from keel.governance import selectors, services
from keel.governance.models import Issue, Risk
from keel.governance.tasks import notify_escalations
from tests.governance.conftest import make_risk

D = dt.date


def _keys(escalations) -> list[tuple[str, str, list[str]]]:
    return [(e.project.code, e.item.reference, e.reasons) for e in escalations]


def test_heat_map_counts_per_project_and_across_the_visible_portfolio(org):
    make_risk(org.pm_north, org.project_north, probability=4, impact=5)
    make_risk(org.pm_north, org.project_north, probability=4, impact=5)
    make_risk(
        org.pm_north, org.project_north, probability=1, impact=2, residual_probability=1, residual_impact=1
    )
    make_risk(org.pm_north, org.project_north, probability=3, impact=3, status="closed")
    make_risk(org.pm_south, org.project_south, probability=4, impact=5)

    north = selectors.heat_map_for_project(org.pm_north, org.project_north.pk)
    assert (north.size, north.total, north.count(4, 5), north.count(1, 2), north.count(3, 3)) == (
        5,
        3,
        2,
        1,
        0,
    )
    assert north.rows[0][0] == 5 and north.rows[-1][1] == "Very low"
    residual = selectors.heat_map_for_project(org.pm_north, org.project_north.pk, residual=True)
    assert (residual.total, residual.count(1, 1)) == (1, 1)

    assert selectors.heat_map_for_portfolio(org.pm_north).count(4, 5) == 2
    assert selectors.heat_map_for_portfolio(org.admin).count(4, 5) == 3
    assert selectors.heat_map_for_portfolio(org.outsider).total == 0
    cell = selectors.heat_map_cell(org.admin, probability=4, impact=5)
    assert [r.project.code for r in cell] == ["N-001", "N-001", "S-001"]
    assert (
        selectors.heat_map_cell(
            org.pm_north, probability=4, impact=5, project_id=org.project_north.pk
        ).count()
        == 2
    )


def test_portfolio_heat_map_of_units_with_different_scales_uses_the_largest(org):
    services.raid_config_set(actor=org.admin, unit=org.north, scale_size=7)
    make_risk(org.pm_north, org.project_north, probability=7, impact=6)
    make_risk(org.pm_south, org.project_south, probability=2, impact=2)
    heat = selectors.heat_map_for_portfolio(org.admin)
    assert (heat.size, heat.count(7, 6), heat.probability_labels[0]) == (7, 1, "1")
    assert selectors.heat_map_for_portfolio(org.admin, org.south).size == 5


def test_the_escalation_list_says_why_and_since_when(org):
    today = timezone.localdate()
    high = make_risk(org.pm_north, org.project_north, title="Power cut", probability=4, impact=4)  # 16 ≥ 15
    low = make_risk(org.pm_north, org.project_north, title="Small", probability=1, impact=1)
    late = make_risk(org.pm_north, org.project_north, title="Cooling", probability=2, impact=2)
    services.risk_action_create(
        actor=org.pm_north, risk=late, description="Order chillers", due_date=today - dt.timedelta(days=5)
    )
    services.risk_action_create(
        actor=org.pm_north, risk=low, description="Later", due_date=today + dt.timedelta(days=5)
    )
    services.issue_create(actor=org.pm_north, project=org.project_north, title="Severe", severity=4)
    services.issue_create(
        actor=org.pm_north,
        project=org.project_north,
        title="Late",
        severity=1,
        due_date=today - dt.timedelta(days=2),
    )
    services.issue_create(actor=org.pm_north, project=org.project_north, title="Minor", severity=1)
    south = make_risk(org.pm_south, org.project_south, probability=5, impact=5)

    found = selectors.escalation_list_for_user(org.pm_north)
    assert sorted(_keys(found)) == [
        ("N-001", "I-001", ["threshold"]),
        ("N-001", "I-002", ["overdue"]),
        ("N-001", "R-001", ["threshold"]),
        ("N-001", "R-003", ["overdue"]),
    ]
    by_ref = {e.item.reference: e for e in found}
    assert by_ref["R-003"].age_days == 4 and "1 action(s) overdue" in by_ref["R-003"].details[0]
    assert by_ref["I-002"].age_days == 1
    assert high.reference in by_ref and low.reference not in by_ref
    assert len(selectors.escalation_list_for_user(org.admin)) == 5
    assert selectors.escalation_list_for_user(org.outsider) == []
    assert [e.item for e in selectors.escalation_list_for_user(org.admin, reason="overdue")][0].title in (
        "Cooling",
        "Late",
    )
    assert south.pk not in {e.item.pk for e in found if e.kind == "risk"}


def test_the_threshold_is_the_units(org):
    services.raid_config_set(actor=org.admin, unit=org.north, escalation_threshold=6, escalation_severity=2)
    make_risk(org.pm_north, org.project_north, probability=2, impact=3)
    make_risk(org.pm_south, org.project_south, probability=2, impact=3)
    services.issue_create(actor=org.pm_north, project=org.project_north, title="Medium", severity=2)
    assert sorted(_keys(selectors.escalation_list_for_user(org.admin))) == [
        ("N-001", "I-001", ["threshold"]),
        ("N-001", "R-001", ["threshold"]),
    ]


def test_flagging_and_resolving(org):
    risk = make_risk(org.pm_north, org.project_north, probability=1, impact=2)
    with pytest.raises(ValidationError) as excinfo:
        services.raid_escalate(actor=org.pm_north, item=risk, version=1, reason=" ")
    assert "reason" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_resolve(actor=org.admin, item=risk, version=1, resolution="Fine")
    assert "not on the escalation list" in excinfo.value.message_dict["resolution"][0]
    with pytest.raises(PermissionDenied):
        services.raid_escalate(actor=org.exec, item=risk, version=1, reason="Help")

    services.raid_escalate(actor=org.pm_north, item=risk, version=1, reason="Vendor insolvent")
    [escalation] = selectors.escalation_list_for_user(org.admin)
    assert escalation.reasons == ["flagged"] and "Vendor insolvent" in escalation.details[0]
    with pytest.raises(ValidationError, match="escalated already"):
        services.raid_escalate(actor=org.pm_north, item=risk, version=2, reason="Again")
    with pytest.raises(PermissionDenied):
        services.escalation_resolve(actor=org.pm_north, item=risk, version=2, resolution="Mine")
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_resolve(actor=org.admin, item=risk, version=2, resolution="")
    assert "resolution" in excinfo.value.message_dict

    services.escalation_resolve(actor=org.admin, item=risk, version=2, resolution="Second vendor funded")
    risk = Risk.objects.get(pk=risk.pk)
    assert (risk.resolution, risk.resolved_by, risk.escalated) == ("Second vendor funded", org.admin, False)
    assert selectors.escalation_list_for_user(org.admin) == []


def test_a_resolved_risk_returns_when_its_score_rises(org):
    risk = make_risk(org.pm_north, org.project_north, probability=4, impact=4)
    services.escalation_resolve(actor=org.admin, item=risk, version=1, resolution="Accepted by the board")
    services.risk_update(actor=org.pm_north, risk=risk, version=2, title="Power cut (renamed)")
    assert selectors.escalation_list_for_user(org.admin) == []
    services.risk_update(actor=org.pm_north, risk=risk, version=3, impact=5)
    assert _keys(selectors.escalation_list_for_user(org.admin)) == [("N-001", "R-001", ["threshold"])]


def test_closed_items_leave_the_list(org):
    risk = make_risk(org.pm_north, org.project_north, probability=5, impact=5)
    issue = services.issue_create(actor=org.pm_north, project=org.project_north, title="Severe", severity=5)
    services.risk_update(actor=org.pm_north, risk=risk, version=1, status="closed")
    services.issue_update(actor=org.pm_north, issue=issue, version=1, status="closed", resolution_note="Done")
    assert selectors.escalation_list_for_user(org.admin) == []
    with pytest.raises(ValidationError, match="nothing to escalate"):
        services.raid_escalate(actor=org.pm_north, item=Issue.objects.get(), version=2, reason="x")


# --- e-mail -----------------------------------------------------------------------------------------


def test_an_escalation_is_emailed_once_to_the_manager_and_the_pmo_administrators(
    org, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        risk = make_risk(org.pm_north, org.project_north, title="Power cut", probability=4, impact=4)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["admin@example.org", "pm_north@example.org"]
    assert "N-001 R-001 Power cut" in message.subject and "Score 16 ≥ threshold 15" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        services.risk_update(actor=org.pm_north, risk=risk, version=1, title="Power cut in hall B")
        services.raid_escalate(actor=org.pm_north, item=Risk.objects.get(), version=2, reason="Getting worse")
    assert len(mail.outbox) == 2  # flagging is a new escalation
    assert "Flagged by the project manager: Getting worse" in mail.outbox[1].body
    with django_capture_on_commit_callbacks(execute=True):
        services.risk_update(actor=org.pm_north, risk=Risk.objects.get(), version=3, cause="Old grid")
    assert notify_escalations.enqueue().return_value == 0
    assert len(mail.outbox) == 2


def test_items_that_become_overdue_are_emailed_by_the_sweep(org, immediate_tasks):
    today = timezone.localdate()
    risk = make_risk(org.pm_south, org.project_south, probability=1, impact=1)
    services.risk_action_create(
        actor=org.pm_south, risk=risk, description="Call vendor", due_date=today - dt.timedelta(days=1)
    )
    services.issue_create(actor=org.pm_north, project=org.project_north, title="Small", severity=1)
    assert notify_escalations.enqueue().return_value == 1
    assert sorted(mail.outbox[0].to) == ["admin@example.org", "pm_south@example.org"]
    assert notify_escalations.enqueue().return_value == 0
    assert len(mail.outbox) == 1


def test_the_command_emails_new_escalations_once_and_refuses_a_bad_date(org):
    from io import StringIO

    from django.core.management import CommandError, call_command

    risk = make_risk(org.pm_north, org.project_north, probability=1, impact=1)
    services.risk_action_create(actor=org.pm_north, risk=risk, description="Call", due_date=D(2026, 3, 1))
    out = StringIO()
    call_command("raid-escalations", "--date", "2026-02-28", stdout=out)
    assert "0 escalations emailed" in out.getvalue() and mail.outbox == []
    call_command("raid-escalations", "--date", "2026-03-05", stdout=out)
    assert "1 escalation emailed" in out.getvalue() and len(mail.outbox) == 1
    call_command("raid-escalations", "--date", "2026-03-06", stdout=out)
    assert len(mail.outbox) == 1
    with pytest.raises(CommandError, match="--date: 'soon' is not a date"):
        call_command("raid-escalations", "--date", "soon")
