"""Timesheets: a person's hours per project or task and day, one sheet per ISO week, approved weekly.

A week's hours live on :class:`Timesheet` rows of one user and one week (the Monday): revision 0 is the
week's timesheet; a week that was approved is locked for good, and a change to it is a *correction*, a
new timesheet of the same week with the next revision whose adjustment lines (hours may be negative)
go through submission and approval again. Approved hours are therefore always the sum of the entries
of the approved timesheets, and nothing approved is ever edited in place.

Hours are ``Decimal`` with two places. A timesheet is a personal record: it is scoped by its owner and
by the projects its lines book on (see ``keel.timesheets.selectors``), not by one org unit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from keel.core.models import TimeStampedModel, VersionedModel
from keel.portfolio.models import Project
from keel.schedule.models import Task

MAX_DAY_HOURS = Decimal("24")
"""The most hours a person can book on one day, over all their lines and timesheets of the week."""


def monday(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def week_days(week: dt.date) -> list[dt.date]:
    """The seven days of the week starting on Monday `week`."""
    return [week + dt.timedelta(days=i) for i in range(7)]


class Timesheet(VersionedModel):
    """One person's hours of one ISO week (revision 0), or a correction of an approved week (1, 2, ...)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timesheets")
    week = models.DateField(help_text="The Monday of the ISO week.")
    revision = models.PositiveSmallIntegerField(
        default=0, help_text="0 for the week's timesheet; 1, 2, ... for corrections of an approved week."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, help_text="The approver's comment (required on rejection).")

    class Meta:
        ordering = ["-week", "user_id", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "week", "revision"], name="timesheets_one_sheet_per_revision"
            )
        ]
        indexes = [models.Index(fields=["status", "week"])]

    def __str__(self) -> str:
        label = f"Week of {self.week.isoformat()}" if self.week else "Timesheet"
        return f"{label} correction {self.revision}" if self.revision else label

    def clean(self) -> None:
        if self.week and self.week.weekday() != 0:
            raise ValidationError({"week": f"Give the Monday of the week ({monday(self.week).isoformat()})."})

    @property
    def is_correction(self) -> bool:
        """Whether this timesheet corrects an approved week."""
        return self.revision > 0

    @property
    def is_editable(self) -> bool:
        """Draft and rejected timesheets take changes; submitted ones wait, approved ones are locked."""
        return self.status in (self.Status.DRAFT, self.Status.REJECTED)

    @property
    def days(self) -> list[dt.date]:
        """The seven days of the week."""
        return week_days(self.week)

    def audit_scope(self) -> tuple[str, int | None]:
        """The owner's home unit (through their person resource), else the unit of their first role."""
        resource = getattr(self.user, "resource", None)
        if resource is not None:
            return resource.home_unit.path, None
        first = self.user.memberships.select_related("unit").order_by("pk").first()
        return (first.unit.path if first else ""), None


class TimesheetLine(VersionedModel):
    """A row of a timesheet: a project, optionally one of its tasks, and a note."""

    timesheet = models.ForeignKey(Timesheet, on_delete=models.CASCADE, related_name="lines")
    # Deleting a project deletes the hours booked on it (like its tasks); close a project with booked
    # hours instead. Deleting a task keeps its hours on the project.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="timesheet_lines")
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="timesheet_lines"
    )
    note = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["timesheet_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.task.name}" if self.task_id else self.project.code

    def clean(self) -> None:
        if self.task_id and self.project_id and self.task.project_id != self.project_id:
            raise ValidationError({"task": "The task belongs to another project."})

    def audit_scope(self) -> tuple[str, int | None]:
        """The project's unit and the project, so the line shows in the project's activity."""
        return self.project.org_unit.path, self.project_id


class TimesheetEntry(TimeStampedModel):
    """The hours of one line on one day (negative only on a correction, to take hours back)."""

    line = models.ForeignKey(TimesheetLine, on_delete=models.CASCADE, related_name="entries")
    date = models.DateField()
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(-MAX_DAY_HOURS), MaxValueValidator(MAX_DAY_HOURS)],
    )
    note = models.CharField(max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who last set these hours for the timesheet's owner (empty when the owner did).",
    )

    class Meta:
        ordering = ["line_id", "date"]
        constraints = [models.UniqueConstraint(fields=["line", "date"], name="timesheets_one_entry_per_day")]

    def __str__(self) -> str:
        return f"{self.hours} h on {self.date.isoformat()}"
