"""Query counts of the task list, the computation and an edit do not grow with the number of tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from keel.schedule import selectors, services
from keel.schedule.models import ProjectSchedule, Task
from keel.schedule.services import DependencyData, TaskData
from tests.schedule.conftest import DAY


def build(org, size: int) -> None:
    """N-001 with `size` tasks: summaries of ten, each task following the one before."""
    tasks = []
    for number in range(1, size + 1):
        summary = number % 10 == 1
        tasks.append(
            TaskData(
                uid=number,
                name=f"Task {number}",
                parent_uid=None if summary else number - (number - 1) % 10,
                duration_minutes=0 if summary else DAY,
            )
        )
    links = [DependencyData(n - 1, n) for n in range(3, size + 1) if n % 10 != 1 and (n - 1) % 10 != 1]
    services.schedule_replace(actor=org.pm_north, project=org.project_north, tasks=tasks, dependencies=links)


def count(action) -> int:
    """The number of queries `action` makes."""
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


@pytest.fixture
def counts(org, calendar8):
    """count_for(size, action): queries of `action` on a fresh N-001 schedule of `size` tasks."""

    def count_for(size: int, action) -> int:
        build(org, size)
        return count(action)

    return count_for


def test_the_task_list_is_one_query_whatever_its_length(org, counts):
    """Given 20 and then 200 tasks, then listing them in WBS order with their dates costs the same queries,
    and the list itself is one query."""

    def listing():
        tasks = selectors.task_list_for_project(org.pm_north, org.project_north.pk)
        assert len(list(tasks)) in (20, 200)

    small, large = counts(20, listing), counts(200, listing)

    assert small == large
    tasks = selectors.task_list_for_project(org.pm_north, org.project_north.pk)
    assert count(lambda: list(tasks)) == 1


def test_computing_writes_any_number_of_changed_tasks_in_fixed_queries(org, counts):
    """Given 20 and then 200 tasks, when the start moves so that every task moves, then computing costs the
    same number of queries, and every task is stored with its new dates."""
    moved = {}

    def compute():
        ProjectSchedule.objects.filter(project=org.project_north).update(
            start=F("start") + dt.timedelta(days=28)
        )
        summary = services.schedule_compute(actor=org.pm_north, project=org.project_north)
        moved[len(summary.changed_tasks)] = summary

    small, large = counts(20, compute), counts(200, compute)

    assert small == large
    assert set(moved) == {20, 200}
    assert (
        Task.objects.filter(
            project=org.project_north, start__lt=dt.datetime(2026, 2, 2, tzinfo=dt.UTC)
        ).count()
        == 0
    )


def test_editing_one_task_costs_the_same_on_a_larger_schedule(org, counts):
    """Given 20 and then 200 tasks, when one duration changes (moving every task after it), then the edit
    costs the same number of queries."""

    def edit():
        task = Task.objects.select_related("project__org_unit").get(project=org.project_north, uid=2)
        services.task_update(actor=org.pm_north, task=task, version=task.version, duration_minutes=2 * DAY)

    assert counts(20, edit) == counts(200, edit)
