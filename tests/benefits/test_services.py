"""Benefit services: validation naming the field, nothing half-written, versions, audit, permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from keel.benefits import services
from keel.benefits.models import Benefit, Contribution, Measurement
from keel.core.errors import ConflictError, PermissionDenied
from keel.core.models import AuditEntry
from keel.portfolio import services as portfolio_services
from tests.benefits.conftest import BASELINE, TARGET, make_benefit

pytestmark = pytest.mark.django_db


def _errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_create_takes_the_lead_projects_unit_and_currency_and_records_the_contribution(org, north_benefit):
    b = north_benefit
    assert b.org_unit == org.north
    assert b.currency == "NOK"  # the unit's reporting currency
    assert list(b.projects.all()) == [org.project_north]
    created = AuditEntry.objects.filter(object_id=str(b.pk), content_type__model="benefit")
    assert created.get().action == "create"
    assert created.get().project_id == org.project_north.pk
    assert AuditEntry.objects.filter(content_type__model="contribution").count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"target_date": dt.date(2025, 12, 1)}, "target_date", "after the baseline date"),
        ({"target_date": BASELINE}, "target_date", "after the baseline date"),
        ({"baseline_value": "lots"}, "baseline_value", "not a number"),
        ({"target_value": "NaN"}, "target_value", "not a finite number"),
        ({"target_value": "1.23456"}, "target_value", "more than 4 decimal places"),
        ({"target_value": Decimal("0")}, "target_value", "equals the baseline"),
        ({"financial": False, "currency": "EUR"}, "currency", "Only a financial benefit"),
        ({"currency": "euro"}, "currency", "three-letter"),
        ({"baseline_date": "1 Jan"}, "baseline_date", "not a date"),
        (
            {"milestones": [{"date": "2027-06-01", "value": "5"}]},
            "milestones",
            "between the baseline and target",
        ),
        (
            {"milestones": [{"date": "2026-06-01", "value": "5"}, {"date": "2026-05-01", "value": "6"}]},
            "milestones",
            "not after the one before",
        ),
        ({"milestones": [{"date": "2026-06-01", "value": "x"}]}, "milestones", "not a number"),
        ({"milestones": "soon"}, "milestones", "list"),
        ({"owner": None}, "owner", "null"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(org, fields, field, words):
    before = (Benefit.objects.count(), Contribution.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        fields = dict(fields)
        make_benefit(
            org.pm_north, org.project_north, "B-BAD", fields.pop("owner", org.member_north), **fields
        )
    errors = _errors(excinfo)
    assert field in errors, errors
    assert words in " ".join(errors[field])
    assert (Benefit.objects.count(), Contribution.objects.count(), AuditEntry.objects.count()) == before


def test_an_owner_without_a_role_covering_the_unit_is_refused(org):
    with pytest.raises(ValidationError) as excinfo:
        make_benefit(org.pm_north, org.project_north, "B-X", org.pm_south)
    assert "holds no role covering NORTH" in _errors(excinfo)["owner"][0]


def test_scope_is_checked_before_anything_else(org):
    # The executive sees NORTH but may not change it: refused before the (bad) values are looked at.
    with pytest.raises(PermissionDenied):
        make_benefit(org.exec, org.project_north, "B-X", org.member_north, target_value="bad")
    with pytest.raises(PermissionDenied):
        make_benefit(org.pm_north, org.project_south, "B-X", org.pm_south)
    with pytest.raises(PermissionDenied):
        make_benefit(org.member_north, org.project_north, "B-X", org.member_north)
    assert not Benefit.objects.exists()


def test_a_project_the_actor_cannot_see_is_not_accepted_as_lead(org):
    with pytest.raises(ValidationError) as excinfo:
        services.benefit_create(
            actor=org.pm_north,
            code="B-X",
            name="x",
            org_unit=org.north,
            lead_project=org.project_south,
            owner=org.member_north,
            measure="m",
            baseline_value=0,
            baseline_date=BASELINE,
            target_value=1,
            target_date=TARGET,
        )
    assert _errors(excinfo)["lead_project"] == ["Unknown project."]


def test_update_is_versioned_and_audited(org, north_benefit):
    b = north_benefit
    services.benefit_update(
        actor=org.pm_north,
        benefit=b,
        version=1,
        target_value="150000",
        milestones=[{"date": "2026-07-01", "value": "40000"}],
    )
    b.refresh_from_db()
    assert b.version == 2 and b.target_value == Decimal("150000")
    assert b.milestones == [{"date": "2026-07-01", "value": "40000"}]
    entry = AuditEntry.objects.filter(content_type__model="benefit", action="update").get()
    assert entry.changes["target_value"][1] in ("150000", "150000.0000", 150000)
    with pytest.raises(ConflictError):
        services.benefit_update(actor=org.pm_north, benefit=b, version=1, name="stale")
    b.refresh_from_db()
    assert b.name == "B-N savings"


def test_update_refuses_currency_on_a_non_financial_benefit(org, north_benefit):
    with pytest.raises(ValidationError) as excinfo:
        services.benefit_update(actor=org.pm_north, benefit=north_benefit, version=1, financial=False)
    assert "currency" in _errors(excinfo)


def test_contributions_from_other_projects(org, north_benefit):
    with pytest.raises(ValidationError) as excinfo:
        services.contribution_add(actor=org.pm_north, benefit=north_benefit, project=org.project_south)
    assert _errors(excinfo)["project"] == ["Unknown project."]
    # The central PMO sees both: SOUTH's project may contribute to NORTH's benefit.
    c = services.contribution_add(
        actor=org.admin, benefit=north_benefit, project=org.project_south, share_percent=Decimal("25")
    )
    with pytest.raises(ValidationError) as excinfo:
        services.contribution_add(actor=org.admin, benefit=north_benefit, project=org.project_south)
    assert "already contributes" in _errors(excinfo)["project"][0]
    lead = north_benefit.contributions.get(project=org.project_north)
    with pytest.raises(ValidationError) as excinfo:
        services.contribution_remove(actor=org.admin, contribution=lead)
    assert "lead project" in _errors(excinfo)["project"][0]
    services.contribution_remove(actor=org.admin, contribution=c)
    assert list(north_benefit.projects.all()) == [org.project_north]


def test_the_owner_records_measurements_also_after_the_project_closed(org, north_benefit):
    portfolio_services.project_update(
        actor=org.pm_north, project=org.project_north, version=org.project_north.version, status="closed"
    )
    m = services.measurement_record(
        actor=org.member_north,  # a team member, but the benefit's owner
        benefit=north_benefit,
        measured_on=dt.date(2026, 7, 1),
        value="45000",
        note="First half",
        today=dt.date(2026, 7, 2),
    )
    assert m.value == Decimal("45000") and m.recorded_by == org.member_north
    assert AuditEntry.objects.filter(content_type__model="measurement", action="create").count() == 1


@pytest.mark.parametrize(
    ("measured_on", "value", "field", "words"),
    [
        (dt.date(2026, 7, 3), "1", "measured_on", "in the future"),
        (dt.date(2025, 12, 31), "1", "measured_on", "before the baseline date"),
        (dt.date(2026, 7, 1), "1", "measured_on", "already a measurement"),
        (None, "1", "measured_on", "Give the day"),
        ("yesterday", "1", "measured_on", "not a date"),
        (dt.date(2026, 6, 1), "about 5", "value", "not a number"),
        (dt.date(2026, 6, 1), "", "value", "Give the measured value"),
        (dt.date(2026, 6, 1), "Infinity", "value", "not a finite number"),
    ],
)
def test_bad_measurements_are_refused_naming_the_field(org, north_benefit, measured_on, value, field, words):
    services.measurement_record(
        actor=org.member_north,
        benefit=north_benefit,
        measured_on=dt.date(2026, 7, 1),
        value="1",
        today=dt.date(2026, 7, 2),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.measurement_record(
            actor=org.member_north,
            benefit=north_benefit,
            measured_on=measured_on,
            value=value,
            today=dt.date(2026, 7, 2),
        )
    assert words in " ".join(_errors(excinfo)[field])
    assert Measurement.objects.count() == 1


def test_who_may_record_a_measurement(org, north_benefit):
    for outsider in (org.exec, org.pm_south, org.outsider):
        with pytest.raises(PermissionDenied):
            services.measurement_record(
                actor=outsider, benefit=north_benefit, measured_on=BASELINE, value="1", today=BASELINE
            )
    # A project manager of the unit may, as may the central PMO.
    services.measurement_record(
        actor=org.pm_north, benefit=north_benefit, measured_on=BASELINE, value="1", today=BASELINE
    )
    m = services.measurement_record(
        actor=org.admin,
        benefit=north_benefit,
        measured_on=dt.date(2026, 1, 2),
        value="2",
        today=dt.date(2026, 1, 2),
    )
    with pytest.raises(PermissionDenied):
        services.measurement_delete(actor=org.exec, measurement=m)
    services.measurement_delete(actor=org.member_north, measurement=m)
    assert north_benefit.measurements.count() == 1


def test_a_cancelled_benefit_takes_no_measurements(org, north_benefit):
    services.benefit_update(actor=org.pm_north, benefit=north_benefit, version=1, status="cancelled")
    with pytest.raises(ValidationError) as excinfo:
        services.measurement_record(
            actor=org.member_north, benefit=north_benefit, measured_on=BASELINE, value="1", today=BASELINE
        )
    assert "cancelled" in _errors(excinfo)["benefit"][0]


def test_delete_removes_everything_and_audits_it(org, north_benefit):
    services.measurement_record(
        actor=org.member_north, benefit=north_benefit, measured_on=BASELINE, value="1", today=BASELINE
    )
    with pytest.raises(ConflictError):
        services.benefit_delete(actor=org.pm_north, benefit=north_benefit, version=7)
    assert Benefit.objects.count() == 1 and Measurement.objects.count() == 1
    services.benefit_delete(actor=org.pm_north, benefit=north_benefit, version=1)
    assert not Benefit.objects.exists() and not Measurement.objects.exists()
    assert not Contribution.objects.exists()
    deleted = AuditEntry.objects.filter(action="delete").values_list("content_type__model", flat=True)
    assert sorted(deleted) == ["benefit", "contribution", "measurement"]


def test_threshold_is_set_by_pmo_administrators(org):
    with pytest.raises(PermissionDenied):
        services.threshold_set(actor=org.pm_north, org_unit=org.north, at_risk_percent="20")
    with pytest.raises(ValidationError) as excinfo:
        services.threshold_set(actor=org.admin, org_unit=org.north, at_risk_percent="120")
    assert "at_risk_percent" in _errors(excinfo)
    t = services.threshold_set(actor=org.admin, org_unit=org.north, at_risk_percent="20")
    t = services.threshold_set(actor=org.admin, org_unit=org.north, at_risk_percent="25")
    assert t.percent == Decimal("25") and t.version == 2
