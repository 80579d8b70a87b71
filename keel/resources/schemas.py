"""API shapes of the resource pool: pools, resources, skills, rates, leave, assignments, allocations.

Fields a service requires but that reference another record or a value the service checks (the
resource of an assignment, the weeks of an allocation, a rate's currency) are optional here: a
missing one is refused by the service with a 422 naming the field and saying what to give.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from keel.core.api import Id, InputSchema, Money, Text
from keel.orgs.schemas import Code, Currency, Name, UnitRef, UserRef
from keel.resources.models import MAX_UNITS, Allocation, Resource, ResourceLeave
from keel.resources.selectors import RESOURCE_ORDERINGS
from keel.schedule.schemas import ProjectRef

VERSION = Field(None, ge=1, le=2**31, description="The version you edited (alternative to If-Match)")
ResourceKind = Literal[tuple(Resource.Kind.values)]  # type: ignore[valid-type]
LeaveKind = Literal[tuple(ResourceLeave.Kind.values)]  # type: ignore[valid-type]
AllocationStatus = Literal[tuple(Allocation.Status.values)]  # type: ignore[valid-type]
ResourceOrdering = Literal[tuple([*RESOURCE_ORDERINGS, *(f"-{key}" for key in RESOURCE_ORDERINGS)])]  # type: ignore[valid-type]
Units = Annotated[int, Field(ge=0, le=MAX_UNITS, description="Percent: 100 = one full-time person")]
Minutes = Annotated[int, Field(ge=0, le=10**12, description="Minutes of work")]
Level = Annotated[int, Field(ge=1, le=5, description="1 (basic) to 5 (expert)")]
Percent = Annotated[int, Field(ge=1, le=100)]
Hours = Annotated[Decimal, Field(ge=Decimal("0.25"), le=Decimal("168"), max_digits=6, decimal_places=2)]
Date = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2999, 12, 31))]
Notes = Annotated[Text, Field(max_length=4000)]
SkillName = Annotated[Text, Field(min_length=1, max_length=100)]
Category = Annotated[Text, Field(max_length=100)]
Email = Annotated[Text, Field(max_length=254)]
LeaveNote = Annotated[Text, Field(max_length=200)]


class ResourcePoolRef(Schema):
    """A pool named by id, code and name."""

    id: int
    code: str
    name: str


class ResourceRef(Schema):
    """A resource named by id, code, name and kind."""

    id: int
    code: str
    name: str
    kind: str


class SkillRef(Schema):
    """A skill named by id, name and category."""

    id: int
    name: str
    category: str


class AssignedTaskRef(Schema):
    """A task named by id and name, with its project's id."""

    id: int
    name: str
    project_id: int


# --- pools ---------------------------------------------------------------------------------------


class PoolOut(Schema):
    """The resources an org unit manages, and the units it is shared with."""

    id: int
    code: str
    name: str
    description: str
    org_unit: UnitRef
    manager: UserRef | None
    shared_with: list[UnitRef]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_shared_with(obj: object) -> list[object]:
        """The units the pool is shared with (prefetched by the selectors)."""
        return list(obj.shared_with.all())  # type: ignore[attr-defined]


class PoolCreateIn(InputSchema):
    """A new pool managed by `org_unit`; `manager` decides its allocation requests."""

    code: Code
    name: Name
    description: Notes = ""
    org_unit: Id
    manager: Id | None = None


class PoolPatchIn(InputSchema):
    """Changes to a pool: only the fields sent are changed."""

    code: Code = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    description: Notes = None  # type: ignore[assignment]
    org_unit: Id = None  # type: ignore[assignment]
    manager: Id | None = None
    version: int | None = VERSION


class PoolShareIn(InputSchema):
    """The units (with their subtrees) that may see and request the pool's resources; replaces the list."""

    units: list[Id] = Field(default_factory=list, max_length=500)
    version: int | None = VERSION


# --- resources -----------------------------------------------------------------------------------


class ResourceOut(Schema):
    """A person, generic role, piece of equipment or cost item of a pool."""

    id: int
    code: str
    name: str
    kind: str
    pool: ResourcePoolRef
    user: UserRef | None
    role: ResourceRef | None
    home_unit: UnitRef
    location_id: int | None
    calendar_id: int | None
    max_units: int
    email: str
    notes: str
    is_active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ResourceCreateIn(InputSchema):
    """A new resource of the pool; `home_unit` defaults to the pool's unit."""

    code: Code
    name: Name
    kind: ResourceKind = "person"
    user: Id | None = Field(None, description="The Keel user this person signs in as")
    role: Id | None = Field(
        None, description="The generic role (a resource of kind 'role') this person fills"
    )
    home_unit: Id | None = None
    location: Id | None = None
    calendar: Id | None = None
    max_units: Units = 100
    email: Email = ""
    notes: Notes = ""
    is_active: bool = True


class ResourcePatchIn(InputSchema):
    """Changes to a resource: only the fields sent are changed; `pool` moves it to another pool."""

    pool: Id = None  # type: ignore[assignment]
    code: Code = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    kind: ResourceKind = None  # type: ignore[assignment]
    user: Id | None = None
    role: Id | None = None
    home_unit: Id = None  # type: ignore[assignment]
    location: Id | None = None
    calendar: Id | None = None
    max_units: Units = None  # type: ignore[assignment]
    email: Email = None  # type: ignore[assignment]
    notes: Notes = None  # type: ignore[assignment]
    is_active: bool = None  # type: ignore[assignment]
    version: int | None = VERSION


class ResourceFilterIn(Schema):
    """Filters of the resource list."""

    q: Text = Field("", max_length=200, description="Text in the code, name or e-mail")
    pool: Id | None = None
    kind: ResourceKind | None = None
    role: Id | None = Field(None, description="A generic role: the role itself and the people filling it")
    skill: Id | None = Field(None, description="People holding this skill")
    unit: Id | None = Field(None, description="A home org unit; its whole subtree is included")
    active: bool | None = None
    ordering: ResourceOrdering = Field("name", description="A sort key; prefix '-' for descending")


# --- skills --------------------------------------------------------------------------------------


class SkillOut(Schema):
    """A skill of the catalogue, kept by an org unit's PMO."""

    id: int
    name: str
    category: str
    org_unit: UnitRef
    version: int


class SkillCreateIn(InputSchema):
    """A new skill in the catalogue of `org_unit` (offered to its whole subtree)."""

    name: SkillName
    category: Category = ""
    org_unit: Id


class SkillPatchIn(InputSchema):
    """Changes to a skill: only the fields sent are changed."""

    name: SkillName = None  # type: ignore[assignment]
    category: Category = None  # type: ignore[assignment]
    org_unit: Id = None  # type: ignore[assignment]
    version: int | None = VERSION


class ResourceSkillOut(Schema):
    """A skill a resource holds, at a level from 1 to 5."""

    skill: SkillRef
    level: int


class ResourceSkillIn(InputSchema):
    """The level at which the resource holds the skill."""

    level: Level = 3


# --- rates and leave -----------------------------------------------------------------------------


class RateOut(Schema):
    """A resource's rates from a date on: per hour (standard, overtime) and per use, in a currency."""

    id: int
    resource_id: int
    effective_from: dt.date
    standard_rate: Decimal
    overtime_rate: Decimal
    cost_per_use: Decimal
    currency: str
    version: int


class RateCreateIn(InputSchema):
    """A new rate; `effective_from`, `standard_rate` and `currency` must be given (422 otherwise)."""

    effective_from: Date | None = None
    standard_rate: Money | None = None
    overtime_rate: Money = Decimal("0")
    cost_per_use: Money = Decimal("0")
    currency: Currency | None = None


class RatePatchIn(InputSchema):
    """Changes to a rate: only the fields sent are changed."""

    effective_from: Date = None  # type: ignore[assignment]
    standard_rate: Money = None  # type: ignore[assignment]
    overtime_rate: Money = None  # type: ignore[assignment]
    cost_per_use: Money = None  # type: ignore[assignment]
    currency: Currency = None  # type: ignore[assignment]
    version: int | None = VERSION


class LeaveOut(Schema):
    """Days a resource is away, taking `percent` of its working time."""

    id: int
    resource_id: int
    kind: str
    start_date: dt.date
    end_date: dt.date
    percent: int
    note: str
    version: int


class LeaveCreateIn(InputSchema):
    """A new leave; `start_date` and `end_date` must be given (422 otherwise)."""

    kind: LeaveKind = "leave"
    start_date: Date | None = None
    end_date: Date | None = None
    percent: Percent = 100
    note: LeaveNote = ""


class LeavePatchIn(InputSchema):
    """Changes to a leave: only the fields sent are changed."""

    kind: LeaveKind = None  # type: ignore[assignment]
    start_date: Date = None  # type: ignore[assignment]
    end_date: Date = None  # type: ignore[assignment]
    percent: Percent = None  # type: ignore[assignment]
    note: LeaveNote = None  # type: ignore[assignment]
    version: int | None = VERSION


# --- assignments ---------------------------------------------------------------------------------


class AssignmentOut(Schema):
    """A resource working on a task: units, planned and actual work, cost (in the resource's rate currency)."""

    id: int
    task: AssignedTaskRef
    resource: ResourceRef
    units: int
    work_minutes: int
    actual_work_minutes: int
    cost: Decimal
    uid: int | None
    version: int


class AssignmentCreateIn(InputSchema):
    """Assign `resource` (required; a resource of your pools or of pools shared with you) to the task.

    Work defaults to the task's duration × units, cost to the effective standard rate × work hours
    plus the cost per use.
    """

    resource: Id | None = None
    units: Units = 100
    work_minutes: Minutes | None = None
    actual_work_minutes: Minutes = 0
    cost: Money | None = None
    uid: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None


class AssignmentPatchIn(InputSchema):
    """Changes to an assignment; new units without new work rescale the work, and cost follows unless sent."""

    resource: Id = None  # type: ignore[assignment]
    units: Units = None  # type: ignore[assignment]
    work_minutes: Minutes = None  # type: ignore[assignment]
    actual_work_minutes: Minutes = None  # type: ignore[assignment]
    cost: Money = None  # type: ignore[assignment]
    uid: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None
    version: int | None = VERSION


# --- allocations ---------------------------------------------------------------------------------


class AllocationOut(Schema):
    """Hours per week of a person or role for a project over a span of weeks, and its decision."""

    id: int
    project: ProjectRef
    resource: ResourceRef
    start_week: dt.date
    end_week: dt.date
    hours_per_week: Decimal
    status: str
    note: str
    requested_by: UserRef | None
    decided_by: UserRef | None
    decided_at: dt.datetime | None
    decision_comment: str
    version: int
    created_at: dt.datetime


class AllocationCreateIn(InputSchema):
    """A request for a person or generic role; `resource`, the weeks (Mondays) and the hours are required."""

    resource: Id | None = None
    start_week: Date | None = Field(None, description="The Monday of the first week")
    end_week: Date | None = Field(None, description="The Monday of the last week")
    hours_per_week: Hours | None = None
    note: Notes = ""


class AllocationPatchIn(InputSchema):
    """Changes to a request still waiting for a decision."""

    resource: Id = None  # type: ignore[assignment]
    start_week: Date = None  # type: ignore[assignment]
    end_week: Date = None  # type: ignore[assignment]
    hours_per_week: Hours = None  # type: ignore[assignment]
    note: Notes = None  # type: ignore[assignment]
    version: int | None = VERSION


class AllocationDecisionIn(InputSchema):
    """A decision on a request: a comment (required to reject) and the version decided on."""

    comment: Notes = ""
    version: int | None = VERSION


class AllocationFilterIn(Schema):
    """Filters of the allocation list."""

    status: list[AllocationStatus] = Field(default_factory=list)
    mine: bool = Field(False, description="Only the requests you made")
    awaiting: bool = Field(False, description="Only requests waiting for your decision")
    project: Id | None = None
    resource: Id | None = None
