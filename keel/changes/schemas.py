"""API shapes of change control: change requests, their proposed edits and computed impact, the steps
of their decision, and a unit's authority levels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from keel.changes.models import APPROVER_ROLES, MAX_LEVELS, ChangeRequest, TaskEdit
from keel.core.api import Id, InputSchema, Money, Text
from keel.orgs.schemas import UnitRef, UserRef
from keel.schedule.schemas import ProjectRef, TaskRef

VERSION = Field(None, ge=1, le=2**31, description="The version you edited (alternative to If-Match)")
Title = Annotated[Text, Field(min_length=1, max_length=200)]
LongText = Annotated[Text, Field(max_length=4000)]
Category = Literal[tuple(ChangeRequest.Category.values)]  # type: ignore[valid-type]
Status = Literal[tuple(ChangeRequest.Status.values)]  # type: ignore[valid-type]
EditKind = Literal[tuple(TaskEdit.Kind.values)]  # type: ignore[valid-type]
ApproverRole = Literal[tuple(str(r.value) for r in APPROVER_ROLES)]  # type: ignore[valid-type]
SignedMoney = Annotated[
    Decimal,
    Field(
        ge=Decimal("-99999999999999.99"),
        le=Decimal("99999999999999.99"),
        max_digits=16,
        decimal_places=2,
        description="An amount; negative reduces the budget",
    ),
]
Days = Annotated[Decimal, Field(ge=0, le=100000, max_digits=8, decimal_places=2)]
SlipDays = Annotated[int, Field(ge=-10000, le=10000)]


class ChangeRiskRef(Schema):
    """A RAID risk named by id, reference and title."""

    id: int
    reference: str
    title: str


class ChangeCostLineOut(Schema):
    """The budget edits of one cost category."""

    category: str
    amount: Decimal


class ChangeRequestOut(Schema):
    """A change request with its status, decision and the impact stored at submission and approval."""

    id: int
    reference: str
    project: ProjectRef
    title: str
    description: str
    reason: str
    category: str
    requested_by: UserRef | None
    scope_impact: str
    schedule_days: int | None
    new_finish: dt.date | None
    risk_impact: str
    risk: ChangeRiskRef | None
    status: str
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    decided_by: UserRef | None
    decision_note: str
    approver_role: str
    impact: dict[str, Any] = Field(..., description="The impact stored at submission and approval")
    version: int


class ChangeRequestCreateIn(InputSchema):
    """A new change request (a draft); the requester defaults to you."""

    title: Title
    description: LongText = ""
    reason: LongText = ""
    category: Category = None  # type: ignore[assignment]
    requested_by: Id | None = None
    scope_impact: LongText = ""
    schedule_days: SlipDays | None = None
    new_finish: dt.date | None = None
    risk_impact: LongText = ""
    risk: Id | None = None


class ChangeRequestPatchIn(InputSchema):
    """Changes to a draft: only the fields sent are changed."""

    title: Title = None  # type: ignore[assignment]
    description: LongText = None  # type: ignore[assignment]
    reason: LongText = None  # type: ignore[assignment]
    category: Category = None  # type: ignore[assignment]
    requested_by: Id = None  # type: ignore[assignment]
    scope_impact: LongText = None  # type: ignore[assignment]
    schedule_days: SlipDays | None = None
    new_finish: dt.date | None = None
    risk_impact: LongText = None  # type: ignore[assignment]
    risk: Id | None = None
    version: int | None = VERSION


class ChangeStepIn(InputSchema):
    """Submit, withdraw, approve or reject: the version you saw and a note (required to reject)."""

    note: LongText = ""
    version: int | None = VERSION


class ChangeFilterIn(Schema):
    """Filters of a change log."""

    status: Status | None = None  # type: ignore[valid-type]
    category: Category | None = None  # type: ignore[valid-type]
    requested_by: Id | None = None
    q: Annotated[Text, Field(max_length=100)] = ""


class ChangeTaskEditOut(Schema):
    """A proposed schedule edit."""

    id: int
    kind: str
    task: TaskRef | None
    name: str
    predecessor: TaskRef | None
    duration_days: Decimal
    version: int


class ChangeTaskEditIn(InputSchema):
    """A task's new duration (`task`), or a new task (`name`, optional `predecessor`), in working days."""

    kind: EditKind = None  # type: ignore[assignment]
    task: Id | None = None
    name: Annotated[Text, Field(max_length=255)] = ""
    predecessor: Id | None = None
    duration_days: Days


class ChangeBudgetEditOut(Schema):
    """A proposed budget edit."""

    id: int
    category: str
    period_start: dt.date
    amount: Decimal
    version: int

    @staticmethod
    def resolve_category(obj: Any) -> str:
        return obj.category.code


class ChangeBudgetEditIn(InputSchema):
    """An amount added to (negative: taken from) a cost category, by code, in the period starting on a day."""

    category: Annotated[Text, Field(min_length=1, max_length=30)]
    period_start: dt.date
    amount: SignedMoney


class ChangeLevelOut(Schema):
    """An authority level."""

    number: int
    max_cost: Decimal | None
    max_slip_days: int | None
    approver_role: str
    self_approval: bool


class ChangeImpactOut(Schema):
    """The impact of a change computed now: schedule (on a copy), cost and the authority level."""

    has_schedule: bool
    finish_before: dt.datetime | None
    finish_after: dt.datetime | None
    slip_days: Decimal
    estimated: bool = Field(..., description="The slip is the requester's estimate (no schedule edit)")
    critical_before: list[str]
    critical_after: list[str]
    critical_changed: bool
    budget_before: Decimal
    cost: Decimal
    budget_after: Decimal
    cost_lines: list[ChangeCostLineOut]
    level: ChangeLevelOut


class ChangeLevelIn(InputSchema):
    """An authority level: changes up to both limits (null: no limit) go to the approver role."""

    max_cost: Money | None = None
    max_slip_days: Annotated[int, Field(ge=0, le=10000)] | None = None
    approver_role: ApproverRole  # type: ignore[valid-type]
    self_approval: bool = False


class ChangeAuthorityOut(Schema):
    """The authority levels in force for a unit, and where they come from."""

    unit: UnitRef
    own: bool
    inherited_from: UnitRef | None
    levels: list[ChangeLevelOut]
    version: int | None


class ChangeAuthorityIn(InputSchema):
    """The unit's own authority levels, in order (the first a change fits decides)."""

    levels: list[ChangeLevelIn] = Field(..., min_length=1, max_length=MAX_LEVELS)
    version: int | None = VERSION
