"""Leveling runs end to end on the real database: compute (nothing written), compare, apply, undo.

Three two-day tasks of one project all need the same full-time person at once; leveling must run them
one after the other, and the comparison, the applied delays and the undo must say so.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from keel.core.errors import NotFound, PermissionDenied
from keel.orgs import scoping
from keel.orgs.models import Role
from keel.resources import leveling
from keel.resources.models import Assignment, LevelingRun, Resource, ResourceLeave, ResourcePool
from keel.schedule import services as schedule_services
from keel.schedule.models import Task
from tests.factories import MembershipFactory

DAY = 420  # working minutes of a day of the standard calendar: 09:00–12:00 and 13:00–17:00


def _person(org, pool, code, units=100):
    return Resource.objects.create(
        pool=pool, code=code, name=f"Person {code}", home_unit=pool.org_unit, max_units=units
    )


@pytest.fixture
def crowded(org):
    """Project N-001 with three parallel two-day tasks, all assigned full time to one person."""
    pool = ResourcePool.objects.create(code="POOL-N", name="North pool", org_unit=org.north)
    ana = _person(org, pool, "ANA")
    tasks = []
    for name in ("Design", "Build", "Test"):
        task = schedule_services.task_create(
            actor=org.pm_north, project=org.project_north, name=name, duration_minutes=2 * DAY
        )
        Assignment.objects.create(task=task, resource=ana, units=100, work_minutes=2 * DAY)
        tasks.append(task)
    return pool, ana, tasks


def _run(org, actor=None, **target):
    run = leveling.leveling_run_create(actor=actor or org.pm_north, **target)
    done = leveling.leveling_run_execute(run_id=run.pk)
    assert done is not None
    return done


def _finish(project):
    project.schedule.refresh_from_db()
    return project.schedule.computed_finish


@pytest.mark.parametrize("mode", ["heuristic", "optimal"])
def test_leveling_serialises_the_over_allocated_tasks_and_writes_nothing_until_applied(org, crowded, mode):
    _, _, tasks = crowded
    finish_before = _finish(org.project_north)
    run = _run(org, project=org.project_north, mode=mode, time_limit=5)
    assert run.status == LevelingRun.Status.DONE, run.message
    # Nothing changed yet.
    assert _finish(org.project_north) == finish_before
    assert not Task.objects.filter(project=org.project_north, leveling_delay_minutes__gt=0).exists()
    delays = sorted(t["delay_minutes"] for t in run.result["tasks"])
    assert delays == [0, 2 * DAY, 4 * DAY]
    (summary,) = run.result["projects"]
    before = dt.datetime.fromisoformat(summary["finish_before"])
    after = dt.datetime.fromisoformat(summary["finish_after"])
    assert after > before
    if mode == "optimal":
        assert run.proven_optimal

    leveling.leveling_run_apply(actor=org.pm_north, run=run)
    starts = sorted(Task.objects.filter(pk__in=[t.pk for t in tasks]).values_list("start", flat=True))
    assert len(set(starts)) == 3  # one after the other
    assert _finish(org.project_north).isoformat() == summary["finish_after"]
    run.refresh_from_db()
    assert run.status == LevelingRun.Status.APPLIED

    leveling.leveling_run_undo(actor=org.pm_north, run=run)
    assert _finish(org.project_north) == finish_before
    assert not Task.objects.filter(project=org.project_north, leveling_delay_minutes__gt=0).exists()


def test_no_over_allocation_moves_nothing(org):
    pool = ResourcePool.objects.create(code="POOL-N", name="North pool", org_unit=org.north)
    ana, bo = _person(org, pool, "ANA"), _person(org, pool, "BO")
    for name, person in (("Design", ana), ("Build", bo)):
        task = schedule_services.task_create(
            actor=org.pm_north, project=org.project_north, name=name, duration_minutes=DAY
        )
        Assignment.objects.create(task=task, resource=person, units=100)
    run = _run(org, project=org.project_north)
    assert run.status == LevelingRun.Status.DONE
    assert all(t["delay_minutes"] == 0 for t in run.result["tasks"])
    assert run.result["projects"][0]["finish_after"] == run.result["projects"][0]["finish_before"]


def test_a_run_computed_before_the_schedule_changed_is_not_applied(org, crowded):
    _, _, tasks = crowded
    run = _run(org, project=org.project_north)
    task = Task.objects.get(pk=tasks[0].pk)
    schedule_services.task_update(actor=org.pm_north, task=task, version=task.version, duration_minutes=DAY)
    with pytest.raises(ValidationError) as refused:
        leveling.leveling_run_apply(actor=org.pm_north, run=run)
    assert "run" in refused.value.message_dict
    assert not Task.objects.filter(project=org.project_north, leveling_delay_minutes__gt=0).exists()


def test_refusals_name_the_field(org, crowded):
    pool, _, _ = crowded
    with pytest.raises(ValidationError) as both:
        leveling.leveling_run_create(actor=org.pm_north, project=org.project_north, pool=pool)
    assert "project" in both.value.message_dict
    with pytest.raises(ValidationError) as mode:
        leveling.leveling_run_create(actor=org.pm_north, project=org.project_north, mode="magic")
    assert "mode" in mode.value.message_dict
    with pytest.raises(ValidationError) as limit:
        leveling.leveling_run_create(actor=org.pm_north, project=org.project_north, time_limit=0)
    assert "time_limit" in limit.value.message_dict
    assert not LevelingRun.objects.exists()


def test_scoping_of_runs(org, crowded):
    with pytest.raises(PermissionDenied):
        leveling.leveling_run_create(actor=org.pm_south, project=org.project_north)
    with pytest.raises(PermissionDenied):
        leveling.leveling_run_create(actor=org.exec, project=org.project_north)
    run = _run(org, project=org.project_north)
    with pytest.raises(NotFound):
        leveling.leveling_run_get_for_user(org.pm_south, run.pk)
    assert leveling.leveling_run_get_for_user(org.exec, run.pk) == run
    with pytest.raises(PermissionDenied):
        leveling.leveling_run_for_action(org.exec, run.pk)
    assert not leveling.leveling_run_list_for_user(org.outsider).exists()


def test_pool_leveling_moves_the_projects_the_person_may_change(org, crowded):
    pool, ana, _ = crowded
    # A resource manager who also manages projects in NORTH levels the pool.
    raj = org.pm_north
    MembershipFactory(user=raj, unit=org.north, role=Role.RESOURCE_MANAGER)
    scoping.forget(raj)
    run = _run(org, actor=raj, pool=pool)
    assert run.status == LevelingRun.Status.DONE, run.message
    assert [p["code"] for p in run.result["projects"]] == [org.project_north.code]
    assert sorted(t["delay_minutes"] for t in run.result["tasks"]) == [0, 2 * DAY, 4 * DAY]
    # A resource manager without project rights may not level the pool's projects.
    MembershipFactory(user=org.member_north, unit=org.north, role=Role.RESOURCE_MANAGER)
    run = _run(org, actor=org.member_north, pool=pool)
    assert run.status == LevelingRun.Status.FAILED
    assert "No open project you may change" in run.message


def test_a_half_time_person_does_two_half_time_tasks_one_after_the_other(org):
    pool = ResourcePool.objects.create(code="POOL-N", name="North pool", org_unit=org.north)
    half = _person(org, pool, "HALF", units=50)
    tasks = []
    for name in ("A", "B"):
        task = schedule_services.task_create(
            actor=org.pm_north, project=org.project_north, name=name, duration_minutes=DAY
        )
        Assignment.objects.create(task=task, resource=half, units=50)
        tasks.append(task)
    run = _run(org, project=org.project_north)
    assert sorted(t["delay_minutes"] for t in run.result["tasks"]) == [0, DAY]


def test_leave_holds_the_work_until_the_person_is_back(org):
    pool = ResourcePool.objects.create(code="POOL-N", name="North pool", org_unit=org.north)
    ana = _person(org, pool, "ANA")
    task = schedule_services.task_create(
        actor=org.pm_north, project=org.project_north, name="Survey", duration_minutes=DAY
    )
    Assignment.objects.create(task=task, resource=ana, units=100)
    task.refresh_from_db()
    first_day = task.start.astimezone(ZoneInfo(org.project_north.schedule.time_zone)).date()
    ResourceLeave.objects.create(resource=ana, start_date=first_day, end_date=first_day)
    run = _run(org, project=org.project_north)
    assert [t["delay_minutes"] for t in run.result["tasks"]] == [DAY]


def test_started_work_that_overloads_a_person_stays_and_the_rest_waits_for_room(org):
    """Two started tasks already double-book Ana: leveling leaves them and moves only the third task."""
    pool = ResourcePool.objects.create(code="POOL-N", name="North pool", org_unit=org.north)
    ana = _person(org, pool, "ANA")
    tasks = []
    for name in ("Survey", "Design", "Build"):
        task = schedule_services.task_create(
            actor=org.pm_north, project=org.project_north, name=name, duration_minutes=2 * DAY
        )
        Assignment.objects.create(task=task, resource=ana, units=100)
        tasks.append(task)
    for task in tasks[:2]:
        task.refresh_from_db()
        schedule_services.task_update(
            actor=org.pm_north, task=task, version=task.version, percent_complete=10
        )
    run = _run(org, project=org.project_north)
    assert run.status == LevelingRun.Status.DONE, run.message
    delays = {t["name"]: t["delay_minutes"] for t in run.result["tasks"]}
    assert delays["Survey"] == delays["Design"] == 0
    assert delays["Build"] == 2 * DAY  # after the started work, even though that work overloads Ana
