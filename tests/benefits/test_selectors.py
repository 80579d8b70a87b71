"""Who sees which benefit, the realized-vs-planned series, and the at-risk and overdue lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.benefits import selectors, services
from keel.core.errors import NotFound, PermissionDenied
from keel.finance import services as finance_services
from keel.orgs.scoping import Action
from tests.benefits.conftest import make_benefit
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
D = dt.date


def _codes(user) -> list[str]:
    return [b.code for b in selectors.benefit_list_for_user(user)]


def _measure(org, benefit, day, value):
    return services.measurement_record(
        actor=org.admin, benefit=benefit, measured_on=day, value=value, today=day
    )


def test_each_division_sees_its_own_benefits(org, north_benefit, south_benefit):
    assert _codes(org.admin) == ["B-N", "B-S"]
    assert _codes(org.exec) == ["B-N", "B-S"]
    assert _codes(org.pm_north) == ["B-N"]
    assert _codes(org.member_north) == ["B-N"]
    assert _codes(org.pm_south) == ["B-S"]
    assert _codes(org.outsider) == []
    with pytest.raises(NotFound):
        selectors.benefit_get_for_user(org.pm_north, south_benefit.pk)
    with pytest.raises(NotFound):
        selectors.benefit_get_for_user(org.outsider, north_benefit.pk)
    with pytest.raises(PermissionDenied):
        selectors.benefit_get_for_user(org.exec, north_benefit.pk, Action.CHANGE)


def test_a_contributing_project_makes_a_benefit_visible_to_whoever_sees_the_project(org, north_benefit):
    services.contribution_add(actor=org.admin, benefit=north_benefit, project=org.project_south)
    assert _codes(org.pm_south) == ["B-N"]
    # ... to see, not to change: the benefit belongs to NORTH.
    with pytest.raises(PermissionDenied):
        selectors.benefit_get_for_user(org.pm_south, north_benefit.pk, Action.CHANGE)
    assert [b.code for b in selectors.benefits_for_project(org.pm_south, org.project_south)] == ["B-N"]


def test_the_owner_sees_the_benefit_they_own_even_without_a_role_in_its_unit(org):
    sponsor = UserFactory(username="sponsor")
    MembershipFactory(user=sponsor, unit=org.north, role="team_member")
    benefit = make_benefit(org.pm_north, org.project_north, "B-O", sponsor)
    sponsor.memberships.all().delete()
    assert _codes(sponsor) == ["B-O"]
    assert selectors.can_record(sponsor, benefit)
    assert not selectors.can_change(sponsor, benefit)


def test_filters(org, north_benefit, south_benefit):
    make_benefit(org.pm_north, org.project_north, "B-Q", org.member_north, financial=False, name="Quality")
    admin = org.admin
    f = selectors.BenefitFilters
    assert [b.code for b in selectors.benefit_list_for_user(admin, f(unit=org.north.pk))] == ["B-N", "B-Q"]
    assert [b.code for b in selectors.benefit_list_for_user(admin, f(financial=False))] == ["B-Q"]
    assert [b.code for b in selectors.benefit_list_for_user(admin, f(q="quality"))] == ["B-Q"]
    assert [b.code for b in selectors.benefit_list_for_user(admin, f(owner=org.pm_south.pk))] == ["B-S"]
    assert [b.code for b in selectors.benefit_list_for_user(admin, f(project=org.project_south.pk))] == [
        "B-S"
    ]
    assert [b.code for b in selectors.benefit_list_for_user(admin, ordering="-code")] == ["B-S", "B-Q", "B-N"]
    # A unit the user cannot see filters to nothing rather than showing it.
    assert list(selectors.benefit_list_for_user(org.pm_north, f(unit=org.south.pk))) == []


def test_series_holds_the_plan_corners_the_measurements_and_today(org, north_benefit):
    services.benefit_update(
        actor=org.pm_north,
        benefit=north_benefit,
        version=1,
        milestones=[{"date": "2026-04-01", "value": "20000"}],  # slow start, then 100,000 over 275 days
    )
    _measure(org, north_benefit, D(2026, 3, 2), "15000")
    state = selectors.benefit_state(north_benefit, today=D(2026, 5, 1))
    rows = [(r.day, r.planned, r.realized, r.kind) for r in state.series]
    assert rows == [
        (D(2026, 1, 1), Decimal("0"), None, "baseline"),
        # 20000 × 60/90 = 13333.3333
        (D(2026, 3, 2), Decimal("13333.3333"), Decimal("15000"), "measurement"),
        (D(2026, 4, 1), Decimal("20000"), None, "milestone"),
        # 20000 + 100000 × 30/275 = 30909.0909
        (D(2026, 5, 1), Decimal("30909.0909"), None, "today"),
        (D(2027, 1, 1), Decimal("120000"), None, "target"),
    ]
    assert state.shortfall_percent == Decimal("-12.50")  # ahead: 15000 vs 13333.33
    assert state.realized_percent == Decimal("12.50")  # 15000 of 120000
    assert not state.at_risk
    assert state.next_due == D(2026, 6, 2)


def test_at_risk_is_behind_the_curve_by_more_than_the_threshold(org, north_benefit, south_benefit):
    # 1 Jul 2026 is day 181 of 365: planned 120000 × 181/365 = 59506.8493.
    _measure(org, north_benefit, D(2026, 7, 1), "53000")  # 10.93 % behind
    _measure(org, south_benefit, D(2026, 7, 1), "54000")  # 9.25 % behind
    today = D(2026, 7, 2)
    state = selectors.benefit_state(north_benefit, today)
    assert state.planned_at_latest == Decimal("59506.8493")
    assert state.shortfall_percent == Decimal("10.93")
    assert [s.benefit.code for s in selectors.at_risk_for_user(org.admin, today)] == ["B-N"]  # default 10 %
    assert [s.benefit.code for s in selectors.at_risk_for_user(org.pm_south, today)] == []
    # The PMO raises the bar for the whole engineering department, and lowers it for SOUTH.
    services.threshold_set(actor=org.admin, org_unit=org.eng, at_risk_percent="12")
    services.threshold_set(actor=org.admin, org_unit=org.south, at_risk_percent="5")
    assert [s.benefit.code for s in selectors.at_risk_for_user(org.admin, today)] == ["B-S"]
    assert [s.benefit.code for s in selectors.at_risk_for_user(org.pm_north, today)] == []


def test_overdue_when_no_measurement_within_the_period(org, north_benefit, south_benefit):
    # Quarterly from 1 Jan 2026: the first measurement is due on 1 Apr 2026.
    assert selectors.overdue_for_user(org.admin, D(2026, 4, 1)) == []
    late = selectors.overdue_for_user(org.admin, D(2026, 4, 2))
    assert [(s.benefit.code, s.overdue_since) for s in late] == [
        ("B-N", D(2026, 4, 1)),
        ("B-S", D(2026, 4, 1)),
    ]
    _measure(org, north_benefit, D(2026, 3, 20), "100")
    assert [s.benefit.code for s in selectors.overdue_for_user(org.admin, D(2026, 4, 2))] == ["B-S"]
    assert [s.benefit.code for s in selectors.overdue_for_user(org.pm_north, D(2026, 6, 21))] == ["B-N"]
    # Only benefits being realized are expected to be measured.
    services.benefit_update(actor=org.pm_south, benefit=south_benefit, version=1, status="realized")
    assert [s.benefit.code for s in selectors.overdue_for_user(org.admin, D(2026, 6, 21))] == ["B-N"]


def test_portfolio_sums_financial_gains_per_currency(org, north_benefit, south_benefit):
    make_benefit(org.pm_north, org.project_north, "B-Q", org.member_north, financial=False)
    _measure(org, north_benefit, D(2026, 2, 1), "12000")
    _measure(org, south_benefit, D(2026, 3, 1), "5000")
    report = selectors.portfolio_benefits_for_user(org.admin, today=D(2026, 3, 15))
    assert [s.benefit.code for s in report.states] == ["B-N", "B-Q", "B-S"]
    assert [c.currency for c in report.currencies] == ["EUR", "NOK"]
    nok = report.currencies[1]
    assert nok.months[:3] == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    # Valued at the month's end: 31 Mar 2026 is day 89, 120000 × 89/365 = 29260.2740 planned; 12000
    # realized (measured 1 Feb); January ends before the first measurement.
    assert nok.planned_gain[:3] == [Decimal("9863.0137"), Decimal("19068.4932"), Decimal("29260.2740")]
    assert nok.realized_gain[:3] == [Decimal("0"), Decimal("12000"), Decimal("12000")]
    assert nok.realized_gain[3] == Decimal("0")  # April is after today: nothing realized yet
    north_only = selectors.portfolio_benefits_for_user(org.pm_north, today=D(2026, 3, 15))
    assert [c.currency for c in north_only.currencies] == ["NOK"]


def test_portfolio_total_converts_every_currency_at_the_dated_rates(org, north_benefit, south_benefit):
    _measure(org, north_benefit, D(2026, 2, 1), "12000")
    _measure(org, south_benefit, D(2026, 3, 1), "5000")
    missing = selectors.portfolio_benefits_for_user(org.admin, today=D(2026, 3, 15))
    assert missing.reporting_currency == "EUR"
    assert missing.total is None
    assert "NOK to EUR" in missing.total_error and "2026-01-31" in missing.total_error

    finance_services.rate_create(
        actor=org.admin, from_currency="NOK", to_currency="EUR", date=D(2026, 1, 1), rate=Decimal("0.1")
    )
    finance_services.rate_create(
        actor=org.admin, from_currency="NOK", to_currency="EUR", date=D(2026, 3, 1), rate=Decimal("0.08")
    )
    report = selectors.portfolio_benefits_for_user(org.admin, today=D(2026, 3, 15))
    eur, nok = report.currencies
    total = report.total
    assert total is not None and total.currency == "EUR" and total.benefits == 2
    for month, planned, realized in zip(total.months, total.planned_gain, total.realized_gain, strict=True):
        # Each month at the rate of its end; months still to come at today's (0.08 from 1 March).
        rate = Decimal("0.1") if month < D(2026, 3, 1) else Decimal("0.08")
        expected = Decimal("0")
        expected_realized = Decimal("0")
        for series, factor in ((eur, Decimal(1)), (nok, rate)):
            if month in series.months:
                i = series.months.index(month)
                expected += series.planned_gain[i] * factor
                expected_realized += series.realized_gain[i] * factor
        assert planned == expected.quantize(Decimal("0.01")), month
        assert realized == expected_realized.quantize(Decimal("0.01")), month
    assert total.realized_gain[2] == Decimal("5960.00")  # March: 12,000 NOK × 0.08 + 5,000 EUR


def test_states_take_a_fixed_number_of_queries(org, north_benefit, django_assert_max_num_queries):
    for n in range(5):
        b = make_benefit(org.pm_north, org.project_north, f"B-{n}", org.member_north)
        _measure(org, b, D(2026, 2, 1), "10")
    with django_assert_max_num_queries(6):
        states = selectors.states_for(selectors.benefit_list_for_user(org.admin), D(2026, 3, 1))
        assert len(states) == 6
