"""Governance records. For now the RAID log: risks (with their actions), issues, assumptions and
decisions of a project, the PMO's RAID settings per org unit, and the escalation state of risks and
issues.

Probability, impact and issue severity are whole numbers on the scale the PMO sets for the project's
org unit (:class:`RaidConfig`, inherited down the unit tree; 1–5 by default). A risk's score is
probability × impact. Every RAID item belongs to one project and is scoped like it.

Methodologies, gates, compliance, change control and status reports will join this module (or a
``models/`` package) as further sections, each with records scoped by their project or unit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from keel.core.models import VersionedModel
from keel.orgs.models import OrgUnit, Role
from keel.portfolio.models import Project

SCALE_MIN = 3
SCALE_MAX = 10
DEFAULT_SCALE = 5
DEFAULT_PROBABILITY_LABELS = ["Very low", "Low", "Medium", "High", "Very high"]
DEFAULT_IMPACT_LABELS = ["Very low", "Low", "Medium", "High", "Very high"]
DEFAULT_THRESHOLD = 15
DEFAULT_SEVERITY = 4
DEFAULT_CATEGORIES = [
    "Schedule",
    "Cost",
    "Scope",
    "Quality",
    "Resources",
    "Technical",
    "Supplier",
    "Compliance",
    "Organisational",
]
SCOPE_PATH = "project__org_unit__path"


def _labels(value: object, field: str, size: int) -> list[str]:
    """Labels of a scale: exactly `size` non-empty texts of at most 40 characters."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError({field: "Give a list of labels, one per level."})
    labels = [v.strip() for v in value]
    if len(labels) != size:
        raise ValidationError({field: f"Give {size} labels, one per level of the 1–{size} scale."})
    if any(not v or len(v) > 40 for v in labels):
        raise ValidationError({field: "Every label needs 1 to 40 characters."})
    return labels


class RaidConfig(VersionedModel):
    """The PMO's RAID settings for an org unit and its subtree (the nearest unit's settings apply)."""

    org_unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="raid_config")
    scale_size = models.PositiveSmallIntegerField(
        default=DEFAULT_SCALE,
        validators=[MinValueValidator(SCALE_MIN), MaxValueValidator(SCALE_MAX)],
        help_text="Levels of probability and impact (3 to 10)",
    )
    probability_labels = models.JSONField(default=list, blank=True)
    impact_labels = models.JSONField(default=list, blank=True)
    escalation_threshold = models.PositiveSmallIntegerField(
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(1)],
        help_text="Risks scoring at least this (probability × impact) go to the escalation list",
    )
    escalation_severity = models.PositiveSmallIntegerField(
        default=DEFAULT_SEVERITY,
        validators=[MinValueValidator(1)],
        help_text="Issues at least this severe go to the escalation list",
    )
    categories = models.JSONField(default=list, blank=True)

    scope_path = "org_unit__path"
    scope_roles = {"change": {Role.PMO_ADMIN}}

    class Meta:
        verbose_name = "RAID configuration"

    def __str__(self) -> str:
        return f"RAID settings of {self.org_unit.code}"

    def clean(self) -> None:
        size = self.scale_size
        if size is None or not SCALE_MIN <= size <= SCALE_MAX:
            raise ValidationError({"scale_size": f"The scale has {SCALE_MIN} to {SCALE_MAX} levels."})
        self.probability_labels = _labels(
            self.probability_labels or default_labels(size, DEFAULT_PROBABILITY_LABELS),
            "probability_labels",
            size,
        )
        self.impact_labels = _labels(
            self.impact_labels or default_labels(size, DEFAULT_IMPACT_LABELS), "impact_labels", size
        )
        if self.escalation_threshold is not None and not 1 <= self.escalation_threshold <= size * size:
            raise ValidationError(
                {
                    "escalation_threshold": f"Give a score from 1 to {size * size} (the top of a {size}×{size} scale)."
                }
            )
        if self.escalation_severity is not None and not 1 <= self.escalation_severity <= size:
            raise ValidationError({"escalation_severity": f"Give a severity from 1 to {size}."})
        if not isinstance(self.categories, list) or not all(isinstance(c, str) for c in self.categories):
            raise ValidationError({"categories": "Give a list of category names."})
        names = [c.strip() for c in self.categories]
        if any(not c or len(c) > 60 for c in names):
            raise ValidationError({"categories": "Every category needs 1 to 60 characters."})
        if len({c.casefold() for c in names}) != len(names):
            raise ValidationError({"categories": "A category is named twice."})
        self.categories = names or list(DEFAULT_CATEGORIES)

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.org_unit.path, None


def default_labels(size: int, five: list[str]) -> list[str]:
    """The default labels of a scale: the named five on 1–5, else the level numbers."""
    return list(five) if size == DEFAULT_SCALE else [str(n) for n in range(1, size + 1)]


class RaidItem(VersionedModel):
    """What every RAID item has: its project, its per-project number, a title, a description, an owner."""

    PREFIX = ""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="%(class)ss")
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_path = SCOPE_PATH

    class Meta:
        abstract = True
        ordering = ["project", "number"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """The per-project reference, e.g. R-001."""
        return f"{self.PREFIX}-{self.number:03d}" if self.number else f"{self.PREFIX}-new"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


class Escalatable(models.Model):
    """The escalation state of a risk or an issue: flagged by the project manager, resolved by the PMO."""

    escalated = models.BooleanField(default=False, help_text="Flagged for the PMO by the project manager")
    escalation_reason = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(blank=True, help_text="How the PMO resolved the escalation")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the people concerned were emailed about the current escalation (system field, unversioned).
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Risk(RaidItem, Escalatable):
    """An uncertain event that would affect the project: cause → event → effect, scored and responded to."""

    PREFIX = "R"

    class Strategy(models.TextChoices):
        AVOID = "avoid", "Avoid"
        TRANSFER = "transfer", "Transfer"
        MITIGATE = "mitigate", "Mitigate"
        ACCEPT = "accept", "Accept"
        SHARE = "share", "Share"
        EXPLOIT = "exploit", "Exploit"
        ENHANCE = "enhance", "Enhance"
        ESCALATE = "escalate", "Escalate"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        OCCURRED = "occurred", "Occurred (now an issue)"
        CLOSED = "closed", "Closed"

    cause = models.TextField(blank=True)
    event = models.TextField(blank=True)
    effect = models.TextField(blank=True)
    category = models.CharField(max_length=60, blank=True)
    probability = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField(editable=False, default=0)
    proximity = models.DateField(null=True, blank=True, help_text="When the risk could occur")
    response_strategy = models.CharField(max_length=12, choices=Strategy.choices, blank=True)
    trigger = models.TextField(blank=True, help_text="What shows the risk is about to occur")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    residual_probability = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta(RaidItem.Meta):
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="risk_number_per_project")]

    def clean(self) -> None:
        if self.probability and self.impact:
            self.score = self.probability * self.impact
        if (self.residual_probability is None) != (self.residual_impact is None):
            missing = "residual_impact" if self.residual_impact is None else "residual_probability"
            raise ValidationError({missing: "Give both the residual probability and impact, or neither."})
        if self.residual_probability is not None and self.residual_impact is not None:
            self.residual_score = self.residual_probability * self.residual_impact
            if self.score and self.residual_score > self.score:
                raise ValidationError(
                    {
                        "residual_impact": f"The residual score {self.residual_score} is above the score "
                        f"{self.score}: responses lower a risk, they do not raise it."
                    }
                )
        else:
            self.residual_score = None

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class RiskAction(VersionedModel):
    """A response action of a risk, with its owner and due date."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)

    scope_path = "risk__project__org_unit__path"

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return f"{self.risk.reference}: {self.description}"

    def clean(self) -> None:
        if self.status == self.Status.DONE and self.completed_on is None:
            raise ValidationError({"completed_on": "Give the day the action was done."})
        if self.status != self.Status.DONE:
            self.completed_on = None

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.risk.project.org_unit.path, self.risk.project_id


class Issue(RaidItem, Escalatable):
    """Something that has happened and must be dealt with: severity, owner, due date, resolution."""

    PREFIX = "I"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    severity = models.PositiveSmallIntegerField(help_text="On the impact scale of the project's unit")
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolution_note = models.TextField(blank=True, help_text="How the issue was resolved")
    resolved_on = models.DateField(null=True, blank=True)

    class Meta(RaidItem.Meta):
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="issue_number_per_project")]

    def clean(self) -> None:
        if self.status in (self.Status.RESOLVED, self.Status.CLOSED):
            if not (self.resolution_note or "").strip():
                raise ValidationError(
                    {"resolution_note": "Say how the issue was resolved before closing it."}
                )
        else:
            self.resolved_on = None

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)


class Assumption(RaidItem):
    """Something taken as true for planning, to be validated by its owner by a date."""

    PREFIX = "A"

    class Status(models.TextChoices):
        UNVALIDATED = "unvalidated", "To validate"
        VALID = "valid", "Confirmed"
        INVALID = "invalid", "Proved wrong"

    validation_date = models.DateField(null=True, blank=True, help_text="When it must be validated")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNVALIDATED)
    validation_note = models.TextField(blank=True)

    class Meta(RaidItem.Meta):
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="assumption_number_per_project")
        ]


class Decision(RaidItem):
    """A decision taken for the project: what, who decided, when, why, which options, which items."""

    PREFIX = "D"

    decided_by = models.CharField(max_length=200, help_text="Who decided (a person or a body)")
    decided_on = models.DateField()
    rationale = models.TextField()
    options_considered = models.TextField(blank=True)
    linked_risks = models.ManyToManyField(Risk, blank=True, related_name="decisions")
    linked_issues = models.ManyToManyField(Issue, blank=True, related_name="decisions")
    linked_assumptions = models.ManyToManyField(Assumption, blank=True, related_name="decisions")

    class Meta(RaidItem.Meta):
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="decision_number_per_project")
        ]

    def clean(self) -> None:
        if not (self.rationale or "").strip():
            raise ValidationError({"rationale": "Record why this was decided."})
