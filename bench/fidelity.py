#!/usr/bin/env python
"""Fidelity: how many leaf tasks Keel's engine and MPXJ's scheduler schedule as MS Project did.

For every MS Project XML file in DIR (default ../shared/data/mspdi beside the repository, with its
derived_from_mpp/ folder), the file is read through MPXJ and rescheduled twice from its project start:

* by Keel's engine (``read_project`` → ``to_engine`` → ``keel.engines.cpm.schedule``), and
* by MPXJ's own scheduler, ``org.mpxj.cpm.MicrosoftScheduler``, run through JPype on the file MPXJ read.

With ``--database``, each file is also imported into a scratch database (``project_import``, as `keel
import` does: calendars, tasks, splits and links stored, the schedule computed by the services) and the
dates, floats and critical flags stored on its tasks are compared the same way: the figures of the
database path must equal those of ``keel schedule`` (the script exits non-zero when they do not).

Each leaf task's early and late start and finish (compared in working time on the task's calendar,
as the golden tests do), total float (working minutes) and critical flag are compared with the values
MS Project stored in the file (``keel.interchange.compare``). A value the file does not store is not
compared. The table gives, per file and field, how many tasks match, and per scheduler the share of
leaf tasks that match in every field. A file MPXJ's scheduler refuses counts as no match for it.

    .venv/bin/python bench/fidelity.py [DIR] [--json] [--differences] [--database]

Exits non-zero when Keel matches fewer values than MPXJ's scheduler on any file.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from keel.engines.cpm import ScheduleError, schedule  # noqa: E402
from keel.interchange.compare import (  # noqa: E402
    FIDELITY_FIELDS,
    Comparison,
    by_uid,
    compare,
    mpxj_scheduled,
)
from keel.interchange.model import InterchangeError, to_engine  # noqa: E402
from keel.interchange.mpxj import read_project  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "data" / "mspdi"
SHORT = {
    "early_start": "ES",
    "early_finish": "EF",
    "late_start": "LS",
    "late_finish": "LF",
    "total_float": "TF",
    "critical": "Crit",
}


@dataclass
class FileResult:
    """One file's comparison for both schedulers (None with a reason when one could not run)."""

    name: str
    leaf_tasks: int
    keel: Comparison | None
    keel_error: str = ""
    mpxj: Comparison | None = None
    mpxj_error: str = ""
    database: Comparison | None = None
    database_error: str = ""

    def comparison(self, which: str) -> Comparison | None:
        """One path's comparison: "keel" (keel schedule), "mpxj" or "database" (keel import)."""
        comparison: Comparison | None = getattr(self, which)
        return comparison

    def matching(self, which: str) -> int:
        """Values matched by one scheduler (0 when it could not run)."""
        comparison = self.comparison(which)
        return 0 if comparison is None else comparison.values_matching

    def tasks_matching(self, which: str) -> int:
        """Leaf tasks one scheduler matches in every field (0 when it could not run)."""
        comparison = self.comparison(which)
        return 0 if comparison is None else comparison.tasks_matching_every_field

    @property
    def values_compared(self) -> int:
        """Stored values compared (the same set for both schedulers)."""
        comparison = self.keel or self.mpxj
        return 0 if comparison is None else comparison.values_compared


def project_files(folder: Path) -> list[Path]:
    """The MSPDI files of a folder and of its derived_from_mpp/ subfolder, by name."""
    files = sorted(folder.glob("*.xml"))
    derived = folder / "derived_from_mpp"
    if derived.is_dir():
        files += sorted(derived.glob("*.xml"))
    return files


class Database:
    """A scratch database with one org unit, into which files are imported as `keel import` does."""

    def __init__(self) -> None:
        """Create the scratch database (SQLite in a temporary folder) and the unit files go into."""
        self.scratch = tempfile.TemporaryDirectory(prefix="keel-fidelity-")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")
        os.environ["KEEL_VAR_DIR"] = self.scratch.name
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(self.scratch.name) / 'fidelity.sqlite3'}"
        Path(self.scratch.name, "static").mkdir()
        import django

        django.setup()
        from django.core.management import call_command

        from keel.orgs import services as org_services
        from keel.orgs.models import OrgUnit, User

        call_command("migrate", verbosity=0)
        self.user = User.objects.create_superuser("fidelity", "fidelity@example.org", "fidelity")
        self.unit = org_services.org_unit_create(
            actor=self.user,
            code="FIDELITY",
            name="Fidelity",
            kind=OrgUnit.Kind.CENTRAL_PMO,
            parent=None,
            currency="EUR",
        )

    def stored(self, path: Path) -> dict[str, Any]:
        """Import a file and read back the schedule stored on its tasks, by UID as text (local times)."""
        from zoneinfo import ZoneInfo

        from keel.schedule.importing import project_import
        from keel.schedule.models import ProjectSchedule, Task

        project = project_import(actor=self.user, path=path, org_unit=self.unit).project
        zone = ZoneInfo(ProjectSchedule.objects.get(project=project).time_zone)

        def local(value: Any) -> Any:
            return None if value is None else value.astimezone(zone).replace(tzinfo=None)

        return {
            str(task.uid): SimpleNamespace(
                early_start=local(task.early_start),
                early_finish=local(task.early_finish),
                late_start=local(task.late_start),
                late_finish=local(task.late_finish),
                total_float=task.total_float_minutes,
                critical=task.is_critical,
            )
            for task in Task.objects.filter(project=project)
        }

    def close(self) -> None:
        """Remove the scratch database."""
        from django.db import connections

        connections.close_all()
        self.scratch.cleanup()


def measure(path: Path, database: Database | None = None) -> FileResult | None:
    """Both schedulers against one file; None for a file without leaf tasks (nothing to schedule).

    With a ``database``, the file is also imported and the schedule stored on its tasks compared.
    """
    project = read_project(path)
    leaves = sum(not task.summary for task in project.tasks)
    if leaves == 0:
        return None
    result = FileResult(name=path.name, leaf_tasks=leaves, keel=None)
    try:
        result.keel = compare(project, schedule(to_engine(project)).tasks, FIDELITY_FIELDS)
    except (InterchangeError, ScheduleError) as error:
        result.keel_error = " ".join(str(error).split())
    try:
        stored, rescheduled = mpxj_scheduled(path)
        result.mpxj = compare(stored, by_uid(rescheduled), FIDELITY_FIELDS)
    except InterchangeError as error:
        result.mpxj_error = " ".join(str(error).split())
    if database is not None:
        from django.core.exceptions import ValidationError

        try:
            result.database = compare(project, database.stored(path), FIDELITY_FIELDS)
        except (InterchangeError, ValidationError) as error:
            result.database_error = " ".join(str(error).split())
    return result


def _cells(comparison: Comparison | None) -> list[str]:
    """Per-field matches of one scheduler, then its tasks matching in every field."""
    if comparison is None:
        return ["—"] * (len(FIDELITY_FIELDS) + 1)
    return [str(comparison.matching[name]) for name in FIDELITY_FIELDS] + [
        f"**{comparison.tasks_matching_every_field}**"
    ]


PATHS = (
    ("keel", "Keel", "Keel's engine (keel schedule)"),
    ("database", "Keel DB", "Keel through the database (keel import)"),
    ("mpxj", "MPXJ", "MPXJ's MicrosoftScheduler"),
)
"""The paths measured: attribute of FileResult, column prefix, label."""


def markdown(results: list[FileResult]) -> list[str]:
    """The table recorded in bench/README.md (a "Keel DB" column when the database path ran)."""
    fields = [SHORT[name] for name in FIDELITY_FIELDS]
    with_database = any(r.database is not None or r.database_error for r in results)
    paths = [p for p in PATHS if with_database or p[0] != "database"]
    header = ["file", "leaf tasks"]
    for which, prefix, _ in paths:
        header += (
            [f"{prefix} all"]
            if which == "database"
            else [*(f"{prefix} {f}" for f in fields), f"{prefix} all"]
        )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for result in results:
        row = [result.name, str(result.leaf_tasks)]
        for which, _, _ in paths:
            cells = _cells(result.comparison(which))
            row += cells[-1:] if which == "database" else cells
        lines.append("| " + " | ".join(row) + " |")
    leaves = sum(r.leaf_tasks for r in results)
    compared = sum(r.values_compared for r in results)
    lines.append("")
    for which, _, label in paths:
        tasks = sum(r.tasks_matching(which) for r in results)
        values = sum(r.matching(which) for r in results)
        lines.append(
            f"- {label}: {tasks} of {leaves} leaf tasks ({100 * tasks / leaves:.1f} %) match in every field; "
            f"{values} of {compared} values ({100 * values / compared:.1f} %)."
        )
    for result in results:
        for which, error in (
            ("Keel", result.keel_error),
            ("Keel through the database", result.database_error),
            ("MPXJ", result.mpxj_error),
        ):
            if error:
                lines.append(f"- {result.name}: {which} could not schedule it: {error}")
    return lines


def as_json(results: list[FileResult], skipped: list[str]) -> dict[str, Any]:
    """The measurements as a JSON document."""
    paths = [which for which, _, _ in PATHS if which != "database" or any(r.database for r in results)]
    return {
        "fields": list(FIDELITY_FIELDS),
        "files": [
            {
                "file": r.name,
                "leaf_tasks": r.leaf_tasks,
                **{
                    which: comparison.as_dict()
                    if (comparison := r.comparison(which))
                    else {"error": getattr(r, f"{which}_error")}
                    for which in paths
                },
            }
            for r in results
        ],
        "skipped": skipped,
        "totals": {
            which: {
                "leaf_tasks": sum(r.leaf_tasks for r in results),
                "tasks_matching_every_field": sum(r.tasks_matching(which) for r in results),
                "values_compared": sum(r.values_compared for r in results),
                "values_matching": sum(r.matching(which) for r in results),
            }
            for which in paths
        },
    }


def main() -> int:
    """Measure every file and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR, help="Folder of MSPDI files.")
    parser.add_argument("--json", action="store_true", help="Print the measurements as JSON.")
    parser.add_argument("--differences", action="store_true", help="List every value that differs.")
    parser.add_argument(
        "--database",
        action="store_true",
        help="Also import every file into a scratch database and compare the schedule stored there.",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if not args.dir.is_dir():
        print(f"no such folder: {args.dir}", file=sys.stderr)
        return 2
    results: list[FileResult] = []
    skipped: list[str] = []
    database = Database() if args.database else None
    try:
        for path in project_files(args.dir):
            measured = measure(path, database)
            if measured is None:
                skipped.append(path.name)
            else:
                results.append(measured)
    finally:
        if database is not None:
            database.close()
    if args.json:
        print(json.dumps(as_json(results, skipped), indent=2))
    else:
        print("\n".join(markdown(results)))
        if skipped:
            print(f"- No leaf tasks (calendar samples), not compared: {', '.join(skipped)}.")
        if args.differences:
            for result in results:
                for which, comparison in (
                    ("Keel", result.keel),
                    ("Keel DB", result.database),
                    ("MPXJ", result.mpxj),
                ):
                    for difference in comparison.differences if comparison else ():
                        print(f"{result.name} [{which}] {difference.text()}")
    below = [r.name for r in results if r.matching("keel") < r.matching("mpxj")]
    if below:
        print(f"Keel matches fewer values than MPXJ's scheduler on: {', '.join(below)}", file=sys.stderr)
        return 1
    apart = [
        r.name
        for r in results
        if database is not None
        and (r.database is None or r.database.matching != (r.keel and r.keel.matching))
    ]
    if apart:
        print(f"The database path differs from keel schedule on: {', '.join(apart)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
