"""Reading the sample files through MPXJ: counts against SOURCES.md and the test-only MSPDI reader, and details.

Counts differ from SOURCES.md in three documented ways: MS Project's project summary task (UID 0) is
the project itself, not a task; MS Project's blank resource 0 (no name) is not a resource; and an
assignment without a resource (MS Project writes one for every task without resources) is not an
assignment. The Commercial construction file's personal calendar of that blank resource is dropped too.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from decimal import Decimal

import pytest

from keel.engines.calendars import RecurrenceKind
from keel.engines.cpm import ConstraintType, LinkType
from keel.interchange.model import CalendarKind, ResourceType, TimeUnit, engine_calendars, to_engine
from tests.engines import mspdi
from tests.interchange import samples

pytestmark = samples.needs_data


def local(text: str) -> datetime:
    """A naive local datetime, as project files hold them."""
    return datetime.fromisoformat(text)


# tasks, summaries, milestones, links by type, calendars, named resources, assignments with a resource
EXPECTED = {
    "task-links": (16, 0, 0, {"FS": 5, "SS": 1, "FF": 1, "SF": 1}, 1, 0, 0),
    "mspdirelations": (5, 0, 0, {"FS": 1, "SS": 1, "FF": 1, "SF": 1}, 1, 0, 0),
    "legacy-sample": (19, 3, 1, {"FS": 3, "SS": 1, "FF": 1, "SF": 1}, 4, 2, 2),
    "calendar-calendars": (0, 0, 0, {}, 5, 2, 0),
    "recurring-exceptions": (0, 0, 0, {}, 1, 0, 0),
    "mspdiduration": (10, 0, 0, {}, 1, 0, 0),
    "mspdisplittask": (2, 0, 0, {}, 1, 0, 0),
    "mspdiresource": (3, 0, 0, {"FS": 1}, 6, 4, 5),
    "NewProductDev": (25, 4, 3, {"FS": 20, "SS": 4}, 1, 0, 0),
    # SOURCES.md says "176 FS/SS links (2 with lag)"; the file holds 175 FS and one FF (+1 day).
    "commercial-construction": (145, 19, 0, {"FS": 175, "FF": 1}, 33, 32, 158),
    "house-building": (20, 4, 4, {"FS": 17}, 1, 7, 30),
}


def counts(key: str) -> tuple:
    """The counts of a file as read, in the order of EXPECTED."""
    project = samples.read(key)
    return (
        len(project.tasks),
        sum(t.summary for t in project.tasks),
        sum(t.milestone for t in project.tasks),
        dict(Counter(link.type.value for link in project.links)),
        len(project.calendars),
        len(project.resources),
        len(project.assignments),
    )


@pytest.mark.parametrize("key", samples.FILES)
def test_counts_match_the_sources(key):
    # Given a sample file, when MPXJ reads it through Keel, then the counts are those documented
    assert counts(key) == EXPECTED[key]


@pytest.mark.parametrize("key", samples.MSPDI_FILES)
def test_reading_matches_the_test_only_mspdi_reader(key):
    # Given an MSPDI file read both by MPXJ and by the engine tests' own XML reader
    project = samples.read(key)
    reference = mspdi.read(samples.path(key))
    # When the MPXJ reading is converted for the engine
    converted = to_engine(project)
    # Then tasks, links and the project settings are the same, field by field
    assert {t.id: t for t in converted.tasks} == {t.id: t for t in reference.project.tasks}
    assert set(converted.links) == set(reference.project.links)
    assert (converted.start, converted.calendar_id, converted.honor_constraints) == (
        reference.project.start,
        reference.project.calendar_id,
        reference.project.honor_constraints,
    )
    # And every calendar has the same week, work weeks and working days over the years the files use
    mine = {c.id: c for c in converted.calendars}
    until = date(2030, 12, 31)
    for calendar_id, expected in reference.calendars.items():
        if key == "commercial-construction" and calendar_id == "2":
            assert calendar_id not in mine  # the blank resource's calendar
            continue
        calendar = mine[calendar_id]
        assert calendar.week == expected.week
        assert calendar.work_weeks == expected.work_weeks
        assert calendar.exception_days(until) == expected.exception_days(until)


def test_stored_schedule_values_are_read_in_minutes():
    # Given the task-links file, whose first task has 4800 tenths of a minute of total slack
    task = samples.read("task-links").task(1)
    assert task.duration == 480 and task.duration_unit is TimeUnit.DAYS
    assert task.start == local("2018-10-18 08:00")
    assert task.late_finish == local("2018-11-02 08:00")
    assert task.total_float == 4800 and task.critical is False  # ten working days of slack
    # And lags keep their display unit: 1 week (LagFormat 9) is 2400 working minutes
    lags = {(link.lag, link.lag_unit) for link in samples.read("task-links").links}
    assert (2400, TimeUnit.WEEKS) in lags and (4800, TimeUnit.WEEKS) in lags
    assert (480, TimeUnit.DAYS) in lags


def test_leads_constraints_and_hierarchy_of_the_legacy_sample():
    project = samples.read("legacy-sample")
    assert {link.lag for link in project.links} == {0, 480, -480}
    snet = [t for t in project.tasks if t.constraint is ConstraintType.SNET]
    assert len(snet) == 4 and all(t.constraint_date is not None for t in snet)
    assert project.task(2).parent_uid == 1 and project.task(2).outline_number == "1.1"
    assert project.task(2).outline_level == 2 and project.task(1).outline_level == 1
    assert project.task(1).notes == "Test Task Notes"
    assert any("recurring task" in warning for warning in project.warnings)


def test_elapsed_durations_are_calendar_minutes():
    project = samples.read("mspdiduration")
    durations = {t.name: (t.duration, t.duration_unit, t.elapsed) for t in project.tasks}
    assert durations["Task 1"] == (1, TimeUnit.MINUTES, False)
    assert durations["Task 4"] == (2400, TimeUnit.WEEKS, False)
    assert durations["Task 5"] == (9600, TimeUnit.MONTHS, False)
    assert durations["Task 8"] == (1440, TimeUnit.DAYS, True)
    assert durations["Task 10"] == (43200, TimeUnit.MONTHS, True)


def test_recurring_exceptions_keep_their_patterns_and_expand_like_ms_project():
    # Given MS Project's Standard calendar with 27 exceptions of every recurrence type
    calendar = samples.read("recurring-exceptions").calendar(1)
    assert len(calendar.exceptions) == 27
    kinds = Counter(e.recurrence.kind for e in calendar.exceptions if e.recurrence is not None)
    assert kinds == {
        RecurrenceKind.DAILY: 3,
        RecurrenceKind.WEEKLY: 7,
        RecurrenceKind.MONTHLY_BY_POSITION: 8,
        RecurrenceKind.MONTHLY_BY_DAY: 2,
        RecurrenceKind.YEARLY_BY_POSITION: 3,
        RecurrenceKind.YEARLY_BY_DAY: 3,
    }
    # When Keel expands them Then it finds the days MS Project listed in its own expanded encoding
    expanded = mspdi.read_calendars(samples.path("recurring-exceptions"), "weekdays")["1"]
    mine = engine_calendars(samples.read("recurring-exceptions"))[1]
    until = date(2012, 12, 31)
    assert mine.exception_days(until) == expanded.exception_days(until)
    assert mine.intervals_on(date(2010, 2, 6)) == ((540, 780), (840, 1020))  # a working Saturday


def test_derived_and_resource_calendars():
    project = samples.read("calendar-calendars")
    by_name = {c.name: c for c in project.calendars}
    assert by_name["Resource One"].base_uid == by_name["Standard"].uid
    assert by_name["Resource One"].kind is CalendarKind.RESOURCE
    assert by_name["Resource One"].week == (None,) * 7  # every day as the base calendar
    assert by_name["Calendar1"].base_uid is None and None not in by_name["Calendar1"].week
    resources = {r.name: r for r in project.resources}
    assert project.calendar(resources["Resource One"].calendar_uid).name == "Resource One"


def test_dates_at_a_non_default_start_time_are_kept_as_stored():
    # Given NewProductDev, whose Standard calendar works 08:00-12:00 and 13:00-17:00 while the project's
    # default start time is 09:00 (SOURCES.md calls it a 09:00-18:00 calendar; the file says otherwise)
    project = samples.read("NewProductDev")
    assert project.calendar(1).week[0] == ((480, 720), (780, 1020))
    # Then task dates stay at 09:00, as MS Project stored them
    assert project.start == local("2012-06-22 09:00")
    assert {t.start.time().hour for t in project.tasks} == {9}


def test_resources_rates_and_assignments():
    project = samples.read("mspdiresource")
    resources = {r.name: r for r in project.resources}
    wade = resources["Wade Golden"]
    assert (wade.standard_rate, wade.overtime_rate, wade.standard_rate_unit) == (
        Decimal("50.0"),
        Decimal("100.0"),
        TimeUnit.HOURS,
    )
    assert (wade.email, wade.group, wade.max_units) == (
        "wade.golden@steelray.com",
        "Steelray",
        Decimal("100.0"),
    )
    concrete = resources["Concrete"]
    assert concrete.type is ResourceType.MATERIAL and concrete.cost_per_use == Decimal("500.0")
    assert concrete.max_units is None
    done = next(a for a in project.assignments if a.task_uid == 4)
    assert (done.work, done.actual_work, done.cost, done.actual_cost) == (
        960,
        960,
        Decimal("800.0"),
        Decimal("800.0"),
    )
    completed = project.task(4)
    assert completed.percent_complete == 100 and completed.actual_finish == local("2006-08-29 17:00")


def test_split_tasks_are_read_not_contoured_ones():
    # Split Task 1: 4 days of work, 3 days paused, 6 more; Split Task 2: 3 days, 2 paused, 5, 3 paused, 7
    project = samples.read("mspdisplittask")
    assert {t.uid: t.splits for t in project.tasks} == {
        1: ((1920, 1440),),
        2: ((1440, 960), (3840, 1440)),
    }
    assert not [w for w in project.warnings if "split" in w]
    contoured = samples.read("mspdiresource")
    assert not [t for t in contoured.tasks if t.splits]
    assert not [w for w in contoured.warnings if "split" in w]


def test_ganttproject_dependencies_of_sub_tasks_are_read():
    # Given GanttProject's sample, where 14 of the 17 dependencies start at sub-tasks, whose
    # dependencies MPXJ's GanttProject reader skips
    project = samples.read("house-building")
    # Then all 17 are there, finish-to-start, with their GanttProject ids shifted by one as MPXJ does
    assert len(project.links) == 17 and {link.type for link in project.links} == {LinkType.FS}
    names = {t.uid: t.name.replace("\xa0", " ").strip() for t in project.tasks}
    pairs = {(names[link.predecessor_uid], names[link.successor_uid]) for link in project.links}
    assert ("Create draft of architecture", "Prepare construction documents") in pairs
    assert ("Construction completed", "Walls") in pairs
    assert project.task(11).constraint is ConstraintType.SNET  # GanttProject's "third date"
    assert project.calendar(1).exceptions[0].start == date(2006, 2, 14)
