"""API shapes of status reports: the PMO's settings of a unit, a project's cadence, reports (proposed
RAG with reasons, the manager's decisions, narrative, facts), the portfolio view and overdue reports.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from keel.core.api import InputSchema, Text
from keel.orgs.schemas import UnitRef, UserRef
from keel.schedule.schemas import ProjectRef
from keel.statusreports.models import DIMENSIONS, Cadence, Rag, StatusReport

VERSION = Field(None, ge=1, le=2**31, description="The version you edited (alternative to If-Match)")
LongText = Annotated[Text, Field(max_length=4000)]
CadenceName = Literal[tuple(Cadence.values)]  # type: ignore[valid-type]
RagName = Literal[tuple(Rag.values)]  # type: ignore[valid-type]
RagOrEmpty = Literal[tuple([*Rag.values, ""])]  # type: ignore[valid-type]
Ratio = Annotated[Decimal, Field(ge=0, le=2, max_digits=4, decimal_places=2)]
Count = Annotated[int, Field(ge=1, le=1000)]
Day = Annotated[dt.date, Field(description="YYYY-MM-DD")]


class StatusReportConfigOut(Schema):
    """The status-report settings in force for a unit, and where they come from."""

    unit: UnitRef
    own: bool = Field(..., description="Whether the unit has its own settings (else they are inherited)")
    inherited_from: UnitRef | None = Field(
        ..., description="The unit whose settings apply; null: the defaults"
    )
    cadence: CadenceName
    spi_amber: Decimal
    spi_red: Decimal
    cpi_amber: Decimal
    cpi_red: Decimal
    slipped_amber: int
    slipped_red: int
    overdue_amber: int
    overdue_red: int
    high_risks_amber: int
    high_risks_red: int
    version: int | None = Field(..., description="The version of the unit's own settings (null: none)")


class StatusReportConfigIn(InputSchema):
    """The unit's own settings; the fields left out keep their current (or inherited) value."""

    cadence: CadenceName = None  # type: ignore[assignment]
    spi_amber: Ratio = None  # type: ignore[assignment]
    spi_red: Ratio = None  # type: ignore[assignment]
    cpi_amber: Ratio = None  # type: ignore[assignment]
    cpi_red: Ratio = None  # type: ignore[assignment]
    slipped_amber: Count = None  # type: ignore[assignment]
    slipped_red: Count = None  # type: ignore[assignment]
    overdue_amber: Count = None  # type: ignore[assignment]
    overdue_red: Count = None  # type: ignore[assignment]
    high_risks_amber: Count = None  # type: ignore[assignment]
    high_risks_red: Count = None  # type: ignore[assignment]
    version: int | None = VERSION


class StatusReportCadenceOut(Schema):
    """A project's reporting cadence and its next due date."""

    project: ProjectRef
    cadence: CadenceName
    own: bool = Field(..., description="Whether the project has its own cadence (else its unit's)")
    next_due: dt.date
    version: int | None = Field(..., description="The version of the project's own cadence (null: none)")


class StatusReportCadenceIn(InputSchema):
    """The project's own cadence; null follows the unit's again."""

    cadence: CadenceName | None
    version: int | None = VERSION


class StatusReportRagOut(Schema):
    """One dimension of a report: Keel's proposal with its reasons, the manager's decision and reason."""

    dimension: str
    proposed: RagName
    reasons: list[str]
    decided: RagOrEmpty = Field(..., description="The manager's RAG; empty while undecided")
    reason: str = Field(..., description="Why the manager overrode the proposal")
    rag: RagName = Field(..., description="The RAG shown: the decision, else the proposal")


class StatusReportOut(Schema):
    """A status report."""

    id: int
    project: ProjectRef
    period_end: dt.date
    status_date: dt.date
    status: Literal[tuple(StatusReport.Status.values)]  # type: ignore[valid-type]
    rags: list[StatusReportRagOut]
    facts: dict[str, Any]
    accomplishments: str
    next_steps: str
    help_needed: str
    created_by: UserRef | None
    submitted_at: dt.datetime | None
    submitted_by: UserRef | None
    version: int

    @staticmethod
    def resolve_rags(obj: StatusReport) -> list[dict[str, Any]]:
        return [
            {
                "dimension": d,
                "proposed": obj.proposed(d),
                "reasons": list((obj.reasons or {}).get(d, [])),
                "decided": obj.decided(d),
                "reason": getattr(obj, f"{d}_reason"),
                "rag": obj.rag(d),
            }
            for d in DIMENSIONS
        ]


class StatusReportCreateIn(InputSchema):
    """Draft a report: the period (default: the one due next) and the status date (default: today)."""

    period_end: Day | None = None
    status_date: Day | None = None


class StatusReportPatchIn(InputSchema):
    """Decisions and narrative of a draft; an override of the proposal needs its reason."""

    schedule_rag: RagOrEmpty = None  # type: ignore[assignment]
    schedule_reason: LongText = None  # type: ignore[assignment]
    cost_rag: RagOrEmpty = None  # type: ignore[assignment]
    cost_reason: LongText = None  # type: ignore[assignment]
    scope_rag: RagOrEmpty = None  # type: ignore[assignment]
    scope_reason: LongText = None  # type: ignore[assignment]
    risk_rag: RagOrEmpty = None  # type: ignore[assignment]
    risk_reason: LongText = None  # type: ignore[assignment]
    overall_rag: RagOrEmpty = None  # type: ignore[assignment]
    overall_reason: LongText = None  # type: ignore[assignment]
    accomplishments: LongText = None  # type: ignore[assignment]
    next_steps: LongText = None  # type: ignore[assignment]
    help_needed: LongText = None  # type: ignore[assignment]
    version: int | None = VERSION


class StatusReportRefreshIn(InputSchema):
    """Draft the proposal again from the data as of `status_date` (default: today)."""

    status_date: Day | None = None
    version: int | None = VERSION


class StatusReportSubmitIn(InputSchema):
    """Submit a draft."""

    version: int | None = VERSION


class StatusReportPortfolioRowOut(Schema):
    """A project of the portfolio view: its latest submitted report, its overall RAG trend, its overdue report."""

    project: ProjectRef
    latest_id: int | None
    period_end: dt.date | None
    schedule: RagOrEmpty
    cost: RagOrEmpty
    scope: RagOrEmpty
    risk: RagOrEmpty
    overall: RagOrEmpty
    trend: list[RagName] = Field(..., description="Overall RAG of the last reports, oldest first")
    overdue_since: dt.date | None = Field(..., description="The due date of a missing report")


class StatusReportOverdueOut(Schema):
    """A report due and not submitted."""

    project: ProjectRef
    due: dt.date
    owner: UserRef | None
    url: str


class StatusReportPortfolioFilterIn(Schema):
    """Filters of the portfolio view."""

    unit: int | None = Field(None, ge=1, le=2**63 - 1, description="Projects of this unit's subtree")
    q: Annotated[Text, Field(max_length=100)] = ""
