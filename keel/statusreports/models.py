"""Status reports: each project reports on a cadence (weekly, bi-weekly, monthly) with a due date per
period. Keel drafts each report from data — a proposed RAG for schedule, cost, scope, risk and overall,
each with its reasons, from thresholds the PMO sets per org unit (:class:`ReportConfig`, inherited down
the unit tree) — and the project manager confirms or overrides each RAG (an override needs a reason),
writes the narrative and submits. A submitted report never changes again.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from keel.core.models import VersionedModel
from keel.orgs.models import OrgUnit, Role
from keel.portfolio.models import Project

DIMENSIONS = ("schedule", "cost", "scope", "risk", "overall")


class Cadence(models.TextChoices):
    """How often a project reports: every Friday, every other Friday, or on the last day of each month."""

    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Bi-weekly"
    MONTHLY = "monthly", "Monthly"


class Rag(models.TextChoices):
    """Red, amber or green."""

    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


RAG_ORDER = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}

DEFAULTS = {
    "cadence": Cadence.WEEKLY,
    "spi_amber": Decimal("0.95"),
    "spi_red": Decimal("0.90"),
    "cpi_amber": Decimal("0.95"),
    "cpi_red": Decimal("0.90"),
    "slipped_amber": 1,
    "slipped_red": 3,
    "overdue_amber": 1,
    "overdue_red": 5,
    "high_risks_amber": 1,
    "high_risks_red": 3,
}
THRESHOLD_FIELDS = tuple(name for name in DEFAULTS if name != "cadence")


def _ratio(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("2"))],
        **kwargs,  # type: ignore[arg-type]
    )


def _count(**kwargs: object) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        **kwargs,  # type: ignore[arg-type]
    )


class ReportConfig(VersionedModel):
    """The PMO's status-report settings for an org unit and its subtree (the nearest unit's apply)."""

    org_unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="report_config")
    cadence = models.CharField(
        max_length=10, choices=Cadence.choices, default=DEFAULTS["cadence"], help_text="Default cadence"
    )
    spi_amber = _ratio(default=DEFAULTS["spi_amber"], help_text="Schedule is amber when SPI is below this")
    spi_red = _ratio(default=DEFAULTS["spi_red"], help_text="Schedule is red when SPI is below this")
    cpi_amber = _ratio(default=DEFAULTS["cpi_amber"], help_text="Cost is amber when CPI is below this")
    cpi_red = _ratio(default=DEFAULTS["cpi_red"], help_text="Cost is red when CPI is below this")
    slipped_amber = _count(default=DEFAULTS["slipped_amber"], help_text="Slipped milestones for amber")
    slipped_red = _count(default=DEFAULTS["slipped_red"], help_text="Slipped milestones for red")
    overdue_amber = _count(default=DEFAULTS["overdue_amber"], help_text="Overdue tasks for amber")
    overdue_red = _count(default=DEFAULTS["overdue_red"], help_text="Overdue tasks for red")
    high_risks_amber = _count(
        default=DEFAULTS["high_risks_amber"], help_text="Open high risks and issues for amber"
    )
    high_risks_red = _count(
        default=DEFAULTS["high_risks_red"], help_text="Open high risks and issues for red"
    )

    scope_path = "org_unit__path"
    scope_roles = {"change": {Role.PMO_ADMIN}}

    class Meta:
        verbose_name = "status report settings"
        verbose_name_plural = "status report settings"

    def __str__(self) -> str:
        return f"Status report settings of {self.org_unit.code}"

    def clean(self) -> None:
        for what in ("spi", "cpi"):
            amber, red = getattr(self, f"{what}_amber"), getattr(self, f"{what}_red")
            if amber is not None and red is not None and red > amber:
                raise ValidationError(
                    {
                        f"{what}_red": f"The red limit {red} is above the amber limit {amber}: red must be the lower."
                    }
                )
        for what in ("slipped", "overdue", "high_risks"):
            amber, red = getattr(self, f"{what}_amber"), getattr(self, f"{what}_red")
            if amber is not None and red is not None and red < amber:
                raise ValidationError(
                    {
                        f"{what}_red": f"The red count {red} is below the amber count {amber}: red must be the higher."
                    }
                )

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.org_unit.path, None


class ProjectReporting(VersionedModel):
    """A project's own reporting cadence (else its unit's)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="reporting")
    cadence = models.CharField(max_length=10, choices=Cadence.choices)

    scope_path = "project__org_unit__path"

    class Meta:
        verbose_name = "project reporting cadence"

    def __str__(self) -> str:
        return f"{self.project.code} reports {self.get_cadence_display().lower()}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


class StatusReport(VersionedModel):
    """One period's status report of a project: proposed RAG with reasons, the manager's RAG, narrative.

    For each dimension (schedule, cost, scope, risk, overall) ``proposed_<d>`` is Keel's proposal,
    ``<d>_rag`` the manager's decision (blank until confirmed or overridden) and ``<d>_reason`` why
    the manager overrode the proposal. ``facts`` holds what the draft was made from (progress,
    milestones, changes, new risks and issues) and ``reasons`` the reasons per dimension.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_reports")
    period_end = models.DateField(help_text="The due date of the period reported on")
    status_date = models.DateField(help_text="The day the data was read")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)

    proposed_schedule = models.CharField(max_length=5, choices=Rag.choices, editable=False)
    proposed_cost = models.CharField(max_length=5, choices=Rag.choices, editable=False)
    proposed_scope = models.CharField(max_length=5, choices=Rag.choices, editable=False)
    proposed_risk = models.CharField(max_length=5, choices=Rag.choices, editable=False)
    proposed_overall = models.CharField(max_length=5, choices=Rag.choices, editable=False)
    reasons = models.JSONField(default=dict, blank=True, editable=False)
    facts = models.JSONField(default=dict, blank=True, editable=False)

    schedule_rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    schedule_reason = models.TextField(blank=True)
    cost_rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    cost_reason = models.TextField(blank=True)
    scope_rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    scope_reason = models.TextField(blank=True)
    risk_rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    risk_reason = models.TextField(blank=True)
    overall_rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    overall_reason = models.TextField(blank=True)

    accomplishments = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    help_needed = models.TextField(blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    scope_path = "project__org_unit__path"

    class Meta:
        ordering = ["project", "-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["project", "period_end"], name="status_report_one_per_period")
        ]
        indexes = [models.Index(fields=["project", "status", "period_end"], name="status_report_latest")]

    def __str__(self) -> str:
        return f"{self.project.code} status report {self.period_end.isoformat()}"

    def get_absolute_url(self) -> str:
        """The report's page."""
        from django.urls import reverse

        return reverse("statusreports:detail", args=[self.pk])

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    def proposed(self, dimension: str) -> str:
        """Keel's proposed RAG of a dimension."""
        return getattr(self, f"proposed_{dimension}")

    def decided(self, dimension: str) -> str:
        """The manager's RAG of a dimension ('' while undecided)."""
        return getattr(self, f"{dimension}_rag")

    def rag(self, dimension: str) -> str:
        """The RAG shown: the manager's when decided, else the proposal."""
        return self.decided(dimension) or self.proposed(dimension)

    def clean(self) -> None:
        errors = {}
        for dim in DIMENSIONS:
            decided = getattr(self, f"{dim}_rag")
            proposed = getattr(self, f"proposed_{dim}")
            reason = (getattr(self, f"{dim}_reason") or "").strip()
            if decided and proposed and decided != proposed and not reason:
                errors[f"{dim}_reason"] = (
                    f"Say why {dim} is {Rag(decided).label} rather than the proposed {Rag(proposed).label}."
                )
        if errors:
            raise ValidationError(errors)

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


class ReportReminder(models.Model):
    """That the project's manager was reminded of the report due on `period_end` (once per period)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    period_end = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    scope_path = "project__org_unit__path"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "period_end"], name="status_report_reminder_once")
        ]

    def __str__(self) -> str:
        return f"Reminder for {self.project_id} due {self.period_end}"
