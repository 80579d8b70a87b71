"""API shapes of project money: categories, exchange rates, budgets, expenses, forecasts, earned value.

Amounts are decimal numbers (answered as strings, e.g. "1250.50") in the currency named beside them;
a project's amounts are in the project's currency. Categories are named by their code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, WithJsonSchema

from keel.core.api import InputSchema, Money, Text
from keel.finance.models import CostCategory, PeriodKind

VERSION = Field(None, ge=1, le=2**31, description="The version you edited (alternative to If-Match)")


def _finance_years(value: dt.date) -> dt.date:
    """Money is dated in the years 1900–2199."""
    if not 1900 <= value.year <= 2199:
        raise ValueError("use a date between 1900 and 2199")
    return value


def _first_of_month(value: dt.date) -> dt.date:
    if value.day != 1:
        raise ValueError("a period starts on the first day of a month, e.g. 2026-04-01")
    return value


FinanceDate = Annotated[dt.date, AfterValidator(_finance_years)]
PeriodStart = Annotated[dt.date, AfterValidator(_finance_years), AfterValidator(_first_of_month)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR")]
CategoryCode = Annotated[
    Text,
    Field(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Category code"),
]
Rate = Annotated[
    Decimal,
    Field(gt=0, max_digits=20, decimal_places=10),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 9999999999},
                {"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,10})?$"},
            ]
        }
    ),
]
Index = Annotated[
    Decimal,
    Field(ge=0, le=99, max_digits=4, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 99, "multipleOf": 0.01},
                {"type": "string", "pattern": r"^[0-9]{1,2}(\.[0-9]{1,2})?$"},
            ]
        }
    ),
]
Reason = Annotated[Text, Field(min_length=1, max_length=2000, description="Why the budget changes")]
ChangeRequest = Annotated[Text, Field(max_length=50, description="The change request approving it (its id)")]
KindName = Literal[tuple(CostCategory.Kind.values)]  # type: ignore[valid-type]
PeriodName = Literal[tuple(PeriodKind.values)]  # type: ignore[valid-type]


# --- reference data ------------------------------------------------------------------------------------


class CategoryOut(Schema):
    """A cost category of the PMO's list."""

    id: int
    code: str
    name: str
    kind: str
    is_labor: bool
    active: bool
    version: int


class CategorySetIn(InputSchema):
    """A cost category to add, or (same code) to change."""

    code: CategoryCode
    name: Annotated[Text, Field(min_length=1, max_length=100)]
    kind: KindName = "opex"
    is_labor: bool = False
    active: bool = True


class ExchangeRateOut(Schema):
    """One `from_currency` is worth `rate` `to_currency` from `date` on."""

    id: int
    from_currency: str
    to_currency: str
    date: dt.date
    rate: Decimal
    version: int


class RateSetIn(InputSchema):
    """The rate of a currency pair on a date (added, or corrected when that day has one)."""

    from_currency: Currency
    to_currency: Currency
    date: FinanceDate
    rate: Rate


class RateFilterIn(Schema):
    """Filter rates by pair."""

    from_currency: Currency | None = None
    to_currency: Currency | None = None


# --- project finance -----------------------------------------------------------------------------------


class FinanceSettingsOut(Schema):
    """How a project's budget is phased and its reserves (project currency)."""

    project: int
    currency: str
    period: str
    contingency: Decimal
    management_reserve: Decimal
    version: int


class FinanceSettingsPatchIn(InputSchema):
    """Change the phasing or the reserves; a reserve change needs a reason."""

    period: PeriodName | None = None
    contingency: Money | None = None
    management_reserve: Money | None = None
    reason: Annotated[Text, Field(max_length=2000)] = ""
    change_request: ChangeRequest = ""
    version: int | None = VERSION


class BudgetLineOut(Schema):
    """A project's approved and current budget of one category and period."""

    id: int
    category: str
    period_start: dt.date
    approved_amount: Decimal
    current_amount: Decimal
    version: int

    @staticmethod
    def resolve_category(obj: object) -> str:
        return obj.category.code  # type: ignore[attr-defined]


class BudgetLineSetIn(InputSchema):
    """Set the approved and/or current budget of a category and period, saying why."""

    category: CategoryCode
    period_start: PeriodStart
    approved_amount: Money | None = None
    current_amount: Money | None = None
    reason: Reason
    change_request: ChangeRequest = ""
    version: int | None = VERSION


class BudgetChangeOut(Schema):
    """One change of the budget: which amount, from what to what, who, when, why."""

    id: int
    field: str
    category: str | None = None
    period_start: dt.date | None
    old_amount: Decimal
    new_amount: Decimal
    reason: str
    change_request: str
    changed_by: str | None = None
    changed_at: dt.datetime

    @staticmethod
    def resolve_category(obj: object) -> str | None:
        category = getattr(obj, "category", None)
        return category.code if category else None

    @staticmethod
    def resolve_changed_by(obj: object) -> str | None:
        person = getattr(obj, "changed_by", None)
        return person.username if person else None


class ExpenseOut(Schema):
    """A cost incurred by a project."""

    id: int
    project: int = Field(..., alias="project_id")
    date: dt.date
    category: str
    amount: Decimal
    currency: str
    supplier: str
    description: str
    attachment: str | None = None
    version: int

    @staticmethod
    def resolve_category(obj: object) -> str:
        return obj.category.code  # type: ignore[attr-defined]

    @staticmethod
    def resolve_attachment(obj: object) -> str | None:
        attachment = getattr(obj, "attachment", None)
        return attachment.name if attachment else None


class ExpenseCreateIn(InputSchema):
    """A cost: date, category code, amount and currency (default the project's), supplier."""

    date: FinanceDate
    category: CategoryCode
    amount: Money
    currency: Currency | None = None
    supplier: Annotated[Text, Field(max_length=150)] = ""
    description: Annotated[Text, Field(max_length=255)] = ""


class ExpensePatchIn(InputSchema):
    """Change the fields sent."""

    date: FinanceDate | None = None
    category: CategoryCode | None = None
    amount: Money | None = None
    currency: Currency | None = None
    supplier: Annotated[Text, Field(max_length=150)] | None = None
    description: Annotated[Text, Field(max_length=255)] | None = None
    version: int | None = VERSION


class ImportOut(Schema):
    """How many expenses the file added."""

    created: int


class ForecastOut(Schema):
    """The estimate to complete entered for a category and period."""

    id: int
    category: str
    period_start: dt.date
    amount: Decimal
    note: str
    version: int

    @staticmethod
    def resolve_category(obj: object) -> str:
        return obj.category.code  # type: ignore[attr-defined]


class ForecastSetIn(InputSchema):
    """Enter the estimate to complete of a category and period (replacing the previous one)."""

    category: CategoryCode
    period_start: PeriodStart
    amount: Money
    note: Annotated[Text, Field(max_length=255)] = ""
    version: int | None = VERSION


class ComputedForecastOut(Schema):
    """EAC − AC spread over the remaining periods (category None: the project has no budget)."""

    period_start: dt.date
    category: str | None
    amount: Decimal


class StatusDateIn(Schema):
    """The status date (default: today, kept within the project's planned dates)."""

    status_date: FinanceDate | None = None


class SnapshotIn(InputSchema):
    """The status date to record."""

    status_date: FinanceDate


class SnapshotOut(Schema):
    """A project's earned value recorded at a status date."""

    status_date: dt.date
    bac: Decimal
    pv: Decimal
    ev: Decimal
    ac: Decimal
    cpi: Decimal | None
    spi: Decimal | None
    spi_t: Decimal | None
    eac: Decimal | None


class MetricsOut(Schema):
    """Every earned-value metric (None where undefined; `undefined` says why)."""

    BAC: Decimal
    PV: Decimal
    EV: Decimal
    AC: Decimal
    CV: Decimal
    SV: Decimal
    CV_pct: Decimal | None
    SV_pct: Decimal | None
    CPI: Decimal | None
    SPI: Decimal | None
    EAC_cpi: Decimal | None
    ETC_cpi: Decimal | None
    VAC_cpi: Decimal | None
    EAC_atypical: Decimal
    ETC_atypical: Decimal
    VAC_atypical: Decimal
    EAC_cpi_x_spi: Decimal | None
    ETC_cpi_x_spi: Decimal | None
    VAC_cpi_x_spi: Decimal | None
    EAC_bottom_up: Decimal | None
    ETC_bottom_up: Decimal | None
    VAC_bottom_up: Decimal | None
    TCPI_bac: Decimal | None
    TCPI_eac: Decimal | None
    undefined: dict[str, str]


class EarnedScheduleOut(Schema):
    """Earned schedule in weeks from the baseline start."""

    ES: Decimal
    AT: Decimal
    PD: Decimal
    SV_t: Decimal
    SPI_t: Decimal | None
    IEAC_t: Decimal | None
    TSPI: Decimal | None


class ProjectEvmOut(Schema):
    """A project's earned value at a status date, in its currency."""

    project: int
    currency: str
    status_date: dt.date
    has_baseline: bool
    start: dt.date | None
    finish: dt.date | None
    forecast_finish: dt.date | None
    eac: Decimal
    budget_current: Decimal
    budget_approved: Decimal
    unpriced_hours: Decimal
    metrics: MetricsOut
    earned_schedule: EarnedScheduleOut | None


class CurvePointOut(Schema):
    """One date of the S-curve: cumulative PV, AC (to the status date), EV (recorded dates)."""

    date: dt.date
    pv: Decimal
    ac: Decimal | None
    ev: Decimal | None


class EacPointOut(Schema):
    """A point of the EAC projection: from (status date, AC) to (forecast finish, EAC)."""

    date: dt.date
    amount: Decimal


class PeriodRowOut(Schema):
    """Budget vs actual vs forecast of a category in a period (project currency)."""

    period_start: dt.date
    category: str
    approved: Decimal
    current: Decimal
    actual: Decimal
    forecast: Decimal
    computed_forecast: Decimal


class FinanceTabOut(Schema):
    """The project's finance picture: EVM, S-curve, EAC projection, periods, trend."""

    evm: ProjectEvmOut
    curve: list[CurvePointOut]
    eac_line: list[EacPointOut]
    periods: list[PeriodRowOut]
    trend: list[SnapshotOut]


class RollupGroupOut(Schema):
    """A program, portfolio or org unit: sums in the reporting currency, indices from the sums."""

    kind: str
    id: int | None
    name: str
    projects: int
    budget: Decimal
    forecast: Decimal
    metrics: MetricsOut


class RollupProjectOut(Schema):
    """One project's values in the reporting currency and the thresholds it misses."""

    id: int
    code: str
    name: str
    budget: Decimal
    forecast: Decimal
    flags: list[str]
    metrics: MetricsOut


class RollupOut(Schema):
    """The portfolio finance roll-up of the projects you may see."""

    status_date: dt.date
    currency: str
    total: MetricsOut
    units: list[RollupGroupOut]
    programs: list[RollupGroupOut]
    portfolios: list[RollupGroupOut]
    projects: list[RollupProjectOut]


class RollupFilterIn(Schema):
    """Status date (default today) and reporting currency (default yours)."""

    status_date: FinanceDate | None = None
    currency: Currency | None = None


class ThresholdsOut(Schema):
    """CPI and SPI below which a unit's projects are flagged."""

    org_unit: int = Field(..., alias="org_unit_id")
    cpi_min: Decimal
    spi_min: Decimal
    version: int


class ThresholdsSetIn(InputSchema):
    """Set the unit's thresholds."""

    cpi_min: Index
    spi_min: Index
