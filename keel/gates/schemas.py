"""API shapes of methodologies and stage gates: methodologies with their phases and criteria, a project's
gate (methodology, phase bar, checklist), deliverables, gate reviews with their decisions, the lifecycle
history. Every name starts with "Gate" or "Methodology" so that it is unique across the API.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from keel.core.api import Id, InputSchema, Money, Text
from keel.gates.models import GateDecision, Methodology
from keel.orgs.schemas import UnitRef, UserRef
from keel.schedule.schemas import ProjectRef

VERSION = Field(None, ge=1, le=2**31, description="The version you edited (alternative to If-Match)")
Name = Annotated[Text, Field(min_length=1, max_length=100)]
Title = Annotated[Text, Field(min_length=1, max_length=200)]
LongText = Annotated[Text, Field(max_length=4000)]
Order = Annotated[int, Field(ge=1, le=1000)]
Approach = Literal[tuple(Methodology.Approach.values)]  # type: ignore[valid-type]
Outcome = Literal[tuple(GateDecision.Outcome.values)]  # type: ignore[valid-type]
# Free text validated by the service (a 422 naming the field), so that the scope is checked first.
KindText = Annotated[Text, Field(max_length=20, description="deliverable, check or approval")]
CheckText = Annotated[Text, Field(max_length=40, description="An automatic check (see GET /gate-checks)")]
RoleText = Annotated[Text, Field(max_length=30, description="The approving role, e.g. portfolio_manager")]


# --- methodologies --------------------------------------------------------------------------------------


class GateCriterionOut(Schema):
    """One criterion of a gate's checklist."""

    id: int
    key: str = Field(..., description='Stable key, e.g. "gate:12:criterion:34"')
    order: int
    kind: str
    title: str
    description: str
    check_name: str
    role: str
    version: int


class GatePhaseOut(Schema):
    """A phase of a methodology and the gate that closes it, with its criteria."""

    id: int
    order: int
    name: str
    description: str
    gate_name: str
    criteria: list[GateCriterionOut]
    version: int

    @staticmethod
    def resolve_criteria(obj: Any) -> list[Any]:
        return list(obj.criteria.all())


class MethodologyOut(Schema):
    """A methodology (lifecycle) of a unit, applying to the projects of its subtree within its budget range."""

    id: int
    org_unit: UnitRef
    name: str
    description: str
    approach: str
    min_budget: Decimal | None
    max_budget: Decimal | None
    active: bool
    version: int


class MethodologyDetailOut(MethodologyOut):
    """A methodology with its phases, gates and criteria."""

    phases: list[GatePhaseOut]

    @staticmethod
    def resolve_phases(obj: Any) -> list[Any]:
        return list(obj.phases.order_by("order", "pk").prefetch_related("criteria"))


class MethodologyCreateIn(InputSchema):
    """A new methodology of a unit."""

    org_unit: Id
    name: Name
    description: LongText = ""
    approach: Approach = "waterfall"  # type: ignore[assignment]
    min_budget: Money | None = None
    max_budget: Money | None = None
    active: bool = True


class MethodologyPatchIn(InputSchema):
    """Changes to a methodology; the fields left out keep their value."""

    name: Name = None  # type: ignore[assignment]
    description: LongText = None  # type: ignore[assignment]
    approach: Approach = None  # type: ignore[assignment]
    min_budget: Money | None = None
    max_budget: Money | None = None
    active: bool = None  # type: ignore[assignment]
    version: int | None = VERSION


class GatePhaseCreateIn(InputSchema):
    """A new phase (appended unless `order` is given) and the name of its gate."""

    name: Name
    gate_name: Annotated[Text, Field(max_length=100)] = ""
    description: LongText = ""
    order: Order | None = None


class GatePhasePatchIn(InputSchema):
    """Changes to a phase."""

    name: Name = None  # type: ignore[assignment]
    gate_name: Name = None  # type: ignore[assignment]
    description: LongText = None  # type: ignore[assignment]
    order: Order = None  # type: ignore[assignment]
    version: int | None = VERSION


class GateCriterionCreateIn(InputSchema):
    """A new criterion of the gate: a deliverable, an automatic check (`check_name`) or an approval (`role`)."""

    kind: KindText
    title: Title
    description: LongText = ""
    check_name: CheckText = ""
    role: RoleText = ""
    order: Order | None = None


class GateCriterionPatchIn(InputSchema):
    """Changes to a criterion."""

    kind: KindText = None  # type: ignore[assignment]
    title: Title = None  # type: ignore[assignment]
    description: LongText = None  # type: ignore[assignment]
    check_name: CheckText = None  # type: ignore[assignment]
    role: RoleText = None  # type: ignore[assignment]
    order: Order = None  # type: ignore[assignment]
    version: int | None = VERSION


class GateCheckOut(Schema):
    """One of Keel's automatic checks."""

    name: str
    label: str
    help: str


# --- a project's gate -----------------------------------------------------------------------------------


class GateDeliverableOut(Schema):
    """A document or link provided for a deliverable criterion."""

    id: int
    project: ProjectRef
    criterion_id: int
    criterion: str
    link: str
    file_name: str
    download_url: str = Field(..., description="Where the document is served (signed-in browser session)")
    note: str
    provided_by: UserRef | None
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_criterion(obj: Any) -> str:
        return obj.criterion.title

    @staticmethod
    def resolve_download_url(obj: Any) -> str:
        from django.urls import reverse

        return reverse("gates:deliverable", args=[obj.pk]) if obj.file else ""


class GateChecklistItemOut(Schema):
    """One criterion of the gate closing the current phase, and whether it is met."""

    key: str
    criterion_id: int
    kind: str
    title: str
    met: bool
    missing: bool = Field(..., description="A deliverable or check not in place: a review request is refused")
    detail: str
    deliverable: GateDeliverableOut | None

    @staticmethod
    def resolve_criterion_id(obj: Any) -> int:
        return obj.criterion.pk

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return obj.criterion.title


class GatePhaseStepOut(Schema):
    """A phase of the phase bar."""

    id: int
    name: str
    gate_name: str
    state: Literal["done", "current", "upcoming"]

    @staticmethod
    def resolve_id(obj: Any) -> int:
        return obj.phase.pk

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.phase.name

    @staticmethod
    def resolve_gate_name(obj: Any) -> str:
        return obj.phase.gate_name


class GateMethodologyRef(Schema):
    """A methodology named by id and name."""

    id: int
    name: str


class GateStateOut(Schema):
    """A project's methodology, phase bar, current checklist and pending review."""

    project: ProjectRef
    methodology: GateMethodologyRef | None
    phase: str | None = Field(..., description='The current phase; "Closed" after the last gate; null: none')
    phase_started_on: dt.date | None
    gate_name: str | None
    phases: list[GatePhaseStepOut]
    checklist: list[GateChecklistItemOut]
    pending_review_id: int | None
    version: int | None = Field(..., description="The version of the project's lifecycle record")


class GateMethodologyIn(InputSchema):
    """Choose the project's methodology, or move it to another (PMO administrators, with a reason)."""

    methodology: Id
    reason: LongText = ""
    mapping: Literal["map", "reset"] = Field(
        "map", description="map: keep the phase of the same name or position; reset: start at the first phase"
    )
    version: int | None = VERSION


class GateDeliverableIn(InputSchema):
    """A link provided for a deliverable criterion of the project's methodology (replaces an earlier one)."""

    criterion: Id
    link: Annotated[Text, Field(max_length=500)]
    note: Annotated[Text, Field(max_length=300)] = ""


# --- reviews --------------------------------------------------------------------------------------------


class GateDecisionOut(Schema):
    """A reviewer's decision on one approval."""

    id: int
    criterion_id: int
    criterion: str
    outcome: str
    comment: str
    reviewer: UserRef | None
    created_at: dt.datetime

    @staticmethod
    def resolve_criterion(obj: Any) -> str:
        return obj.criterion.title


class GateReviewOut(Schema):
    """A gate review: the gate, who asked and when, the checklist at the time, the decisions and the outcome."""

    id: int
    project: ProjectRef
    phase: str
    gate_name: str
    status: str
    comment: str
    requested_by: UserRef | None
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    checklist: list[dict[str, Any]]
    decisions: list[GateDecisionOut]
    version: int

    @staticmethod
    def resolve_phase(obj: Any) -> str:
        return obj.phase.name

    @staticmethod
    def resolve_gate_name(obj: Any) -> str:
        return obj.phase.gate_name

    @staticmethod
    def resolve_decisions(obj: Any) -> list[Any]:
        return list(obj.decisions.all())


class GateReviewRequestIn(InputSchema):
    """Ask to pass the gate closing the project's current phase."""

    comment: LongText = ""


class GateDecisionIn(InputSchema):
    """Approve, reject or defer (with a comment) one approval of a pending review (the first open one
    your roles allow unless `criterion` names it)."""

    outcome: Outcome
    comment: LongText = ""
    criterion: Id | None = None


class GateEventOut(Schema):
    """One step of a project's lifecycle history."""

    kind: str
    at: dt.datetime
    actor: UserRef | None
    text: str
    reason: str
    review_id: int | None
