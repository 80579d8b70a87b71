"""Split tasks: work that stops and resumes, the pauses moving with the task.

The project starts Monday 2024-01-01 08:00 on the standard calendar (Mon–Fri 08–12, 13–17); ``D`` is
one working day (480 minutes).
"""

from __future__ import annotations

import pytest

from keel.engines.cpm import (
    LagUnit,
    Link,
    LinkType,
    ScheduleError,
    Task,
    splits_of,
    stretch_layout,
    stretches_of,
)
from tests.engines.test_cpm import D, dt, run


def test_a_split_task_spans_its_duration_and_its_pauses():
    # 4 days of work, paused for 2 days after the first day: Mon, (Tue, Wed paused), Thu, Fri, Mon
    result = run([Task(id="A", duration=4 * D, splits=((D, 2 * D),)), Task(id="B", duration=7 * D)])
    a = result.tasks["A"]
    assert (a.start, a.finish) == (dt("2024-01-01 08:00"), dt("2024-01-08 17:00"))
    assert a.duration == 4 * D
    assert a.total_float == D and a.free_float == D


def test_the_pauses_move_with_the_task_and_its_successors_follow():
    result = run(
        [
            Task(id="P", duration=2 * D),
            Task(id="A", duration=2 * D, splits=((D, D),)),
            Task(id="S", duration=D),
        ],
        [Link("P", "A"), Link("A", "S")],
    )
    assert result.tasks["A"].start == dt("2024-01-03 08:00")
    assert result.tasks["A"].finish == dt("2024-01-05 17:00")
    assert result.tasks["S"].start == dt("2024-01-08 08:00")
    assert result.critical_path() == ("P", "A", "S")


def test_a_finish_to_finish_successor_and_a_percentage_lag_see_span_and_duration():
    result = run(
        [
            Task(id="A", duration=2 * D, splits=((D, 2 * D),)),
            Task(id="B", duration=D),
            Task(id="C", duration=D),
        ],
        [
            Link("A", "B", LinkType.FF),
            Link("A", "C", lag=50, lag_unit=LagUnit.PERCENT),
        ],
    )
    # A spans four days (Mon..Thu); B finishes with it; C waits half of A's two days of work after it
    assert result.tasks["B"].finish == dt("2024-01-04 17:00")
    assert result.tasks["C"].start == dt("2024-01-08 08:00")


def test_done_work_past_a_pause_resumes_after_it():
    # Half of four days is done: the work before the pause (1 day) and one more day after it
    result = run(
        [
            Task(
                id="A",
                duration=4 * D,
                splits=((D, 2 * D),),
                percent_complete=50,
                actual_start=dt("2024-01-01 08:00"),
            )
        ],
        status_date=dt("2024-01-05 08:00"),
    )
    a = result.tasks["A"]
    # Done: Mon, Thu; remaining two days from the status date (Fri) → Mon 8 Jan
    assert a.finish == dt("2024-01-08 17:00")


@pytest.mark.parametrize("splits", [((0, D),), ((D, 0),), ((2 * D, D), (D, D)), ((4 * D, D),)])
def test_splits_outside_the_work_are_refused(splits):
    with pytest.raises(ScheduleError, match="task 'A': splits must pause"):
        run([Task(id="A", duration=4 * D, splits=splits)])


def test_splits_of_work_stretches():
    assert splits_of([(0, 480), (1440, 2400), (2880, 3360)]) == ((480, 960), (1440, 480))
    assert splits_of([(0, 480), (480, 960)]) == ()
    assert splits_of([(960, 1440), (0, 480), (200, 300)]) == ((480, 480),)
    assert splits_of([]) == ()


def test_the_stretches_of_a_split_task():
    assert stretches_of(4 * D, ((D, 2 * D),)) == [(0, D), (3 * D, 6 * D)]
    assert stretches_of(3 * D, ((D, D), (2 * D, D))) == [(0, D), (2 * D, 3 * D), (4 * D, 5 * D)]
    assert stretches_of(2 * D, ()) == [(0, 2 * D)]
    assert splits_of(stretches_of(3 * D, ((D, D), (2 * D, D)))) == ((D, D), (2 * D, D))


def test_done_stretches_run_from_the_start_and_remaining_ones_end_at_the_finish():
    # 4 days paused 2 days after the first; 1.5 days done; the rest resumed a day late
    done, remaining = stretch_layout(
        duration=4 * D, splits=((D, 2 * D),), done=D + D // 2, start=100, finish=100 + 7 * D
    )
    assert done == [(100, 100 + D), (100 + 3 * D, 100 + 3 * D + D // 2)]
    assert remaining == [(100 + 4 * D + D // 2, 100 + 7 * D)]
    # Not started: everything laid out from the start
    assert stretch_layout(duration=2 * D, splits=((D, D),), done=0, start=0, finish=3 * D) == (
        [],
        [(0, D), (2 * D, 3 * D)],
    )
