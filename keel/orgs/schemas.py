"""API shapes of the organisation: org units, people, memberships, tokens, reference data."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from keel.core.api import Id, InputSchema, Text
from keel.orgs import selectors as org_selectors
from keel.orgs.models import OrgUnit, Role

# Field shapes of the models, so that the schema documents what the database accepts.
Code = Annotated[Text, Field(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Currency = Annotated[
    Text, Field(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR")
]
Username = Annotated[Text, Field(min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")]
Name = Annotated[Text, Field(min_length=1, max_length=150)]


RoleName = Literal[tuple(Role.values)]  # type: ignore[valid-type]
UnitKind = Literal[tuple(OrgUnit.Kind.values)]  # type: ignore[valid-type]


class UnitRef(Schema):
    """An org unit named by id, code and name."""

    id: int
    code: str
    name: str


class UserRef(Schema):
    """A person named by id, username and display name."""

    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        """The full name, or the username when there is none."""
        return obj.get_full_name() or obj.username


class LocationOut(Schema):
    """A place where units work, with its time zone."""

    id: int
    name: str
    country: str
    time_zone: str


class CalendarRef(Schema):
    """A calendar named by id and name."""

    id: int
    name: str


class CalendarOut(Schema):
    """A working-time calendar: Monday-first list of [start, end] working intervals per day."""

    id: int
    name: str
    working_week: list[list[list[str]]]
    minutes_per_week: int
    version: int


class OrgUnitOut(Schema):
    """An org unit of the tree."""

    id: int
    code: str
    name: str
    kind: str
    parent: UnitRef | None
    depth: int
    location: LocationOut | None
    calendar: CalendarRef | None
    currency: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class OrgUnitCreateIn(InputSchema):
    """A new org unit under `parent`; currency and location default to the parent's."""

    code: Code
    name: Name
    kind: UnitKind
    parent: Id | None = None
    currency: Annotated[
        Text, Field(max_length=3, pattern=r"^([A-Z]{3})?$", description="ISO 4217 code; empty: the parent's")
    ] = ""
    location: Id | None = None
    calendar: Id | None = None


class OrgUnitPatchIn(InputSchema):
    """Changes to an org unit: only the fields sent are changed. `version` is the one you edited."""

    code: Code = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    kind: UnitKind = None  # type: ignore[assignment]
    parent: Id = None  # type: ignore[assignment]
    currency: Currency = None  # type: ignore[assignment]
    location: Id | None = None
    calendar: Id | None = None
    version: int | None = Field(None, ge=1, le=2**31)


class MembershipOut(Schema):
    """A person's role in an org unit (and its subtree)."""

    id: int
    user: UserRef
    unit: UnitRef
    role: str
    created_at: dt.datetime


class OwnMembershipOut(Schema):
    """One of the signed-in user's roles."""

    id: int
    unit: UnitRef
    role: str


class MembershipIn(InputSchema):
    """Give `user` the `role` in `unit` (and its subtree)."""

    user: Id
    unit: Id
    role: RoleName


class UserOut(Schema):
    """A person who signs in to Keel."""

    id: int
    username: str
    first_name: str
    last_name: str
    name: str
    email: str
    is_active: bool
    time_zone: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        """The full name, or the username when there is none."""
        return obj.get_full_name() or obj.username


class UserCreateIn(InputSchema):
    """A new person with a first role in `unit`. Without a password they cannot sign in until one is set."""

    username: Username
    email: Annotated[Text, Field(min_length=3, max_length=254, json_schema_extra={"format": "email"})]
    first_name: Annotated[Text, Field(max_length=150)] = ""
    last_name: Annotated[Text, Field(max_length=150)] = ""
    unit: Id
    role: RoleName
    password: Text | None = None


class MeOut(UserOut):
    """The signed-in user and their roles."""

    is_superuser: bool
    memberships: list[OwnMembershipOut]

    @staticmethod
    def resolve_memberships(obj: Any) -> Any:
        """The user's own roles with their units."""
        return org_selectors.own_memberships(obj)


class TokenOut(Schema):
    """A personal API token (its secret is never shown again after creation)."""

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    is_active: bool


class TokenCreatedOut(TokenOut):
    """A new token; `token` is its secret, shown only in this answer."""

    token: str


class TokenIn(InputSchema):
    """A name to recognise the token by."""

    name: Text = Field("API token", max_length=100)
