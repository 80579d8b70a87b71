"""Earned schedule, time-phased planned value, the EV rules, and the engine's refusals of bad input."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from keel.engines import evm
from keel.engines.evm import EvmError, TaskValue

# --- Earned schedule: a published worked example ---------------------------------------------------

# M. Vanhoucke, PM Knowledge Center, "Earned Value Management: Forecasting time"
# (http://www.pmknowledgecenter.com/dynamic_scheduling/control/earned-value-management-forecasting-time),
# the weekly project-data table after Table 1 (columns W1..W11; the same example project as Vandevoorde &
# Vanhoucke, "A comparison of different project duration forecasting methods using earned value metrics",
# IJPM 24 (2006)). Cumulative PV and EV per week, and the ES the page prints for W1..W6.
VANHOUCKE_PV = ["5", "10", "25", "55", "85", "120", "130", "140", "150", "150", "150"]
VANHOUCKE_EV = ["3.33", "6.67", "10", "22.5", "70", "82.5", "90", "120", "130", "140", "150"]
VANHOUCKE_PUBLISHED_ES = ["0.67", "1.33", "2.00", "2.83", "4.50", "4.92"]
VANHOUCKE_PD = 9  # the PV reaches BAC = 150 at the end of week 9: the planned duration


def _two(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _four(value: Decimal | None) -> Decimal:
    assert value is not None
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _week(week: int) -> evm.EarnedSchedule:
    return evm.earned_schedule(
        pv_by_period=VANHOUCKE_PV,
        ev=VANHOUCKE_EV[week - 1],
        actual_time=week,
        planned_duration=VANHOUCKE_PD,
    )


@pytest.mark.parametrize("week", range(1, 7))
def test_earned_schedule_matches_the_published_es_of_weeks_1_to_6(week):
    assert _two(_week(week).ES) == Decimal(VANHOUCKE_PUBLISHED_ES[week - 1])


def test_earned_schedule_every_week_by_hand():
    """ES = C + (EV - PV_C) / (PV_C+1 - PV_C), C = the last week whose cumulative PV is <= EV:

    W1  EV 3.33:  C=0 (PV1=5 > 3.33)     ES = 0 + 3.33/5          = 0.666
    W2  EV 6.67:  C=1 (PV1=5)            ES = 1 + 1.67/5          = 1.334
    W3  EV 10:    C=2 (PV2=10)           ES = 2 + 0/15            = 2
    W4  EV 22.5:  C=2 (PV3=25 > 22.5)    ES = 2 + 12.5/15         = 2.8333
    W5  EV 70:    C=4 (PV4=55)           ES = 4 + 15/30           = 4.5
    W6  EV 82.5:  C=4                    ES = 4 + 27.5/30         = 4.9167
    W7  EV 90:    C=5 (PV5=85)           ES = 5 + 5/35            = 5.1429
    W8  EV 120:   C=6 (PV6=120)          ES = 6
    W9  EV 130:   C=7                    ES = 7
    W10 EV 140:   C=8                    ES = 8
    W11 EV 150:   C=9 (BAC reached in W9; W10, W11 are the late tail, not planned work)  ES = 9

    SV(t) = ES - AT; SPI(t) = ES / AT; IEAC(t) = PD / SPI(t) = 9·AT/ES; TSPI = (PD - ES) / (PD - AT):
    W5: SV(t) = -0.5, SPI(t) = 0.9, IEAC(t) = 10, TSPI = 4.5/4 = 1.125.
    W8: SV(t) = -2, SPI(t) = 0.75, IEAC(t) = 12, TSPI = 3/1 = 3.
    W11 (finished): SV(t) = -2 weeks late, SPI(t) = 9/11 = 0.8182, IEAC(t) = 11 = the actual duration,
    while the cost-based SV = EV - PV = 0 and SPI = 1 say "on time" (the reason earned schedule exists).
    """
    expected_es = ["0.666", "1.334", "2", "2.8333", "4.5", "4.9167", "5.1429", "6", "7", "8", "9"]
    for week, es in enumerate(expected_es, start=1):
        assert _four(_week(week).ES) == Decimal(es).quantize(Decimal("0.0001")), week
    five = _week(5)
    assert (five.C, five.SV_t, five.SPI_t, five.IEAC_t, five.TSPI) == (
        4,
        Decimal("-0.5"),
        Decimal("0.9"),
        10,
        Decimal("1.125"),
    )
    eight = _week(8)
    assert (eight.SV_t, eight.SPI_t, eight.IEAC_t, eight.TSPI) == (-2, Decimal("0.75"), 12, 3)
    done = _week(11)
    assert (done.ES, done.SV_t, done.IEAC_t) == (9, -2, 11)
    assert _four(done.SPI_t) == Decimal("0.8182")
    assert done.TSPI is None and "planned duration has elapsed" in (done.reason("TSPI") or "")
    cost_based = evm.metrics(bac=150, pv=150, ev=150, ac=160)
    assert (cost_based.SV, cost_based.SPI) == (0, 1)


def test_the_late_tail_of_the_pv_series_does_not_move_es():
    """Cutting the series at the planned finish (9 weeks) or passing the flat tail gives the same ES."""
    for week in (9, 10, 11):
        ev = VANHOUCKE_EV[week - 1]
        cut = evm.earned_schedule(pv_by_period=VANHOUCKE_PV[:9], ev=ev, actual_time=week, planned_duration=9)
        assert cut == _week(week)


def test_lipkes_rule_for_a_flat_stretch_inside_the_plan():
    """No work planned in period 2 (PV 50, 50): an EV of exactly 50 covers both periods, C = 2, ES = 2."""
    es = evm.earned_schedule(pv_by_period=[50, 50, 100], ev=50, actual_time=3, planned_duration=3)
    assert (es.C, es.ES) == (2, 2)


def test_nothing_earned_leaves_ieac_undefined():
    es = evm.earned_schedule(pv_by_period=[10, 20], ev=0, actual_time=1, planned_duration=2)
    assert (es.ES, es.SPI_t, es.IEAC_t) == (0, 0, None)
    assert es.reason("IEAC_t") == "SPI(t) is 0 (nothing earned)"


def test_forecast_finish_date_from_ieac():
    """A monthly project started 2024-01-01 with PD 12 months and SPI(t) 0.8 forecasts 15 months:
    it ends on 2025-03-31. Half a month into a 30-day month is day 15."""
    es = evm.earned_schedule(
        pv_by_period=[Decimal(i * 10) for i in range(1, 13)], ev=40, actual_time=5, planned_duration=12
    )
    assert (es.ES, es.SPI_t, es.IEAC_t) == (4, Decimal("0.8"), 15)
    assert evm.period_end(start=date(2024, 1, 1), periods=es.IEAC_t) == date(2025, 3, 31)
    assert evm.period_end(start=date(2024, 1, 1), periods=12) == date(2024, 12, 31)
    assert evm.period_end(start=date(2024, 4, 1), periods=Decimal("0.5")) == date(2024, 4, 15)
    assert evm.period_end(start=date(2024, 1, 1), periods=Decimal("1.5"), period="week") == date(2024, 1, 11)
    assert evm.period_end(start=date(2024, 1, 1), periods=3, period="day") == date(2024, 1, 3)
    assert evm.elapsed_periods(start=date(2024, 1, 1), on=date(2024, 5, 31)) == 5
    assert evm.period_ends(start=date(2024, 1, 1), count=3) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
    ]


# --- Time-phased PV and the EV rules -----------------------------------------------------------------


def test_pv_is_spread_linearly_over_working_days():
    """1000 over Mon 2024-01-01 .. Fri 2024-01-12 (10 working days): 100 a working day, nothing at weekends."""
    task = TaskValue(id="T", budget=Decimal(1000), start=date(2024, 1, 1), finish=date(2024, 1, 12))
    assert task.planned(date(2023, 12, 31)) == 0
    assert task.planned(date(2024, 1, 1)) == 100
    assert task.planned(date(2024, 1, 5)) == 500
    assert task.planned(date(2024, 1, 6)) == task.planned(date(2024, 1, 7)) == 500
    assert task.planned(date(2024, 1, 8)) == 600
    assert task.planned(date(2024, 1, 12)) == task.planned(date(2025, 1, 1)) == 1000
    seven_days = TaskValue(
        id="S", budget=700, start=date(2024, 1, 1), finish=date(2024, 1, 14), working_days=frozenset(range(7))
    )
    assert seven_days.planned(date(2024, 1, 7)) == 350


def test_a_milestone_plans_its_whole_budget_on_its_day_even_at_a_weekend():
    saturday = date(2024, 1, 6)
    milestone = TaskValue(id="M", budget=500, start=saturday, finish=saturday)
    assert milestone.planned(date(2024, 1, 5)) == 0
    assert milestone.planned(saturday) == 500
    weekend_task = TaskValue(id="W", budget=200, start=saturday, finish=date(2024, 1, 7))
    assert weekend_task.planned(saturday) == 100  # no working day: spread over its calendar days


def test_pv_curve_and_status_metrics_from_tasks():
    tasks = [
        TaskValue(
            id="A", budget=1000, start=date(2024, 1, 1), finish=date(2024, 1, 12), percent_complete=100
        ),
        TaskValue(id="B", budget=2000, start=date(2024, 1, 8), finish=date(2024, 1, 19), percent_complete=25),
    ]
    curve = evm.pv_curve(tasks, [date(2024, 1, 5), date(2024, 1, 12), date(2024, 1, 19)])
    assert curve == [500, 1000 + 1000, 3000]
    m = evm.metrics_at(tasks, date(2024, 1, 12), ac=1800)
    assert (m.BAC, m.PV, m.EV, m.AC) == (3000, 2000, 1500, 1800)
    indices = (m.SPI, m.CPI)
    assert indices == (Decimal("0.75"), Decimal(1500) / Decimal(1800))
    with pytest.raises(
        EvmError, match=r"status date 2023-12-29 is before the project starts \(2024-01-01\)"
    ) as error:
        evm.metrics_at(tasks, date(2023, 12, 29), ac=0)
    assert error.value.field == "status_date"


def test_the_ev_rules():
    day = date(2024, 1, 1)

    def ev(method: str, pct: int, milestones=()) -> Decimal:
        return TaskValue(
            id="T",
            budget=800,
            start=day,
            finish=day,
            percent_complete=pct,
            method=method,
            milestones=milestones,
        ).earned

    assert [ev("physical", pct) for pct in (0, 40, 100)] == [0, 320, 800]
    assert [ev("0/100", pct) for pct in (0, 40, 99, 100)] == [0, 0, 0, 800]
    assert [ev("50/50", pct) for pct in (0, 1, 99, 100)] == [0, 400, 400, 800]
    weights = ((Decimal(20), True), (Decimal(30), True), (Decimal(50), False))
    assert ev("milestones", 0, weights) == 400  # 20 % + 30 % reached, whatever percent_complete says
    assert ev("milestones", 0, ((Decimal(100), False),)) == 0


# --- Bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"bac": -1, "pv": 0, "ev": 0, "ac": 0}, "BAC", r"BAC must not be negative \(got -1\)"),
        ({"bac": 10, "pv": -5, "ev": 0, "ac": 0}, "PV", "PV must not be negative"),
        ({"bac": 10, "pv": 5, "ev": 0, "ac": -1}, "AC", "AC must not be negative"),
        ({"bac": 10, "pv": 11, "ev": 0, "ac": 0}, "PV", r"PV \(11\) cannot exceed BAC \(10\)"),
        ({"bac": 10, "pv": 5, "ev": 12, "ac": 0}, "EV", r"EV \(12\) cannot exceed BAC \(10\)"),
        ({"bac": "ten", "pv": 5, "ev": 1, "ac": 0}, "BAC", "BAC must be a number, not 'ten'"),
        ({"bac": "NaN", "pv": 5, "ev": 1, "ac": 0}, "BAC", "BAC must be a finite number"),
        ({"bac": True, "pv": 5, "ev": 1, "ac": 0}, "BAC", "BAC must be a number"),
        ({"bac": 10, "pv": 5, "ev": 1, "ac": 0, "etc_bottom_up": -3}, "ETC", "ETC must not be negative"),
    ],
)
def test_metrics_refuse_bad_input_naming_the_field(kwargs, field, message):
    with pytest.raises(EvmError, match=message) as error:
        evm.metrics(**kwargs)
    assert error.value.field == field
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"budget": -1}, "budget", "task 'T': budget must not be negative"),
        (
            {"percent_complete": 120},
            "percent_complete",
            "task 'T': percent_complete must be between 0 and 100 \\(got 120\\)",
        ),
        ({"percent_complete": -1}, "percent_complete", "between 0 and 100"),
        ({"finish": date(2023, 12, 31)}, "finish", "task 'T': finish 2023-12-31 is before start 2024-01-01"),
        ({"method": "weighted"}, "method", "method must be one of physical, 0/100, 50/50, milestones"),
        ({"method": "milestones"}, "milestones", "needs at least one milestone weight"),
        (
            {"method": "milestones", "milestones": ((Decimal(60), True), (Decimal(30), False))},
            "milestones",
            "milestone weights must sum to 100 \\(they sum to 90\\)",
        ),
        (
            {"method": "milestones", "milestones": ((Decimal(110), True), (Decimal(-10), False))},
            "milestones",
            "positive",
        ),
        ({"working_days": frozenset({7})}, "working_days", "weekdays 0 \\(Monday\\) to 6"),
        ({"working_days": frozenset()}, "working_days", "weekdays"),
        ({"budget": "lots"}, "budget", "task 'T': budget must be a number, not 'lots'"),
        ({"percent_complete": None}, "percent_complete", "task 'T': percent_complete must be a number"),
        ({"start": "2024-01-01"}, "start", "task 'T': start and finish must be dates"),
    ],
)
def test_task_values_refuse_bad_input(kwargs, field, message):
    base = {"id": "T", "budget": 100, "start": date(2024, 1, 1), "finish": date(2024, 1, 5)}
    with pytest.raises(EvmError, match=message) as error:
        TaskValue(**{**base, **kwargs})
    assert error.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"pv_by_period": []}, "pv_by_period", "at least one period"),
        ({"pv_by_period": [10, 5]}, "pv_by_period", "must not decrease \\(period 2: 5 < 10\\)"),
        ({"pv_by_period": [-1, 5]}, "pv_by_period[0]", "must not be negative"),
        ({"ev": 30}, "EV", "EV \\(30\\) cannot exceed the planned value at completion \\(20\\)"),
        ({"actual_time": 0}, "actual_time", "actual_time must be positive"),
        ({"planned_duration": 0}, "planned_duration", "planned_duration must be positive"),
    ],
)
def test_earned_schedule_refuses_bad_input(kwargs, field, message):
    base = {"pv_by_period": [10, 20], "ev": 5, "actual_time": 1, "planned_duration": 2}
    with pytest.raises(EvmError, match=message) as error:
        evm.earned_schedule(**{**base, **kwargs})
    assert error.value.field == field


def test_dates_refuse_bad_periods():
    with pytest.raises(EvmError, match="period must be one of day, week, month") as error:
        evm.period_end(start=date(2024, 1, 1), periods=1, period="year")
    assert error.value.field == "period"
    with pytest.raises(EvmError, match="periods must be positive"):
        evm.period_end(start=date(2024, 1, 1), periods=0)
    with pytest.raises(EvmError, match="status date 2023-12-31 is before the project starts"):
        evm.elapsed_periods(start=date(2024, 1, 1), on=date(2023, 12, 31))


# --- Undefined metrics say why ------------------------------------------------------------------------


def test_undefined_metrics_are_none_with_a_reason():
    start = evm.metrics(bac=1000, pv=0, ev=0, ac=0)
    assert start.CPI is None and start.reason("CPI") == "AC is 0"
    assert start.SPI is None and start.reason("SPI") == "PV is 0"
    assert start.CV_pct is None and start.reason("CV_pct") == "EV is 0"
    assert start.EAC_cpi is None and start.reason("EAC_cpi") == "CPI is undefined: AC is 0"
    assert start.ETC_cpi is None and start.reason("ETC_cpi") == "CPI is undefined: AC is 0"
    assert start.TCPI_bac == 1 and start.reason("TCPI_bac") is None
    assert (start.EAC_atypical, start.VAC_atypical) == (1000, 0)
    spent = evm.metrics(bac=1000, pv=500, ev=0, ac=1000)
    assert spent.CPI == 0 and spent.EAC_cpi is None and spent.reason("EAC_cpi") == "CPI is 0: EV is 0"
    assert spent.reason("EAC_cpi_x_spi") == "CPI × SPI is 0: EV is 0"
    assert spent.TCPI_bac is None and "budget is spent" in (spent.reason("TCPI_bac") or "")
    defined = evm.metrics(bac=1000, pv=500, ev=400, ac=450, etc_bottom_up=700)
    assert {name for name in evm.METRIC_NAMES if getattr(defined, name) is None} == set()
    assert defined.undefined == ()
    assert (defined.EAC_bottom_up, defined.VAC_bottom_up) == (1150, -150)
    assert (defined.CV_pct, defined.SV_pct) == (Decimal("-12.5"), Decimal("-20"))
    assert defined.TCPI_eac == defined.CPI  # aiming at EAC = BAC / CPI means keeping today's efficiency


# --- Earned schedule from tasks -------------------------------------------------------------------------


def test_schedule_at_in_days_by_hand():
    """1000 over Mon 2024-01-01 .. Fri 2024-01-12 (10 working days, 100 a day), 30 % done on 2024-01-12.
    Daily PV: 100, 200, 300 on Jan 1-3. EV 300 = PV of Jan 3: C = 3, ES = 3 days; AT = 12 days;
    SPI(t) = 3/12 = 0.25; IEAC(t) = 12 / 0.25 = 48 days -> finish on day 48 = 2024-02-17."""
    task = TaskValue(
        id="T", budget=1000, start=date(2024, 1, 1), finish=date(2024, 1, 12), percent_complete=30
    )
    status = evm.schedule_at([task], date(2024, 1, 12), period="day")
    es = status.schedule
    assert (es.ES, es.AT, es.PD, es.SPI_t, es.IEAC_t) == (3, 12, 12, Decimal("0.25"), 48)
    assert (status.start, status.planned_finish) == (date(2024, 1, 1), date(2024, 1, 12))
    assert (status.earned_date, status.forecast_finish) == (date(2024, 1, 3), date(2024, 2, 17))


def test_schedule_at_a_plan_ending_mid_period_ends_at_pd():
    """Mon 2024-01-01 .. Wed 2024-01-17 is 17/7 weeks: PV is taken at the ends of weeks 1 and 2 and at
    the planned finish (2.43 weeks), so a task finished on time has ES = PD, SV(t) = 0, and the forecast
    finish is the planned one; finished a week late (status 2024-01-24), SV(t) = -1 week."""
    task = TaskValue(
        id="T", budget=1300, start=date(2024, 1, 1), finish=date(2024, 1, 17), percent_complete=100
    )
    on_time = evm.schedule_at([task], date(2024, 1, 17))
    pd = Decimal(17) / 7
    assert (on_time.schedule.ES, on_time.schedule.PD, on_time.schedule.SV_t) == (pd, pd, 0)
    assert on_time.forecast_finish == on_time.earned_date == date(2024, 1, 17)
    late = evm.schedule_at([task], date(2024, 1, 24))
    assert late.schedule.SV_t == -1 and late.forecast_finish == date(2024, 1, 24)
    half_way = evm.schedule_at([replace(task, percent_complete=0)], date(2024, 1, 3))
    assert half_way.schedule.ES == 0 and half_way.forecast_finish is None and half_way.earned_date is None


def test_schedule_at_refuses_what_it_cannot_measure():
    task = TaskValue(id="T", budget=100, start=date(2024, 1, 1), finish=date(2024, 1, 5))
    with pytest.raises(EvmError, match="status date 2023-12-31 is before the project starts") as error:
        evm.schedule_at([task], date(2023, 12, 31))
    assert error.value.field == "status_date"
    with pytest.raises(EvmError, match="needs at least one task"):
        evm.schedule_at([], date(2024, 1, 1))
    free = TaskValue(id="F", budget=0, start=date(2024, 1, 1), finish=date(2024, 1, 5))
    with pytest.raises(EvmError, match="BAC is 0"):
        evm.schedule_at([free], date(2024, 1, 2))


def test_period_times_are_checked():
    base = {"pv_by_period": [10, 20], "ev": 15, "actual_time": 1, "planned_duration": 2}
    assert Decimal("1.25") == evm.earned_schedule(**base, period_times=[1, Decimal("1.5")]).ES
    for times, message in (([1], "one time per PV \\(2\\), got 1"), ([1, 1], "positive and increasing")):
        with pytest.raises(EvmError, match=message) as error:
            evm.earned_schedule(**base, period_times=times)
        assert error.value.field == "period_times"
