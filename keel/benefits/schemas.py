"""API shapes of the benefits register: benefits, contributing projects, measurements, reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import WithJsonSchema

from keel.benefits.models import EARLIEST_DATE, LATEST_DATE, VALUE_MAX, Benefit, Frequency
from keel.benefits.selectors import ORDERINGS
from keel.core.api import Id, InputSchema, Text
from keel.orgs.schemas import Code, UnitRef, UserRef
from keel.schedule.schemas import ProjectRef

BenefitName = Annotated[Text, Field(min_length=1, max_length=200)]
BenefitStatus = Literal[tuple(Benefit.Status.values)]  # type: ignore[valid-type]
BenefitFrequency = Literal[tuple(Frequency.values)]  # type: ignore[valid-type]
BenefitOrdering = Literal[tuple([*ORDERINGS, *(f"-{key}" for key in ORDERINGS)])]  # type: ignore[valid-type]
CurrencyOrEmpty = Annotated[
    str, Field(pattern=r"^([A-Z]{3})?$", description="ISO 4217, e.g. EUR; empty if not financial")
]
# A measured or planned value: up to 14 digits and 4 decimals, either sign, as a number or a string.
Value = Annotated[
    Decimal,
    Field(ge=-VALUE_MAX, le=VALUE_MAX, max_digits=18, decimal_places=4),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": -float(VALUE_MAX), "maximum": float(VALUE_MAX)},
                {"type": "string", "pattern": r"^-?[0-9]{1,14}(\.[0-9]{1,4})?$"},
            ]
        }
    ),
]
Percent = Annotated[
    Decimal,
    Field(ge=0, le=100, max_digits=5, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 100, "multipleOf": 0.01},
                {"type": "string", "pattern": r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$"},
            ]
        }
    ),
]
# A benefit's dates: from 1900 to 2199.
Day = Annotated[dt.date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]
VERSION = Field(None, ge=1, le=2**31, description="The version you edited (alternative to If-Match)")


class BenefitMilestoneIn(InputSchema):
    """A point of the planned curve between the baseline and the target."""

    date: Day
    value: Value


class BenefitMilestoneOut(Schema):
    """A point of the planned curve."""

    date: dt.date
    value: Decimal


class BenefitOut(Schema):
    """A benefit: what is measured, from what baseline to what target, owned by whom."""

    id: int
    code: str
    name: str
    description: str
    financial: bool
    currency: str
    owner: UserRef
    measure: str
    measure_unit: str
    baseline_value: Decimal
    baseline_date: dt.date
    target_value: Decimal
    target_date: dt.date
    milestones: list[BenefitMilestoneOut]
    frequency: BenefitFrequency
    status: BenefitStatus
    org_unit: UnitRef
    lead_project: ProjectRef | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class BenefitCreateIn(InputSchema):
    """A new benefit in `org_unit` (or in the unit of `lead_project`, which then contributes to it)."""

    code: Code
    name: BenefitName
    description: Text = ""
    financial: bool = False
    currency: CurrencyOrEmpty = ""
    owner: Id
    measure: Annotated[Text, Field(min_length=1, max_length=200)]
    measure_unit: Annotated[Text, Field(max_length=30)] = ""
    baseline_value: Value
    baseline_date: Day
    target_value: Value
    target_date: Day
    milestones: list[BenefitMilestoneIn] = Field(default_factory=list, max_length=100)
    frequency: BenefitFrequency = Frequency.QUARTERLY.value
    status: BenefitStatus = Benefit.Status.ACTIVE.value
    org_unit: Id | None = None
    lead_project: Id | None = None


class BenefitPatchIn(InputSchema):
    """Changes to a benefit: only the fields sent are changed."""

    code: Code = None  # type: ignore[assignment]
    name: BenefitName = None  # type: ignore[assignment]
    description: Text = None  # type: ignore[assignment]
    financial: bool = None  # type: ignore[assignment]
    currency: CurrencyOrEmpty = None  # type: ignore[assignment]
    owner: Id = None  # type: ignore[assignment]
    measure: Annotated[Text, Field(min_length=1, max_length=200)] = None  # type: ignore[assignment]
    measure_unit: Annotated[Text, Field(max_length=30)] = None  # type: ignore[assignment]
    baseline_value: Value = None  # type: ignore[assignment]
    baseline_date: Day = None  # type: ignore[assignment]
    target_value: Value = None  # type: ignore[assignment]
    target_date: Day = None  # type: ignore[assignment]
    milestones: list[BenefitMilestoneIn] = Field(None, max_length=100)  # type: ignore[assignment]
    frequency: BenefitFrequency = None  # type: ignore[assignment]
    status: BenefitStatus = None  # type: ignore[assignment]
    org_unit: Id = None  # type: ignore[assignment]
    lead_project: Id | None = None
    version: int | None = VERSION


class BenefitFilterIn(Schema):
    """Filters of the benefits register."""

    q: Annotated[Text, Field(max_length=100)] = ""
    unit: Id | None = None
    status: list[BenefitStatus] = Field(default_factory=list)
    project: Id | None = None
    owner: Id | None = None
    financial: bool | None = None
    sort: BenefitOrdering = "code"


class ContributionOut(Schema):
    """A project contributing to a benefit."""

    id: int
    project: ProjectRef
    share_percent: Decimal | None
    note: str


class ContributionIn(InputSchema):
    """A project (one you can see) that contributes to the benefit."""

    project: Id
    share_percent: Percent | None = None
    note: Annotated[Text, Field(max_length=300)] = ""


class MeasurementOut(Schema):
    """The realized value of a benefit on a day."""

    id: int
    measured_on: dt.date
    value: Decimal
    note: str
    recorded_by: UserRef | None
    created_at: dt.datetime


class MeasurementIn(InputSchema):
    """A realized value measured on a day (today or earlier, not before the baseline date)."""

    measured_on: Day
    value: Value
    note: Annotated[Text, Field(max_length=500)] = ""


class SeriesPointOut(Schema):
    """One date of the realized-vs-planned series."""

    date: dt.date
    planned: Decimal
    realized: Decimal | None
    kind: Literal["baseline", "milestone", "target", "measurement", "today"]


class BenefitStateOut(Schema):
    """Where a benefit stands: planned today, latest measurement, behind plan by how much, when due."""

    benefit: BenefitOut
    today: dt.date
    planned_today: Decimal
    latest_measured_on: dt.date | None
    latest_value: Decimal | None
    planned_at_latest: Decimal | None
    shortfall_percent: Decimal | None = Field(
        description="Behind plan at the latest measurement (negative: ahead)"
    )
    realized_percent: Decimal | None = Field(
        description="Share of the planned gain (baseline to target) realized"
    )
    threshold_percent: Decimal
    at_risk: bool
    next_due: dt.date
    overdue: bool
    overdue_since: dt.date | None


class BenefitSeriesOut(BenefitStateOut):
    """A benefit's state with its realized-vs-planned series."""

    series: list[SeriesPointOut]


class CurrencySeriesOut(Schema):
    """Financial benefits of one currency summed per month (gains over their baselines)."""

    currency: str
    benefits: int
    months: list[dt.date]
    planned_gain: list[Decimal]
    realized_gain: list[Decimal]


class PortfolioBenefitsOut(Schema):
    """Realized vs planned across the visible portfolio."""

    today: dt.date
    benefits: list[BenefitStateOut]
    currencies: list[CurrencySeriesOut]
    reporting_currency: str = Field(..., description="The currency of `total`: yours (your top unit's)")
    total: CurrencySeriesOut | None = Field(
        ...,
        description="Every financial benefit converted at the PMO's dated rates; null when a rate is missing",
    )
    total_error: str = Field(..., description="Why `total` is null: the missing currency pair and date")


class ThresholdIn(InputSchema):
    """The at-risk threshold of a unit's subtree: percent behind plan."""

    org_unit: Id
    at_risk_percent: Percent


class ThresholdOut(Schema):
    """The at-risk threshold set for a unit's subtree."""

    org_unit: UnitRef
    percent: Decimal
    version: int
