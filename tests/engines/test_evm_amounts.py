"""The engine's plain per-budget rules agree with TaskValue, and milestone weights are scaled to 100."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.engines import evm


def test_milestone_weights_are_scaled_to_exactly_100():
    assert evm.milestone_weights([(1, True), (3, False)]) == ((Decimal(25), True), (Decimal(75), False))
    thirds = evm.milestone_weights([(1, True), (1, False), (1, True)])
    assert sum(weight for weight, _ in thirds) == 100
    assert evm.milestone_weights([(0, True), (40, True), (60, False)]) == (
        (Decimal(40), True),
        (Decimal(60), False),
    )
    with pytest.raises(evm.EvmError) as refused:
        evm.milestone_weights([(0, True)])
    assert refused.value.field == "milestones"


@pytest.mark.parametrize(
    ("method", "percent", "expected"),
    [
        ("physical", 30, "300"),
        ("0/100", 99, "0"),
        ("0/100", 100, "1000"),
        ("50/50", 0, "0"),
        ("50/50", 1, "500"),
        ("50/50", 100, "1000"),
    ],
)
def test_earned_amount_is_what_a_task_earns(method, percent, expected):
    task = evm.TaskValue(
        id="T",
        budget=Decimal(1000),
        start=dt.date(2026, 1, 5),
        finish=dt.date(2026, 1, 16),
        percent_complete=percent,
        method=method,
    )
    assert task.earned == evm.earned_amount(Decimal(1000), method, Decimal(percent)) == Decimal(expected)


def test_milestones_earn_the_share_of_the_weights_reached():
    weights = evm.milestone_weights([(1, True), (3, False)])
    assert evm.earned_amount(Decimal(2000), "milestones", Decimal(0), weights) == Decimal(500)


def test_planned_amount_is_what_a_task_plans_on_every_day():
    task = evm.TaskValue(id="T", budget=Decimal(1000), start=dt.date(2026, 1, 5), finish=dt.date(2026, 1, 16))
    for offset in range(-2, 16):
        day = dt.date(2026, 1, 5) + dt.timedelta(days=offset)
        assert task.planned(day) == evm.planned_amount(task.budget, task.start, task.finish, day)
    saturday = dt.date(2026, 1, 10)
    assert evm.planned_amount(Decimal(70), saturday, saturday, saturday) == Decimal(70)
