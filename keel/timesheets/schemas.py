"""API shapes of timesheets: weeks, lines with hours per day, decisions, approved hours.

Hours are decimals with up to two places, sent as JSON numbers or strings ("7.5"); days are ISO dates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import WithJsonSchema

from keel.core.api import Id, InputSchema, Text
from keel.orgs.schemas import UserRef
from keel.schedule.schemas import ProjectRef, TaskRef

VERSION = Field(None, ge=1, le=2**31, description="The version you edited (alternative to If-Match)")

# Up to 24 hours, two decimals; negative only on a correction (hours taken back).
Hours = Annotated[
    Decimal,
    Field(ge=-24, le=24, max_digits=4, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": -24, "maximum": 24, "multipleOf": 0.01},
                {"type": "string", "pattern": r"^-?[0-9]{1,2}(\.[0-9]{1,2})?$"},
            ]
        }
    ),
]
Note = Annotated[Text, Field(max_length=500)]
Comment = Annotated[Text, Field(max_length=2000)]
Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2199, 12, 31))]


class EntryOut(Schema):
    """The hours of a line on one day."""

    date: dt.date
    hours: Decimal


class LineOut(Schema):
    """A line of a timesheet: a project, optionally a task, its note and its hours per day."""

    id: int
    project: ProjectRef
    task: TaskRef | None
    note: str
    entries: list[EntryOut]
    total: Decimal


class TimesheetOut(Schema):
    """A timesheet: one person's week (revision 0) or a correction of it (1, 2, ...)."""

    id: int
    user: UserRef
    week: dt.date = Field(..., description="The Monday of the ISO week")
    revision: int = Field(..., description="0 for the week's timesheet; 1, 2, ... for corrections")
    status: str = Field(..., description="draft, submitted, approved or rejected")
    submitted_at: dt.datetime | None
    decided_by: UserRef | None
    decided_at: dt.datetime | None
    comment: str
    version: int


class TimesheetDetailOut(TimesheetOut):
    """A timesheet with the lines the reader may see and its totals per day."""

    lines: list[LineOut]
    day_totals: list[Decimal] = Field(..., description="Hours per day, Monday first")
    total: Decimal
    hidden_lines: int = Field(..., description="Lines on projects outside the reader's scope, not shown")
    entered_by: list[str] = Field(
        ..., description="The people who entered some of these hours for the owner (by import), by name"
    )


class WeekOpenIn(InputSchema):
    """The week to open: any day of it (default: this week)."""

    week: Day | None = None


class EntryIn(InputSchema):
    """Hours of one line on one day: name the line by `line`, or by `project` (and `task`) to add it."""

    line: Id | None = None
    project: Id | None = None
    task: Id | None = None
    date: Day
    hours: Hours | None = Field(None, description="Empty or 0 removes the entry")
    note: Note | None = None


class EntriesIn(InputSchema):
    """Hours to set on the timesheet, all or nothing."""

    entries: list[EntryIn] = Field(default_factory=list, max_length=500)
    version: int | None = VERSION


class LineCreateIn(InputSchema):
    """A new line (optional: lines are added by `entries` too)."""

    project: Id | None = None
    task: Id | None = None
    note: Note = ""


class CopyIn(InputSchema):
    """Copy last week's lines (all of them, or the one named by `line`) with their hours."""

    line: Id | None = Field(None, description="A line of your timesheet of last week")
    version: int | None = VERSION


class DecisionIn(InputSchema):
    """An approval or a rejection (a rejection needs a comment)."""

    comment: Comment = ""
    version: int | None = VERSION


class ActionIn(InputSchema):
    """A state change naming the version it was made against."""

    version: int | None = VERSION


class ApprovalOut(TimesheetOut):
    """A timesheet waiting for the reader's decision, with its hours."""

    total_hours: Decimal | None


def lines_answer(view: Any) -> list[dict[str, Any]]:
    """The grid rows of a sheet view as API lines."""
    return [
        {
            "id": row.line.pk,
            "project": row.project,
            "task": row.task,
            "note": row.note,
            "entries": [
                {"date": day, "hours": hours}
                for day, hours in zip(view.days, row.hours, strict=True)
                if hours is not None
            ],
            "total": row.total,
        }
        for row in view.rows
        if row.line is not None
    ]


class TimesheetImportOut(Schema):
    """How many rows of an imported file went into your timesheets."""

    created: int
