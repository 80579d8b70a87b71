"""Methodologies (lifecycles) with phases and gates, gate criteria, gate reviews, a project's methodology and phase.

A :class:`Methodology` belongs to an org unit and applies to the projects of its subtree whose budget
lies in its range. It has ordered :class:`Phase` rows; each phase ends with a gate (named on the
phase), whose checklist is the phase's :class:`Criterion` rows of three kinds: a deliverable the
project team provides (:class:`Deliverable`, an upload or a link), data Keel checks by itself (a named
check of :mod:`keel.gates.checks`) and an approval by a role. A project's place in its methodology is
its :class:`ProjectLifecycle`; a :class:`GateReview` asks the reviewers to pass the gate closing the
current phase and collects their :class:`GateDecision` rows; :class:`LifecycleEvent` rows keep the
project's history (started, gates passed, methodology changed, closed).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from keel.core.models import TimeStampedModel, VersionedModel
from keel.orgs.models import OrgUnit, Role
from keel.portfolio.models import Project

PROJECT_SCOPE = "project__org_unit__path"


class Methodology(VersionedModel):
    """A lifecycle the PMO of a unit defines for the projects of its subtree."""

    class Approach(models.TextChoices):
        WATERFALL = "waterfall", "Waterfall"
        AGILE = "agile", "Agile"
        HYBRID = "hybrid", "Hybrid"

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="methodologies")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    approach = models.CharField(max_length=20, choices=Approach.choices, default=Approach.WATERFALL)
    min_budget = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Applies to projects with at least this budget (empty: no lower limit)",
    )
    max_budget = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Applies to projects with a budget below this (empty: no upper limit)",
    )
    active = models.BooleanField(default=True, help_text="Offered for new projects")

    scope_path = "org_unit__path"
    # Seen below its unit too: the projects of the subtree follow it.
    scope_shared_path = "org_unit__path"
    scope_roles = {"change": {Role.PMO_ADMIN}}

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "methodologies"
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="gates_methodology_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.min_budget is not None and self.max_budget is not None and self.max_budget <= self.min_budget:
            raise ValidationError({"max_budget": "The upper budget limit must be above the lower one."})
        if self.org_unit_id and self.name:
            clash = Methodology.objects.filter(org_unit_id=self.org_unit_id, name__iexact=self.name.strip())
            if clash.exclude(pk=self.pk).exists():
                raise ValidationError({"name": "This unit already has a methodology of that name."})

    def applies_to(self, project: Project) -> bool:
        """Whether the methodology fits the project: its unit is under ours and its budget in range."""
        if not project.org_unit.path.startswith(self.org_unit.path):
            return False
        if self.min_budget is not None and project.budget < self.min_budget:
            return False
        return not (self.max_budget is not None and project.budget >= self.max_budget)

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.org_unit.path, None


class Phase(VersionedModel):
    """One phase of a methodology, in order, closed by its gate."""

    methodology = models.ForeignKey(Methodology, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    gate_name = models.CharField(max_length=100, help_text="The gate that closes the phase")

    scope_path = "methodology__org_unit__path"
    scope_shared_path = "methodology__org_unit__path"
    scope_roles = {"change": {Role.PMO_ADMIN}}

    class Meta:
        ordering = ["methodology", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.methodology.org_unit.path, None


class Criterion(VersionedModel):
    """One item of a gate's checklist: a deliverable, an automatic check or an approval by a role."""

    class Kind(models.TextChoices):
        DELIVERABLE = "deliverable", "Deliverable"
        CHECK = "check", "Automatic check"
        APPROVAL = "approval", "Approval"

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    check_name = models.CharField(max_length=40, blank=True, help_text="The automatic check (kind check)")
    role = models.CharField(
        max_length=30, choices=Role.choices, blank=True, help_text="The approving role (kind approval)"
    )

    scope_path = "phase__methodology__org_unit__path"
    scope_shared_path = "phase__methodology__org_unit__path"
    scope_roles = {"change": {Role.PMO_ADMIN}}

    class Meta:
        ordering = ["phase", "order", "pk"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from keel.gates.checks import CHECKS

        if self.kind == self.Kind.CHECK:
            if self.check_name not in CHECKS:
                names = ", ".join(sorted(CHECKS))
                raise ValidationError({"check_name": f"Choose one of Keel's checks: {names}."})
        elif self.check_name:
            raise ValidationError({"check_name": "Only an automatic check names a check."})
        if self.kind == self.Kind.APPROVAL:
            if not self.role:
                raise ValidationError({"role": "Name the role that must approve."})
        elif self.role:
            raise ValidationError({"role": "Only an approval names a role."})

    @property
    def key(self) -> str:
        """A stable key of the criterion, e.g. ``gate:12:criterion:34`` (the gate is its phase)."""
        return f"gate:{self.phase_id}:criterion:{self.pk}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.phase.methodology.org_unit.path, None


class ProjectLifecycle(VersionedModel):
    """A project's methodology and the phase it is in (none once the last gate is passed: closed)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="lifecycle")
    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="lifecycles")
    phase = models.ForeignKey(Phase, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    phase_started_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)

    scope_path = PROJECT_SCOPE

    class Meta:
        verbose_name = "project lifecycle"

    def __str__(self) -> str:
        return f"{self.project.code}: {self.phase.name if self.phase else 'closed'}"

    @property
    def closed(self) -> bool:
        """Whether the project passed its last gate."""
        return self.phase_id is None

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


def deliverable_upload_to(instance: Deliverable, filename: str) -> str:
    """Where an uploaded deliverable is stored under MEDIA_ROOT."""
    return f"gates/{instance.project_id}/{filename}"


class Deliverable(VersionedModel):
    """What the project team provided for a deliverable criterion: an uploaded document or a link."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="gate_deliverables")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="deliverables")
    link = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=deliverable_upload_to, max_length=300, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True)
    provided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_path = PROJECT_SCOPE
    # The stored document is audited by its name (file_name), not by its storage path.
    audit_exclude = (*VersionedModel.audit_exclude, "file")

    class Meta:
        ordering = ["project", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["project", "criterion"], name="gates_deliverable_unique")
        ]

    def __str__(self) -> str:
        return f"{self.criterion.title}: {self.file_name or self.link}"

    def clean(self) -> None:
        if not self.link and not self.file:
            raise ValidationError({"link": "Give a link or upload a document."})

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


class GateReview(VersionedModel):
    """A request to pass the gate that closes the project's current phase, and its outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting decisions"
        PASSED = "passed", "Passed"
        REJECTED = "rejected", "Rejected"
        DEFERRED = "deferred", "Deferred"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="gate_reviews")
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    comment = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    # The checklist as it stood when the review was requested: [{key, title, kind, met, detail}].
    checklist = models.JSONField(default=list, blank=True)

    scope_path = PROJECT_SCOPE

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(status="pending"),
                name="gates_one_pending_review",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.phase.gate_name}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


class GateDecision(TimeStampedModel):
    """A reviewer's decision on one approval of a gate review, with their comment."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"
        DEFER = "defer", "Defer"

    review = models.ForeignKey(GateReview, on_delete=models.CASCADE, related_name="decisions")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    comment = models.TextField(blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_path = "review__project__org_unit__path"

    class Meta:
        ordering = ["review", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="gates_decision_unique")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.criterion.title}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.review.project.org_unit.path, self.review.project_id


class LifecycleEvent(models.Model):
    """One step of a project's lifecycle history: started, gate passed, methodology changed, closed."""

    class Kind(models.TextChoices):
        STARTED = "started", "Methodology chosen"
        GATE_PASSED = "gate_passed", "Gate passed"
        METHODOLOGY_CHANGED = "methodology_changed", "Methodology changed"
        CLOSED = "closed", "Closed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="lifecycle_events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=300)
    reason = models.TextField(blank=True)
    review = models.ForeignKey(GateReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    scope_path = PROJECT_SCOPE

    class Meta:
        ordering = ["project", "at", "pk"]

    def __str__(self) -> str:
        return self.text
