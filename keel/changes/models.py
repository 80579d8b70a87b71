"""Change requests with their impact on scope, schedule, cost and risk; approval by authority levels.

A change request belongs to one project and is scoped like it. It moves draft → submitted →
approved / rejected / withdrawn; decided and withdrawn changes stay on record. While it is a draft it
carries proposed edits: schedule edits (a new duration for an existing task, or a new task after a
predecessor) and budget edits (an amount added to — or, negative, taken from — a cost category in a
period). Keel computes their impact on a copy of the schedule and budget; approval applies them.

The PMO sets authority levels per org unit (:class:`ChangeAuthority`, inherited down the unit tree
like the RAID settings): an ordered list of (max cost, max slip in working days, approver role,
self-approval allowed); the first level a change fits decides who may approve it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from keel.core.models import VersionedModel
from keel.finance.models import CostCategory, validate_period_start
from keel.governance.models import Risk
from keel.orgs.models import OrgUnit, Role
from keel.portfolio.models import Project
from keel.schedule.models import Task

SCOPE_PATH = "project__org_unit__path"
MONEY_LIMIT = Decimal("99999999999999.99")
MAX_LEVELS = 10
# The roles that may approve a change: those allowed to change budgets and schedules.
APPROVER_ROLES = (Role.PROJECT_MANAGER, Role.PORTFOLIO_MANAGER, Role.PMO_ADMIN)
DEFAULT_LEVELS = [
    {
        "max_cost": "10000",
        "max_slip_days": 5,
        "approver_role": Role.PORTFOLIO_MANAGER.value,
        "self_approval": False,
    },
    {"max_cost": None, "max_slip_days": None, "approver_role": Role.PMO_ADMIN.value, "self_approval": False},
]


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidOperation
    return Decimal(str(value))


def clean_levels(value: object) -> list[dict]:
    """The authority levels as stored: a list of dicts with every key, amounts as text; errors name `levels`."""
    if not isinstance(value, list) or not value:
        raise ValidationError({"levels": "Give at least one authority level."})
    if len(value) > MAX_LEVELS:
        raise ValidationError({"levels": f"Give at most {MAX_LEVELS} authority levels."})
    roles = {str(r.value) for r in APPROVER_ROLES}
    result = []
    for number, level in enumerate(value, start=1):
        where = f"Level {number}"
        if not isinstance(level, dict):
            raise ValidationError({"levels": f"{where}: give max_cost, max_slip_days and approver_role."})
        unknown = set(level) - {"max_cost", "max_slip_days", "approver_role", "self_approval"}
        if unknown:
            raise ValidationError({"levels": f"{where}: unknown field {sorted(unknown)[0]!r}."})
        try:
            cost = _decimal(level.get("max_cost"))
        except (InvalidOperation, ValueError, TypeError):
            raise ValidationError({"levels": f"{where}: max_cost must be an amount such as 10000."}) from None
        if cost is not None and (not cost.is_finite() or cost < 0 or cost > MONEY_LIMIT):
            raise ValidationError({"levels": f"{where}: max_cost must be an amount from 0 to {MONEY_LIMIT}."})
        slip = level.get("max_slip_days")
        if slip is not None and (
            isinstance(slip, bool) or not isinstance(slip, int) or not 0 <= slip <= 10000
        ):
            raise ValidationError(
                {"levels": f"{where}: max_slip_days must be a whole number from 0 to 10000."}
            )
        role = level.get("approver_role")
        if role not in roles:
            raise ValidationError(
                {"levels": f"{where}: approver_role must be one of {', '.join(sorted(roles))}."}
            )
        self_approval = level.get("self_approval", False)
        if not isinstance(self_approval, bool):
            raise ValidationError({"levels": f"{where}: self_approval must be true or false."})
        result.append(
            {
                "max_cost": None if cost is None else str(cost.quantize(Decimal("0.01"))),
                "max_slip_days": slip,
                "approver_role": role,
                "self_approval": self_approval,
            }
        )
    return result


class ChangeAuthority(VersionedModel):
    """The PMO's authority levels for an org unit and its subtree (the nearest unit's levels apply)."""

    org_unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="change_authority")
    levels = models.JSONField(default=list)

    scope_path = "org_unit__path"
    scope_roles = {"change": {Role.PMO_ADMIN}}

    class Meta:
        verbose_name = "change authority"
        verbose_name_plural = "change authorities"

    def __str__(self) -> str:
        return f"Change authority of {self.org_unit.code}"

    def clean(self) -> None:
        self.levels = clean_levels(self.levels)

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.org_unit.path, None


class ChangeRequest(VersionedModel):
    """A request to change a project's scope, schedule, cost or risk, with its decision."""

    PREFIX = "CR"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Category(models.TextChoices):
        SCOPE = "scope", "Scope"
        SCHEDULE = "schedule", "Schedule"
        COST = "cost", "Cost"
        QUALITY = "quality", "Quality"
        RESOURCES = "resources", "Resources"
        REGULATORY = "regulatory", "Regulatory"
        OTHER = "other", "Other"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="change_requests")
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    reason = models.TextField(blank=True, help_text="Why the change is needed")
    category = models.CharField(max_length=12, choices=Category.choices, default=Category.SCOPE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scope_impact = models.TextField(blank=True, help_text="What is added, removed or changed in scope")
    schedule_days = models.IntegerField(
        null=True,
        blank=True,
        help_text="Estimated slip in working days when no schedule edit is proposed",
    )
    new_finish = models.DateField(null=True, blank=True, help_text="Estimated new finish, if known")
    risk_impact = models.TextField(blank=True)
    risk = models.ForeignKey(Risk, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    approver_role = models.CharField(
        max_length=20, choices=Role.choices, blank=True, help_text="Who may decide (set on submission)"
    )
    # The impact computed at submission and at approval (finish before/after, slip, cost, critical path).
    impact = models.JSONField(default=dict, blank=True)

    scope_path = SCOPE_PATH

    class Meta:
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="change_number_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """The per-project reference, e.g. CR-001."""
        return f"{self.PREFIX}-{self.number:03d}" if self.number else f"{self.PREFIX}-new"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_open(self) -> bool:
        """Still to be decided: a draft or a submitted change."""
        return self.status in (self.Status.DRAFT, self.Status.SUBMITTED)

    def get_absolute_url(self) -> str:
        """The change request's page."""
        return reverse("changes:detail", args=[self.pk])

    def clean(self) -> None:
        if not (self.title or "").strip():
            raise ValidationError({"title": "Give the change a title."})
        if self.schedule_days is not None and not -10000 <= self.schedule_days <= 10000:
            raise ValidationError({"schedule_days": "Give a slip from -10000 to 10000 working days."})
        if self.risk_id is not None and self.risk.project_id != self.project_id:
            raise ValidationError({"risk": "Link a risk of this project."})

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


class TaskEdit(VersionedModel):
    """A proposed schedule edit: a new duration of an existing task, or a new task after a predecessor."""

    class Kind(models.TextChoices):
        DURATION = "duration", "Change a task's duration"
        NEW_TASK = "new_task", "Add a task"

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="task_edits")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    task = models.ForeignKey(
        Task,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The task to change",
    )
    name = models.CharField(max_length=255, blank=True, help_text="The new task's name")
    predecessor = models.ForeignKey(
        Task,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The new task follows it",
    )
    duration_days = models.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    scope_path = "change__project__org_unit__path"

    class Meta:
        ordering = ["change", "id"]

    def __str__(self) -> str:
        if self.kind == self.Kind.DURATION and self.task_id:
            return f"{self.task.name}: {self.duration_days} days"
        return f"New task {self.name}: {self.duration_days} days"

    def clean(self) -> None:
        project_id = self.change.project_id
        if self.duration_days is not None and not Decimal("0") <= self.duration_days <= Decimal("100000"):
            raise ValidationError({"duration_days": "Give a duration from 0 to 100000 working days."})
        if self.kind == self.Kind.DURATION:
            if self.task_id is None:
                raise ValidationError({"task": "Choose the task whose duration changes."})
            if self.task.project_id != project_id:
                raise ValidationError({"task": "Choose a task of this project."})
            if self.task.is_summary:
                raise ValidationError({"task": f"'{self.task.name}' is a summary task: change its subtasks."})
            self.name = ""
            self.predecessor = None
        elif self.kind == self.Kind.NEW_TASK:
            if not (self.name or "").strip():
                raise ValidationError({"name": "Name the new task."})
            if self.predecessor_id is not None and self.predecessor.project_id != project_id:
                raise ValidationError({"predecessor": "Choose a task of this project."})
            self.task = None

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.change.project.org_unit.path, self.change.project_id


class BudgetEdit(VersionedModel):
    """A proposed budget edit: an amount added to (negative: taken from) a cost category in a period."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="budget_edits")
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(validators=[validate_period_start])
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    scope_path = "change__project__org_unit__path"

    class Meta:
        ordering = ["change", "period_start", "id"]

    def __str__(self) -> str:
        return f"{self.category.code} {self.period_start:%Y-%m}: {self.amount:+}"

    def clean(self) -> None:
        if self.amount is not None and (abs(self.amount) > MONEY_LIMIT or self.amount == 0):
            raise ValidationError({"amount": "Give a non-zero amount (negative to reduce the budget)."})

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.change.project.org_unit.path, self.change.project_id
