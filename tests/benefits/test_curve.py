"""The planned curve and the at-risk and due-date arithmetic, checked against numbers worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.benefits import curve

D = dt.date
# Baseline 1,000 on 1 Jan 2026; milestone 1,600 on 1 Apr 2026 (90 days later); target 1,900 on 30 Jun
# 2026 (90 days after the milestone): the curve rises 6.6667 a day, then 3.3333 a day.
POINTS = [
    (D(2026, 1, 1), Decimal("1000")),
    (D(2026, 4, 1), Decimal("1600")),
    (D(2026, 6, 30), Decimal("1900")),
]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 12, 1), "1000"),  # before the baseline: the baseline value
        (D(2026, 1, 1), "1000"),
        (D(2026, 1, 31), "1200.0000"),  # 1000 + 600 × 30/90
        (D(2026, 2, 15), "1300.0000"),  # 1000 + 600 × 45/90
        (D(2026, 3, 2), "1400.0000"),  # 1000 + 600 × 60/90
        (D(2026, 4, 1), "1600.0000"),  # the milestone
        (D(2026, 4, 2), "1603.3333"),  # 1600 + 300 × 1/90 = 1603.3333…
        (D(2026, 5, 16), "1750.0000"),  # 1600 + 300 × 45/90
        (D(2026, 6, 30), "1900.0000"),
        (D(2027, 3, 1), "1900"),  # after the target: the target value
    ],
)
def test_planned_value_is_linear_between_baseline_milestones_and_target(day, expected):
    assert curve.planned_value(POINTS, day) == Decimal(expected)


def test_a_falling_curve_and_rounding_half_up():
    # Cost down from 90 to 80 over 3 days: day 1 is 86.6666… → 86.6667, day 2 is 83.3333….
    points = [(D(2026, 1, 1), Decimal("90")), (D(2026, 1, 4), Decimal("80"))]
    assert curve.planned_value(points, D(2026, 1, 2)) == Decimal("86.6667")
    assert curve.planned_value(points, D(2026, 1, 3)) == Decimal("83.3333")


@pytest.mark.parametrize(
    ("baseline", "planned", "realized", "expected"),
    [
        ("0", "60000", "45000", "25.00"),  # a quarter of the planned gain missing
        ("0", "60000", "60000", "0.00"),
        ("0", "60000", "66000", "-10.00"),  # ahead of plan
        ("100", "90", "95", "50.00"),  # a cost reduction: planned −10, realized −5
        ("100", "90", "102", "120.00"),  # went the wrong way
        ("1000", "1300", "1000", "100.00"),  # nothing realized
        ("50", "50", "40", None),  # nothing planned yet
    ],
)
def test_shortfall_is_the_missing_share_of_the_planned_gain(baseline, planned, realized, expected):
    result = curve.shortfall_percent(Decimal(baseline), Decimal(planned), Decimal(realized))
    assert result == (None if expected is None else Decimal(expected))


def test_realized_percent_of_the_target_gain():
    assert curve.realized_percent(Decimal("0"), Decimal("120000"), Decimal("30000")) == Decimal("25.00")
    assert curve.realized_percent(Decimal("100"), Decimal("80"), Decimal("95")) == Decimal("25.00")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 1, 15), 12, D(2027, 1, 15)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
    ],
)
def test_add_months_stays_inside_the_month(day, months, expected):
    assert curve.add_months(day, months) == expected


def test_next_due_counts_from_the_last_measurement_or_the_baseline():
    assert curve.next_due(D(2026, 1, 1), None, 3) == D(2026, 4, 1)
    assert curve.next_due(D(2026, 1, 1), D(2026, 5, 10), 3) == D(2026, 8, 10)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 3, 31), None),
        (D(2026, 4, 1), None),  # due today: not overdue yet
        (D(2026, 4, 2), D(2026, 4, 1)),
        (D(2026, 7, 1), D(2026, 4, 1)),  # still in the first overdue period
        (D(2026, 7, 2), D(2026, 7, 1)),  # a new period: a new reminder
        (D(2027, 1, 15), D(2027, 1, 1)),
    ],
)
def test_overdue_period_start(today, expected):
    assert curve.overdue_period_start(D(2026, 4, 1), 3, today) == expected


def test_month_starts():
    assert curve.month_starts(D(2026, 11, 20), D(2027, 2, 1)) == [
        D(2026, 11, 1),
        D(2026, 12, 1),
        D(2027, 1, 1),
        D(2027, 2, 1),
    ]
