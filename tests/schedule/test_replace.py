"""Writing a whole schedule at once (what importers do): all or nothing, row-by-row errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from keel.core.models import AuditEntry
from keel.schedule import selectors, services
from keel.schedule.models import Baseline, BaselineTask, Dependency, ProjectSchedule, Task
from keel.schedule.services import BaselineData, BaselineTaskData, DependencyData, TaskData
from tests.factories import CalendarFactory
from tests.schedule.conftest import DAY, at, local


def replace(org, tasks, dependencies=(), **kwargs):
    """Replace N-001's schedule as its project manager."""
    return services.schedule_replace(
        actor=org.pm_north, project=org.project_north, tasks=tasks, dependencies=dependencies, **kwargs
    )


HOUSE = (
    TaskData(uid=10, name="Design", duration_minutes=2 * DAY, work_minutes=2 * DAY, cost=Decimal("900")),
    TaskData(uid=20, name="Build"),
    TaskData(
        uid=21,
        name="Walls",
        parent_uid=20,
        duration_minutes=3 * DAY,
        actual_start=at(7, 8),
        percent_complete=10,
    ),
    TaskData(
        uid=22,
        name="Roof",
        parent_uid=20,
        duration_minutes=DAY,
        constraint_type="SNET",
        constraint_date=at(14, 8),
    ),
    TaskData(uid=30, name="Handover", deadline=at(30, 17)),
)
HOUSE_LINKS = (
    DependencyData(10, 21),
    DependencyData(21, 22, type="FS", lag=0),
    DependencyData(20, 30),
)


def test_a_whole_schedule_is_written_and_computed(org, calendar8):
    """Given tasks with a WBS, links, progress, constraints, a calendar and a baseline, when the schedule is
    replaced, then everything is stored, numbered, computed and audited, naive datetimes read in Oslo time."""
    nights = CalendarFactory(name="Nights", working_week=[[["20:00", "24:00"]]] * 5 + [[], []])
    tasks = (*HOUSE, TaskData(uid=40, name="Night check", duration_minutes=60, calendar=nights))
    baseline = BaselineData(
        number=1,
        name="Contract",
        tasks=(BaselineTaskData(uid=10, start=at(5, 8), finish=at(5, 17), duration_minutes=DAY),),
    )

    result = replace(org, tasks, HOUSE_LINKS, baselines=[baseline], start=at(5, 0), status_date=at(7, 8))

    assert (result.tasks_created, result.dependencies_created, result.baselines_saved) == (6, 3, (1,))
    stored = {t.uid: t for t in Task.objects.filter(project=org.project_north)}
    assert [(t.outline_number, t.name) for t in sorted(stored.values(), key=lambda t: t.sort_index)] == [
        ("1", "Design"),
        ("2", "Build"),
        ("2.1", "Walls"),
        ("2.2", "Roof"),
        ("3", "Handover"),
        ("4", "Night check"),
    ]
    assert local(stored[21].actual_start) == at(7, 8)
    assert (local(stored[22].start), local(stored[30].start)) == (at(14, 8), at(14, 17))
    assert stored[30].is_milestone and not stored[10].is_milestone
    assert local(stored[40].start) == at(7, 20)  # nights, from the status date
    assert stored[20].is_summary and stored[20].work_minutes == 0 and stored[10].cost == Decimal("900")
    schedule = ProjectSchedule.objects.get(project=org.project_north)
    assert local(schedule.status_date) == at(7, 8) and local(schedule.computed_finish) == at(14, 17)
    assert result.summary.finish == schedule.computed_finish
    rows = selectors.baseline_variance_for_user(org.pm_north, org.project_north.pk, 1)
    design = next(r for r in rows if r.uid == 10)
    assert (design.finish_variance_minutes, design.duration_variance_minutes) == (3 * DAY, DAY)
    assert Baseline.objects.get(project=org.project_north).name == "Contract"
    created = AuditEntry.objects.filter(project_id=org.project_north.pk, action="create")
    assert sorted(e.content_type.model for e in created) == ["baseline", *["dependency"] * 3, *["task"] * 6]


def test_every_invalid_row_is_reported_and_nothing_is_written(org, calendar8):
    """Given a schedule with a repeated uid, a missing parent, links to missing tasks, a self-link, an
    invalid value and a baseline number out of range, then one ValidationError lists each row, and the
    schedule already stored is untouched."""
    replace(org, HOUSE, HOUSE_LINKS)
    before = sorted(Task.objects.values_list("pk", "uid", "name", "start"))
    entries = AuditEntry.objects.count()
    bad = (
        TaskData(uid=1, name="One"),
        TaskData(uid=1, name="One again"),
        TaskData(uid=2, name="Orphan", parent_uid=99),
    )
    links = (DependencyData(1, 7), DependencyData(2, 2))

    with pytest.raises(ValidationError) as refused:
        replace(org, bad, links, baselines=[BaselineData(number=12)])

    errors = refused.value.message_dict
    assert errors["tasks"] == ["task 1: uid is used twice", "task 2: parent task 99 is not in the schedule"]
    assert errors["dependencies"] == [
        "link 1 → 7: successor task 7 is not in the schedule",
        "link 2 → 2: a task cannot follow itself",
    ]
    assert errors["baselines"] == ["baseline 12: the number must be 0..10"]
    assert sorted(Task.objects.values_list("pk", "uid", "name", "start")) == before
    assert AuditEntry.objects.count() == entries


def test_invalid_values_are_reported_by_task(org, calendar8):
    """Given tasks with values the model refuses, then each is named by uid and name with the field."""
    with pytest.raises(ValidationError) as refused:
        replace(
            org,
            (
                TaskData(uid=1, name="Too much", percent_complete=120),
                TaskData(uid=2, name="Undated", constraint_type="MSO"),
            ),
        )

    problems = refused.value.message_dict["tasks"]
    assert problems[0].startswith("task 1 'Too much': percent_complete:")
    assert problems[1].startswith("task 2 'Undated': constraint_date:")
    assert not Task.objects.exists()


def test_a_loop_in_a_replaced_schedule_is_refused_naming_it(org, calendar8):
    """Given links that form a loop, then the replacement is refused on `dependencies`, naming the loop."""
    tasks = (TaskData(uid=1, name="A", duration_minutes=DAY), TaskData(uid=2, name="B", duration_minutes=DAY))

    with pytest.raises(ValidationError) as refused:
        replace(org, tasks, (DependencyData(1, 2), DependencyData(2, 1)))

    assert "loop" in refused.value.message_dict["dependencies"][0]
    assert not Task.objects.exists() and not Dependency.objects.exists()


def test_replacing_again_keeps_baselines_and_finds_tasks_by_uid(org, calendar8):
    """Given a saved baseline, when the schedule is replaced by one with the same uids, then the baseline is
    kept and its rows point at the new tasks; a uid no longer present stays as a deleted task."""
    replace(org, HOUSE, HOUSE_LINKS)
    services.baseline_save(actor=org.pm_north, project=org.project_north, number=0)

    result = replace(org, HOUSE[:2], ())

    assert result.tasks_removed == 5
    rows = {row.uid: row for row in BaselineTask.objects.filter(baseline__project=org.project_north)}
    new = dict(Task.objects.values_list("uid", "pk"))
    assert rows[10].task_id == new[10] and rows[20].task_id == new[20]
    assert rows[21].task_id is None and rows[21].name == "Walls"
