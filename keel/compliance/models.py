"""Compliance with the PMO's standards: the PMO's settings per org unit (inherited down the tree),
waivers of single gaps with a recorded reason, and the reminders sent to the owners of gaps.

The gaps themselves are not stored: they are computed from the live records by the checks in
:mod:`keel.compliance.checks`, each with a stable key per project (e.g. ``baseline`` or
``raid:risk:12``) that waivers and reminders refer to.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from keel.core.models import TimeStampedModel, VersionedModel
from keel.orgs.models import OrgUnit, Role
from keel.portfolio.models import Project

DEFAULT_STALE_RAID_DAYS = 30
DEFAULT_CHANGE_AGE_DAYS = 14
MAX_DAYS = 365
SCOPE_PATH = "project__org_unit__path"


class ComplianceConfig(VersionedModel):
    """The PMO's compliance settings for an org unit and its subtree (the nearest unit's settings apply)."""

    org_unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="compliance_config")
    stale_raid_days = models.PositiveSmallIntegerField(
        default=DEFAULT_STALE_RAID_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)],
        help_text="Open risks, issues and actions not updated for this many days are stale",
    )
    change_age_days = models.PositiveSmallIntegerField(
        default=DEFAULT_CHANGE_AGE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)],
        help_text="Change requests undecided for this many days are a gap",
    )
    baseline_required = models.BooleanField(
        default=True, help_text="Projects past planning, or with started tasks, need a saved baseline"
    )

    scope_path = "org_unit__path"
    scope_roles = {"change": {Role.PMO_ADMIN}}

    class Meta:
        verbose_name = "compliance configuration"

    def __str__(self) -> str:
        return f"Compliance settings of {self.org_unit.code}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.org_unit.path, None


class Waiver(VersionedModel):
    """The PMO's decision that one gap of a project counts as in place, with the reason and an optional expiry."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="compliance_waivers")
    key = models.CharField(max_length=200, help_text="The gap's key, e.g. baseline or raid:risk:12")
    kind = models.CharField(max_length=30)
    title = models.CharField(max_length=300, help_text="What the gap was when it was waived")
    reason = models.TextField()
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waived_at = models.DateTimeField()
    expires_on = models.DateField(null=True, blank=True, help_text="The gap counts again from this day")

    scope_path = SCOPE_PATH
    scope_roles = {"change": {Role.PMO_ADMIN}}

    class Meta:
        ordering = ["project", "key"]
        constraints = [models.UniqueConstraint(fields=["project", "key"], name="compliance_waiver_per_gap")]

    def __str__(self) -> str:
        return f"{self.project.code} waiver of {self.key}"

    def clean(self) -> None:
        if not (self.reason or "").strip():
            raise ValidationError({"reason": "Record why this gap is waived."})
        if self.expires_on and self.waived_at and self.expires_on <= self.waived_at.date():
            raise ValidationError({"expires_on": "The waiver must expire after today (or never)."})

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id

    def active_on(self, day: object) -> bool:
        """Whether the waiver applies on `day` (it has not expired)."""
        return self.expires_on is None or day < self.expires_on  # type: ignore[operator]


class Reminder(TimeStampedModel):
    """A reminder sent to the owner of a gap (the notification itself lives in keel.notifications)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="compliance_reminders")
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(db_index=True)

    scope_path = SCOPE_PATH

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["project", "key"])]

    def __str__(self) -> str:
        return f"{self.project.code} reminder about {self.key}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id
