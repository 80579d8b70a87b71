"""Benefits realization: the benefits register, the projects contributing to each benefit, measurements.

A benefit is scoped by its org unit (the unit of its lead project, or one chosen when it is created).
Who sees it is decided in keel/benefits/selectors.py (see docs/benefits.md, "Who sees what").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from keel.core.models import TimeStampedModel, VersionedModel
from keel.orgs.models import OrgUnit, code_validator, currency_validator
from keel.portfolio.models import Project

VALUE_DIGITS = 18
VALUE_PLACES = 4
VALUE_MAX = Decimal("99999999999999.9999")
# Benefit dates stay well inside what date arithmetic (periods, months) can reach.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)


class Frequency(models.TextChoices):
    """How often a benefit's owner records a measurement."""

    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    SEMIANNUAL = "semiannual", "Every six months"
    ANNUAL = "annual", "Annually"


FREQUENCY_MONTHS = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.SEMIANNUAL: 6,
    Frequency.ANNUAL: 12,
}


def parse_value(raw: object, field: str) -> Decimal:
    """A measured or planned value as a Decimal; ValidationError naming `field` when it is not a number."""
    if isinstance(raw, bool):
        raise ValidationError({field: f"{raw!r} is not a number."})
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: f"{str(raw)[:40]!r} is not a number."}) from exc
    if not value.is_finite():
        raise ValidationError({field: f"{str(raw)[:40]!r} is not a finite number."})
    if abs(value) > VALUE_MAX:
        raise ValidationError({field: f"{value} is out of range (at most {VALUE_MAX} either way)."})
    if value.as_tuple().exponent < -VALUE_PLACES:  # type: ignore[operator]
        raise ValidationError({field: f"{value} has more than {VALUE_PLACES} decimal places."})
    return value


def parse_milestones(raw: object) -> list[tuple[dt.date, Decimal]]:
    """The planned milestones ([{"date": "2026-06-30", "value": "1000"}, ...]) as (date, value) pairs."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationError({"milestones": 'Give a list of {"date": "YYYY-MM-DD", "value": number}.'})
    result = []
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or set(item) != {"date", "value"}:
            raise ValidationError({"milestones": f'Milestone {n}: give exactly "date" and "value".'})
        try:
            day = dt.date.fromisoformat(str(item["date"]))
        except ValueError as exc:
            raise ValidationError({"milestones": f"Milestone {n}: {item['date']!r} is not a date."}) from exc
        try:
            value = parse_value(item["value"], "milestones")
        except ValidationError as exc:
            raise ValidationError({"milestones": f"Milestone {n}: {exc.messages[0]}"}) from exc
        result.append((day, value))
    return result


class Benefit(VersionedModel):
    """An outcome the organisation expects from one or more projects, measured against a planned curve."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Being realized"
        REALIZED = "realized", "Realized"
        CANCELLED = "cancelled", "Cancelled"

    code = models.CharField(max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    financial = models.BooleanField(default=False, help_text="A benefit measured in money")
    currency = models.CharField(
        max_length=3, blank=True, validators=[currency_validator], help_text="Only for a financial benefit"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="benefits")
    measure = models.CharField(
        max_length=200, help_text="What is measured, e.g. annual operating cost savings"
    )
    measure_unit = models.CharField(max_length=30, blank=True, help_text="e.g. EUR/year, %, hours per week")
    baseline_value = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    baseline_date = models.DateField()
    target_value = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    target_date = models.DateField()
    # Optional points of a non-linear planned curve, between the baseline and the target.
    milestones = models.JSONField(default=list, blank=True)
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.QUARTERLY)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="benefits")
    lead_project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_benefits"
    )
    projects = models.ManyToManyField(Project, through="Contribution", related_name="benefits")

    scope_path = "org_unit__path"

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.financial and not self.currency:
            errors["currency"] = "A financial benefit needs its currency (e.g. EUR)."
        if not self.financial and self.currency:
            errors["currency"] = (
                "Only a financial benefit has a currency; leave it empty or mark it financial."
            )
        for name in ("baseline_date", "target_date"):
            day = getattr(self, name)
            if day and not EARLIEST_DATE <= day <= LATEST_DATE:
                errors[name] = f"{day} is out of range ({EARLIEST_DATE} to {LATEST_DATE})."
        if errors:
            raise ValidationError(errors)
        if self.baseline_date and self.target_date and self.target_date <= self.baseline_date:
            errors["target_date"] = "The target date must be after the baseline date."
        if self.baseline_value is not None and self.target_value == self.baseline_value:
            errors["target_value"] = "The target value equals the baseline value: nothing to realize."
        if errors:
            raise ValidationError(errors)
        points = parse_milestones(self.milestones)
        previous = self.baseline_date
        for n, (day, _value) in enumerate(points, start=1):
            if self.baseline_date and self.target_date and not (self.baseline_date < day < self.target_date):
                raise ValidationError(
                    {"milestones": f"Milestone {n} ({day}) must lie between the baseline and target dates."}
                )
            if previous and day <= previous:
                raise ValidationError({"milestones": f"Milestone {n} ({day}) is not after the one before."})
            previous = day
        self.milestones = [{"date": d.isoformat(), "value": str(v)} for d, v in points]

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.org_unit.path, self.lead_project_id

    @property
    def planned_points(self) -> list[tuple[dt.date, Decimal]]:
        """The planned curve's corners: baseline, milestones, target."""
        return [
            (self.baseline_date, self.baseline_value),
            *parse_milestones(self.milestones),
            (self.target_date, self.target_value),
        ]

    @property
    def months_between_measurements(self) -> int:
        """The measurement period in months."""
        return FREQUENCY_MONTHS[Frequency(self.frequency)]


class Contribution(TimeStampedModel):
    """A project contributing to a benefit, with an optional share of it."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="contributions")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="benefit_contributions")
    share_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="The project's share of the benefit, if agreed",
    )
    note = models.CharField(max_length=300, blank=True)

    scope_path = "benefit__org_unit__path"

    class Meta:
        ordering = ["project__code"]
        constraints = [models.UniqueConstraint(fields=["benefit", "project"], name="benefit_project_once")]

    def __str__(self) -> str:
        return f"{self.project.code} → {self.benefit.code}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.benefit.org_unit.path, self.project_id


class Measurement(TimeStampedModel):
    """The realized value of a benefit on a date (may be recorded long after its projects closed)."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField()
    value = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_path = "benefit__org_unit__path"

    class Meta:
        ordering = ["benefit", "measured_on"]
        constraints = [
            models.UniqueConstraint(fields=["benefit", "measured_on"], name="benefit_measurement_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.benefit.code} {self.measured_on}: {self.value}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.benefit.org_unit.path, self.benefit.lead_project_id


class Reminder(models.Model):
    """A reminder sent to a benefit's owner for one measurement period (so it is sent once)."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="reminders")
    period_start = models.DateField(help_text="The day the measurement became due in this period")
    recipient = models.EmailField()
    sent_at = models.DateTimeField()

    scope_path = "benefit__org_unit__path"

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["benefit", "period_start"], name="benefit_reminder_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.benefit.code} reminder for {self.period_start}"


class AtRiskThreshold(VersionedModel):
    """The PMO's at-risk threshold for the benefits of a unit's subtree (the nearest unit's applies)."""

    org_unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="benefit_threshold")
    percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="A benefit is at risk when its latest measurement is this many percent behind plan",
    )

    scope_path = "org_unit__path"
    scope_roles = {"change": {"pmo_admin"}}

    def __str__(self) -> str:
        return f"{self.org_unit.code}: {self.percent} %"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.org_unit.path, None
