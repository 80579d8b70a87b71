"""RAID services: numbering, scores, the scale of the project's unit, every refusal, versions, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from keel.core.errors import ConflictError, PermissionDenied
from keel.core.models import AuditEntry
from keel.governance import selectors, services
from keel.governance.models import Assumption, Decision, Issue, RaidConfig, Risk, RiskAction
from tests.governance.conftest import make_risk

D = dt.date


def _field_error(excinfo) -> dict:
    return excinfo.value.message_dict


def test_a_risk_gets_its_reference_score_and_audit_entry(org):
    first = make_risk(org.pm_north, org.project_north, probability=4, impact=5, category="Supplier")
    second = make_risk(org.pm_north, org.project_north)
    other = make_risk(org.pm_south, org.project_south)
    assert (first.reference, first.score, second.reference, other.reference) == (
        "R-001",
        20,
        "R-002",
        "R-001",
    )
    entry = AuditEntry.objects.get(object_id=str(first.pk), content_type__model="risk")
    assert entry.project_id == org.project_north.pk and entry.changes["score"] == [None, 20]


def test_each_kind_numbers_on_its_own(org):
    issue = services.issue_create(
        actor=org.pm_north, project=org.project_north, title="Rack late", severity=3
    )
    assumption = services.assumption_create(
        actor=org.pm_north, project=org.project_north, title="Power is ready", validation_date=D(2026, 4, 1)
    )
    decision = services.decision_create(
        actor=org.pm_north,
        project=org.project_north,
        title="Buy spare racks",
        decided_by="Steering committee",
        decided_on=D(2026, 3, 1),
        rationale="Cheaper than a delay",
    )
    assert [issue.reference, assumption.reference, decision.reference] == ["I-001", "A-001", "D-001"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"probability": 6}, "probability", "outside the scale 1–5"),
        ({"impact": 0}, "impact", "outside the scale 1–5"),
        ({"probability": None}, "probability", "required"),
        ({"title": ""}, "title", "required"),
        ({"residual_probability": 3, "residual_impact": 4}, "residual_impact", "above the score 6"),
        ({"residual_probability": 1}, "residual_impact", "both"),
        ({"category": "Weather"}, "category", "not a risk category"),
        ({"residual_probability": 9, "residual_impact": 1}, "residual_probability", "outside the scale"),
    ],
)
def test_a_bad_risk_is_refused_naming_the_field(org, fields, field, message):
    with pytest.raises(ValidationError) as excinfo:
        make_risk(org.pm_north, org.project_north, **fields)
    assert field in _field_error(excinfo) and message in " ".join(_field_error(excinfo)[field])
    assert not Risk.objects.exists() and not AuditEntry.objects.filter(content_type__model="risk").exists()


def test_an_owner_without_a_role_over_the_unit_is_refused(org):
    with pytest.raises(ValidationError) as excinfo:
        make_risk(org.pm_north, org.project_north, owner=org.pm_south)
    assert "owner" in _field_error(excinfo)
    risk = make_risk(org.pm_north, org.project_north, owner=org.member_north)
    assert risk.owner == org.member_north


def test_viewers_and_other_divisions_may_not_write(org):
    with pytest.raises(PermissionDenied, match="project"):
        make_risk(org.exec, org.project_north)
    with pytest.raises(PermissionDenied):
        make_risk(org.pm_south, org.project_north)
    with pytest.raises(PermissionDenied):
        make_risk(org.member_north, org.project_north)
    assert not Risk.objects.exists()


def test_a_stale_version_changes_nothing(org):
    risk = make_risk(org.pm_north, org.project_north)
    services.risk_update(actor=org.pm_north, risk=risk, version=1, probability=3)
    stale = Risk.objects.get(pk=risk.pk)
    stale.version = 1
    with pytest.raises(ConflictError):
        services.risk_update(actor=org.pm_north, risk=stale, version=1, probability=5)
    fresh = Risk.objects.get(pk=risk.pk)
    assert (fresh.probability, fresh.score, fresh.version) == (3, 9, 2)


def test_an_update_outside_the_scale_writes_nothing(org):
    risk = make_risk(org.pm_north, org.project_north)
    with pytest.raises(ValidationError) as excinfo:
        services.risk_update(actor=org.pm_north, risk=risk, version=1, impact=7)
    assert "impact" in _field_error(excinfo)
    assert Risk.objects.get(pk=risk.pk).impact == 3


def test_actions_need_a_due_date_and_a_completion_day(org):
    risk = make_risk(org.pm_north, org.project_north)
    with pytest.raises(ValidationError) as excinfo:
        services.risk_action_create(actor=org.pm_north, risk=risk, description="Second supplier")
    assert _field_error(excinfo) == {"due_date": ["Give the action's due date."]}
    action = services.risk_action_create(
        actor=org.pm_north, risk=risk, description="Second supplier", due_date=D(2026, 3, 10)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.risk_action_update(actor=org.pm_north, action=action, version=1, status="done")
    assert "completed_on" in _field_error(excinfo)
    assert RiskAction.objects.get(pk=action.pk).status == "open"
    services.risk_action_update(
        actor=org.pm_north,
        action=RiskAction.objects.get(pk=action.pk),
        version=1,
        status="done",
        completed_on=D(2026, 3, 9),
    )
    assert RiskAction.objects.get(pk=action.pk).status == "done"
    services.risk_delete(actor=org.pm_north, risk=risk, version=1)
    assert not RiskAction.objects.exists()


def test_issue_severity_and_resolution(org):
    with pytest.raises(ValidationError) as excinfo:
        services.issue_create(actor=org.pm_north, project=org.project_north, title="x", severity=9)
    assert "severity" in _field_error(excinfo)
    issue = services.issue_create(
        actor=org.pm_north, project=org.project_north, title="Rack late", severity=2
    )
    with pytest.raises(ValidationError) as excinfo:
        services.issue_update(actor=org.pm_north, issue=issue, version=1, status="resolved")
    assert "resolution_note" in _field_error(excinfo)
    services.issue_update(
        actor=org.pm_north, issue=issue, version=1, status="resolved", resolution_note="Rented racks"
    )
    issue = Issue.objects.get(pk=issue.pk)
    assert issue.resolved_on is not None and issue.status == "resolved"


def test_a_decision_needs_a_rationale_and_links_items_of_its_project_only(org):
    risk = make_risk(org.pm_north, org.project_north)
    south_risk = make_risk(org.pm_south, org.project_south)
    base = {"title": "Buy spares", "decided_by": "Omar", "decided_on": D(2026, 3, 1)}
    with pytest.raises(ValidationError) as excinfo:
        services.decision_create(actor=org.pm_north, project=org.project_north, rationale="  ", **base)
    assert _field_error(excinfo) == {"rationale": ["Record why this was decided."]}
    with pytest.raises(ValidationError) as excinfo:
        services.decision_create(
            actor=org.pm_north,
            project=org.project_north,
            rationale="Cheaper",
            linked_risks=[south_risk.pk],
            **base,
        )
    assert "linked_risks" in _field_error(excinfo)
    assert not Decision.objects.exists()
    decision = services.decision_create(
        actor=org.pm_north, project=org.project_north, rationale="Cheaper", linked_risks=[risk], **base
    )
    assert list(decision.linked_risks.all()) == [risk]
    services.decision_update(actor=org.pm_north, decision=decision, version=1, linked_risks=[])
    assert not decision.linked_risks.exists()
    assert Decision.objects.get().version == 2  # a change of links is a change of the decision
    entries = AuditEntry.objects.filter(content_type__model="decision", changes__has_key="linked_risks")
    assert sorted(e.changes["linked_risks"][1] for e in entries) == [[], [risk.pk]]


def test_assumption_update_and_delete(org):
    assumption = services.assumption_create(
        actor=org.pm_north, project=org.project_north, title="Power ready"
    )
    services.assumption_update(actor=org.pm_north, assumption=assumption, version=1, status="valid")
    with pytest.raises(ConflictError):
        services.assumption_delete(actor=org.pm_north, assumption=assumption, version=1)
    services.assumption_delete(actor=org.pm_north, assumption=assumption, version=2)
    assert not Assumption.objects.exists()


# --- the scale the PMO sets -------------------------------------------------------------------------


def test_the_scale_is_inherited_from_the_nearest_configured_unit(org):
    assert selectors.scale_for_unit(org.north).size == 5  # defaults
    services.raid_config_set(actor=org.admin, unit=org.central, scale_size=4, escalation_threshold=9)
    services.raid_config_set(
        actor=org.admin, unit=org.north, scale_size=7, escalation_threshold=30, categories=["Weather"]
    )
    north, south = selectors.scale_for_unit(org.north), selectors.scale_for_unit(org.south)
    assert (north.size, north.escalation_threshold, north.categories) == (7, 30, ("Weather",))
    assert (south.size, south.escalation_threshold, south.source) == (4, 9, org.central)
    assert south.probability_labels == ("1", "2", "3", "4")
    make_risk(org.pm_north, org.project_north, probability=7, impact=7, category="Weather")
    with pytest.raises(ValidationError) as excinfo:
        make_risk(org.pm_south, org.project_south, probability=5)
    assert "outside the scale 1–4" in _field_error(excinfo)["probability"][0]


def test_a_bad_configuration_is_refused_naming_the_field(org):
    cases = [
        ({"scale_size": 2}, "scale_size"),
        ({"scale_size": 11}, "scale_size"),
        ({"escalation_threshold": 26}, "escalation_threshold"),
        ({"escalation_severity": 6}, "escalation_severity"),
        ({"probability_labels": ["a", "b"]}, "probability_labels"),
        ({"categories": ["Cost", "cost"]}, "categories"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as excinfo:
            services.raid_config_set(actor=org.admin, unit=org.north, **fields)
        assert field in _field_error(excinfo), fields
    assert not RaidConfig.objects.exists()
    with pytest.raises(PermissionDenied):
        services.raid_config_set(actor=org.pm_north, unit=org.north, scale_size=3)


def test_the_scale_cannot_shrink_below_the_levels_in_use(org):
    make_risk(org.pm_north, org.project_north, probability=5, impact=1)
    with pytest.raises(ValidationError) as excinfo:
        services.raid_config_set(actor=org.admin, unit=org.eng, scale_size=4)
    assert "scale_size" in _field_error(excinfo)
    config = services.raid_config_set(actor=org.admin, unit=org.eng, scale_size=6)
    services.raid_config_set(actor=org.admin, unit=org.eng, version=config.version, escalation_threshold=20)
    assert RaidConfig.objects.get().escalation_threshold == 20
    services.raid_config_clear(actor=org.admin, unit=org.eng, version=2)
    assert selectors.scale_for_unit(org.north).size == 5
