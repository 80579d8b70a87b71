"""Timesheet test helpers: a resource pool per division, a person resource for each team member, and a
task of N-001 running through the week of Monday 2 March 2026 that member_north is assigned to.

Persons: member_north (NORTH team member, resource in POOL-N), member_south (SOUTH team member,
resource in POOL-S), raj (resource manager of NORTH, manages POOL-N).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from keel.orgs.models import Role, User
from keel.resources.models import Assignment, Resource, ResourcePool
from keel.schedule import services as schedule_services
from keel.schedule.models import Task
from keel.timesheets import services
from keel.timesheets.models import Timesheet
from tests.api.conftest import as_user  # noqa: F401 - the personas' API clients, for the API tests here
from tests.factories import MembershipFactory, UserFactory

WEEK = dt.date(2026, 3, 2)  # a Monday
LAST_WEEK = WEEK - dt.timedelta(days=7)


def day(n: int, week: dt.date = WEEK) -> dt.date:
    """Day `n` (0 = Monday) of the week."""
    return week + dt.timedelta(days=n)


def h(value: str) -> Decimal:
    return Decimal(value)


@dataclass
class Team:
    """The people, pools, resources, tasks and assignment of the timesheet tests."""

    member_south: User
    raj: User
    pool_north: ResourcePool
    pool_south: ResourcePool
    lena: Resource  # member_north's person resource
    sam: Resource  # member_south's person resource
    build: Task  # N-001, running through WEEK, member_north assigned
    design: Task  # N-001, not assigned
    survey: Task  # S-001
    assignment: Assignment


@pytest.fixture
def team(org) -> Team:
    member_south = UserFactory(username="member_south", first_name="Sam", last_name="South")
    MembershipFactory(user=member_south, unit=org.south, role=Role.TEAM_MEMBER)
    raj = UserFactory(username="raj", first_name="Raj", last_name="Rao")
    MembershipFactory(user=raj, unit=org.north, role=Role.RESOURCE_MANAGER)
    pool_north = ResourcePool.objects.create(
        code="POOL-N", name="North engineers", org_unit=org.north, manager=raj
    )
    pool_south = ResourcePool.objects.create(code="POOL-S", name="South engineers", org_unit=org.south)
    lena = Resource.objects.create(
        pool=pool_north, code="R-LENA", name="Lena North", user=org.member_north, home_unit=org.north
    )
    sam = Resource.objects.create(
        pool=pool_south, code="R-SAM", name="Sam South", user=member_south, home_unit=org.south
    )
    build = schedule_services.task_create(
        actor=org.pm_north, project=org.project_north, name="Build", duration_minutes=480 * 100
    )
    design = schedule_services.task_create(
        actor=org.pm_north, project=org.project_north, name="Design", duration_minutes=480 * 100
    )
    survey = schedule_services.task_create(
        actor=org.pm_south, project=org.project_south, name="Survey", duration_minutes=480 * 100
    )
    build.refresh_from_db()
    design.refresh_from_db()
    survey.refresh_from_db()
    assignment = Assignment.objects.create(task=build, resource=lena, units=100, work_minutes=480 * 100)
    return Team(member_south, raj, pool_north, pool_south, lena, sam, build, design, survey, assignment)


def fill(user, week, rows) -> Timesheet:
    """A timesheet of `user` for `week` with `rows` = [(project, task, {day index: "hours"})]."""
    sheet = services.timesheet_get_or_create_week(actor=user, week=week)
    for project, task, hours in rows:
        line = services.line_add(
            actor=user, timesheet=sheet, version=sheet.version, project=project, task=task
        )
        entries = [services.EntryInput(line, day(i, week), Decimal(v)) for i, v in hours.items()]
        sheet = services.entry_set(actor=user, timesheet=sheet, version=sheet.version, entries=entries)
    return sheet


def submitted(user, week, rows) -> Timesheet:
    sheet = fill(user, week, rows)
    return services.timesheet_submit(actor=user, timesheet=sheet, version=sheet.version)


def approved(user, week, rows, approver) -> Timesheet:
    sheet = submitted(user, week, rows)
    return services.timesheet_approve(actor=approver, timesheet=sheet, version=sheet.version)
