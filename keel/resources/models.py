"""Resources: pools, people, generic roles, equipment and cost resources; their skills, rates and
leave; task assignments; project allocations by week with a request/approve flow; leveling runs.

A pool belongs to an org unit and is scoped by it; the PMO may share a pool with other units,
whose people then see (not change) its resources (`scope_shared_path`, read by the scoping layer).
Assignments and allocations belong to projects and are scoped by the project's unit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from keel.core.models import TimeStampedModel, VersionedModel
from keel.orgs.models import Calendar, Location, OrgUnit, Role, code_validator, currency_validator
from keel.portfolio.models import Project
from keel.schedule.models import Task

POOL_ROLES = {"change": {Role.PMO_ADMIN, Role.RESOURCE_MANAGER}}
MAX_UNITS = 10_000  # percent: 100 = one full-time person; equipment may stand for many units


class ResourcePool(VersionedModel):
    """The resources an org unit manages; shared with other units when the PMO grants it."""

    code = models.CharField(max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="resource_pools")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_pools",
        help_text="The resource manager who approves allocation requests.",
    )
    shared_with = models.ManyToManyField(
        OrgUnit,
        blank=True,
        related_name="shared_resource_pools",
        help_text="Units (with their subtrees) whose people may see and request this pool's resources.",
    )

    scope_path = "org_unit__path"
    scope_shared_path = "shared_with__path"
    scope_roles = POOL_ROLES

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.org_unit.path, None


class Skill(VersionedModel):
    """A skill in the catalogue (e.g. "Python", "Structural engineering"), kept by an org unit's PMO.

    The catalogue is layered: a skill defined by a unit is offered to that unit's subtree and seen by
    the units above it, so the central PMO's skills are everyone's and a division's stay its own.
    """

    name = models.CharField(max_length=100, unique=True)
    category = models.CharField(max_length=100, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="skills",
        help_text="The unit whose PMO keeps this skill; its subtree may use it.",
    )

    scope_path = "org_unit__path"
    # Seen from above (the unit's own subtree) and from below (units under it inherit the catalogue).
    scope_shared_path = "org_unit__path"
    scope_roles = {"change": {Role.PMO_ADMIN}}

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.org_unit.path, None


class Resource(VersionedModel):
    """A person, a generic role, a piece of equipment or a cost item that work can be assigned to."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ROLE = "role", "Generic role"
        EQUIPMENT = "equipment", "Equipment"
        COST = "cost", "Cost"

    pool = models.ForeignKey(ResourcePool, on_delete=models.PROTECT, related_name="resources")
    code = models.CharField(max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSON)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resource",
        help_text="The Keel user this person signs in as, if any.",
    )
    role = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"kind": "role"},
        help_text="The generic role this person fills (for role capacity and demand).",
    )
    home_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="home_resources",
        help_text="The org unit the resource belongs to; within the pool's unit.",
    )
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        help_text="Leave empty to use the home unit's location.",
    )
    calendar = models.ForeignKey(
        Calendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        help_text="Leave empty to use the home unit's calendar (with its holidays).",
    )
    max_units = models.PositiveIntegerField(
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_UNITS)],
        help_text="Availability in percent: 100 full time, 50 half time; a role or equipment may exceed 100.",
    )
    email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    scope_path = "pool__org_unit__path"
    scope_shared_path = "pool__shared_with__path"
    scope_roles = POOL_ROLES

    class Meta:
        ordering = ["name", "code"]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.pool.org_unit.path, None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.pool_id and self.home_unit_id:
            pool_path = self.pool.org_unit.path
            if not self.home_unit.path.startswith(pool_path):
                errors["home_unit"] = "The home unit must be the pool's unit or one of its sub-units."
        if self.role_id:
            if self.kind != self.Kind.PERSON:
                errors["role"] = "Only a person fills a generic role."
            elif self.role.kind != self.Kind.ROLE:
                errors["role"] = "Choose a resource of kind 'generic role'."
        if self.user_id and self.kind != self.Kind.PERSON:
            errors["user"] = "Only a person can be linked to a user."
        if errors:
            raise ValidationError(errors)


class ResourceSkill(models.Model):
    """A resource's skill at a level from 1 (basic) to 5 (expert)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="holders")
    level = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    scope_path = "resource__pool__org_unit__path"
    scope_shared_path = "resource__pool__shared_with__path"
    scope_roles = POOL_ROLES

    class Meta:
        ordering = ["resource_id", "skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "skill"], name="resources_skill_once_per_resource")
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.level})"

    def audit_scope(self) -> tuple[str, int | None]:
        return self.resource.pool.org_unit.path, None


class CostRate(VersionedModel):
    """A resource's rates from a date on: per hour of work (standard, overtime) and per use."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="rates")
    effective_from = models.DateField()
    standard_rate = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))], help_text="Per hour"
    )
    overtime_rate = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Per hour",
    )
    cost_per_use = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(max_length=3, validators=[currency_validator])

    scope_path = "resource__pool__org_unit__path"
    scope_shared_path = "resource__pool__shared_with__path"
    scope_roles = POOL_ROLES

    class Meta:
        ordering = ["resource_id", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "effective_from"], name="resources_one_rate_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.standard_rate} {self.currency}/h from {self.effective_from}"

    def audit_scope(self) -> tuple[str, int | None]:
        return self.resource.pool.org_unit.path, None


class ResourceLeave(VersionedModel):
    """Time a resource is not available (leave, training, ...), whole days, in part or in full."""

    class Kind(models.TextChoices):
        LEAVE = "leave", "Leave"
        TRAINING = "training", "Training"
        SICK = "sick", "Sick leave"
        OTHER = "other", "Other"

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="leaves")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LEAVE)
    start_date = models.DateField()
    end_date = models.DateField()
    percent = models.PositiveSmallIntegerField(
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Share of the working time taken: 100 for whole days off.",
    )
    note = models.CharField(max_length=200, blank=True)

    scope_path = "resource__pool__org_unit__path"
    scope_shared_path = "resource__pool__shared_with__path"
    scope_roles = POOL_ROLES

    class Meta:
        ordering = ["resource_id", "start_date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date}–{self.end_date}"

    def audit_scope(self) -> tuple[str, int | None]:
        return self.resource.pool.org_unit.path, None

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The leave ends before it starts."})


class Assignment(VersionedModel):
    """A resource working on a task: units (percent of the resource's time), work and cost."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="assignments")
    units = models.PositiveIntegerField(
        default=100,
        validators=[MaxValueValidator(MAX_UNITS)],
        help_text="Percent of the resource's time while the task runs: 100 = full time.",
    )
    work_minutes = models.PositiveBigIntegerField(default=0, help_text="Planned work in minutes.")
    actual_work_minutes = models.PositiveBigIntegerField(default=0)
    cost = models.DecimalField(
        max_digits=16, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    uid = models.PositiveIntegerField(null=True, blank=True, help_text="Id in the imported project file.")

    scope_path = "task__project__org_unit__path"

    class Meta:
        ordering = ["task_id", "resource__name"]
        constraints = [
            models.UniqueConstraint(fields=["task", "resource"], name="resources_assign_once_per_task")
        ]

    def __str__(self) -> str:
        return f"{self.resource} on {self.task} ({self.units}%)"

    @property
    def remaining_work_minutes(self) -> int:
        """Planned work not yet done: planned minus actual work (from approved timesheets), never below 0."""
        return max(0, self.work_minutes - self.actual_work_minutes)

    def audit_scope(self) -> tuple[str, int | None]:
        return self.task.project.org_unit.path, self.task.project_id


def monday(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


class Allocation(VersionedModel):
    """Hours per week of a person or role for a project over a span of weeks, requested and approved.

    For planning before tasks exist, or for work outside the schedule. The project manager requests;
    the resource's pool manager (or a PMO administrator over the pool) approves or rejects.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="allocations")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="allocations")
    start_week = models.DateField(help_text="The Monday of the first week.")
    end_week = models.DateField(help_text="The Monday of the last week.")
    hours_per_week = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("168"))],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    note = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    scope_path = "project__org_unit__path"

    class Meta:
        ordering = ["start_week", "id"]

    def __str__(self) -> str:
        return f"{self.resource} for {self.project}: {self.hours_per_week} h/week"

    def audit_scope(self) -> tuple[str, int | None]:
        return self.project.org_unit.path, self.project_id

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name in ("start_week", "end_week"):
            value = getattr(self, name)
            if value and value.weekday() != 0:
                errors[name] = f"Give the Monday of the week ({monday(value).isoformat()})."
        if self.start_week and self.end_week and self.end_week < self.start_week:
            errors["end_week"] = "The last week comes before the first."
        if self.resource_id and self.resource.kind not in (Resource.Kind.PERSON, Resource.Kind.ROLE):
            errors["resource"] = "Allocate a person or a generic role."
        if errors:
            raise ValidationError(errors)


class LevelingRun(TimeStampedModel):
    """One "level resources" of a project or of the projects sharing a pool: before, after, undo.

    ``result`` holds, per task, the start and finish before and after and the leveling delay
    applied, so the run can be shown and undone.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        APPLIED = "applied", "Applied"
        UNDONE = "undone", "Undone"
        FAILED = "failed", "Failed"

    class Mode(models.TextChoices):
        HEURISTIC = "heuristic", "Heuristic (fast)"
        OPTIMAL = "optimal", "Optimizing (CP-SAT)"

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="leveling_runs"
    )
    pool = models.ForeignKey(
        ResourcePool, null=True, blank=True, on_delete=models.CASCADE, related_name="leveling_runs"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.HEURISTIC)
    time_limit = models.PositiveSmallIntegerField(default=10, help_text="Seconds, for the optimizing mode.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    proven_optimal = models.BooleanField(default=False)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_path = "org_unit__path"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        target = self.project or self.pool
        return f"Leveling of {target} ({self.get_status_display()})"

    def audit_scope(self) -> tuple[str, int | None]:
        return self.org_unit.path, self.project_id
