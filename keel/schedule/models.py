"""Project schedules: settings, tasks (the WBS), dependencies and baselines.

Units: durations, work, lags and floats are integer minutes — *working* minutes on the task's
calendar, or elapsed (24×7) minutes for an elapsed duration or lag; a percentage lag is whole percent
of the predecessor's duration. Datetimes are stored aware (UTC in the database) and mean the wall-clock
time of the project's org unit's time zone, in which the engine schedules.

Fields marked *computed* are written only by ``keel.schedule.services`` after every change that
affects the schedule (the CPM engine's results and the WBS numbering); they carry no version and are
left out of the audit trail.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from keel.core.models import TimeStampedModel, VersionedModel
from keel.orgs.models import Calendar
from keel.portfolio.models import Project

MAX_DURATION = 50 * 366 * 24 * 60
"""The longest duration, work or lag Keel accepts: fifty years of elapsed minutes."""

EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
"""Schedule dates lie in [EARLIEST, LATEST): the engine maps calendars day by day between them."""

MAX_SPLITS = 100
"""The most times a task's work may pause (MS Project's split bars)."""

BASELINE_NUMBERS = range(11)
"""Baseline 0 ("Baseline") and Baseline1..Baseline10, as MS Project numbers them."""


def splits_problem(splits: object, duration: int) -> str | None:
    """Why `splits` cannot be a task's splits, or None when they can.

    Splits are ``[offset, pause]`` pairs of whole minutes: the work stops after `offset` minutes of it
    (between 0 and the duration, increasing from one split to the next) and resumes `pause` minutes
    later (at least one minute).
    """
    if not isinstance(splits, list | tuple):
        return "Give the splits as a list of [offset, pause] pairs of whole minutes."
    if len(splits) > MAX_SPLITS:
        return f"A task's work can pause at most {MAX_SPLITS} times; {len(splits)} splits were given."
    previous = 0
    for number, pair in enumerate(splits, start=1):
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(value, int) and not isinstance(value, bool) for value in pair)
        ):
            return f"Split {number}: give it as [offset, pause], two whole numbers of minutes."
        offset, pause = pair
        if not 0 < offset < duration:
            return (
                f"Split {number}: the work must pause within the task's {duration} minutes of work "
                f"(after more than 0 and fewer than {duration} minutes), not after {offset}."
            )
        if offset <= previous:
            return (
                f"Split {number}: each pause comes after more work than the one before "
                f"({offset} minutes is not after {previous})."
            )
        if not 0 < pause <= MAX_DURATION:
            return f"Split {number}: the pause must last from 1 to {MAX_DURATION} minutes, not {pause}."
        previous = offset
    return None


def validate_schedule_date(value: dt.datetime | None) -> None:
    """Refuse dates outside the years a schedule can span (1900–2199)."""
    if value is not None and not EARLIEST <= value < LATEST:
        raise ValidationError("Use a date between 1900 and 2199.")


class DurationUnit(models.TextChoices):
    """How a duration is shown; the value is always held in minutes ("e" = elapsed, 24×7)."""

    MINUTES = "m", "minutes"
    HOURS = "h", "hours"
    DAYS = "d", "days"
    WEEKS = "w", "weeks"
    MONTHS = "mo", "months"
    ELAPSED_MINUTES = "em", "elapsed minutes"
    ELAPSED_HOURS = "eh", "elapsed hours"
    ELAPSED_DAYS = "ed", "elapsed days"
    ELAPSED_WEEKS = "ew", "elapsed weeks"
    ELAPSED_MONTHS = "emo", "elapsed months"


ELAPSED_UNITS = frozenset(
    {
        DurationUnit.ELAPSED_MINUTES,
        DurationUnit.ELAPSED_HOURS,
        DurationUnit.ELAPSED_DAYS,
        DurationUnit.ELAPSED_WEEKS,
        DurationUnit.ELAPSED_MONTHS,
    }
)


class ConstraintType(models.TextChoices):
    """Date constraints of a task (MS Project's eight)."""

    ASAP = "ASAP", "As soon as possible"
    ALAP = "ALAP", "As late as possible"
    SNET = "SNET", "Start no earlier than"
    SNLT = "SNLT", "Start no later than"
    FNET = "FNET", "Finish no earlier than"
    FNLT = "FNLT", "Finish no later than"
    MSO = "MSO", "Must start on"
    MFO = "MFO", "Must finish on"


DATED_CONSTRAINTS = frozenset(set(ConstraintType) - {ConstraintType.ASAP, ConstraintType.ALAP})


class EvMethod(models.TextChoices):
    """How a task's progress turns into earned value (the EV engine's methods)."""

    PHYSICAL = "physical", "Physical % complete"
    ZERO_HUNDRED = "0/100", "0/100 (earned at finish)"
    FIFTY_FIFTY = "50/50", "50/50 (half at start, half at finish)"
    MILESTONES = "milestones", "Weighted milestones (of its subtasks)"


class LinkType(models.TextChoices):
    """Dependency types."""

    FS = "FS", "Finish-to-start"
    SS = "SS", "Start-to-start"
    FF = "FF", "Finish-to-finish"
    SF = "SF", "Start-to-finish"


class LagUnit(models.TextChoices):
    """How a lag is counted."""

    WORKING = "working", "Working minutes"
    ELAPSED = "elapsed", "Elapsed minutes"
    PERCENT = "percent", "Percent of the predecessor's duration"


SCOPE_PATH = "project__org_unit__path"


class ProjectSchedule(VersionedModel):
    """A project's schedule settings and the summary of its last computation (one per project)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="schedule")
    calendar = models.ForeignKey(
        Calendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Leave empty to use the org unit's calendar.",
    )
    start = models.DateTimeField(
        validators=[validate_schedule_date], help_text="Tasks without predecessors start here."
    )
    status_date = models.DateTimeField(
        null=True,
        blank=True,
        validators=[validate_schedule_date],
        help_text="Remaining work is scheduled from this date.",
    )
    honor_constraints = models.BooleanField(
        default=True, help_text="Constraint dates win over links (MS Project's default)."
    )
    # Computed: the calendar's working minutes, the zone the dates are computed in, the last result.
    time_zone = models.CharField(max_length=64, blank=True, editable=False)
    minutes_per_day = models.PositiveIntegerField(default=480, editable=False)
    minutes_per_week = models.PositiveIntegerField(default=2400, editable=False)
    computed_start = models.DateTimeField(null=True, blank=True, editable=False)
    computed_finish = models.DateTimeField(null=True, blank=True, editable=False)
    computed_at = models.DateTimeField(null=True, blank=True, editable=False)
    task_count = models.PositiveIntegerField(default=0, editable=False)
    critical_count = models.PositiveIntegerField(default=0, editable=False)
    violation_count = models.PositiveIntegerField(default=0, editable=False)

    scope_path = SCOPE_PATH
    audit_exclude = (
        *VersionedModel.audit_exclude,
        "time_zone",
        "minutes_per_day",
        "minutes_per_week",
        "computed_start",
        "computed_finish",
        "computed_at",
        "task_count",
        "critical_count",
        "violation_count",
    )

    class Meta:
        ordering = ["project_id"]

    def __str__(self) -> str:
        return f"Schedule of {self.project.code}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


TASK_COMPUTED_FIELDS = (
    "sort_index",
    "outline_number",
    "outline_level",
    "is_summary",
    "start",
    "finish",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float_minutes",
    "free_float_minutes",
    "is_critical",
    "violations",
)
"""Fields of a task only computations write (they also renumber positions; summaries get roll-ups)."""

SUMMARY_ROLLUP_FIELDS = ("duration_minutes", "work_minutes", "cost", "percent_complete")
"""Fields a summary task takes from its subtasks."""


class Task(VersionedModel):
    """A task, summary task or milestone of a project's work breakdown structure."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    uid = models.PositiveIntegerField(
        validators=[MaxValueValidator(2**31 - 1)],
        help_text="Stable id within the project, used by links and by imported and exported files.",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveIntegerField(default=0, help_text="Order among the parent's subtasks, from 0.")
    name = models.CharField(max_length=255)
    notes = models.TextField(blank=True)
    wbs = models.CharField("WBS code", max_length=100, blank=True)
    is_milestone = models.BooleanField(default=False)
    duration_minutes = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(MAX_DURATION)],
        help_text="Working minutes (elapsed minutes for an elapsed unit).",
    )
    duration_unit = models.CharField(max_length=3, choices=DurationUnit.choices, default=DurationUnit.DAYS)
    elapsed = models.BooleanField(default=False, editable=False, help_text="Follows the duration unit.")
    work_minutes = models.PositiveBigIntegerField(
        default=0, validators=[MaxValueValidator(MAX_DURATION * 100)]
    )
    cost = models.DecimalField(
        max_digits=16, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    percent_complete = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    actual_start = models.DateTimeField(null=True, blank=True, validators=[validate_schedule_date])
    actual_finish = models.DateTimeField(null=True, blank=True, validators=[validate_schedule_date])
    manual_start = models.DateTimeField(
        null=True,
        blank=True,
        validators=[validate_schedule_date],
        help_text="Manually scheduled: the task stays at this start whatever its links say.",
    )
    constraint_type = models.CharField(
        max_length=4, choices=ConstraintType.choices, default=ConstraintType.ASAP
    )
    constraint_date = models.DateTimeField(null=True, blank=True, validators=[validate_schedule_date])
    deadline = models.DateTimeField(null=True, blank=True, validators=[validate_schedule_date])
    calendar = models.ForeignKey(
        Calendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Leave empty to use the project's calendar.",
    )
    leveling_delay_minutes = models.PositiveBigIntegerField(
        default=0,
        validators=[MaxValueValidator(MAX_DURATION)],
        help_text="Working minutes by which resource leveling holds the task after the start its links "
        "and constraints allow (elapsed minutes for an elapsed task); its successors follow.",
    )

    splits = models.JSONField(
        default=list,
        blank=True,
        help_text="Where the task's work pauses: [offset, pause] pairs in working minutes of the task "
        "(the CPM engine's Task.splits); empty when the work is one stretch.",
    )
    ev_method = models.CharField(
        "earned value method", max_length=12, choices=EvMethod.choices, default=EvMethod.PHYSICAL
    )
    ev_weight = models.DecimalField(
        "earned value weight",
        max_digits=9,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="A milestone's weight in its summary task's earned value (weighted milestones method).",
    )

    # Computed: the WBS numbering and the engine's results.
    sort_index = models.PositiveIntegerField(default=0, editable=False, help_text="Row in WBS order, from 0.")
    outline_number = models.CharField(max_length=200, blank=True, editable=False)
    outline_level = models.PositiveSmallIntegerField(default=1, editable=False)
    is_summary = models.BooleanField(default=False, editable=False)
    start = models.DateTimeField(null=True, blank=True, editable=False)
    finish = models.DateTimeField(null=True, blank=True, editable=False)
    early_start = models.DateTimeField(null=True, blank=True, editable=False)
    early_finish = models.DateTimeField(null=True, blank=True, editable=False)
    late_start = models.DateTimeField(null=True, blank=True, editable=False)
    late_finish = models.DateTimeField(null=True, blank=True, editable=False)
    total_float_minutes = models.BigIntegerField(null=True, blank=True, editable=False)
    free_float_minutes = models.BigIntegerField(null=True, blank=True, editable=False)
    is_critical = models.BooleanField(default=False, editable=False)
    violations = models.JSONField(default=list, blank=True, editable=False)

    scope_path = SCOPE_PATH
    audit_exclude = (*VersionedModel.audit_exclude, *TASK_COMPUTED_FIELDS, "elapsed")

    class Meta:
        ordering = ["project_id", "sort_index"]
        constraints = [models.UniqueConstraint(fields=["project", "uid"], name="schedule_task_unique_uid")]
        indexes = [
            models.Index(fields=["project", "sort_index"]),
            models.Index(fields=["is_milestone", "finish"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Keep derived inputs consistent and refuse contradictory progress and constraints."""
        self.elapsed = self.duration_unit in ELAPSED_UNITS
        errors: dict[str, str] = {}
        if self.constraint_type in DATED_CONSTRAINTS:
            if self.constraint_date is None:
                label = ConstraintType(self.constraint_type).label.lower()
                errors["constraint_date"] = f"A '{label}' constraint needs a date."
        else:
            # As soon / as late as possible take no date: drop a leftover one rather than refuse it.
            self.constraint_date = None
        problem = None if self.splits == [] else splits_problem(self.splits, self.duration_minutes)
        if problem is not None:
            errors["splits"] = problem
        else:
            self.splits = [[offset, pause] for offset, pause in self.splits]
        if self.actual_finish is not None:
            if self.actual_start is None:
                errors["actual_start"] = "A task with an actual finish needs an actual start."
            elif self.actual_finish < self.actual_start:
                errors["actual_finish"] = "The actual finish is before the actual start."
            # A task that has finished is complete (as MS Project does).
            self.percent_complete = 100
        if errors:
            raise ValidationError(errors)

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


class Dependency(VersionedModel):
    """A link between two tasks of one project: the successor follows the predecessor."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="dependencies")
    predecessor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="predecessor_links")
    type = models.CharField(max_length=2, choices=LinkType.choices, default=LinkType.FS)
    lag = models.IntegerField(
        default=0,
        validators=[MinValueValidator(-MAX_DURATION), MaxValueValidator(MAX_DURATION)],
        help_text="Minutes (working or elapsed) or percent, per the lag unit; negative for a lead.",
    )
    lag_unit = models.CharField(max_length=10, choices=LagUnit.choices, default=LagUnit.WORKING)

    scope_path = SCOPE_PATH

    class Meta:
        ordering = ["project_id", "pk"]
        verbose_name_plural = "dependencies"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="schedule_dependency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} {self.type} {self.successor_id}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


class Baseline(TimeStampedModel):
    """A saved copy of a project's planned dates and amounts (Baseline, Baseline1–10)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="baselines")
    number = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(BASELINE_NUMBERS[-1])],
        help_text="0 is 'Baseline', 1–10 'Baseline1–10'.",
    )
    name = models.CharField(max_length=100, blank=True)
    saved_at = models.DateTimeField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_path = SCOPE_PATH

    class Meta:
        ordering = ["project_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="schedule_baseline_unique_number")
        ]

    def __str__(self) -> str:
        return self.name or default_baseline_name(self.number)

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


class TaskProgress(models.Model):
    """A leaf task's % complete as it stood at the end of a day (the project's time zone), by uid.

    Written by the schedule services whenever a leaf task's % complete changes (edits and imports),
    one row per task and day. Earned value at a past status date reads the last row on or before it;
    before a task's first row it stood at that row's ``previous_percent``. Rows are kept by uid, so an
    imported schedule that replaces its tasks continues their history.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    uid = models.PositiveIntegerField()
    day = models.DateField()
    percent_complete = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    previous_percent = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)], help_text="The % complete before this day's change."
    )
    recorded_at = models.DateTimeField()

    scope_path = SCOPE_PATH

    class Meta:
        ordering = ["project_id", "uid", "day"]
        constraints = [
            models.UniqueConstraint(fields=["project", "uid", "day"], name="schedule_taskprogress_one_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.uid} {self.percent_complete}% on {self.day}"


def default_baseline_name(number: int) -> str:
    """MS Project's name of baseline `number`: "Baseline", then "Baseline1".."Baseline10"."""
    return "Baseline" if number == 0 else f"Baseline{number}"


class BaselineTask(models.Model):
    """One task's values in a baseline; kept (by uid and name) when the task is later deleted."""

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="tasks")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uid = models.PositiveIntegerField()
    name = models.CharField(max_length=255)
    start = models.DateTimeField(null=True, blank=True)
    finish = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(default=0)
    work_minutes = models.PositiveBigIntegerField(default=0)
    cost = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))

    scope_path = "baseline__project__org_unit__path"

    class Meta:
        ordering = ["baseline_id", "uid"]
        constraints = [
            models.UniqueConstraint(fields=["baseline", "uid"], name="schedule_baselinetask_unique_uid")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.baseline})"


class ImportJob(TimeStampedModel):
    """A project file being imported in the background: its progress, then what came in or why not.

    Scoped by the org unit the project is imported into; the project exists only once the job has
    succeeded (the import is one transaction), so a failed job leaves none behind.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    upload = models.CharField(
        max_length=500,
        blank=True,
        help_text="The uploaded file, relative to the media folder, until imported.",
    )
    code = models.CharField(
        max_length=30, blank=True, help_text="Project code asked for (empty: from the file)."
    )
    name = models.CharField(
        max_length=200, blank=True, help_text="Project name asked for (empty: from the file)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    stage = models.CharField(max_length=255, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope_path = "org_unit__path"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import of {self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        """Whether the job is over, one way or the other."""
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
