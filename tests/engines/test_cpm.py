"""CPM engine, table-driven: link types and lags, constraints, milestones, elapsed time, calendars,
progress against a status date, summary tasks, and refused input.

The project starts Monday 2024-01-01 08:00 on the standard calendar (Mon–Fri 08–12, 13–17) unless a
case says otherwise; ``D`` is one working day (480 minutes).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from keel.engines.calendars import (
    Calendar,
    CalendarException,
    Recurrence,
    RecurrenceKind,
    Timeline,
    standard_calendar,
)
from keel.engines.cpm import (
    ConstraintType,
    CycleError,
    LagUnit,
    Link,
    LinkType,
    Project,
    Schedule,
    ScheduleError,
    Task,
    schedule,
)

D = 480
STANDARD = standard_calendar("std")
SEVEN_DAYS = Calendar(id="7d", week=(((480, 720), (780, 1020)),) * 7, name="seven days")
START = "2024-01-01 08:00"


def dt(text: str) -> datetime:
    """A naive local datetime from ISO text."""
    return datetime.fromisoformat(text)


def run(
    tasks: list[Task],
    links: list[Link] | None = None,
    *,
    start: str = START,
    calendars: tuple[Calendar, ...] = (STANDARD, SEVEN_DAYS),
    calendar_id: str = "std",
    **options: object,
) -> Schedule:
    """Schedule a small project."""
    return schedule(
        Project(
            start=dt(start),
            calendar_id=calendar_id,
            calendars=calendars,
            tasks=tuple(tasks),
            links=tuple(links or ()),
            **options,  # type: ignore[arg-type]
        )
    )


def work(when: datetime, calendar: Calendar = STANDARD) -> int:
    """Working minute of a datetime on a calendar (origin: the project start date)."""
    return Timeline(calendar, dt(START)).to_work(when)


# --- link types, lags and leads -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link_type", "lag", "unit", "start", "finish"),
    [
        (LinkType.FS, 0, LagUnit.WORKING, "2024-01-03 08:00", "2024-01-03 17:00"),
        (LinkType.FS, D, LagUnit.WORKING, "2024-01-04 08:00", "2024-01-04 17:00"),
        (LinkType.FS, -D, LagUnit.WORKING, "2024-01-02 08:00", "2024-01-02 17:00"),  # lead
        (LinkType.FS, 4 * D, LagUnit.WORKING, "2024-01-09 08:00", "2024-01-09 17:00"),  # over a weekend
        (LinkType.FS, 50, LagUnit.PERCENT, "2024-01-04 08:00", "2024-01-04 17:00"),  # 50 % of 2 days
        (LinkType.FS, -25, LagUnit.PERCENT, "2024-01-02 13:00", "2024-01-03 12:00"),
        (LinkType.FS, 12 * 60, LagUnit.ELAPSED, "2024-01-03 08:00", "2024-01-03 17:00"),  # Tue 17:00 + 12 h
        (LinkType.FS, 24 * 60, LagUnit.ELAPSED, "2024-01-04 08:00", "2024-01-04 17:00"),
        (LinkType.SS, 0, LagUnit.WORKING, "2024-01-01 08:00", "2024-01-01 17:00"),
        (LinkType.SS, D, LagUnit.WORKING, "2024-01-02 08:00", "2024-01-02 17:00"),
        (LinkType.SS, 240, LagUnit.WORKING, "2024-01-01 13:00", "2024-01-02 12:00"),
        (LinkType.SS, 50, LagUnit.PERCENT, "2024-01-02 08:00", "2024-01-02 17:00"),
        (LinkType.FF, 0, LagUnit.WORKING, "2024-01-02 08:00", "2024-01-02 17:00"),
        (LinkType.FF, D, LagUnit.WORKING, "2024-01-03 08:00", "2024-01-03 17:00"),
        (LinkType.FF, -D, LagUnit.WORKING, "2024-01-01 08:00", "2024-01-01 17:00"),
        (LinkType.SF, 3 * D, LagUnit.WORKING, "2024-01-03 08:00", "2024-01-03 17:00"),
        (LinkType.SF, 0, LagUnit.WORKING, "2024-01-01 08:00", "2024-01-01 17:00"),  # floored at the start
    ],
)
def test_each_link_type_with_lags_and_leads(link_type, lag, unit, start, finish):
    # Given A (2 days) from the project start and B (1 day) linked to it
    tasks = [Task(id="A", duration=2 * D), Task(id="B", duration=D)]
    # When scheduled
    result = run(tasks, [Link("A", "B", link_type, lag, unit)])
    # Then B sits where the link puts it
    assert (result.tasks["B"].start, result.tasks["B"].finish) == (dt(start), dt(finish))
    assert result.tasks["A"].start == dt(START)


@pytest.mark.parametrize(
    ("link_type", "float_a", "float_b", "free_a"),
    [
        (LinkType.FS, 0, 0, 0),
        (LinkType.SS, 0, D, 0),  # B finishes a day before A: it can slip a day
        (LinkType.FF, 0, 0, 0),
        (LinkType.SF, 0, 0, 0),  # A's start drives B's finish, which ends the project
    ],
)
def test_floats_per_link_type(link_type, float_a, float_b, free_a):
    tasks = [Task(id="A", duration=2 * D), Task(id="B", duration=D)]
    lag = 2 * D if link_type is LinkType.SF else 0
    result = run(tasks, [Link("A", "B", link_type, lag)])
    assert result.tasks["A"].total_float == float_a
    assert result.tasks["B"].total_float == float_b
    assert result.tasks["A"].free_float == free_a
    assert result.tasks["A"].critical == (float_a == 0)


def test_total_and_free_float_on_a_diamond():
    # A -> B (3 d) -> D and A -> C (1 d) -> D: C can slip 2 days, without delaying anyone
    tasks = [
        Task(id="A", duration=D),
        Task(id="B", duration=3 * D),
        Task(id="C", duration=D),
        Task(id="D", duration=D),
    ]
    links = [Link("A", "B"), Link("A", "C"), Link("B", "D"), Link("C", "D")]
    result = run(tasks, links)
    assert {t: result.tasks[t].total_float for t in "ABCD"} == {"A": 0, "B": 0, "C": 2 * D, "D": 0}
    assert result.tasks["C"].free_float == 2 * D
    assert result.tasks["C"].late_start == dt("2024-01-04 08:00")
    assert result.critical_path() == ("A", "B", "D")
    assert result.finish == dt("2024-01-05 17:00")


def test_free_float_is_what_a_task_can_slip_without_moving_its_successor():
    # C (1 d) -> E; E also waits for B (3 d); C's total float equals its free float only at the end of a chain
    tasks = [
        Task(id="B", duration=3 * D),
        Task(id="C", duration=D),
        Task(id="X", duration=D),
        Task(id="E", duration=D),
    ]
    links = [Link("C", "X"), Link("X", "E"), Link("B", "E")]
    result = run(tasks, links)
    assert result.tasks["C"].total_float == D
    assert result.tasks["C"].free_float == 0  # X starts right after C
    assert result.tasks["X"].free_float == D


# --- constraints -----------------------------------------------------------------------------------


def _constrained(constraint: ConstraintType, when: str | None, **options: object) -> Schedule:
    """P (2 d) -> T (1 d) with a constraint on T; an unlinked Q (5 d) sets the project finish."""
    tasks = [
        Task(id="P", duration=2 * D),
        Task(id="T", duration=D, constraint=constraint, constraint_date=dt(when) if when else None),
        Task(id="Q", duration=5 * D),
    ]
    return run(tasks, [Link("P", "T")], **options)


@pytest.mark.parametrize(
    ("constraint", "when", "start", "violated"),
    [
        (ConstraintType.ASAP, None, "2024-01-03 08:00", False),
        (ConstraintType.SNET, "2024-01-04 08:00", "2024-01-04 08:00", False),
        (ConstraintType.SNET, "2024-01-02 08:00", "2024-01-03 08:00", False),
        (ConstraintType.SNET, "2024-01-06 10:00", "2024-01-08 08:00", False),  # a Saturday: next working time
        (ConstraintType.FNET, "2024-01-05 17:00", "2024-01-05 08:00", False),
        (ConstraintType.SNLT, "2024-01-04 08:00", "2024-01-03 08:00", False),
        (ConstraintType.SNLT, "2024-01-02 08:00", "2024-01-02 08:00", True),  # honoured: the link breaks
        (ConstraintType.FNLT, "2024-01-04 17:00", "2024-01-03 08:00", False),
        (ConstraintType.FNLT, "2024-01-02 17:00", "2024-01-02 08:00", True),
        (ConstraintType.MSO, "2024-01-04 10:00", "2024-01-04 10:00", False),
        (ConstraintType.MSO, "2024-01-02 08:00", "2024-01-02 08:00", True),
        (ConstraintType.MFO, "2024-01-05 17:00", "2024-01-05 08:00", False),
        (ConstraintType.ALAP, None, "2024-01-05 08:00", False),
    ],
)
def test_each_constraint_type(constraint, when, start, violated):
    result = _constrained(constraint, when)
    task = result.tasks["T"]
    assert task.start == dt(start)
    assert task.constraint_violated == violated
    if violated:
        assert "link from 'P' is not met" in task.violations[0]


def test_a_broken_no_later_than_constraint_is_flagged_and_gives_negative_float():
    # Given SNLT before the predecessor allows, when constraints are not honoured
    result = _constrained(ConstraintType.SNLT, "2024-01-02 08:00", honor_constraints=False)
    task = result.tasks["T"]
    # Then the link wins, the constraint is flagged, and the chain gets negative float
    assert task.start == dt("2024-01-03 08:00")
    assert task.violations == ("start no later than 2024-01-02 08:00:00 is not met",)
    assert task.total_float == -D
    assert result.tasks["P"].total_float == -D
    assert task.critical and result.tasks["P"].critical


def test_a_broken_finish_no_later_than_is_flagged():
    result = _constrained(ConstraintType.FNLT, "2024-01-02 17:00", honor_constraints=False)
    assert result.tasks["T"].violations == ("finish no later than 2024-01-02 17:00:00 is not met",)
    assert result.tasks["T"].total_float == -D


def test_must_start_on_holds_the_late_dates_too():
    result = _constrained(ConstraintType.MSO, "2024-01-04 08:00")
    task = result.tasks["T"]
    assert (task.early_start, task.late_start) == (dt("2024-01-04 08:00"), dt("2024-01-04 08:00"))
    assert task.total_float == 0
    assert result.tasks["P"].total_float == D


@pytest.mark.parametrize(
    ("constraint", "when", "lead", "start", "finish"),
    [
        # No predecessor: no-earlier-than is a lower bound on top of the project start (Mon 2024-01-01).
        (ConstraintType.ASAP, None, None, "2024-01-01 08:00", "2024-01-01 17:00"),
        (ConstraintType.SNET, "2023-12-27 08:00", None, "2024-01-01 08:00", "2024-01-01 17:00"),
        (ConstraintType.SNET, "2023-12-30 10:00", None, "2024-01-01 08:00", "2024-01-01 17:00"),  # a Saturday
        (ConstraintType.SNET, "2024-01-01 08:00", None, "2024-01-01 08:00", "2024-01-01 17:00"),
        (ConstraintType.SNET, "2024-01-03 08:00", None, "2024-01-03 08:00", "2024-01-03 17:00"),
        (ConstraintType.FNET, "2023-12-29 17:00", None, "2024-01-01 08:00", "2024-01-01 17:00"),
        (ConstraintType.FNET, "2024-01-01 17:00", None, "2024-01-01 08:00", "2024-01-01 17:00"),
        (ConstraintType.FNET, "2024-01-03 17:00", None, "2024-01-03 08:00", "2024-01-03 17:00"),
        # A must-start-on date is not a bound but the date itself, before the project start or not.
        (ConstraintType.MSO, "2023-12-27 08:00", None, "2023-12-27 08:00", "2023-12-27 17:00"),
        # A lead from a predecessor may pull a task before the project start; SNET before it then
        # changes nothing, SNET after it still pushes.
        (ConstraintType.ASAP, None, -3 * D, "2023-12-28 08:00", "2023-12-28 17:00"),
        (ConstraintType.SNET, "2023-12-26 08:00", -3 * D, "2023-12-28 08:00", "2023-12-28 17:00"),
        (ConstraintType.SNET, "2023-12-29 08:00", -3 * D, "2023-12-29 08:00", "2023-12-29 17:00"),
    ],
)
def test_no_earlier_than_before_the_project_start_is_a_lower_bound(constraint, when, lead, start, finish):
    # Given a one-day task T, alone or three days ahead of a one-day predecessor P (a lead)
    tasks = [Task(id="T", duration=D, constraint=constraint, constraint_date=dt(when) if when else None)]
    links: list[Link] = []
    if lead is not None:
        tasks.append(Task(id="P", duration=D))
        links.append(Link("P", "T", lag=lead))
    # When the project, starting Monday 2024-01-01 08:00, is scheduled
    result = run(tasks, links)
    task = result.tasks["T"]
    # Then T never starts before the project start unless a lead pulls it, and nothing is flagged
    assert (task.early_start, task.early_finish) == (dt(start), dt(finish))
    assert (task.start, task.finish) == (dt(start), dt(finish))
    assert task.violations == ()


def test_a_missed_deadline_is_flagged_and_limits_the_late_finish():
    tasks = [Task(id="P", duration=2 * D), Task(id="T", duration=D, deadline=dt("2024-01-02 17:00"))]
    result = run(tasks, [Link("P", "T")])
    task = result.tasks["T"]
    assert task.violations == ("finishes after its deadline 2024-01-02 17:00:00",)
    assert task.late_finish == dt("2024-01-02 17:00")
    assert task.total_float == -D


def test_an_as_late_as_possible_task_pulls_its_successor_late_too():
    tasks = [
        Task(id="A", duration=D, constraint=ConstraintType.ALAP),
        Task(id="B", duration=D),
        Task(id="Q", duration=5 * D),
    ]
    result = run(tasks, [Link("A", "B")])
    assert result.tasks["A"].start == dt("2024-01-04 08:00")
    assert result.tasks["A"].early_start == dt("2024-01-01 08:00")
    assert result.tasks["B"].start == dt("2024-01-05 08:00")


def test_a_manually_scheduled_task_stays_put_and_a_broken_link_is_flagged():
    tasks = [Task(id="A", duration=2 * D), Task(id="M", duration=D, manual_start=dt("2024-01-02 08:00"))]
    result = run(tasks, [Link("A", "M")])
    assert result.tasks["M"].start == dt("2024-01-02 08:00")
    assert "manually scheduled" in result.tasks["M"].violations[0]


# --- milestones and elapsed durations -----------------------------------------------------------------


def test_milestones_sit_at_the_finish_of_their_predecessor():
    tasks = [Task(id="A", duration=2 * D), Task(id="M", duration=0), Task(id="S", duration=0)]
    result = run(tasks, [Link("A", "M")])
    milestone = result.tasks["M"]
    assert milestone.milestone
    assert milestone.start == milestone.finish == dt("2024-01-02 17:00")
    assert milestone.critical
    # A milestone without predecessors is at the project start
    assert result.tasks["S"].start == dt(START)
    assert result.tasks["S"].total_float == 2 * D


def test_a_task_flagged_as_milestone_may_have_a_duration():
    result = run([Task(id="M", duration=D, milestone=True)])
    assert result.tasks["M"].milestone


@pytest.mark.parametrize(
    ("duration", "finish"),
    [
        (60, "2024-01-05 18:00"),
        (24 * 60, "2024-01-06 17:00"),  # runs through the weekend
        (3 * 24 * 60, "2024-01-08 17:00"),
    ],
)
def test_elapsed_durations_run_on_calendar_time(duration, finish):
    # Given A (1 d) on Friday and an elapsed task after it
    tasks = [
        Task(id="A", duration=D),
        Task(id="E", duration=duration, elapsed=True),
        Task(id="N", duration=D),
    ]
    result = run(tasks, [Link("A", "E"), Link("E", "N")], start="2024-01-05 08:00")
    # Then it starts right at A's finish and counts every minute
    assert result.tasks["E"].start == dt("2024-01-05 17:00")
    assert result.tasks["E"].finish == dt(finish)
    # And the working-time successor starts at the next working time
    assert result.tasks["N"].start == Timeline(STANDARD, dt(START)).next_work_start(dt(finish))


def test_float_of_an_elapsed_task_is_in_elapsed_minutes():
    tasks = [Task(id="E", duration=24 * 60, elapsed=True), Task(id="L", duration=5 * D)]
    result = run(tasks)
    # Project finish Friday 17:00; E (Mon 08:00 -> Tue 08:00) can slip to Friday 17:00
    assert result.tasks["E"].finish == dt("2024-01-02 08:00")
    assert result.tasks["E"].total_float == 3 * 24 * 60 + 9 * 60


# --- calendars ------------------------------------------------------------------------------------------


def test_a_task_schedules_on_its_own_calendar():
    tasks = [Task(id="W", duration=3 * D, calendar_id="7d")]
    result = run(tasks, start="2024-01-05 08:00")
    assert result.tasks["W"].finish == dt("2024-01-07 17:00")  # works Saturday and Sunday


def test_lag_counts_on_the_successors_calendar():
    # A (std) finishes Friday 17:00; one day of lag on B's seven-day calendar ends Saturday 17:00
    tasks = [Task(id="A", duration=D), Task(id="B", duration=D, calendar_id="7d")]
    result = run(tasks, [Link("A", "B", lag=D)], start="2024-01-05 08:00")
    assert result.tasks["B"].start == dt("2024-01-07 08:00")


def test_holidays_and_exceptions_on_the_project_calendar_push_work():
    calendar = Calendar(
        id="hol",
        holidays=frozenset({date(2024, 1, 2)}),
        exceptions=(
            CalendarException(
                start=date(2024, 1, 1),
                end=date(2024, 3, 31),
                recurrence=Recurrence(RecurrenceKind.WEEKLY, weekdays=frozenset({4})),
                name="Fridays off",
            ),
        ),
    )
    tasks = [Task(id="A", duration=3 * D), Task(id="B", duration=D)]
    result = run(tasks, [Link("A", "B")], calendars=(calendar,), calendar_id="hol")
    # Mon, (Tue holiday), Wed, Thu, (Fri off) -> B on Monday
    assert result.tasks["A"].finish == dt("2024-01-04 17:00")
    assert result.tasks["B"].start == dt("2024-01-08 08:00")


def test_a_project_starting_mid_day_keeps_its_offset():
    tasks = [Task(id="A", duration=2 * D), Task(id="B", duration=D)]
    result = run(tasks, [Link("A", "B")], start="2024-01-05 09:00")
    assert result.tasks["A"].finish == dt("2024-01-09 09:00")
    assert result.tasks["B"].finish == dt("2024-01-10 09:00")


# --- progress against a status date ---------------------------------------------------------------------


def test_completed_work_stays_where_it_happened():
    tasks = [
        Task(
            id="A",
            duration=2 * D,
            percent_complete=100,
            actual_start=dt("2024-01-01 08:00"),
            actual_finish=dt("2024-01-02 12:00"),
        ),
        Task(id="B", duration=D),
    ]
    result = run(tasks, [Link("A", "B")])
    assert (result.tasks["A"].start, result.tasks["A"].finish) == (dt(START), dt("2024-01-02 12:00"))
    assert result.tasks["A"].total_float == 0 and not result.tasks["A"].critical
    assert result.tasks["B"].start == dt("2024-01-02 13:00")


def test_remaining_work_resumes_at_the_status_date():
    # Given A (4 d) started Monday, half done, and the status date Thursday morning
    tasks = [
        Task(id="A", duration=4 * D, percent_complete=50, actual_start=dt("2024-01-01 08:00")),
        Task(id="B", duration=D),
    ]
    links = [Link("A", "B")]
    # When scheduled against the status date, the remaining 2 days start Thursday
    result = run(tasks, links, status_date=dt("2024-01-04 08:00"))
    assert result.tasks["A"].start == dt("2024-01-01 08:00")
    assert result.tasks["A"].finish == dt("2024-01-05 17:00")
    assert result.tasks["B"].start == dt("2024-01-08 08:00")
    # Without a status date the task keeps its original finish
    assert run(tasks, links).tasks["A"].finish == dt("2024-01-04 17:00")


def test_unstarted_work_starts_not_before_the_status_date():
    tasks = [
        Task(
            id="A",
            duration=D,
            percent_complete=100,
            actual_start=dt(START),
            actual_finish=dt("2024-01-01 17:00"),
        ),
        Task(id="B", duration=D),
        Task(id="C", duration=D),
    ]
    result = run(tasks, [Link("A", "B")], status_date=dt("2024-01-03 08:00"))
    assert result.tasks["B"].start == dt("2024-01-03 08:00")
    assert result.tasks["C"].start == dt("2024-01-03 08:00")


def test_an_in_progress_task_heading_past_its_deadline_is_flagged():
    # Given a 4-day task half done by Thursday, due Thursday evening
    tasks = [
        Task(
            id="A",
            duration=4 * D,
            percent_complete=50,
            actual_start=dt(START),
            deadline=dt("2024-01-04 17:00"),
        )
    ]
    # When the remaining two days resume at the status date
    result = run(tasks, status_date=dt("2024-01-04 08:00"))
    # Then the task is flagged: it now finishes Friday
    assert result.tasks["A"].violations == ("finishes after its deadline 2024-01-04 17:00:00",)
    assert result.tasks["A"].total_float == -D


def test_progress_without_actual_start_starts_at_the_scheduled_start():
    tasks = [
        Task(
            id="P",
            duration=D,
            percent_complete=100,
            actual_start=dt(START),
            actual_finish=dt("2024-01-01 17:00"),
        ),
        Task(id="A", duration=2 * D, percent_complete=50),
    ]
    result = run(tasks, [Link("P", "A")], status_date=dt("2024-01-04 08:00"))
    assert result.tasks["A"].start == dt("2024-01-02 08:00")
    assert result.tasks["A"].finish == dt("2024-01-04 17:00")  # one day done, one from Thursday


# --- summary tasks ----------------------------------------------------------------------------------


def _phases() -> list[Task]:
    return [
        Task(id="S", name="Phase"),
        Task(
            id="A",
            duration=2 * D,
            parent_id="S",
            percent_complete=100,
            actual_start=dt(START),
            actual_finish=dt("2024-01-02 17:00"),
        ),
        Task(id="B", duration=3 * D, parent_id="S"),
        Task(id="X", duration=D),
        Task(id="Y", duration=D),
    ]


def test_summary_tasks_roll_up_dates_and_percent_complete():
    result = run(_phases(), [Link("A", "B")])
    summary = result.tasks["S"]
    assert summary.summary
    assert (summary.start, summary.finish) == (dt(START), dt("2024-01-05 17:00"))
    assert summary.duration == 5 * D
    assert summary.percent_complete == 40  # 2 of 5 days done
    assert summary.critical


def test_a_link_to_a_summary_task_holds_back_all_its_tasks():
    tasks = [*_phases()[:1], Task(id="A", duration=2 * D, parent_id="S"), *_phases()[2:]]
    result = run(tasks, [Link("X", "S")])
    assert result.tasks["A"].start == dt("2024-01-02 08:00")
    assert result.tasks["B"].start == dt("2024-01-02 08:00")


@pytest.mark.parametrize(
    ("link_type", "start"),
    [
        (LinkType.FS, "2024-01-03 08:00"),  # after the last finish in the summary (A and B, Tuesday)
        (LinkType.SS, "2024-01-01 08:00"),  # with the summary's earliest start (B, Monday; A waits for X)
    ],
)
def test_a_link_from_a_summary_task(link_type, start):
    tasks = [
        Task(id="S"),
        Task(id="A", duration=D, parent_id="S"),
        Task(id="B", duration=2 * D, parent_id="S"),
        Task(id="X", duration=D),
        Task(id="Y", duration=D),
    ]
    result = run(tasks, [Link("X", "A"), Link("S", "Y", link_type)])
    assert result.tasks["Y"].start == dt(start)
    assert result.tasks["B"].start == dt(START)


# --- refused input --------------------------------------------------------------------------------------


def test_a_circular_dependency_is_refused_naming_the_loop():
    tasks = [Task(id=name, duration=D) for name in "ABCD"]
    links = [Link("A", "B"), Link("B", "C"), Link("C", "D"), Link("D", "B", LinkType.SS)]
    with pytest.raises(CycleError) as caught:
        run(tasks, links)
    cycle = caught.value.cycle
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"B", "C", "D"}
    assert "circular dependency: " in str(caught.value)


def test_a_loop_through_a_summary_task_is_a_cycle():
    tasks = [Task(id="S"), Task(id="A", duration=D, parent_id="S"), Task(id="B", duration=D)]
    with pytest.raises(CycleError):
        run(tasks, [Link("S", "B"), Link("B", "A")])


@pytest.mark.parametrize(
    ("tasks", "links", "message"),
    [
        ([Task(id="A"), Task(id="A")], [], "task 'A': id is used twice"),
        ([Task(id="A", duration=-5)], [], "task 'A': duration must not be negative"),
        ([Task(id="A", percent_complete=120)], [], "task 'A': percent_complete must be 0..100"),
        (
            [Task(id="A", constraint=ConstraintType.MSO)],
            [],
            "task 'A': constraint MSO needs a constraint_date",
        ),
        ([Task(id="A", calendar_id="nope")], [], "task 'A': calendar_id 'nope' is not among the calendars"),
        ([Task(id="A", parent_id="Z")], [], "task 'A': parent_id 'Z' is not a task of the project"),
        ([Task(id="A", parent_id="B"), Task(id="B", parent_id="A")], [], "parent_id chain loops"),
        ([Task(id="A", actual_finish=dt(START))], [], "task 'A': actual_finish needs an actual_start"),
        (
            [Task(id="A", actual_start=dt("2024-01-02 08:00"), actual_finish=dt(START))],
            [],
            "actual_finish is before actual_start",
        ),
        ([Task(id="A")], [Link("A", "Z")], "link 'A' → 'Z': successor 'Z' is not a task of the project"),
        ([Task(id="A")], [Link("A", "A")], "circular dependency: A → A"),
        (
            [Task(id="S"), Task(id="A", parent_id="S")],
            [Link("S", "A")],
            "a summary task cannot be linked to its own subtasks",
        ),
        (
            [Task(id="A", actual_start=datetime.fromisoformat("2024-01-01T08:00+01:00"))],
            [],
            "actual_start must be a naive local datetime",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_task_and_field(tasks, links, message):
    with pytest.raises(ScheduleError, match=message):
        run(tasks, links)


def test_a_calendar_without_working_time_is_refused_by_name():
    never = Calendar(id="never", week=((),) * 7)
    with pytest.raises(ScheduleError, match="calendar 'never' has no working time"):
        run([Task(id="A", duration=D)], calendars=(never,), calendar_id="never")


def test_an_empty_project_finishes_when_it_starts():
    result = run([])
    assert result.start == result.finish == dt(START)
    assert result.tasks == {}
