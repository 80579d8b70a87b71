"""API shapes of the portfolio register: portfolios, programs, projects, the audit trail, the dashboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from keel.core.api import Id, InputSchema, Money, Text
from keel.orgs.schemas import Code, Currency, Name, UnitRef, UserRef
from keel.portfolio.models import Project
from keel.portfolio.selectors import PROJECT_ORDERINGS

ProjectName = Annotated[Text, Field(min_length=1, max_length=200)]
ProjectStatus = Literal[tuple(Project.Status.values)]  # type: ignore[valid-type]
ProjectHealth = Literal[tuple(Project.Health.values)]  # type: ignore[valid-type]
ProjectPhase = Literal[tuple(Project.Phase.values)]  # type: ignore[valid-type]
ProjectOrdering = Literal[tuple([*PROJECT_ORDERINGS, *(f"-{key}" for key in PROJECT_ORDERINGS)])]  # type: ignore[valid-type]

Priority = Field(None, ge=0, le=1000, description="0 (lowest) to 1000 (highest)")
VERSION = Field(None, ge=1, le=2**31, description="The version you edited (alternative to If-Match)")


class PortfolioRef(Schema):
    """A portfolio named by id, code and name."""

    id: int
    code: str
    name: str


class ProgramRef(Schema):
    """A program named by id, code and name, with its portfolio's id."""

    id: int
    code: str
    name: str
    portfolio_id: int


# --- portfolios ----------------------------------------------------------------------------------


class PortfolioOut(Schema):
    """A set of programs and projects managed together."""

    id: int
    code: str
    name: str
    description: str
    org_unit: UnitRef
    owner: UserRef | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class PortfolioCreateIn(InputSchema):
    """A new portfolio owned by `org_unit`."""

    code: Code
    name: Name
    description: Text = ""
    org_unit: Id
    owner: Id | None = None


class PortfolioPatchIn(InputSchema):
    """Changes to a portfolio: only the fields sent are changed."""

    code: Code = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    description: Text = None  # type: ignore[assignment]
    org_unit: Id = None  # type: ignore[assignment]
    owner: Id | None = None
    version: int | None = VERSION


# --- programs ------------------------------------------------------------------------------------


class ProgramOut(Schema):
    """Related projects managed together within a portfolio."""

    id: int
    code: str
    name: str
    description: str
    portfolio: PortfolioRef
    org_unit: UnitRef
    manager: UserRef | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ProgramCreateIn(InputSchema):
    """A new program in `portfolio`, run by `org_unit`."""

    code: Code
    name: Name
    description: Text = ""
    portfolio: Id
    org_unit: Id
    manager: Id | None = None


class ProgramPatchIn(InputSchema):
    """Changes to a program: only the fields sent are changed."""

    code: Code = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    description: Text = None  # type: ignore[assignment]
    portfolio: Id = None  # type: ignore[assignment]
    org_unit: Id = None  # type: ignore[assignment]
    manager: Id | None = None
    version: int | None = VERSION


# --- projects ------------------------------------------------------------------------------------


class ProjectOut(Schema):
    """A project of the register."""

    id: int
    code: str
    name: str
    description: str
    org_unit: UnitRef
    program: ProgramRef | None
    manager: UserRef | None
    sponsor: UserRef | None
    phase: str
    status: str
    health: str
    priority: int
    planned_start: dt.date | None
    planned_finish: dt.date | None
    budget: Decimal
    currency: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ProjectCreateIn(InputSchema):
    """A new project run by `org_unit`; currency defaults to the unit's, the rest to the usual defaults."""

    code: Code
    name: ProjectName
    description: Text = ""
    org_unit: Id
    program: Id | None = None
    manager: Id | None = None
    sponsor: Id | None = None
    phase: ProjectPhase = None  # type: ignore[assignment]
    status: ProjectStatus = None  # type: ignore[assignment]
    health: ProjectHealth = None  # type: ignore[assignment]
    priority: int = Priority
    planned_start: dt.date | None = None
    planned_finish: dt.date | None = None
    budget: Money = None  # type: ignore[assignment]
    currency: Currency = None  # type: ignore[assignment]
    methodology: Id | None = Field(None, description="The methodology it follows (starts in its first phase)")


class ProjectPatchIn(InputSchema):
    """Changes to a project: only the fields sent are changed."""

    code: Code = None  # type: ignore[assignment]
    name: ProjectName = None  # type: ignore[assignment]
    description: Text = None  # type: ignore[assignment]
    org_unit: Id = None  # type: ignore[assignment]
    program: Id | None = None
    manager: Id | None = None
    sponsor: Id | None = None
    phase: ProjectPhase = None  # type: ignore[assignment]
    status: ProjectStatus = None  # type: ignore[assignment]
    health: ProjectHealth = None  # type: ignore[assignment]
    priority: int = Priority
    planned_start: dt.date | None = None
    planned_finish: dt.date | None = None
    budget: Money = None  # type: ignore[assignment]
    currency: Currency = None  # type: ignore[assignment]
    version: int | None = VERSION


class ProjectFilterIn(Schema):
    """Filters of the project list; repeat `status`, `health` or `phase` to match any of several values."""

    q: Text = Field("", max_length=200, description="Text in the code, name or description")
    unit: Id | None = Field(None, description="An org unit id; its whole subtree is included")
    status: list[ProjectStatus] = Field(default_factory=list)
    health: list[ProjectHealth] = Field(default_factory=list)
    phase: list[ProjectPhase] = Field(default_factory=list)
    manager: Id | None = None
    program: Id | None = None
    portfolio: Id | None = None
    finish_before: dt.date | None = Field(None, description="Planned finish on or before this date")
    finish_after: dt.date | None = Field(None, description="Planned finish on or after this date")
    ordering: ProjectOrdering = Field("code", description="A sort key; prefix '-' for descending")


# --- audit trail and dashboard -------------------------------------------------------------------


class AuditEntryOut(Schema):
    """One create, update or delete: who, when, and each changed field as [old, new]."""

    id: int
    at: dt.datetime
    actor: UserRef | None
    action: str
    content_type: str = Field(..., description='"app_label.model", e.g. "portfolio.project"')
    object_id: str
    object_repr: str
    project_id: int | None
    changes: dict[str, Any]

    @staticmethod
    def resolve_content_type(obj: Any) -> str:
        """The record's kind as "app_label.model"."""
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


class AuditFilterIn(Schema):
    """Filters of the audit trail."""

    unit: Id | None = Field(None, description="An org unit id; its whole subtree is included")
    actor: Id | None = Field(None, description="The id of the person who made the change")
    content_type: Text = Field(
        "",
        max_length=201,
        pattern=r"^([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)?$",
        description='"app_label.model", e.g. "portfolio.project"',
    )
    object_id: Text = Field("", max_length=64)
    since: dt.date | None = Field(None, description="Changes on or after this date")
    until: dt.date | None = Field(None, description="Changes on or before this date")


class ActivityParams(Schema):
    """How many of the newest entries to return."""

    limit: int = Field(50, ge=1, le=500)


class UnitCount(Schema):
    """Projects run by one org unit."""

    code: str
    name: str
    count: int


class ProjectSummaryOut(Schema):
    """A project in a short list."""

    id: int
    code: str
    name: str
    org_unit: UnitRef
    manager: UserRef | None
    status: str
    health: str
    planned_finish: dt.date | None


class DashboardOut(Schema):
    """Your visible portfolio at a glance: counts by status, health and unit, and finishes ahead."""

    total: int
    by_status: dict[str, int]
    by_health: dict[str, int]
    by_unit: list[UnitCount]
    finishing: dict[str, int] = Field(
        ..., description="Open projects finishing within the next N days, keyed by N (30, 60, 90)"
    )
    finishing_soon: list[ProjectSummaryOut]
