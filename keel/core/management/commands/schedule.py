"""`keel schedule FILE`: schedule a project file with Keel's engine, without touching the database."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keel.engines import cpm
from keel.interchange import compare as comparing
from keel.interchange.model import InterchangeError, InterchangeProject, to_engine
from keel.interchange.mpxj import read_project

EXIT_UNREADABLE = 2
"""Exit status when the file cannot be read or scheduled (or there is no Java runtime)."""


def _iso(value: datetime) -> str:
    """A naive local datetime in ISO 8601, as project files write them."""
    return value.isoformat()


def _one_line(error: Exception) -> str:
    """An error's message on one line (Java's messages may span several)."""
    return " ".join(str(error).split())


def task_rows(project: InterchangeProject, result: cpm.Schedule) -> list[dict[str, Any]]:
    """Every task of the file (summaries too, flagged) with Keel's computed schedule, in file order."""
    rows = []
    for task in project.tasks:
        computed = result.tasks[str(task.uid)]
        rows.append(
            {
                "uid": task.uid,
                "name": task.name,
                "summary": task.summary,
                "early_start": _iso(computed.early_start),
                "early_finish": _iso(computed.early_finish),
                "late_start": _iso(computed.late_start),
                "late_finish": _iso(computed.late_finish),
                "total_float": computed.total_float,
                "free_float": computed.free_float,
                "critical": computed.critical,
            }
        )
    return rows


class Command(BaseCommand):
    """Read a project file, schedule it with Keel's CPM engine and print the result; writes nothing."""

    help = (
        "Schedule a project file (MS Project .mpp/.xml, Primavera .xer/P6 XML, ...) with Keel's engine and "
        "print every task's early and late dates, floats (working minutes) and critical flag. With "
        "--compare, count per field how many leaf tasks match the values stored in the file. The "
        "database is not used."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The project file.")
        parser.add_argument("--json", action="store_true", help='Print JSON: {"tasks": [...]}.')
        parser.add_argument(
            "--compare",
            action="store_true",
            help="Compare with the schedule stored in the file (dates in working time) and list what differs.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            project = read_project(options["file"])
        except InterchangeError as error:  # the message names the file (or the missing Java) and why
            raise CommandError(_one_line(error), returncode=EXIT_UNREADABLE) from error
        try:
            result = cpm.schedule(to_engine(project))
        except (InterchangeError, cpm.ScheduleError) as error:
            raise CommandError(
                f"{options['file']}: Keel cannot schedule it: {_one_line(error)}", returncode=EXIT_UNREADABLE
            ) from error
        comparison = comparing.compare(project, result.tasks) if options["compare"] else None
        rows = task_rows(project, result)
        if options["json"]:
            document: dict[str, Any] = {
                "project": {
                    "name": project.name,
                    "format": project.source_format,
                    "start": _iso(result.start),
                    "finish": _iso(result.finish),
                },
                "tasks": rows,
            }
            if comparison is not None:
                document["compare"] = comparison.as_dict()
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        self._table(project, result, rows)
        if comparison is not None:
            self.stdout.write("")
            for line in comparison.lines():
                self.stdout.write(line)

    def _table(self, project: InterchangeProject, result: cpm.Schedule, rows: list[dict[str, Any]]) -> None:
        """The schedule as a plain table, dates to the minute, floats in working minutes."""
        self.stdout.write(
            f"{project.name} ({project.source_format}): {len(rows)} tasks, "
            f"from {result.start:%Y-%m-%d %H:%M} to {result.finish:%Y-%m-%d %H:%M}"
        )
        width = min(40, max((len(row["name"]) + 2 * row["summary"] for row in rows), default=4))
        header = (
            f"{'UID':>6}  {'Name':<{width}}  {'Early start':<16}  {'Early finish':<16}  "
            f"{'Late start':<16}  {'Late finish':<16}  {'Total float':>11}  {'Free float':>10}  Critical"
        )
        self.stdout.write(header)
        for row in rows:
            name = ("▸ " if row["summary"] else "") + row["name"]
            dates = "  ".join(
                row[key].replace("T", " ")[:16]
                for key in ("early_start", "early_finish", "late_start", "late_finish")
            )
            self.stdout.write(
                f"{row['uid']:>6}  {name[:width]:<{width}}  {dates}  {row['total_float']:>11}  "
                f"{row['free_float']:>10}  {'yes' if row['critical'] else 'no'}"
            )
