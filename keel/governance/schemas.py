"""API shapes of the RAID log: unit settings, risks and their actions, issues, assumptions, decisions,
the heat map and the escalation list.

Probability, impact and severity are levels on the scale of the project's unit (1 to its size, at
most 10); a value outside it is refused with a 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from keel.core.api import Id, InputSchema, Text
from keel.governance.models import SCALE_MAX, SCALE_MIN, Assumption, Issue, Risk, RiskAction
from keel.orgs.schemas import UnitRef, UserRef
from keel.schedule.schemas import ProjectRef

VERSION = Field(None, ge=1, le=2**31, description="The version you edited (alternative to If-Match)")
Title = Annotated[Text, Field(min_length=1, max_length=200)]
LongText = Annotated[Text, Field(max_length=4000)]
Level = Annotated[int, Field(ge=1, le=SCALE_MAX, description="A level on the scale of the project's unit")]
Label = Annotated[Text, Field(min_length=1, max_length=40)]
Category = Annotated[Text, Field(max_length=60)]
RiskStatus = Literal[tuple(Risk.Status.values)]  # type: ignore[valid-type]
Strategy = Literal[tuple([*Risk.Strategy.values, ""])]  # type: ignore[valid-type]
IssueStatus = Literal[tuple(Issue.Status.values)]  # type: ignore[valid-type]
AssumptionStatus = Literal[tuple(Assumption.Status.values)]  # type: ignore[valid-type]
ActionStatus = Literal[tuple(RiskAction.Status.values)]  # type: ignore[valid-type]
Day = Annotated[dt.date, Field(description="YYYY-MM-DD")]


class ItemRef(Schema):
    """A RAID item named by id, reference and title."""

    id: int
    reference: str
    title: str


# --- settings -----------------------------------------------------------------------------------------


class RaidConfigOut(Schema):
    """The RAID settings in force for a unit, and where they come from."""

    unit: UnitRef
    own: bool = Field(..., description="Whether the unit has its own settings (else they are inherited)")
    inherited_from: UnitRef | None = Field(
        ..., description="The unit whose settings apply; null: the defaults"
    )
    scale_size: int
    probability_labels: list[str]
    impact_labels: list[str]
    escalation_threshold: int
    escalation_severity: int
    categories: list[str]
    version: int | None = Field(..., description="The version of the unit's own settings (null: none)")


class RaidConfigIn(InputSchema):
    """The unit's own RAID settings; the fields left out keep their current (or inherited) value."""

    scale_size: int = Field(None, ge=SCALE_MIN, le=SCALE_MAX)  # type: ignore[assignment]
    probability_labels: list[Label] = Field(None, max_length=SCALE_MAX)  # type: ignore[assignment]
    impact_labels: list[Label] = Field(None, max_length=SCALE_MAX)  # type: ignore[assignment]
    escalation_threshold: int = Field(None, ge=1, le=SCALE_MAX * SCALE_MAX)  # type: ignore[assignment]
    escalation_severity: int = Field(None, ge=1, le=SCALE_MAX)  # type: ignore[assignment]
    categories: list[Annotated[Text, Field(min_length=1, max_length=60)]] = Field(None, max_length=100)  # type: ignore[assignment]
    version: int | None = VERSION


# --- items --------------------------------------------------------------------------------------------


class EscalationStateOut(Schema):
    """The escalation fields of a risk or issue."""

    escalated: bool
    escalation_reason: str
    escalated_at: dt.datetime | None
    escalated_by: UserRef | None
    resolution: str
    resolved_at: dt.datetime | None
    resolved_by: UserRef | None


class RiskActionOut(Schema):
    """A response action of a risk."""

    id: int
    risk: ItemRef
    description: str
    owner: UserRef | None
    due_date: dt.date
    status: str
    completed_on: dt.date | None
    version: int


class RiskActionCreateIn(InputSchema):
    """A new response action; it needs its due date."""

    description: Annotated[Text, Field(min_length=1, max_length=300)]
    due_date: Day
    owner: Id | None = None
    status: ActionStatus = None  # type: ignore[assignment]
    completed_on: Day | None = None


class RiskActionPatchIn(InputSchema):
    """Changes to a risk action: only the fields sent are changed."""

    description: Annotated[Text, Field(min_length=1, max_length=300)] = None  # type: ignore[assignment]
    due_date: Day = None  # type: ignore[assignment]
    owner: Id | None = None
    status: ActionStatus = None  # type: ignore[assignment]
    completed_on: Day | None = None
    version: int | None = VERSION


class RiskOut(EscalationStateOut):
    """A risk: cause → event → effect, scored probability × impact, its response and residual score."""

    id: int
    reference: str
    project: ProjectRef
    title: str
    description: str
    owner: UserRef | None
    cause: str
    event: str
    effect: str
    category: str
    probability: int
    impact: int
    score: int
    proximity: dt.date | None
    response_strategy: str
    trigger: str
    status: str
    residual_probability: int | None
    residual_impact: int | None
    residual_score: int | None
    actions: list[RiskActionOut]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_actions(obj: Risk) -> list[RiskAction]:
        return list(obj.actions.all())


class RiskCreateIn(InputSchema):
    """A new risk of the project."""

    title: Title
    probability: Level
    impact: Level
    description: LongText = ""
    owner: Id | None = None
    cause: LongText = ""
    event: LongText = ""
    effect: LongText = ""
    category: Category = ""
    proximity: Day | None = None
    response_strategy: Strategy = ""  # type: ignore[assignment]
    trigger: LongText = ""
    status: RiskStatus = None  # type: ignore[assignment]
    residual_probability: Level | None = None
    residual_impact: Level | None = None


class RiskPatchIn(InputSchema):
    """Changes to a risk: only the fields sent are changed."""

    title: Title = None  # type: ignore[assignment]
    probability: Level = None  # type: ignore[assignment]
    impact: Level = None  # type: ignore[assignment]
    description: LongText = None  # type: ignore[assignment]
    owner: Id | None = None
    cause: LongText = None  # type: ignore[assignment]
    event: LongText = None  # type: ignore[assignment]
    effect: LongText = None  # type: ignore[assignment]
    category: Category = None  # type: ignore[assignment]
    proximity: Day | None = None
    response_strategy: Strategy = None  # type: ignore[assignment]
    trigger: LongText = None  # type: ignore[assignment]
    status: RiskStatus = None  # type: ignore[assignment]
    residual_probability: Level | None = None
    residual_impact: Level | None = None
    version: int | None = VERSION


class IssueOut(EscalationStateOut):
    """An issue: severity, owner, due date, status and resolution."""

    id: int
    reference: str
    project: ProjectRef
    title: str
    description: str
    owner: UserRef | None
    severity: int
    due_date: dt.date | None
    status: str
    resolution_note: str
    resolved_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class IssueCreateIn(InputSchema):
    """A new issue of the project."""

    title: Title
    severity: Level
    description: LongText = ""
    owner: Id | None = None
    due_date: Day | None = None
    status: IssueStatus = None  # type: ignore[assignment]
    resolution_note: LongText = ""
    resolved_on: Day | None = None


class IssuePatchIn(InputSchema):
    """Changes to an issue: only the fields sent are changed (resolving needs a resolution note)."""

    title: Title = None  # type: ignore[assignment]
    severity: Level = None  # type: ignore[assignment]
    description: LongText = None  # type: ignore[assignment]
    owner: Id | None = None
    due_date: Day | None = None
    status: IssueStatus = None  # type: ignore[assignment]
    resolution_note: LongText = None  # type: ignore[assignment]
    resolved_on: Day | None = None
    version: int | None = VERSION


class AssumptionOut(Schema):
    """An assumption with its owner, validation date and status."""

    id: int
    reference: str
    project: ProjectRef
    title: str
    description: str
    owner: UserRef | None
    validation_date: dt.date | None
    status: str
    validation_note: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class AssumptionCreateIn(InputSchema):
    """A new assumption of the project."""

    title: Title
    description: LongText = ""
    owner: Id | None = None
    validation_date: Day | None = None
    status: AssumptionStatus = None  # type: ignore[assignment]
    validation_note: LongText = ""


class AssumptionPatchIn(InputSchema):
    """Changes to an assumption: only the fields sent are changed."""

    title: Title = None  # type: ignore[assignment]
    description: LongText = None  # type: ignore[assignment]
    owner: Id | None = None
    validation_date: Day | None = None
    status: AssumptionStatus = None  # type: ignore[assignment]
    validation_note: LongText = None  # type: ignore[assignment]
    version: int | None = VERSION


class DecisionOut(Schema):
    """A decision: what, who decided, when, why, the options considered and the items it concerns."""

    id: int
    reference: str
    project: ProjectRef
    title: str
    description: str
    owner: UserRef | None
    decided_by: str
    decided_on: dt.date
    rationale: str
    options_considered: str
    linked_risks: list[ItemRef]
    linked_issues: list[ItemRef]
    linked_assumptions: list[ItemRef]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_linked_risks(obj: object) -> list[object]:
        return list(obj.linked_risks.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_linked_issues(obj: object) -> list[object]:
        return list(obj.linked_issues.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_linked_assumptions(obj: object) -> list[object]:
        return list(obj.linked_assumptions.all())  # type: ignore[attr-defined]


Links = Annotated[list[Id], Field(max_length=500, description="Ids of items of the same project")]


class DecisionCreateIn(InputSchema):
    """A new decision of the project; the rationale is required."""

    title: Title
    decided_by: Annotated[Text, Field(min_length=1, max_length=200)]
    decided_on: Day
    rationale: LongText
    description: LongText = ""
    owner: Id | None = None
    options_considered: LongText = ""
    linked_risks: Links = []
    linked_issues: Links = []
    linked_assumptions: Links = []


class DecisionPatchIn(InputSchema):
    """Changes to a decision: only the fields sent are changed; a list of links sent replaces the links."""

    title: Title = None  # type: ignore[assignment]
    decided_by: Annotated[Text, Field(min_length=1, max_length=200)] = None  # type: ignore[assignment]
    decided_on: Day = None  # type: ignore[assignment]
    rationale: LongText = None  # type: ignore[assignment]
    description: LongText = None  # type: ignore[assignment]
    owner: Id | None = None
    options_considered: LongText = None  # type: ignore[assignment]
    linked_risks: Links = None  # type: ignore[assignment]
    linked_issues: Links = None  # type: ignore[assignment]
    linked_assumptions: Links = None  # type: ignore[assignment]
    version: int | None = VERSION


class RaidFilterIn(Schema):
    """Filters of a RAID list."""

    status: Annotated[str, Field(max_length=20)] = ""
    owner: Id | None = None
    q: Annotated[Text, Field(max_length=100)] = ""
    category: Annotated[Text, Field(max_length=60)] = ""
    min_score: Annotated[int, Field(ge=1, le=100)] | None = None
    escalated: bool | None = None


# --- escalation ---------------------------------------------------------------------------------------


class EscalateIn(InputSchema):
    """The project manager flags the item for the PMO, saying why."""

    reason: Annotated[Text, Field(max_length=4000)]
    version: int | None = VERSION


class ResolveIn(InputSchema):
    """The PMO resolves the escalation, recording how."""

    resolution: Annotated[Text, Field(max_length=4000)]
    version: int | None = VERSION


class EscalationOut(Schema):
    """A risk or issue on the escalation list: why, since when, for how many days."""

    kind: Literal["risk", "issue"]
    id: int
    reference: str
    title: str
    project: ProjectRef
    owner: UserRef | None
    reasons: list[Literal["threshold", "overdue", "flagged"]]
    details: list[str]
    since: dt.date
    age_days: int
    version: int


class EscalationFilterIn(Schema):
    """Filters of the escalation list."""

    project: Id | None = None
    unit: Id | None = None
    reason: Literal["threshold", "overdue", "flagged", ""] = ""


# --- heat map -----------------------------------------------------------------------------------------


class HeatCellOut(Schema):
    """One cell of the heat map."""

    probability: int
    impact: int
    score: int
    count: int


class HeatMapOut(Schema):
    """Open risks counted per probability × impact cell."""

    size: int
    probability_labels: list[str]
    impact_labels: list[str]
    threshold: int = Field(..., description="Cells scoring at least this are escalated")
    residual: bool
    total: int
    cells: list[HeatCellOut]


class HeatMapFilterIn(Schema):
    """Options of the heat map."""

    residual: bool = False
    unit: Id | None = None
