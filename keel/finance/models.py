"""Project money: cost categories, budgets and their changes, exchange rates, expenses, forecasts.

Amounts are Decimal in the project's currency unless a record names its own (expenses, rates).
Labor actuals are not stored: they are computed on read from approved timesheet hours and the
resources' effective rates (see docs/finance.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from keel.core.models import TimeStampedModel, VersionedModel
from keel.orgs.models import OrgUnit, Role, code_validator, currency_validator
from keel.portfolio.models import Project

PROJECT_PATH = "project__org_unit__path"
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


def money_field(**kwargs: object) -> models.DecimalField:
    """A non-negative amount of money with two decimals."""
    return models.DecimalField(max_digits=16, decimal_places=2, validators=NON_NEGATIVE, **kwargs)  # type: ignore[arg-type]


class PeriodKind(models.TextChoices):
    """How a project's budget and forecast are phased."""

    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


def period_start(day: dt.date, kind: str) -> dt.date:
    """The first day of the month or quarter holding `day`."""
    if kind == PeriodKind.QUARTER:
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, day.month, 1)


def next_period(start: dt.date, kind: str) -> dt.date:
    """The first day of the period after the one starting on `start`."""
    months = 3 if kind == PeriodKind.QUARTER else 1
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def validate_period_start(value: dt.date) -> None:
    """Budget and forecast periods start on the first day of a month."""
    if value is not None and value.day != 1:
        raise ValidationError("A period starts on the first day of a month (e.g. 2026-04-01).")


class CostCategory(VersionedModel):
    """A kind of cost (labor, materials, services, travel, ...), capital or operating; the PMO keeps the list."""

    class Kind(models.TextChoices):
        CAPEX = "capex", "Capital (capex)"
        OPEX = "opex", "Operating (opex)"

    code = models.CharField(max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.OPEX)
    is_labor = models.BooleanField(default=False, help_text="Approved timesheet hours are booked here.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "cost categories"

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail (a PMO-wide list: the root)."""
        root = (
            OrgUnit.objects.filter(parent__isnull=True)
            .order_by("path")
            .values_list("path", flat=True)
            .first()
        )
        return root or "", None


class ExchangeRate(VersionedModel):
    """One unit of `from_currency` is worth `rate` units of `to_currency` from `date` on (PMO maintained)."""

    from_currency = models.CharField(max_length=3, validators=[currency_validator])
    to_currency = models.CharField(max_length=3, validators=[currency_validator])
    date = models.DateField()
    rate = models.DecimalField(max_digits=20, decimal_places=10)

    class Meta:
        ordering = ["from_currency", "to_currency", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_currency", "to_currency", "date"], name="finance_one_rate_a_day"
            )
        ]
        indexes = [models.Index(fields=["from_currency", "to_currency", "date"])]

    def __str__(self) -> str:
        return f"1 {self.from_currency} = {self.rate} {self.to_currency} ({self.date})"

    def clean(self) -> None:
        if self.rate is not None and self.rate <= 0:
            raise ValidationError({"rate": "The rate must be greater than zero."})
        if self.from_currency and self.from_currency == self.to_currency:
            raise ValidationError({"to_currency": "Convert between two different currencies."})

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail (PMO-wide)."""
        root = (
            OrgUnit.objects.filter(parent__isnull=True)
            .order_by("path")
            .values_list("path", flat=True)
            .first()
        )
        return root or "", None


class ProjectFinance(VersionedModel):
    """A project's finance settings: how its budget is phased, its contingency and management reserve."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="finance")
    period = models.CharField(max_length=7, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    contingency = money_field(
        default=Decimal("0"), help_text="Reserve for known risks, in the project's currency."
    )
    management_reserve = money_field(
        default=Decimal("0"), help_text="Reserve for unknown risks, outside the performance baseline."
    )

    scope_path = PROJECT_PATH

    class Meta:
        ordering = ["project_id"]

    def __str__(self) -> str:
        return f"Finance of {self.project.code}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


class BudgetLine(VersionedModel):
    """The budget of one project for one cost category and period: approved and current amounts."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(validators=[validate_period_start])
    approved_amount = money_field(default=Decimal("0"))
    current_amount = money_field(default=Decimal("0"))

    scope_path = PROJECT_PATH

    class Meta:
        ordering = ["project_id", "period_start", "category__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "category", "period_start"], name="finance_one_budget_line"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.category.code} {self.period_start:%Y-%m}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


class BudgetChange(models.Model):
    """One change of a project's budget (a line's approved or current amount, or a reserve): who, when, why."""

    class Field(models.TextChoices):
        APPROVED = "approved_amount", "Approved budget"
        CURRENT = "current_amount", "Current budget"
        CONTINGENCY = "contingency", "Contingency"
        MANAGEMENT_RESERVE = "management_reserve", "Management reserve"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_changes")
    line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    category = models.ForeignKey(
        CostCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(null=True, blank=True)
    field = models.CharField(max_length=20, choices=Field.choices)
    old_amount = models.DecimalField(max_digits=16, decimal_places=2)
    new_amount = models.DecimalField(max_digits=16, decimal_places=2)
    reason = models.TextField()
    change_request = models.CharField(
        max_length=50,
        blank=True,
        help_text="The change request that approved it, when there is one (its id).",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(db_index=True)

    scope_path = PROJECT_PATH

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_field_display()} {self.old_amount} → {self.new_amount}"

    @property
    def delta(self) -> Decimal:
        """The amount added (negative when reduced)."""
        return self.new_amount - self.old_amount


def expense_upload_to(instance: Expense, filename: str) -> str:
    """Attachments live under finance/expenses/<project id>/."""
    return f"finance/expenses/{instance.project_id}/{filename}"


class Expense(VersionedModel):
    """A non-labor cost incurred by a project: an invoice, a purchase, a trip."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="expenses")
    date = models.DateField(db_index=True)
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="+")
    amount = money_field()
    currency = models.CharField(max_length=3, validators=[currency_validator])
    supplier = models.CharField(max_length=150, blank=True)
    description = models.CharField(max_length=255, blank=True)
    attachment = models.FileField(upload_to=expense_upload_to, blank=True, max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_path = PROJECT_PATH
    # The uploaded file is kept with the expense, not copied into the audit trail.
    audit_exclude = (*VersionedModel.audit_exclude, "attachment")

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["project", "date"])]

    def __str__(self) -> str:
        return f"{self.project.code} {self.date} {self.amount} {self.currency}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


class Forecast(VersionedModel):
    """The estimate to complete entered for one project, cost category and period (project currency)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="forecasts")
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(validators=[validate_period_start])
    amount = money_field()
    note = models.CharField(max_length=255, blank=True)

    scope_path = PROJECT_PATH

    class Meta:
        ordering = ["project_id", "period_start", "category__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "category", "period_start"], name="finance_one_forecast"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.category.code} {self.period_start:%Y-%m} ETC"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id


class Thresholds(VersionedModel):
    """The PMO's limits for an org unit's subtree: projects below them are flagged on the dashboard."""

    org_unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="finance_thresholds")
    cpi_min = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("0.90"), validators=NON_NEGATIVE
    )
    spi_min = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("0.90"), validators=NON_NEGATIVE
    )

    scope_path = "org_unit__path"
    scope_roles = {"change": {Role.PMO_ADMIN}}

    class Meta:
        ordering = ["org_unit__path"]
        verbose_name_plural = "thresholds"

    def __str__(self) -> str:
        return f"Thresholds of {self.org_unit.code}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.org_unit.path, None


class EvmSnapshot(TimeStampedModel):
    """A project's earned value recorded at a status date (project currency), for trends and the S-curve."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evm_snapshots")
    status_date = models.DateField()
    bac = models.DecimalField(max_digits=18, decimal_places=2)
    pv = models.DecimalField(max_digits=18, decimal_places=2)
    ev = models.DecimalField(max_digits=18, decimal_places=2)
    ac = models.DecimalField(max_digits=18, decimal_places=2)
    cpi = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    spi = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    spi_t = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    eac = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_path = PROJECT_PATH

    class Meta:
        ordering = ["project_id", "status_date"]
        constraints = [
            models.UniqueConstraint(fields=["project", "status_date"], name="finance_one_snapshot_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.project.code} EVM at {self.status_date}"

    def audit_scope(self) -> tuple[str, int | None]:
        """Unit path and project id for the audit trail."""
        return self.project.org_unit.path, self.project_id
