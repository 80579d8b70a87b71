"""Write each sample back out through MPXJ and read it again: what Keel wrote is what it reads.

MS Project XML (MSPDI) keeps everything Keel holds, so its round trip is compared field by field.
Primavera (XER, P6 XML) has its own model: WBS nodes instead of summary tasks (P6 adds
a root node when there are several top-level ones), no elapsed durations or manual scheduling, summary
values derived by the reader, calendars flattened (no derived calendars, recurring exceptions as dates).
Their round trips are compared on what the format holds: leaf tasks with names, durations, dates (in
working time), constraints and progress; links with types and lags; calendars by their working time.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from keel.engines.calendars import Timeline, continuous_calendar
from keel.interchange import mpxj
from keel.interchange.model import InterchangeProject, Task, engine_calendars
from tests.interchange import samples

pytestmark = samples.needs_data

# Values MPXJ's MSPDI writer does not write as stored: it derives TotalSlack from the stored early and
# late dates, which contradict the stored slack of these NewProductDev tasks (see the engine's golden
# tests), and writes FreeSlack 0 where a GanttProject file stores none.
MSPDI_UNKEPT = {
    ("NewProductDev", 35): {"total_float", "critical"},
    ("NewProductDev", 36): {"total_float", "critical"},
    ("NewProductDev", 48): {"total_float", "critical"},
}
PROJECT_FIELDS = (
    "name",
    "start",
    "status_date",
    "default_calendar_uid",
    "minutes_per_day",
    "minutes_per_week",
    "days_per_month",
    "honor_constraints",
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Write a sample in a format and read the file back (each pair once per module)."""
    folder: Path = tmp_path_factory.mktemp("exported")
    done: dict[tuple[str, str], tuple[InterchangeProject, tuple[str, ...]]] = {}

    def export(key: str, format: str) -> tuple[InterchangeProject, tuple[str, ...]]:
        if (key, format) not in done:
            target = folder / f"{key}{mpxj.FORMATS[format][1]}"
            warnings = mpxj.write_project(samples.read(key), target, format)
            done[key, format] = (mpxj.read_project(target), warnings)
        return done[key, format]

    return export


def task_fields(task: Task, unkept: set[str]) -> dict:
    """A task's fields, less those a format does not keep."""
    return {k: v for k, v in dataclasses.asdict(task).items() if k not in unkept}


@pytest.mark.parametrize("key", samples.FILES)
def test_ms_project_xml_round_trip_keeps_everything(key, exported):
    # Given a sample read by Keel, when it is written as MS Project XML and read again
    original = samples.read(key)
    again, warnings = exported(key, "mspdi")
    assert warnings == ()
    # Then the project, its tasks (UIDs, names, WBS, dates, ...), links, calendars, resources,
    # assignments and baselines are the same
    assert {f: getattr(again, f) for f in PROJECT_FIELDS} == {f: getattr(original, f) for f in PROJECT_FIELDS}
    assert [t.uid for t in again.tasks] == [t.uid for t in original.tasks]
    for task in original.tasks:
        unkept = set(MSPDI_UNKEPT.get((key, task.uid), set()))
        if task.free_float is None:
            unkept.add("free_float")
        assert task_fields(again.task(task.uid), unkept) == task_fields(task, unkept), task.uid
    assert set(again.links) == set(original.links)
    assert {c.uid: c for c in again.calendars} == {c.uid: c for c in original.calendars}
    assert set(again.resources) == set(original.resources)
    assert set(again.assignments) == set(original.assignments)
    assert set(again.baselines) == set(original.baselines)


def working_minute(project: InterchangeProject, task: Task, value) -> int | None:
    """A task date as a working minute on the task's calendar (dates equal in working time compare equal)."""
    if value is None:
        return None
    calendars = engine_calendars(project)
    calendar = (
        continuous_calendar()
        if task.elapsed
        else calendars[task.calendar_uid or project.default_calendar_uid]
    )
    return Timeline(calendar, project.start).to_work(value)


def leaf_view(project: InterchangeProject, task: Task, dates: tuple[str, ...], elapsed: bool) -> dict:
    """What a Primavera file keeps of a leaf task (dates of elapsed tasks as they are: P6 has none)."""
    view = {
        "name": task.name,
        "duration": None if elapsed else task.duration,
        "milestone": task.milestone,
        "percent_complete": task.percent_complete,
        "constraint": task.constraint,
        "constraint_date": task.constraint_date,
        "calendar": task.calendar_uid or project.default_calendar_uid,
    }
    for field in dates:
        value = getattr(task, field)
        view[field] = value.replace(second=0) if elapsed else working_minute(project, task, value)
    return view


def link_view(project: InterchangeProject) -> set[tuple]:
    """Links between leaf tasks as (predecessor, successor, type, lag in minutes)."""
    summaries = {t.uid for t in project.tasks if t.summary}
    return {
        (k.predecessor_uid, k.successor_uid, k.type, k.lag)
        for k in project.links
        if not {k.predecessor_uid, k.successor_uid} & summaries
    }


def calendar_days(project: InterchangeProject, calendar_uid: int) -> tuple:
    """A calendar's resolved week and working days up to 2030."""
    calendar = engine_calendars(project)[calendar_uid]
    return calendar.week, calendar.exception_days(date(2030, 12, 31))


def primavera_dates(format: str, task: Task) -> tuple[str, ...]:
    """The dates a Primavera file keeps of a task that has them: P6 XML has no late dates from MPXJ's
    writer, and no early dates for completed activities."""
    fields = ["start", "finish", "early_start", "early_finish", "late_start", "late_finish"]
    if format == "pmxml":
        fields = fields[:2] if task.percent_complete == 100 else fields[:4]
    return tuple(field for field in fields if getattr(task, field) is not None)


@pytest.mark.parametrize("format", ["xer", "pmxml"])
@pytest.mark.parametrize("key", samples.FILES)
def test_primavera_round_trips_keep_tasks_links_calendars_and_dates(key, format, exported):
    # Given a sample read by Keel, when it is written as Primavera XER or P6 XML and read again
    original = samples.read(key)
    again, _ = exported(key, format)
    # Then every task is there under its UID with its name (P6 may add one root WBS node)
    assert {t.uid for t in original.tasks} <= {t.uid for t in again.tasks}
    assert len(again.tasks) - len(original.tasks) in (0, 1)
    for task in original.tasks:
        assert again.task(task.uid).name == task.name
    # And every leaf task keeps its duration, dates (in working time), constraint and progress
    for task in original.tasks:
        if not task.summary:
            dates = primavera_dates(format, task)
            mine = leaf_view(again, again.task(task.uid), dates, task.elapsed)
            assert mine == leaf_view(original, task, dates, task.elapsed), task.uid
    # And the links and the working time of every calendar are the same
    assert link_view(again) == link_view(original)
    for calendar in original.calendars:
        assert calendar_days(again, calendar.uid) == calendar_days(original, calendar.uid), calendar.name


@pytest.mark.parametrize("key", ["commercial-construction", "mspdiresource", "house-building"])
def test_primavera_round_trip_keeps_resources_and_assignments(key, exported):
    original = samples.read(key)
    again, _ = exported(key, "xer")
    assert {(r.uid, r.name, r.type) for r in again.resources} == {
        (r.uid, r.name, r.type) for r in original.resources
    }
    assert {(a.task_uid, a.resource_uid) for a in again.assignments} == {
        (a.task_uid, a.resource_uid) for a in original.assignments
    }


def test_primavera_export_names_what_it_cannot_hold(exported):
    # Given the elapsed-duration sample, the manually scheduled task-links sample and GanttProject's
    # sample, where a milestone leads a summary task
    _, elapsed_warnings = exported("mspdiduration", "xer")
    _, manual_warnings = exported("task-links", "xer")
    _, summary_link_warnings = exported("house-building", "pmxml")
    # Then the Primavera export says what it wrote differently
    assert elapsed_warnings == (
        "5 task(s) have elapsed durations, which Primavera does not have; "
        "they were written as durations on the task calendar",
    )
    assert manual_warnings == (
        "16 task(s) are manually scheduled, which Primavera does not have; "
        "they were written as automatically scheduled activities",
    )
    assert summary_link_warnings == (
        "the project has progress but no status date; 2024-06-25 10:00:00 was written as Primavera's data date",
        "link 12 → 7: Primavera has no links to or from WBS nodes (summary tasks); it was not written",
        "link 8 → 21: Primavera has no links to or from WBS nodes (summary tasks); it was not written",
        "link 50 → 1: Primavera has no links to or from WBS nodes (summary tasks); it was not written",
    )


def test_split_tasks_keep_their_pauses_through_ms_project_xml(exported):
    # Given the sample whose two tasks MS Project split (2 and 3 stretches of work)
    original = samples.read("mspdisplittask")
    assert {t.uid: t.splits for t in original.tasks if t.splits} == {
        1: ((1920, 1440),),
        2: ((1440, 960), (3840, 1440)),
    }
    # When it is written as MS Project XML and read again, the pauses are where they were
    again, warnings = exported("mspdisplittask", "mspdi")
    assert warnings == ()
    assert {t.uid: t.splits for t in again.tasks} == {t.uid: t.splits for t in original.tasks}


@pytest.mark.parametrize("format", ["xer", "pmxml"])
def test_primavera_says_it_holds_a_split_task_as_one_stretch(format, exported):
    _, warnings = exported("mspdisplittask", format)
    assert warnings == (
        "task 'Split Task 1' (UID 1) is split into 2 parts; Primavera has no split activities, so the file "
        "holds its work as one stretch from its start",
        "task 'Split Task 2' (UID 2) is split into 3 parts; Primavera has no split activities, so the file "
        "holds its work as one stretch from its start",
    )


def test_a_split_task_in_progress_keeps_its_pauses(tmp_path):
    # Given the second split task with a quarter of its work done (its first stretch and part of the second)
    original = samples.read("mspdisplittask")
    started = dataclasses.replace(
        original,
        status_date=original.start.replace(day=26),
        tasks=tuple(
            dataclasses.replace(t, percent_complete=25, actual_start=t.start) if t.uid == 2 else t
            for t in original.tasks
        ),
    )
    # When it is written and read again
    target = tmp_path / "started.xml"
    assert mpxj.write_project(started, target, "mspdi") == ()
    again = mpxj.read_project(target)
    # Then its pauses and its progress are kept
    assert again.task(2).splits == original.task(2).splits
    assert again.task(2).percent_complete == 25


@pytest.mark.parametrize("format", ["mspdi"])
def test_a_leveling_delay_goes_out_and_comes_back(format, tmp_path):
    # Given a sample whose second leaf task was held back one and a half days by leveling
    original = samples.read("task-links")
    leaf = next(t for t in original.tasks if not t.summary and t.duration)
    delayed = dataclasses.replace(
        original,
        tasks=tuple(
            dataclasses.replace(t, leveling_delay=720) if t.uid == leaf.uid else t for t in original.tasks
        ),
    )
    # When it is written and read again
    target = tmp_path / f"delayed{mpxj.FORMATS[format][1]}"
    mpxj.write_project(delayed, target, format)
    again = mpxj.read_project(target)
    # Then the task keeps its delay and the others have none
    assert {t.uid: t.leveling_delay for t in again.tasks if t.leveling_delay} == {leaf.uid: 720}
