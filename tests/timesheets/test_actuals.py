"""Approved hours become actual work, remaining work and the task's progress."""

from __future__ import annotations

from decimal import Decimal

from keel.schedule import services as schedule_services
from keel.schedule.models import Task, TaskProgress
from keel.timesheets import services
from tests.timesheets.conftest import WEEK, approved, day


def _plan(org, team, minutes: int) -> None:
    task = Task.objects.get(pk=team.build.pk)
    schedule_services.task_update(actor=org.pm_north, task=task, version=task.version, work_minutes=minutes)
    team.assignment.refresh_from_db()
    team.assignment.work_minutes = minutes
    team.assignment.save(update_fields=["work_minutes"])


def test_approval_sets_remaining_work_and_task_progress(org, team):
    _plan(org, team, 1200)  # 20 hours planned
    approved(org.member_north, WEEK, [(org.project_north, team.build, {0: "8", 1: "1.5"})], team.raj)
    team.assignment.refresh_from_db()
    assert team.assignment.actual_work_minutes == 570
    assert team.assignment.remaining_work_minutes == 630
    build = Task.objects.get(pk=team.build.pk)
    assert build.percent_complete == 47  # 570 of 1200 minutes
    assert TaskProgress.objects.filter(project=org.project_north, uid=build.uid, percent_complete=47).exists()
    design = Task.objects.get(pk=team.design.pk)
    assert design.percent_complete == 0


def test_a_correction_takes_progress_back_and_work_beyond_the_plan_stops_at_100(org, team):
    _plan(org, team, 1200)
    sheet = approved(
        org.member_north, WEEK, [(org.project_north, team.build, {0: "8", 1: "1.5"})], org.pm_north
    )
    correction = services.timesheet_correct(actor=org.member_north, timesheet=sheet)
    correction = services.entry_set(
        actor=org.member_north,
        timesheet=correction,
        version=correction.version,
        entries=[
            services.EntryInput(None, day(1), Decimal("-1.5"), project=org.project_north, task=team.build)
        ],
    )
    correction = services.timesheet_submit(
        actor=org.member_north, timesheet=correction, version=correction.version
    )
    services.timesheet_approve(actor=org.pm_north, timesheet=correction, version=correction.version)
    team.assignment.refresh_from_db()
    assert team.assignment.actual_work_minutes == 480
    assert team.assignment.remaining_work_minutes == 720
    assert Task.objects.get(pk=team.build.pk).percent_complete == 40
    approved(
        org.member_north,
        day(7),
        [(org.project_north, team.build, {0: "10", 1: "10"})],
        org.pm_north,
    )
    team.assignment.refresh_from_db()
    assert team.assignment.actual_work_minutes == 1680
    assert team.assignment.remaining_work_minutes == 0
    assert Task.objects.get(pk=team.build.pk).percent_complete == 100


def test_a_task_without_planned_work_keeps_its_progress(org, team):
    approved(org.member_north, WEEK, [(org.project_north, team.build, {0: "8"})], org.pm_north)
    team.assignment.refresh_from_db()
    assert team.assignment.actual_work_minutes == 480
    assert Task.objects.get(pk=team.build.pk).percent_complete == 0
