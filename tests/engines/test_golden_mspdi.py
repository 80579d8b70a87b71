"""Golden tests: Keel's CPM against the dates, floats and critical flags MS Project stored in its files.

The files live beside the repository in ``../shared/data/mspdi`` (see ``SOURCES.md`` there); the tests
skip when that folder is absent. Each file is read with the test-only reader, scheduled by the engine,
and every leaf task is compared field by field: dates in working time on the task's calendar (MS
Project writes a finish at 08:00 of the next working day as readily as at 17:00), floats in minutes,
the critical flag as is. A difference that cannot be resolved is listed in ``KNOWN_DIFFERENCES`` with
the task, the field, both values and the reason, and is expected to fail on its own (strict xfail), so
that the comparison of everything else stays exact.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from pathlib import Path

import pytest

from keel.engines.cpm import Schedule, schedule
from tests.engines import mspdi

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
MSPDI = DATA / "mspdi"

pytestmark = pytest.mark.skipif(not MSPDI.is_dir(), reason=f"shared test data not found at {MSPDI}")

FILES = {
    "task-links": "mpxj__task-links-project2019-mspdi.xml",
    "mspdirelations": "mpxj__mspdirelations.xml",
    "legacy-sample": "mpxj__legacy-sample.xml",
    "mspdiduration": "mpxj__mspdiduration.xml",
    "NewProductDev": "aspose-java__NewProductDev.xml",
    "commercial-construction": "derived_from_mpp/projectlibre__Commercial-construction-project-plan.mpxj-mspdi.xml",
    "mspdiresource": "mpxj__mspdiresource.xml",
    "mspdisplittask": "mpxj__mspdisplittask.xml",
}
# MPXJ's writer (which produced this derived file) omits TotalSlack and FreeSlack when they are zero.
MISSING_SLACK_IS_ZERO = {"commercial-construction"}
FIELDS = (
    "start",
    "finish",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_slack",
    "free_slack",
    "critical",
)
FLOAT_FIELD = {"total_slack": "total_float", "free_slack": "free_float"}

_DURATION_FILE = (
    "MS Project stored late dates for Tasks 1-4 as if the project finished at 2009-04-21 17:00 (Task 5's "
    "early finish), but Task 10 (1 elapsed month) finishes the project at 2009-04-24 08:00 and Task 5, "
    "which also has no successor, got LateFinish 2009-04-23 17:00 in the same file. Keel gives every "
    "task without successors the project finish (2009-04-23 17:00 on the Standard calendar): two days "
    "more float. The stored values contradict each other (an incremental recalculation left over)."
)
_NEW_PRODUCT_DEV = (
    "the file stores LateStart/LateFinish equal to the early dates for this non-critical task while its "
    "stored TotalSlack is {slack} minutes; Keel's late dates are early + float, and Keel's float equals "
    "the stored TotalSlack exactly, so the stored late dates contradict the stored slack. Every task of "
    "the file, critical or not, stores its early dates as its late dates: the late-date fields were not "
    "computed, so no scheduling rule reproduces them."
)
KNOWN_DIFFERENCES: dict[tuple[str, str, str], str] = {
    **{
        ("mspdiduration", uid, field): f"UID {uid} {field}: MS Project {ms}, Keel {keel}. {_DURATION_FILE}"
        for uid, field, ms, keel in [
            ("1", "late_start", "2009-04-21 16:59", "2009-04-23 16:59"),
            ("1", "late_finish", "2009-04-21 17:00", "2009-04-23 17:00"),
            ("1", "total_slack", "9599 min", "10559 min"),
            ("1", "free_slack", "9599 min", "10559 min"),
            ("2", "late_start", "2009-04-21 16:00", "2009-04-23 16:00"),
            ("2", "late_finish", "2009-04-21 17:00", "2009-04-23 17:00"),
            ("2", "total_slack", "9540 min", "10500 min"),
            ("2", "free_slack", "9540 min", "10500 min"),
            ("3", "late_start", "2009-04-21 08:00", "2009-04-23 08:00"),
            ("3", "late_finish", "2009-04-21 17:00", "2009-04-23 17:00"),
            ("3", "total_slack", "9120 min", "10080 min"),
            ("3", "free_slack", "9120 min", "10080 min"),
            ("4", "late_start", "2009-04-15 08:00", "2009-04-17 08:00"),
            ("4", "late_finish", "2009-04-21 17:00", "2009-04-23 17:00"),
            ("4", "total_slack", "7200 min", "8160 min"),
            ("4", "free_slack", "7200 min", "8160 min"),
        ]
    },
    **{
        ("NewProductDev", uid, field): (
            f"UID {uid} {field}: MS Project {ms}, Keel {keel}: " + _NEW_PRODUCT_DEV.format(slack=slack)
        )
        for uid, field, ms, keel, slack in [
            ("35", "late_start", "2012-07-06 09:00", "2012-09-11 09:00", 22560),
            ("35", "late_finish", "2012-07-13 09:00", "2012-09-18 09:00", 22560),
            ("36", "late_start", "2012-07-06 09:00", "2012-09-04 09:00", 20160),
            ("36", "late_finish", "2012-07-20 09:00", "2012-09-18 09:00", 20160),
            ("48", "late_start", "2012-08-24 09:00", "2012-08-31 09:00", 2400),
            ("48", "late_finish", "2012-09-07 09:00", "2012-09-14 09:00", 2400),
        ]
    },
}


@functools.cache
def scheduled(key: str) -> tuple[mspdi.MspdiFile, Schedule]:
    """Read and schedule one file (once per session)."""
    file = mspdi.read(MSPDI / FILES[key])
    return file, schedule(file.project)


def values(key: str, uid: str, field: str) -> tuple[object, object] | None:
    """MS Project's and Keel's value of one field of one task, comparable; None if not stored."""
    file, result = scheduled(key)
    expected = file.expected[uid]
    task = result.tasks[uid]
    if field in FLOAT_FIELD:
        stored = getattr(expected, field)
        if stored is None and key in MISSING_SLACK_IS_ZERO:
            stored = 0
        return None if stored is None else (stored, getattr(task, FLOAT_FIELD[field]))
    if field == "critical":
        return None if expected.critical is None else (expected.critical, task.critical)
    stored_date: datetime | None = getattr(expected, field)
    if stored_date is None:
        return None
    timeline = file.timeline_of(uid)
    return timeline.to_work(stored_date), timeline.to_work(getattr(task, field))


def leaf_uids(key: str) -> list[str]:
    """UIDs of the leaf tasks of a file (the project summary and summary tasks excluded)."""
    file, _ = scheduled(key)
    return [uid for uid, task in file.expected.items() if not task.summary]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("key", FILES)
def test_leaf_tasks_match_ms_project(key, field):
    # Given an MS Project file, when Keel reschedules it
    stored = [uid for uid in leaf_uids(key) if values(key, uid, field) is not None]
    compared = [uid for uid in stored if (key, uid, field) not in KNOWN_DIFFERENCES]
    mismatches = []
    for uid in compared:
        ms_project, keel = values(key, uid, field) or (None, None)
        if ms_project != keel:
            mismatches.append((uid, ms_project, keel))
    # Then every leaf task agrees with MS Project, apart from the listed known differences
    assert mismatches == []
    assert stored or field in FLOAT_FIELD


@pytest.mark.parametrize(
    ("key", "uid", "field"),
    [
        pytest.param(*case, marks=pytest.mark.xfail(strict=True, reason=reason))
        for case, reason in KNOWN_DIFFERENCES.items()
    ],
)
def test_known_difference(key, uid, field):
    pair = values(key, uid, field)
    assert pair is not None
    assert pair[0] == pair[1]


@pytest.mark.parametrize("key", FILES)
def test_summary_tasks_roll_up_like_ms_project(key):
    file, result = scheduled(key)
    timeline = mspdi.Timeline(file.calendars[file.project.calendar_id], file.project.start)
    for uid, expected in file.expected.items():
        if not expected.summary:
            continue
        task = result.tasks[uid]
        for field in ("start", "finish", "early_start", "early_finish", "late_start", "late_finish"):
            stored = getattr(expected, field)
            assert timeline.to_work(stored) == timeline.to_work(getattr(task, field)), (uid, field)


def test_every_file_in_scope_has_tasks_compared():
    sizes = {key: len(leaf_uids(key)) for key in FILES}
    assert sizes == {
        "task-links": 16,
        "mspdirelations": 5,
        "legacy-sample": 16,
        "mspdiduration": 10,
        "NewProductDev": 21,
        "commercial-construction": 126,
        "mspdiresource": 3,
        "mspdisplittask": 2,
    }


def test_the_two_exception_encodings_of_ms_project_expand_to_the_same_days():
    # Given the Standard calendar with 27 exceptions of every recurrence type, written twice by
    # MS Project: as recurrence definitions and as the expanded list of dated WeekDay entries
    path = MSPDI / "mpxj__calendar-recurring-exceptions-project2016-mspdi.xml"
    by_definition = mspdi.read_calendars(path, "exceptions")["1"]
    by_expansion = mspdi.read_calendars(path, "weekdays")["1"]
    assert len(by_definition.exceptions) == 27
    # When Keel expands the definitions Then it finds exactly MS Project's days and working times
    until = date(2012, 12, 31)
    assert by_definition.exception_days(until) == by_expansion.exception_days(until)
    assert len(by_definition.exception_days(until)) == 140
    assert by_definition.intervals_on(date(2010, 2, 6)) == ((540, 780), (840, 1020))  # a working Saturday


def test_derived_calendars_inherit_their_base_week():
    calendars = mspdi.read_calendars(MSPDI / "mpxj__calendar-calendars-project2019-mspdi.xml")
    assert {c.name for c in calendars.values()} == {
        "Standard",
        "Calendar1",
        "Calendar2",
        "Resource One",
        "Resource Two",
    }
    for calendar in calendars.values():
        assert calendar.minutes_per_week() == 2400
        assert calendar.minutes_per_day() == 480


def test_new_product_dev_stores_its_early_dates_as_its_late_dates():
    # Why its three non-critical tasks cannot match: no task of the file has late dates of its own
    file, _ = scheduled("NewProductDev")
    stored = [file.expected[uid] for uid in leaf_uids("NewProductDev")]
    assert all(
        (task.late_start, task.late_finish) == (task.early_start, task.early_finish) for task in stored
    )
    assert sorted(task.total_slack for task in stored if task.total_slack) == [2400, 20160, 22560]
