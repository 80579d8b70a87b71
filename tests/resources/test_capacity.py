"""Capacity and demand selectors: numbers worked out by hand on small cases, and scoping.

The NORTH division works on a calendar of 8-hour days (08:00–12:00, 13:00–17:00, Monday to Friday)
with a holiday on Wednesday 4 March 2026. The window starts in ISO week 10 (Monday 2 March 2026).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from keel.core.errors import NotFound
from keel.orgs.models import OrgUnit
from keel.portfolio.models import Project
from keel.resources import capacity
from keel.resources.capacity import CapacityFilters
from keel.resources.models import (
    Allocation,
    Assignment,
    Resource,
    ResourceLeave,
    ResourcePool,
    ResourceSkill,
    Skill,
)
from keel.schedule.models import Task
from tests.factories import CalendarExceptionFactory, CalendarFactory, ProjectFactory

OSLO = ZoneInfo("Europe/Oslo")
W10 = dt.date(2026, 3, 2)
H = 60  # minutes per hour


def at(day: dt.date, hour: int) -> dt.datetime:
    """An aware datetime in Oslo."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=OSLO)


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def task(project: Project, name: str, start: dt.datetime, finish: dt.datetime, duration: int) -> Task:
    """A scheduled task (dates as the engine would have computed them)."""
    uid = Task.objects.filter(project=project).count() + 1
    return Task.objects.create(
        project=project, uid=uid, name=name, duration_minutes=duration, start=start, finish=finish
    )


def weeks(**kwargs) -> CapacityFilters:
    return CapacityFilters(start=W10, periods=kwargs.pop("periods", 3), **kwargs)


class World:
    """NORTH's pool with a generic role and its two members, a part-timer and a spare engineer."""

    def __init__(self, org) -> None:
        self.org = org
        self.calendar = CalendarFactory(name="Oslo office")
        CalendarExceptionFactory(calendar=self.calendar, name="Holiday", start_date=d(3, 4))
        OrgUnit.objects.filter(pk=org.north.pk).update(calendar=self.calendar)
        self.pool = ResourcePool.objects.create(code="NPOOL", name="North engineers", org_unit=org.north)

        def resource(code: str, **kwargs) -> Resource:
            return Resource.objects.create(
                pool=self.pool, code=code, name=code, home_unit=org.north, **kwargs
            )

        self.role = resource("ENGINEER", kind=Resource.Kind.ROLE, max_units=100)
        self.ada = resource("ADA", role=self.role)
        self.bo = resource("BO", role=self.role, max_units=50)
        self.cy = resource("CY", role=self.role)
        self.skill = Skill.objects.create(name="Networks", org_unit=org.central)
        ResourceSkill.objects.create(resource=self.ada, skill=self.skill, level=4)
        ResourceSkill.objects.create(resource=self.cy, skill=self.skill, level=2)


@pytest.fixture
def world(org) -> World:
    return World(org)


def row(matrix, resource: Resource):
    return next(r for r in matrix.rows if r.id == resource.pk)


# --- capacity ------------------------------------------------------------------------------------------


def test_capacity_follows_the_calendar_with_its_holiday_and_part_time(world):
    matrix = capacity.capacity_matrix_for_user(world.org.admin, weeks())
    assert [p.key for p in matrix.periods] == ["2026-W10", "2026-W11", "2026-W12"]
    # Four working days in W10 (Wednesday is a holiday), five in W11 and W12.
    assert row(matrix, world.ada).capacity == [32 * H, 40 * H, 40 * H]
    assert row(matrix, world.bo).capacity == [16 * H, 20 * H, 20 * H]  # half time


def test_a_resource_calendar_wins_over_the_home_units(world):
    short = CalendarFactory(name="Mornings", working_week=[[["08:00", "12:00"]]] * 5 + [[], []])
    Resource.objects.filter(pk=world.cy.pk).update(calendar=short)
    matrix = capacity.capacity_matrix_for_user(world.org.admin, weeks(periods=1))
    assert row(matrix, world.cy).capacity == [20 * H]  # its own calendar: no holiday, 4 h a day


def test_the_calendar_is_inherited_from_an_ancestor_unit(world, org):
    OrgUnit.objects.filter(pk=org.north.pk).update(calendar=None)
    OrgUnit.objects.filter(pk=org.eng.pk).update(calendar=world.calendar)
    matrix = capacity.capacity_matrix_for_user(org.admin, weeks(periods=1))
    assert row(matrix, world.ada).capacity == [32 * H]


def test_leave_takes_its_percentage_of_the_days(world):
    ResourceLeave.objects.create(resource=world.ada, start_date=d(3, 12), end_date=d(3, 12))
    ResourceLeave.objects.create(resource=world.ada, start_date=d(3, 13), end_date=d(3, 15), percent=50)
    ResourceLeave.objects.create(resource=world.bo, start_date=d(3, 9), end_date=d(3, 9))
    matrix = capacity.capacity_matrix_for_user(world.org.admin, weeks())
    # Thursday off (8 h), half of Friday (4 h); the weekend has no working time to take.
    assert row(matrix, world.ada).capacity == [32 * H, 28 * H, 40 * H]
    assert row(matrix, world.bo).capacity == [16 * H, 16 * H, 20 * H]  # a half-timer's day is 4 h


# --- demand --------------------------------------------------------------------------------------------


def test_a_task_spanning_two_weeks_is_spread_by_its_working_time(world, org):
    # Tuesday 3 March 08:00 to Tuesday 10 March 17:00: Tue, Thu, Fri in W10 (Wednesday is a
    # holiday), Mon, Tue in W11; five days of 8 h on the project's (NORTH's) calendar.
    survey = task(org.project_north, "Survey", at(d(3, 3), 8), at(d(3, 10), 17), 5 * 8 * H)
    Assignment.objects.create(task=survey, resource=world.ada, units=50)  # duration × units = 20 h
    Assignment.objects.create(task=survey, resource=world.cy, work_minutes=10 * H)  # work wins: 10 h
    matrix = capacity.capacity_matrix_for_user(org.admin, weeks())
    assert row(matrix, world.ada).demand == [12 * H, 8 * H, 0]
    assert row(matrix, world.cy).demand == [6 * H, 4 * H, 0]
    assert row(matrix, world.ada).load(0) == 37.5  # 12 of 32 hours


def test_a_long_task_is_spread_the_same_whether_the_window_cuts_it_or_not(world, org):
    # Monday 2 March to Friday 27 March: 19 working days (Wednesday 4 March is a holiday), 152 h.
    build = task(org.project_north, "Build", at(d(3, 2), 8), at(d(3, 27), 17), 19 * 8 * H)
    Assignment.objects.create(task=build, resource=world.ada)
    whole = capacity.capacity_matrix_for_user(org.admin, weeks(periods=5))
    assert row(whole, world.ada).demand == [32 * H, 40 * H, 40 * H, 40 * H, 0]
    cut = capacity.capacity_matrix_for_user(org.admin, CapacityFilters(start=d(3, 11), periods=2))
    assert row(cut, world.ada).demand == [40 * H, 40 * H]
    by_month = capacity.capacity_matrix_for_user(
        org.admin, CapacityFilters(start=d(2, 1), periods=3, granularity=capacity.MONTH)
    )
    assert row(by_month, world.ada).demand == [0, 152 * H, 0]
    # The lines behind each cell add up to the same numbers.
    for index, period in enumerate(whole.periods):
        cell = capacity.cell_detail_for_user(org.admin, world.ada.pk, period.start, weeks())
        assert sum(line.minutes for line in cell.lines) == row(whole, world.ada).demand[index]


def test_a_task_starting_at_noon_counts_its_afternoon_only(world, org):
    # Thursday 13:00 to Monday 12:00: 4 h + 8 h + 4 h of working time, 16 h of work.
    fix = task(org.project_north, "Fix", at(d(3, 5), 13), at(d(3, 9), 12), 16 * H)
    Assignment.objects.create(task=fix, resource=world.ada, work_minutes=16 * H)
    matrix = capacity.capacity_matrix_for_user(org.admin, weeks())
    assert row(matrix, world.ada).demand == [12 * H, 4 * H, 0]


def test_approved_allocations_are_demand_and_requested_ones_are_shown_apart(world, org):
    Allocation.objects.create(
        project=org.project_north,
        resource=world.bo,
        start_week=d(3, 9),
        end_week=d(3, 16),
        hours_per_week=10,
        status=Allocation.Status.APPROVED,
    )
    Allocation.objects.create(
        project=org.project_north, resource=world.bo, start_week=W10, end_week=W10, hours_per_week=5
    )
    Allocation.objects.create(
        project=org.project_north,
        resource=world.bo,
        start_week=W10,
        end_week=d(3, 16),
        hours_per_week=7,
        status=Allocation.Status.REJECTED,
    )
    matrix = capacity.capacity_matrix_for_user(org.admin, weeks())
    bo = row(matrix, world.bo)
    assert bo.demand == [0, 10 * H, 10 * H]
    assert bo.requested == [5 * H, 0, 0]
    assert bo.load(1) == 50.0


def test_by_month_an_allocation_week_is_split_by_its_working_days(world, org):
    # The week of Monday 30 March: Monday and Tuesday in March, Wednesday to Friday in April.
    Allocation.objects.create(
        project=org.project_north,
        resource=world.ada,
        start_week=d(3, 30),
        end_week=d(3, 30),
        hours_per_week=10,
        status=Allocation.Status.APPROVED,
    )
    filters = CapacityFilters(start=d(3, 15), periods=2, granularity=capacity.MONTH)
    matrix = capacity.capacity_matrix_for_user(org.admin, filters)
    assert [p.key for p in matrix.periods] == ["2026-03", "2026-04"]
    assert row(matrix, world.ada).demand == [4 * H, 6 * H]
    # March 2026 has 22 weekdays, one of them the holiday; April has 22.
    assert row(matrix, world.ada).capacity == [21 * 8 * H, 22 * 8 * H]


def test_proposed_projects_count_only_with_the_what_if_switch(world, org):
    idea = ProjectFactory(code="N-IDEA", name="Idea", org_unit=org.north, status=Project.Status.PROPOSED)
    job = task(idea, "Pilot", at(d(3, 9), 8), at(d(3, 13), 17), 5 * 8 * H)
    Assignment.objects.create(task=job, resource=world.bo, units=50)
    gone = ProjectFactory(code="N-GONE", name="Gone", org_unit=org.north, status=Project.Status.CANCELLED)
    Assignment.objects.create(task=task(gone, "X", at(d(3, 9), 8), at(d(3, 9), 17), 8 * H), resource=world.bo)

    plain = capacity.capacity_matrix_for_user(org.admin, weeks())
    what_if = capacity.capacity_matrix_for_user(org.admin, weeks(include_proposed=True))
    assert row(plain, world.bo).demand == [0, 0, 0]
    assert row(what_if, world.bo).demand == [0, 20 * H, 0]


def test_a_role_adds_its_own_and_its_members_capacity_and_demand(world, org):
    survey = task(org.project_north, "Survey", at(d(3, 9), 8), at(d(3, 13), 17), 5 * 8 * H)
    Assignment.objects.create(task=survey, resource=world.role, units=100)  # 40 h for "an engineer"
    Assignment.objects.create(task=survey, resource=world.ada, work_minutes=8 * H)
    Allocation.objects.create(
        project=org.project_north,
        resource=world.bo,
        start_week=d(3, 9),
        end_week=d(3, 9),
        hours_per_week=6,
        status=Allocation.Status.APPROVED,
    )
    roles = capacity.role_capacity_for_user(org.admin, weeks(periods=2))
    [engineer] = roles.groups
    assert engineer.name == "ENGINEER"
    assert {m.code for m in engineer.members} == {"ENGINEER", "ADA", "BO", "CY"}
    # W10: 32 (role) + 32 (Ada) + 16 (Bo) + 32 (Cy); W11: 40 + 40 + 20 + 40.
    assert engineer.capacity == [112 * H, 140 * H]
    assert engineer.demand == [0, 54 * H]
    assert not engineer.over(1)


def test_a_skill_adds_the_resources_holding_it_at_the_level_asked(world, org):
    survey = task(org.project_north, "Survey", at(d(3, 9), 8), at(d(3, 9), 17), 8 * H)
    Assignment.objects.create(task=survey, resource=world.cy)
    skills = capacity.skill_capacity_for_user(org.admin, weeks(periods=2))
    [networks] = skills.groups
    assert networks.capacity == [64 * H, 80 * H]  # Ada and Cy
    assert networks.demand == [0, 8 * H]
    expert = capacity.skill_capacity_for_user(org.admin, weeks(periods=2, min_level=3))
    assert expert.groups[0].capacity == [32 * H, 40 * H]  # Ada only
    assert expert.groups[0].demand == [0, 0]


def test_filters_narrow_the_resources(world, org):
    assert {r.code for r in capacity.capacity_matrix_for_user(org.admin, weeks(role=world.role.pk)).rows} == {
        "ENGINEER",
        "ADA",
        "BO",
        "CY",
    }
    by_skill = capacity.capacity_matrix_for_user(org.admin, weeks(skill=world.skill.pk, min_level=3))
    assert [r.code for r in by_skill.rows] == ["ADA"]
    assert capacity.capacity_matrix_for_user(org.admin, weeks(unit=org.south.pk)).rows == []
    assert len(capacity.capacity_matrix_for_user(org.admin, weeks(pool=world.pool.pk)).rows) == 4


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"periods": 0}, "periods"),
        ({"periods": 105}, "periods"),
        ({"granularity": "day"}, "granularity"),
        ({"min_level": 6}, "min_level"),
        ({"pool": 999999}, "pool"),
        ({"role": 999999}, "role"),
        ({"unit": 999999}, "unit"),
        ({"skill": 999999}, "skill"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(world, org, changes, field):
    with pytest.raises(ValidationError) as caught:
        capacity.capacity_matrix_for_user(org.admin, weeks(**changes))
    assert field in caught.value.message_dict


def test_an_ordinary_person_cannot_be_filtered_on_as_a_role(world, org):
    with pytest.raises(ValidationError) as caught:
        capacity.capacity_matrix_for_user(org.admin, weeks(role=world.ada.pk))
    assert "role" in caught.value.message_dict


# --- cell detail and over-allocations -----------------------------------------------------------------


@pytest.fixture
def overloaded(world, org):
    """Ada on two tasks of two projects in W11 (64 of 40 h); Cy and Bo have room."""
    second = ProjectFactory(code="N-002", name="Fibre backbone", org_unit=org.north)
    a = task(org.project_north, "Rack servers", at(d(3, 9), 8), at(d(3, 13), 17), 40 * H)
    b = task(second, "Splice fibre", at(d(3, 9), 8), at(d(3, 11), 17), 24 * H)
    Assignment.objects.create(task=a, resource=world.ada)
    Assignment.objects.create(task=b, resource=world.ada)
    Assignment.objects.create(task=b, resource=world.cy, work_minutes=4 * H)
    Allocation.objects.create(
        project=second,
        resource=world.ada,
        start_week=d(3, 9),
        end_week=d(3, 9),
        hours_per_week=2,
        status=Allocation.Status.REQUESTED,
    )
    return second


def test_a_cell_lists_the_tasks_projects_and_allocations_behind_it(world, org, overloaded):
    cell = capacity.cell_detail_for_user(org.admin, world.ada.pk, d(3, 11), weeks())
    assert cell.period.key == "2026-W11"
    assert (cell.capacity, cell.demand, cell.requested) == (40 * H, 64 * H, 2 * H)
    assert cell.load == 160.0 and cell.over
    assert [(line.source, line.project_code, line.task_name, line.minutes) for line in cell.lines] == [
        ("task", "N-001", "Rack servers", 40 * H),
        ("task", "N-002", "Splice fibre", 24 * H),
        ("requested", "N-002", "", 2 * H),
    ]


def test_the_over_allocation_list_gives_the_cause_and_who_has_room(world, org, overloaded):
    page = capacity.overallocations_for_user(org.admin, weeks())
    assert page.count == 1
    [item] = page.items
    assert (item.resource.code, item.period.key, item.excess, item.load) == ("ADA", "2026-W11", 24 * H, 160.0)
    assert [line.project_code for line in item.lines] == ["N-001", "N-002", "N-002"]
    # Cy (same role, shares Networks) has 36 h free, Bo (same role, half time) 20 h; the role itself
    # and equipment are not people to hand work to.
    assert [(s.resource.code, s.free_minutes) for s in item.suggestions] == [("CY", 36 * H), ("BO", 20 * H)]
    assert "Networks" in item.suggestions[0].reason and "ENGINEER" in item.suggestions[0].reason


def test_nobody_over_allocated_gives_an_empty_list(world, org):
    assert capacity.overallocations_for_user(org.admin, weeks()).count == 0


# --- scoping -------------------------------------------------------------------------------------------


@pytest.fixture
def shared(world, org):
    """A SOUTH pool shared with NORTH: Sol works on a NORTH task and on a SOUTH task in W11."""
    pool = ResourcePool.objects.create(code="SPOOL", name="South specialists", org_unit=org.south)
    pool.shared_with.add(org.north)
    sol = Resource.objects.create(pool=pool, code="SOL", name="Sol", home_unit=org.south)
    north = task(org.project_north, "Cabling", at(d(3, 9), 8), at(d(3, 9), 17), 8 * H)
    south = task(org.project_south, "Madrid move", at(d(3, 10), 9), at(d(3, 10), 18), 8 * H)
    Assignment.objects.create(task=north, resource=sol)
    Assignment.objects.create(task=south, resource=sol)
    hidden = Resource.objects.create(
        pool=ResourcePool.objects.create(code="SOWN", name="South own", org_unit=org.south),
        code="SECRET",
        name="Secret",
        home_unit=org.south,
    )
    return sol, hidden


def test_pm_north_sees_a_shared_pools_people_but_never_south_demand(world, org, shared):
    sol, hidden = shared
    as_north = capacity.capacity_matrix_for_user(org.pm_north, weeks())
    codes = {r.code for r in as_north.rows}
    assert "SOL" in codes and "SECRET" not in codes
    assert row(as_north, sol).demand[1] == 8 * H  # the NORTH task only
    as_admin = capacity.capacity_matrix_for_user(org.admin, weeks())
    assert row(as_admin, sol).demand[1] == 16 * H
    cell = capacity.cell_detail_for_user(org.pm_north, sol.pk, d(3, 9), weeks())
    assert [line.project_code for line in cell.lines] == ["N-001"]
    with pytest.raises(NotFound):
        capacity.cell_detail_for_user(org.pm_north, hidden.pk, d(3, 9), weeks())


def test_pm_south_never_sees_north(world, org, shared):
    matrix = capacity.capacity_matrix_for_user(org.pm_south, weeks())
    assert {r.code for r in matrix.rows} == {"SOL", "SECRET"}
    assert row(matrix, shared[0]).demand[1] == 8 * H  # the SOUTH task only
    with pytest.raises(ValidationError):
        capacity.capacity_matrix_for_user(org.pm_south, weeks(pool=world.pool.pk))


def test_an_outsider_sees_nothing(world, org, overloaded):
    assert capacity.capacity_matrix_for_user(org.outsider, weeks()).rows == []
    assert capacity.overallocations_for_user(org.outsider, weeks()).count == 0
    assert capacity.role_capacity_for_user(org.outsider, weeks()).groups == []


def test_the_number_of_queries_does_not_grow_with_the_portfolio(world, org, django_assert_max_num_queries):
    def grow(first: int, last: int) -> None:
        for i in range(first, last):
            project = ProjectFactory(code=f"N-G{i:03d}", name=f"Growth {i}", org_unit=org.north)
            job = task(project, "Job", at(d(3, 9), 8), at(d(3, 20), 17), 80 * H)
            for person in (world.ada, world.bo, world.cy):
                Assignment.objects.create(task=job, resource=person, units=20)
            Allocation.objects.create(
                project=project,
                resource=world.bo,
                start_week=W10,
                end_week=d(3, 16),
                hours_per_week=1,
                status=Allocation.Status.APPROVED,
            )

    grow(0, 2)
    org.admin.refresh_from_db()
    with django_assert_max_num_queries(12) as small:
        capacity.capacity_matrix_for_user(org.admin, weeks())
    grow(2, 22)
    org.admin.refresh_from_db()
    with django_assert_max_num_queries(len(small.captured_queries)):
        matrix = capacity.capacity_matrix_for_user(org.admin, weeks())
    assert row(matrix, world.ada).demand[1] == pytest.approx(22 * 0.2 * 40 * H)
