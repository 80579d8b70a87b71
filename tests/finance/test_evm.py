"""Earned value of a small project worked out by hand, and roll-ups whose indices come from sums."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from keel.finance import selectors, services
from keel.schedule.models import BaselineTask
from tests.finance.helpers import category, nok_eur, planned_project

pytestmark = pytest.mark.django_db


def test_baseline_dates_are_the_ones_the_hand_computation_assumes(org):
    planned_project(org)
    result = selectors.project_evm(org.project_north, dt.date(2026, 1, 23))
    assert result.has_baseline
    assert result.start == dt.date(2026, 1, 5)
    rows = BaselineTask.objects.filter(baseline__project=org.project_north).order_by("uid")
    assert [(r.name, r.start.date(), r.finish.date(), r.cost) for r in rows] == [
        ("Design", dt.date(2026, 1, 5), dt.date(2026, 1, 16), Decimal("10000")),
        ("Build", dt.date(2026, 1, 19), dt.date(2026, 1, 30), Decimal("20000")),
    ]


def test_evm_of_a_small_project_by_hand(org):
    """Status Friday 23 January: Design fully planned (10,000), Build 5 of its 10 working days (10,000).

    AC = 12,000 NOK + 500 EUR at 11.5 NOK/EUR (5,750 NOK) = 17,750 NOK.
    """
    planned_project(org)
    services.rate_create(
        actor=org.admin,
        from_currency="EUR",
        to_currency="NOK",
        date=dt.date(2026, 1, 1),
        rate=Decimal("11.5"),
    )
    services.expense_create(
        actor=org.pm_north,
        project=org.project_north,
        date=dt.date(2026, 1, 9),
        category=category("MATERIALS"),
        amount=Decimal("12000"),
    )
    services.expense_create(
        actor=org.pm_north,
        project=org.project_north,
        date=dt.date(2026, 1, 20),
        category=category("TRAVEL"),
        amount=Decimal("500"),
        currency="EUR",
    )
    # After the status date: not in AC.
    services.expense_create(
        actor=org.pm_north,
        project=org.project_north,
        date=dt.date(2026, 1, 26),
        category=category("TRAVEL"),
        amount=Decimal("999"),
    )
    m = selectors.project_evm(org.project_north, dt.date(2026, 1, 23)).metrics
    assert (Decimal("30000"), Decimal("20000"), Decimal("20000"), Decimal("17750.00")) == (
        m.BAC,
        m.PV,
        m.EV,
        m.AC,
    )
    assert Decimal("2250") == m.CV
    assert m.SV == 0
    assert Decimal("20000") / Decimal("17750") == m.CPI
    assert m.SPI == 1
    # EAC = BAC / CPI = 30,000 × 17,750 / 20,000 = 26,625
    assert m.EAC_cpi == Decimal("26625")
    assert m.EAC_atypical == Decimal("27750")  # AC + (BAC − EV)
    assert m.TCPI_bac == Decimal("10000") / Decimal("12250")


def test_earned_schedule_and_forecast_finish(org):
    """Status 30 January (the planned finish), EV 20,000 of 30,000: ES is where PV reached 20,000 (23 Jan)."""
    planned_project(org)
    result = selectors.project_evm(org.project_north, dt.date(2026, 1, 30))
    assert Decimal("30000") == result.metrics.PV
    es = result.schedule
    # Weeks from Monday 5 January: PV is 5,000 at the end of week 1... cumulative weekly PV:
    # week 1 (to 11 Jan) 5,000; week 2 (to 18 Jan) 10,000; week 3 (to 25 Jan) 20,000; week 4 30,000.
    assert es.C == 3
    assert Decimal(3) == es.ES
    assert Decimal(26) / 7 == es.AT
    assert es.SPI_t == Decimal(3) / (Decimal(26) / 7)
    # IEAC(t) = PD / SPI(t) = (26/7) / (21/26) weeks → about 4.6 weeks from 5 January.
    assert result.forecast_finish > dt.date(2026, 1, 30)


def test_labor_actuals_come_from_approved_hours_at_the_effective_rate(org):
    from keel.resources import services as resource_services
    from keel.timesheets import services as timesheet_services

    planned_project(org)
    nok_eur(org)  # a rate in EUR is converted into the project's NOK with the inverse pair
    pool = resource_services.pool_create(
        actor=org.admin, org_unit=org.north, code="POOL-N", name="North pool"
    )
    person = resource_services.resource_create(
        actor=org.admin, pool=pool, code="R-MEMBER", name="Member", user=org.member_north
    )
    resource_services.cost_rate_create(
        actor=org.admin,
        resource=person,
        effective_from=dt.date(2026, 1, 1),
        standard_rate=Decimal("85"),
        currency="EUR",
    )
    week = dt.date(2026, 1, 12)
    sheet = timesheet_services.timesheet_get_or_create_week(actor=org.member_north, week=week)
    sheet = timesheet_services.entry_set(
        actor=org.member_north,
        timesheet=sheet,
        version=sheet.version,
        entries=[timesheet_services.EntryInput(None, week, Decimal("8"), project=org.project_north)],
    )
    sheet = timesheet_services.timesheet_submit(
        actor=org.member_north, timesheet=sheet, version=sheet.version
    )
    timesheet_services.timesheet_approve(actor=org.pm_north, timesheet=sheet, version=sheet.version)
    m = selectors.project_evm(org.project_north, dt.date(2026, 1, 23)).metrics
    # 8 h × 85 EUR = 680 EUR = 680 / 0.085 NOK = 8,000 NOK
    assert Decimal("8000.00") == m.AC


def test_status_dates_outside_the_project_are_refused(org):
    planned_project(org)
    with pytest.raises(ValidationError) as before:
        selectors.project_evm(org.project_north, dt.date(2025, 12, 1))
    assert "before the project starts" in before.value.message_dict["status_date"][0]
    with pytest.raises(ValidationError) as after:
        selectors.project_evm(org.project_north, dt.date(2027, 6, 1))
    assert "after the project ends" in after.value.message_dict["status_date"][0]


def test_rollup_indices_come_from_sums_in_the_reporting_currency(org):
    """NORTH (NOK) and SOUTH (EUR) summed in EUR at the status date's rate; CPI = ΣEV / ΣAC."""
    planned_project(org)
    planned_project(org, pm=org.pm_south, project=org.project_south)
    nok_eur(org, "0.1")
    services.expense_create(
        actor=org.pm_north,
        project=org.project_north,
        date=dt.date(2026, 1, 9),
        category=category("MATERIALS"),
        amount=Decimal("40000"),
    )  # 4,000 EUR, CPI of NORTH alone 20,000 / 40,000 = 0.5
    services.expense_create(
        actor=org.pm_south,
        project=org.project_south,
        date=dt.date(2026, 1, 9),
        category=category("MATERIALS"),
        amount=Decimal("10000"),
    )  # CPI of SOUTH alone 2.0
    result = selectors.rollup_for_user(org.admin, dt.date(2026, 1, 23), "EUR")
    total = result.total
    assert Decimal("2000") + Decimal("20000") == total.EV
    assert Decimal("4000") + Decimal("10000") == total.AC
    assert Decimal("22000") / Decimal("14000") == total.CPI  # not the mean of 0.5 and 2.0
    eng = next(g for g in result.units if g.label.startswith("ENG"))
    assert eng.metrics.CPI == total.CPI
    flagged = [row.project.code for row in result.flagged]
    assert flagged == ["N-001"]
    program = next(g for g in result.programs)
    assert program.projects == 1 and Decimal("0.5") == program.metrics.CPI


def test_pm_north_never_sees_south_money(org):
    planned_project(org)
    planned_project(org, pm=org.pm_south, project=org.project_south)
    nok_eur(org, "0.1")
    result = selectors.rollup_for_user(org.pm_north, dt.date(2026, 1, 23))
    assert [row.project.code for row in result.projects] == ["N-001"]
    assert result.currency == "NOK"
    assert all("SOUTH" not in g.label for g in result.units)
    assert Decimal("30000") == result.total.BAC


def test_a_missing_rate_in_a_rollup_names_the_pair_and_date(org):
    planned_project(org)
    with pytest.raises(ValidationError) as error:
        selectors.rollup_for_user(org.admin, dt.date(2026, 1, 23), "EUR")
    assert "NOK to EUR on or before 2026-01-23" in error.value.message_dict["currency"][0]


def test_the_rollup_reads_a_fixed_number_of_queries(org):
    """One project or two, with costs, hours and forecasts: the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    planned_project(org)
    nok_eur(org, "0.1")
    services.expense_create(
        actor=org.pm_north,
        project=org.project_north,
        date=dt.date(2026, 1, 9),
        category=category("MATERIALS"),
        amount=Decimal("100"),
    )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            selectors.rollup_for_user(org.admin, dt.date(2026, 1, 23), "EUR")
        return len(queries.captured_queries)

    one = count()
    planned_project(org, pm=org.pm_south, project=org.project_south)
    services.expense_create(
        actor=org.pm_south,
        project=org.project_south,
        date=dt.date(2026, 1, 9),
        category=category("TRAVEL"),
        amount=Decimal("100"),
    )
    services.forecast_set(
        actor=org.pm_south,
        project=org.project_south,
        category=category("TRAVEL"),
        period_start=dt.date(2026, 2, 1),
        amount=Decimal("10"),
    )
    assert count() == one
