"""`keel schedule FILE [--json] [--compare]`: a project file scheduled by Keel's engine, no database.

The tests that read sample files use ../shared/data (skipped when absent). None of them asks for the
database: pytest-django refuses any query from a test without the `db` fixture, so they also prove
that the command leaves the database alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.engines.test_golden_mspdi import FILES as GOLDEN_FILES
from tests.engines.test_golden_mspdi import KNOWN_DIFFERENCES
from tests.interchange import samples

BIN = Path(sys.executable).parent
COMPARED_FIELDS = (
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "critical",
)
# The golden tests name the float fields as MSPDI does.
GOLDEN_FIELD = {"total_float": "total_slack", "free_float": "free_slack"}
LEAF_TASKS = {
    "task-links": 16,
    "mspdirelations": 5,
    "legacy-sample": 16,
    "mspdiduration": 10,
    "NewProductDev": 21,
    "commercial-construction": 126,
    "mspdiresource": 3,
    "mspdisplittask": 2,
}


def schedule_json(key: str, *flags: str) -> dict:
    """`keel schedule <sample> --json [flags]`, run in this process, parsed."""
    out = StringIO()
    call_command("schedule", str(samples.DATA / "mspdi" / GOLDEN_FILES[key]), "--json", *flags, stdout=out)
    return json.loads(out.getvalue())


def keel(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `keel` console script."""
    return subprocess.run(
        [str(BIN / "keel"), *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=180
    )


@samples.needs_data
@pytest.mark.parametrize("key", GOLDEN_FILES)
def test_json_has_every_leaf_task_with_the_promised_keys(key):
    # Given a sample file saved by MS Project, when it is scheduled with --json
    document = schedule_json(key)
    tasks = document["tasks"]
    # Then every task of the file is there, each leaf task with its UID, name, dates, floats and flag
    stored = samples.read(key)
    assert [task["uid"] for task in tasks] == [task.uid for task in stored.tasks]
    leaves = [task for task in tasks if not task["summary"]]
    assert len(leaves) == LEAF_TASKS[key]
    for task in tasks:
        assert isinstance(task["uid"], int) and isinstance(task["name"], str)
        for field in ("early_start", "early_finish", "late_start", "late_finish"):
            assert datetime.fromisoformat(task[field]).tzinfo is None, (task["uid"], field)
        assert type(task["total_float"]) is int and type(task["free_float"]) is int
        assert type(task["critical"]) is bool
    assert "compare" not in document


@samples.needs_data
@pytest.mark.parametrize("key", GOLDEN_FILES)
def test_compare_counts_equal_the_golden_tests_agreement(key):
    # Given a sample file, when it is scheduled with --compare
    comparison = schedule_json(key, "--compare")["compare"]
    # Then per field every leaf task matches MS Project except the golden tests' known differences
    assert comparison["leaf_tasks"] == LEAF_TASKS[key]
    differing = {
        (key, str(d["uid"]), GOLDEN_FIELD.get(d["field"], d["field"])) for d in comparison["differences"]
    }
    known = {case for case in KNOWN_DIFFERENCES if case[0] == key and case[2] not in ("start", "finish")}
    assert differing == known
    for field in COMPARED_FIELDS:
        counts = comparison["fields"][field]
        known_here = sum(1 for case in known if case[2] == GOLDEN_FIELD.get(field, field))
        assert counts["matching"] == counts["compared"] - known_here, field
    assert comparison["fields"]["early_start"]["compared"] == LEAF_TASKS[key]
    assert comparison["tasks_matching_every_field"] == LEAF_TASKS[key] - len({uid for _, uid, _ in known})


@samples.needs_data
def test_the_text_output_lists_the_tasks_that_differ():
    # Given the duration file, whose stored late dates of Tasks 1-4 contradict the rest of the file
    out = StringIO()
    call_command("schedule", str(samples.path("mspdiduration")), "--compare", stdout=out)
    text = out.getvalue()
    # Then the table shows the tasks, and the comparison counts fields and names what differs
    assert "Task 10" in text
    assert "6 of 10 leaf tasks match the file in every field" in text
    assert "  late_finish   6 of 10 match" in text
    assert "  critical      10 of 10 match" in text
    assert "UID 4 'Task 4' late_finish: file 2009-04-21 17:00, computed 2009-04-23 17:00" in text
    assert "UID 1 'Task 1' total_float: file 9599 min, computed 10559 min" in text


@samples.needs_data
def test_the_json_dates_are_local_times_as_in_the_file():
    tasks = {task["uid"]: task for task in schedule_json("task-links")["tasks"]}
    # MS Project: Task 2 of the FS+1d pair starts 2018-10-22 08:00 (a Monday, after the weekend)
    assert tasks[4]["early_start"] == "2018-10-22T08:00:00"
    assert tasks[9]["critical"] is True and tasks[9]["total_float"] == 0
    assert tasks[1]["total_float"] == 4800


def test_an_unreadable_file_is_one_line_and_exit_status_2(tmp_path):
    # Given a file that is no project file
    notes = tmp_path / "notes.txt"
    notes.write_text("Kick-off on Monday.\n", encoding="utf-8")
    # When it is scheduled Then the command says why in one line and exits with status 2
    result = keel("schedule", str(notes), "--json")
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if "JVM started" not in line]
    assert errors == [
        "CommandError: notes.txt: not a project file format Keel can read (MPXJ recognises no schedule in it)"
    ]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_missing_file_is_refused_in_process(tmp_path):
    with pytest.raises(CommandError, match="no such file") as error:
        call_command("schedule", str(tmp_path / "absent.xml"))
    assert error.value.returncode == 2


def test_without_java_the_error_says_what_to_install(tmp_path):
    # Given no Java runtime where JAVA_HOME points
    plan = tmp_path / "plan.xml"
    plan.write_text("<Project/>", encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "KEEL_JAVA_HOME"}
    environment["JAVA_HOME"] = str(tmp_path / "no-java")
    result = subprocess.run(
        [str(BIN / "keel"), "schedule", str(plan)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=180,
    )
    # Then one clear line, exit status 2, no traceback
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"CommandError: JAVA_HOME={tmp_path / 'no-java'} does not hold a Java runtime. Keel needs a Java "
        "runtime (Java 11 or newer) to read and write project files: install e.g. Debian's default-jre-headless"
    ]


def test_a_loop_of_links_is_refused_naming_it(tmp_path):
    # Given an MSPDI file whose two tasks follow each other
    plan = tmp_path / "loop.xml"
    plan.write_text(_LOOP, encoding="utf-8")
    # When it is scheduled Then the engine's refusal names the loop, on one line, status 2
    with pytest.raises(CommandError) as error:
        call_command("schedule", str(plan))
    assert error.value.returncode == 2
    assert "Keel cannot schedule it: circular dependency: " in str(error.value)
    assert "\n" not in str(error.value)


def _task(uid: int, predecessor: int) -> str:
    return (
        f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>Step {uid}</Name><OutlineLevel>1</OutlineLevel>"
        "<Duration>PT8H0M0S</Duration><DurationFormat>7</DurationFormat>"
        f"<PredecessorLink><PredecessorUID>{predecessor}</PredecessorUID><Type>1</Type></PredecessorLink></Task>"
    )


_LOOP = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Project xmlns="http://schemas.microsoft.com/project"><Name>loop</Name>'
    "<StartDate>2024-01-08T08:00:00</StartDate><CalendarUID>1</CalendarUID>"
    "<Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar></Calendar></Calendars>"
    f"<Tasks>{_task(1, 2)}{_task(2, 1)}</Tasks></Project>"
)
