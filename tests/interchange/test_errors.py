"""Bad files, bad projects and a missing Java runtime get clear errors naming the file, item and reason."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from keel.interchange import mpxj
from keel.interchange.model import (
    Calendar,
    ConstraintType,
    InterchangeError,
    Link,
    validate,
)
from tests.interchange import samples

REPO = Path(__file__).resolve().parents[2]


@samples.needs_data
def test_a_truncated_file_names_the_file_and_mpxjs_reason(tmp_path):
    # Given an MS Project XML file cut off half way
    text = samples.path("legacy-sample").read_text(encoding="utf-8")
    broken = tmp_path / "plan.xml"
    broken.write_text(text[: len(text) // 2], encoding="utf-8")
    # When Keel reads it Then the error names the file and says why
    with pytest.raises(InterchangeError) as error:
        mpxj.read_project(broken)
    message = str(error.value)
    assert message.startswith("plan.xml: MPXJ cannot read this file: ")
    assert "XML" in message or "xml" in message


def test_a_file_of_no_known_format_is_refused(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Kick-off on Monday, then design for two weeks.\n", encoding="utf-8")
    with pytest.raises(InterchangeError, match=r"^notes\.txt: not a project file format Keel can read"):
        mpxj.read_project(notes)


def test_an_empty_file_and_a_missing_file_are_refused(tmp_path):
    empty = tmp_path / "empty.mpp"
    empty.write_bytes(b"")
    with pytest.raises(InterchangeError, match=r"^empty\.mpp: "):
        mpxj.read_project(empty)
    with pytest.raises(InterchangeError, match="no such file"):
        mpxj.read_project(tmp_path / "absent.xml")


@samples.needs_data
def test_writing_refuses_unknown_formats_and_missing_folders(tmp_path):
    project = samples.read("mspdirelations")
    with pytest.raises(
        InterchangeError, match="format 'mpp' is not one Keel writes; choose one of mspdi, xer, pmxml"
    ):
        mpxj.write_project(project, tmp_path / "plan.mpp", "mpp")
    with pytest.raises(InterchangeError, match="folder .* does not exist"):
        mpxj.write_project(project, tmp_path / "missing" / "plan.xml", "mspdi")
    assert list(tmp_path.iterdir()) == []


@samples.needs_data
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: dataclasses.replace(p, links=(*p.links, Link(predecessor_uid=1, successor_uid=99))),
            "link 1 → 99: successor task 99 is not in the project",
        ),
        (
            lambda p: dataclasses.replace(
                p, tasks=(dataclasses.replace(p.tasks[0], duration=-480), *p.tasks[1:])
            ),
            "task 1 'Task 1': duration must not be negative, got -480",
        ),
        (
            lambda p: dataclasses.replace(
                p, tasks=(dataclasses.replace(p.tasks[0], calendar_uid=7), *p.tasks[1:])
            ),
            "task 1 'Task 1': calendar 7 is not among the calendars",
        ),
        (
            lambda p: dataclasses.replace(
                p, tasks=(dataclasses.replace(p.tasks[0], constraint=ConstraintType.MSO), *p.tasks[1:])
            ),
            "task 1 'Task 1': constraint must_start_on needs a date",
        ),
        (
            lambda p: dataclasses.replace(p, calendars=(*p.calendars, Calendar(uid=1, name="Copy"))),
            "calendar UID 1 is used twice",
        ),
        (
            lambda p: dataclasses.replace(p, calendars=(Calendar(uid=1, name="Half", week=(None,) * 7),)),
            "calendar 'Half': a weekday is undefined and there is no base",
        ),
    ],
)
def test_a_project_keel_cannot_hold_is_refused_and_nothing_is_written(change, message, tmp_path):
    # Given a sample changed into something invalid
    project = change(samples.read("mspdirelations"))
    # When it is checked or written Then the error names the item, the field and the reason
    with pytest.raises(InterchangeError) as error:
        validate(project)
    assert str(error.value) == message
    with pytest.raises(InterchangeError):
        mpxj.write_project(project, tmp_path / "plan.xml", "mspdi")
    assert not (tmp_path / "plan.xml").exists()


def _run_without_java(java_home: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Read a file in a fresh Python process whose JAVA_HOME points at ``java_home``."""
    environment = {k: v for k, v in os.environ.items() if k not in ("KEEL_JAVA_HOME", "JAVA_HOME")}
    environment["JAVA_HOME"] = java_home
    target = tmp_path / "plan.xml"
    target.write_text("<Project/>", encoding="utf-8")
    code = (
        "from keel.interchange.mpxj import read_project\n"
        "from keel.interchange.model import InterchangeError\n"
        "try:\n"
        f"    read_project({str(target)!r})\n"
        "except InterchangeError as error:\n"
        "    print(error)\n"
        "    raise SystemExit(3)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=environment, capture_output=True, text=True, timeout=120
    )


def test_missing_java_gets_a_clear_error(tmp_path):
    # Given a process whose JAVA_HOME points at nothing
    result = _run_without_java(str(tmp_path / "no-java-here"), tmp_path)
    # When it reads a project file Then it stops with the clear error, naming the variable
    assert result.returncode == 3, result.stderr
    assert f"JAVA_HOME={tmp_path / 'no-java-here'} does not hold a Java runtime." in result.stdout
    assert (
        "Keel needs a Java runtime (Java 11 or newer) to read and write project files: "
        "install e.g. Debian's default-jre-headless"
    ) in result.stdout


def test_a_java_older_than_11_is_refused(tmp_path):
    # Given a Java home that holds a Java 8 runtime
    home = tmp_path / "jdk8"
    (home / "jre" / "lib" / "amd64" / "server").mkdir(parents=True)
    (home / "jre" / "lib" / "amd64" / "server" / "libjvm.so").write_bytes(b"")
    (home / "release").write_text('JAVA_VERSION="1.8.0_392"\n', encoding="utf-8")
    # When Keel looks for its Java runtime Then it names the version and what it needs
    result = _run_without_java(str(home), tmp_path)
    assert result.returncode == 3, result.stderr
    assert f"the Java runtime at {home} is Java 1.8.0_392, too old." in result.stdout
