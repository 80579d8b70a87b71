"""Schedule reads across the portfolio: milestones and project spans, scoped; summaries; defaults."""

from __future__ import annotations

import datetime as dt

import pytest

from keel.core.errors import NotFound
from keel.portfolio import services as portfolio_services
from keel.schedule import selectors, services
from keel.schedule.models import ProjectSchedule, Task
from tests.schedule.conftest import DAY, Plan, at, local


@pytest.fixture
def portfolio(org, calendar8):
    """N-001 with a milestone after three days and one at the start; S-001 with one milestone."""
    north = Plan(org.pm_north, org.project_north)
    north.task("Work", 3)
    north.task("Kick-off", 0)
    north.task("Ready", 0)
    north.link("Work", "Ready")
    south = Plan(org.pm_south, org.project_south)
    south.task("Move", 2)
    south.task("Moved", 0)
    south.link("Move", "Moved")
    return north, south


def test_milestones_across_the_portfolio_follow_scope_and_filters(org, portfolio):
    """Given milestones in both divisions, then the executive sees all by finish, pm_north only NORTH's, and
    the date and project filters narrow the list."""
    everything = selectors.milestone_list_for_user(org.exec)
    assert [(m.project.code, m.name) for m in everything] == [
        ("N-001", "Kick-off"),
        ("S-001", "Moved"),
        ("N-001", "Ready"),
    ]
    assert [m.name for m in selectors.milestone_list_for_user(org.pm_north)] == ["Kick-off", "Ready"]
    later = selectors.MilestoneFilters(since=dt.date(2026, 1, 6), project=org.project_north.pk)
    assert [m.name for m in selectors.milestone_list_for_user(org.exec, later)] == ["Ready"]
    assert list(selectors.milestone_list_for_user(org.outsider)) == []


def test_the_portfolio_timeline_groups_milestones_under_their_projects(org, portfolio):
    """Given two scheduled projects, then the timeline lists each with its span and its milestones."""
    timeline = selectors.portfolio_timeline_for_user(org.admin)

    assert [(row.schedule.project.code, [m.name for m in row.milestones]) for row in timeline] == [
        ("N-001", ["Kick-off", "Ready"]),
        ("S-001", ["Moved"]),
    ]
    north = timeline[0].schedule
    assert (local(north.computed_start), local(north.computed_finish)) == (at(5, 8), at(7, 17))
    assert [row.schedule.project.code for row in selectors.portfolio_timeline_for_user(org.pm_south)] == [
        "S-001"
    ]


def test_summary_and_defaults_of_a_project_without_a_schedule(org, portfolio, calendar8):
    """Given a project with a schedule and one without, then the summary counts the first, and the second
    reads as unsaved defaults: its planned start, the inherited calendar and the unit's zone."""
    summary = selectors.schedule_summary_for_user(org.pm_north, org.project_north.pk)
    assert (summary.task_count, summary.critical_count, local(summary.finish)) == (3, 2, at(7, 17))

    fresh = portfolio_services.project_create(
        actor=org.pm_north, org_unit=org.north, code="N-002", name="Fibre", planned_start=dt.date(2026, 3, 2)
    )
    view = selectors.schedule_view_for_user(org.pm_north, fresh.pk)
    assert view.schedule.pk is None and local(view.schedule.start) == dt.datetime.fromisoformat(
        "2026-03-02 00:00"
    )
    assert (view.effective_calendar, view.time_zone, view.minutes_per_day) == (calendar8, "Europe/Oslo", DAY)
    with pytest.raises(NotFound):
        selectors.schedule_view_for_user(org.pm_south, fresh.pk)


def test_deleting_a_project_deletes_its_schedule(org, portfolio):
    """Given a scheduled project, when it is deleted through the register, then its schedule goes with it."""
    project = org.project_south
    project.refresh_from_db()

    portfolio_services.project_delete(actor=org.admin, project=project, version=project.version)

    assert not Task.objects.filter(project_id=project.pk).exists()
    assert not ProjectSchedule.objects.filter(project_id=project.pk).exists()
    assert Task.objects.filter(project=org.project_north).count() == 3


def test_the_task_list_can_be_narrowed_to_critical_tasks_and_milestones(org, portfolio):
    """Given a plan with floating and critical tasks, then the list narrows to either, in WBS order."""
    critical = selectors.task_list_for_project(org.pm_north, org.project_north.pk, critical=True)
    milestones = selectors.task_list_for_project(org.pm_north, org.project_north.pk, milestone=True)

    assert [t.name for t in critical] == ["Work", "Ready"]
    assert [t.name for t in milestones] == ["Kick-off", "Ready"]
    assert services.schedule_compute(actor=org.pm_north, project=org.project_north).changed_tasks == ()
