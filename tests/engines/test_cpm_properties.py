"""Properties of the CPM engine over random networks (hypothesis).

Random DAGs of up to 30 tasks with random durations (milestones included), link types, lags, leads
and percentage lags, on one calendar or on two (tasks on a seven-day calendar mixed in). No
constraints or deadlines, so every float must be non-negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from keel.engines.calendars import Calendar, Timeline, standard_calendar
from keel.engines.cpm import CycleError, LagUnit, Link, LinkType, Project, Schedule, Task, schedule

START = datetime.fromisoformat("2024-01-01 08:00")
STANDARD = standard_calendar("std")
SEVEN_DAYS = Calendar(id="7d", week=(((480, 720), (780, 1020)),) * 7)
TIMELINES = {"std": Timeline(STANDARD, START), "7d": Timeline(SEVEN_DAYS, START)}


@dataclass(frozen=True)
class Network:
    """A generated project, with the timeline of each task."""

    project: Project

    def timeline(self, task_id: str) -> Timeline:
        """The timeline the task schedules on."""
        task = next(t for t in self.project.tasks if t.id == task_id)
        return TIMELINES[task.calendar_id or "std"]


@st.composite
def networks(draw: st.DrawFn, mixed_calendars: bool = False, cyclic: bool = False) -> Network:
    """A random acyclic network (links go from lower to higher index), or one with a loop added."""
    size = draw(st.integers(1, 30))
    tasks = []
    for i in range(size):
        duration = draw(st.sampled_from([0, 0, 30, 240, 480, 960, 1440, 2400, 3000]))
        calendar = draw(st.sampled_from([None, None, "7d"])) if mixed_calendars else None
        tasks.append(Task(id=f"T{i}", duration=duration, calendar_id=calendar))
    links = []
    for successor in range(1, size):
        for predecessor in draw(st.sets(st.integers(0, successor - 1), max_size=3)):
            link_type = draw(st.sampled_from(list(LinkType)))
            unit = draw(st.sampled_from([LagUnit.WORKING, LagUnit.WORKING, LagUnit.PERCENT]))
            lag = draw(st.integers(-50, 150) if unit is LagUnit.PERCENT else st.integers(-960, 2400))
            links.append(Link(f"T{predecessor}", f"T{successor}", link_type, lag, unit))
    if cyclic:
        loop = (
            draw(st.lists(st.integers(0, size - 1), min_size=2, max_size=min(size, 5), unique=True))
            if size > 1
            else [0]
        )
        for a, b in zip(loop, loop[1:] + loop[:1], strict=True):
            links.append(Link(f"T{a}", f"T{b}", draw(st.sampled_from(list(LinkType)))))
    project = Project(
        start=START,
        calendar_id="std",
        calendars=(STANDARD, SEVEN_DAYS),
        tasks=tuple(tasks),
        links=tuple(links),
    )
    return Network(project)


def lag_minutes(link: Link, network: Network) -> int:
    """The lag of a link in minutes (percent of the predecessor's duration, rounded half up)."""
    if link.lag_unit is LagUnit.PERCENT:
        duration = next(t.duration for t in network.project.tasks if t.id == link.predecessor_id)
        return (2 * duration * link.lag + 100) // 200
    return link.lag


def positions(result: Schedule, network: Network, task_id: str) -> tuple[int, int, int, int]:
    """Early start/finish and late start/finish of a task in working minutes of its calendar."""
    timeline = network.timeline(task_id)
    task = result.tasks[task_id]
    return (
        timeline.to_work(task.early_start),
        timeline.to_work(task.early_finish),
        timeline.to_work(task.late_start),
        timeline.to_work(task.late_finish),
    )


def link_slack(result: Schedule, network: Network, link: Link) -> int:
    """How much room the link leaves, in the successor's working minutes (negative = broken)."""
    successor_timeline = network.timeline(link.successor_id)
    predecessor = result.tasks[link.predecessor_id]
    successor = result.tasks[link.successor_id]
    anchor = predecessor.early_finish if link.type in (LinkType.FS, LinkType.FF) else predecessor.early_start
    required = successor_timeline.to_work(anchor) + lag_minutes(link, network)
    actual = successor.early_start if link.type in (LinkType.FS, LinkType.SS) else successor.early_finish
    return successor_timeline.to_work(actual) - required


@settings(max_examples=100, deadline=None)
@given(network=networks(mixed_calendars=True))
def test_no_task_starts_before_its_predecessors_allow(network):
    result = schedule(network.project)
    for link in network.project.links:
        assert link_slack(result, network, link) >= 0, link


@settings(max_examples=100, deadline=None)
@given(network=networks(mixed_calendars=True))
def test_floats_are_never_negative_and_free_float_never_exceeds_total(network):
    result = schedule(network.project)
    for task in result.tasks.values():
        assert task.total_float >= 0, task
        assert 0 <= task.free_float <= task.total_float, task


@settings(max_examples=100, deadline=None)
@given(network=networks(mixed_calendars=True))
def test_late_dates_are_not_before_early_dates(network):
    result = schedule(network.project)
    for task in network.project.tasks:
        early_start, early_finish, late_start, late_finish = positions(result, network, task.id)
        assert late_start >= early_start
        assert late_finish >= early_finish
        assert late_finish - late_start == early_finish - early_start == task.duration


@settings(max_examples=100, deadline=None)
@given(network=networks(mixed_calendars=True))
def test_project_finish_is_the_latest_early_finish(network):
    result = schedule(network.project)
    assert result.finish == max(t.early_finish for t in result.tasks.values())
    assert result.start == min(t.early_start for t in result.tasks.values())


@settings(max_examples=100, deadline=None)
@given(network=networks())
def test_float_is_zero_exactly_on_the_critical_path(network):
    result = schedule(network.project)
    start_work = TIMELINES["std"].to_work(START)
    finish_work = TIMELINES["std"].to_work(result.finish)
    by_successor: dict[str, list[Link]] = {}
    for link in network.project.links:
        by_successor.setdefault(link.successor_id, []).append(link)
    critical = {t.id for t in result.tasks.values() if t.critical}
    # Critical means zero float (nothing is negative without constraints)
    assert critical == {t.id for t in result.tasks.values() if t.total_float == 0}
    # The critical path reaches the project finish ...
    assert any(positions(result, network, t)[1] == finish_work for t in critical)
    # ... and every critical task is driven by a critical predecessor through a tight link, or
    # starts at the project start (where finish-side links are floored).
    for task_id in critical:
        early_start = positions(result, network, task_id)[0]
        drivers = [
            link
            for link in by_successor.get(task_id, [])
            if link_slack(result, network, link) == 0 and link.predecessor_id in critical
        ]
        assert drivers or early_start <= start_work, task_id


@settings(max_examples=100, deadline=None)
@given(network=networks(cyclic=True))
def test_a_cycle_is_always_detected_and_named(network):
    try:
        schedule(network.project)
    except CycleError as error:
        cycle = error.cycle
    else:
        raise AssertionError("a network with a loop was scheduled")
    # The named loop is made of real links and closes on itself
    assert cycle[0] == cycle[-1]
    pairs = {(link.predecessor_id, link.successor_id) for link in network.project.links}
    assert all((a, b) in pairs for a, b in zip(cycle, cycle[1:], strict=False))
