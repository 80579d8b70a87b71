#!/usr/bin/env python
"""Fidelity: how many leaf tasks Keel's engine and MPXJ's scheduler schedule as MS Project did.

For every MS Project XML file in DIR (default ../shared/data/mspdi beside the repository, with its
derived_from_mpp/ folder), the file is read through MPXJ and rescheduled twice from its project start:

* by Keel's engine (``read_project`` → ``to_engine`` → ``keel.engines.cpm.schedule``), and
* by MPXJ's own scheduler, ``org.mpxj.cpm.MicrosoftScheduler``, run through JPype on the file MPXJ read.

Each leaf task's early and late start and finish (compared in working time on the task's calendar,
as the golden tests do), total float (working minutes) and critical flag are compared with the values
MS Project stored in the file (``keel.interchange.compare``). A value the file does not store is not
compared. The table gives, per file and field, how many tasks match, and per scheduler the share of
leaf tasks that match in every field. A file MPXJ's scheduler refuses counts as no match for it.

    .venv/bin/python bench/fidelity.py [DIR] [--json] [--differences]

Exits non-zero when Keel matches fewer values than MPXJ's scheduler on any file.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
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

    def matching(self, which: str) -> int:
        """Values matched by one scheduler (0 when it could not run)."""
        comparison = self.keel if which == "keel" else self.mpxj
        return 0 if comparison is None else comparison.values_matching

    def tasks_matching(self, which: str) -> int:
        """Leaf tasks one scheduler matches in every field (0 when it could not run)."""
        comparison = self.keel if which == "keel" else self.mpxj
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


def measure(path: Path) -> FileResult | None:
    """Both schedulers against one file; None for a file without leaf tasks (nothing to schedule)."""
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
    return result


def _cells(comparison: Comparison | None) -> list[str]:
    """Per-field matches of one scheduler, then its tasks matching in every field."""
    if comparison is None:
        return ["—"] * (len(FIDELITY_FIELDS) + 1)
    return [str(comparison.matching[name]) for name in FIDELITY_FIELDS] + [
        f"**{comparison.tasks_matching_every_field}**"
    ]


def markdown(results: list[FileResult]) -> list[str]:
    """The table recorded in bench/README.md."""
    fields = [SHORT[name] for name in FIDELITY_FIELDS]
    header = [
        "file",
        "leaf tasks",
        *(f"Keel {f}" for f in fields),
        "Keel all",
        *(f"MPXJ {f}" for f in fields),
    ]
    header.append("MPXJ all")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for result in results:
        row = [result.name, str(result.leaf_tasks), *_cells(result.keel), *_cells(result.mpxj)]
        lines.append("| " + " | ".join(row) + " |")
    leaves = sum(r.leaf_tasks for r in results)
    compared = sum(r.values_compared for r in results)
    lines.append("")
    for which, label in (("keel", "Keel's engine"), ("mpxj", "MPXJ's MicrosoftScheduler")):
        tasks = sum(r.tasks_matching(which) for r in results)
        values = sum(r.matching(which) for r in results)
        lines.append(
            f"- {label}: {tasks} of {leaves} leaf tasks ({100 * tasks / leaves:.1f} %) match in every field; "
            f"{values} of {compared} values ({100 * values / compared:.1f} %)."
        )
    for result in results:
        for which, error in (("Keel", result.keel_error), ("MPXJ", result.mpxj_error)):
            if error:
                lines.append(f"- {result.name}: {which} could not schedule it: {error}")
    return lines


def as_json(results: list[FileResult], skipped: list[str]) -> dict[str, Any]:
    """The measurements as a JSON document."""
    return {
        "fields": list(FIDELITY_FIELDS),
        "files": [
            {
                "file": r.name,
                "leaf_tasks": r.leaf_tasks,
                "keel": r.keel.as_dict() if r.keel else {"error": r.keel_error},
                "mpxj": r.mpxj.as_dict() if r.mpxj else {"error": r.mpxj_error},
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
            for which in ("keel", "mpxj")
        },
    }


def main() -> int:
    """Measure every file and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR, help="Folder of MSPDI files.")
    parser.add_argument("--json", action="store_true", help="Print the measurements as JSON.")
    parser.add_argument("--differences", action="store_true", help="List every value that differs.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if not args.dir.is_dir():
        print(f"no such folder: {args.dir}", file=sys.stderr)
        return 2
    results: list[FileResult] = []
    skipped: list[str] = []
    for path in project_files(args.dir):
        measured = measure(path)
        if measured is None:
            skipped.append(path.name)
        else:
            results.append(measured)
    if args.json:
        print(json.dumps(as_json(results, skipped), indent=2))
    else:
        print("\n".join(markdown(results)))
        if skipped:
            print(f"- No leaf tasks (calendar samples), not compared: {', '.join(skipped)}.")
        if args.differences:
            for result in results:
                for which, comparison in (("Keel", result.keel), ("MPXJ", result.mpxj)):
                    for difference in comparison.differences if comparison else ():
                        print(f"{result.name} [{which}] {difference.text()}")
    below = [r.name for r in results if r.matching("keel") < r.matching("mpxj")]
    if below:
        print(f"Keel matches fewer values than MPXJ's scheduler on: {', '.join(below)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
