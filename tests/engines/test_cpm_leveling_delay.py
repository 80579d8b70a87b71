"""Leveling delay: a task held after the start its links and constraints allow, successors following.

The project starts Monday 2024-01-01 08:00 on the standard calendar (Mon–Fri 08–12, 13–17); ``D`` is
one working day (480 minutes).
"""

from __future__ import annotations

import pytest

from keel.engines.cpm import ConstraintType, Link, LinkType, ScheduleError, Task
from tests.engines.test_cpm import D, dt, run


def chain(delay: int, **b_fields: object) -> dict[str, object]:
    """A (2d) → B (1d) → C (1d), with a parallel D (4d) → C so the network has float to give."""
    return run(
        [
            Task(id="A", duration=2 * D),
            Task(id="B", duration=D, leveling_delay=delay, **b_fields),  # type: ignore[arg-type]
            Task(id="C", duration=D),
            Task(id="D", duration=4 * D),
        ],
        [Link("A", "B"), Link("B", "C"), Link("D", "C")],
    ).tasks


def test_no_delay_is_the_plain_schedule() -> None:
    tasks = chain(0)
    assert tasks["B"].early_start == dt("2024-01-03 08:00")
    assert tasks["B"].total_float == D
    assert tasks["A"].total_float == D


def test_delay_pushes_the_start_and_eats_the_float_of_the_task_and_its_predecessors() -> None:
    tasks = chain(D // 2)
    b = tasks["B"]
    assert b.early_start == dt("2024-01-03 13:00")
    assert b.early_finish == dt("2024-01-04 12:00")
    assert b.total_float == D // 2
    # The delay behaves like a lag towards A: A's late dates move back with it.
    assert tasks["A"].total_float == D // 2
    assert tasks["A"].free_float == 0
    assert tasks["A"].late_finish == dt("2024-01-03 12:00")
    # C is still driven by D.
    assert tasks["C"].early_start == dt("2024-01-05 08:00")


def test_delay_beyond_the_float_moves_successors_and_the_project_finish() -> None:
    tasks = chain(3 * D)
    assert tasks["B"].early_start == dt("2024-01-08 08:00")
    assert tasks["C"].early_start == dt("2024-01-09 08:00")
    assert tasks["C"].finish == dt("2024-01-09 17:00")
    assert tasks["B"].critical and tasks["A"].critical
    assert not tasks["D"].critical
    assert tasks["D"].total_float == 2 * D


def test_delay_of_a_task_without_predecessors_counts_from_the_project_start() -> None:
    result = run([Task(id="X", duration=D, leveling_delay=D)])
    assert result.tasks["X"].start == dt("2024-01-02 08:00")
    assert result.finish == dt("2024-01-02 17:00")


def test_delay_counts_after_a_start_no_earlier_than_constraint() -> None:
    tasks = chain(D, constraint=ConstraintType.SNET, constraint_date=dt("2024-01-04 08:00"))
    assert tasks["B"].early_start == dt("2024-01-05 08:00")


def test_delay_is_counted_in_working_time_over_a_weekend() -> None:
    result = run(
        [Task(id="A", duration=4 * D), Task(id="B", duration=D, leveling_delay=2 * D)], [Link("A", "B")]
    )
    assert result.tasks["B"].start == dt("2024-01-09 08:00")


def test_delay_on_a_finish_to_finish_successor_shrinks_the_predecessor_float() -> None:
    result = run(
        [Task(id="A", duration=2 * D), Task(id="B", duration=D, leveling_delay=D)],
        [Link("A", "B", LinkType.FF)],
    )
    assert result.tasks["B"].finish == dt("2024-01-03 17:00")
    assert result.tasks["A"].total_float == 0
    assert result.tasks["A"].critical


@pytest.mark.parametrize(
    "fields",
    [
        {"constraint": ConstraintType.MSO, "constraint_date": dt("2024-01-03 08:00")},
        {"manual_start": dt("2024-01-03 08:00")},
        {"actual_start": dt("2024-01-03 08:00"), "percent_complete": 50},
    ],
    ids=["must-start-on", "manual", "started"],
)
def test_delay_does_not_move_a_task_with_fixed_dates(fields: dict[str, object]) -> None:
    tasks = chain(2 * D, **fields)
    assert tasks["B"].start == dt("2024-01-03 08:00")


def test_a_summary_rolls_up_its_delayed_subtask() -> None:
    result = run(
        [
            Task(id="S"),
            Task(id="A", duration=D, parent_id="S"),
            Task(id="B", duration=D, parent_id="S", leveling_delay=D),
        ]
    )
    assert result.tasks["S"].start == dt("2024-01-01 08:00")
    assert result.tasks["S"].finish == dt("2024-01-02 17:00")


def test_start_no_later_than_missed_because_of_the_delay_is_flagged() -> None:
    tasks = chain(2 * D, constraint=ConstraintType.SNLT, constraint_date=dt("2024-01-03 08:00"))
    assert tasks["B"].start == dt("2024-01-05 08:00")
    assert tasks["B"].violations


def test_negative_delay_is_refused_naming_the_field() -> None:
    with pytest.raises(ScheduleError, match="task 'X': leveling_delay must not be negative"):
        run([Task(id="X", duration=D, leveling_delay=-1)])
