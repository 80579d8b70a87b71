"""JSON endpoints of the organisation: the signed-in user, tokens, org units, people, memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.security import HttpBearer

from keel.core.api import (
    IF_MATCH,
    LIST_ERRORS,
    OPTIONAL_VERSION_BODY,
    WRITE_ERRORS,
    Id,
    PageParams,
    VersionIn,
    etag_documented,
    expected_version,
    page_of,
    page_response,
    resolve_refs,
    responses,
    set_etag,
)
from keel.orgs import selectors, services
from keel.orgs.schemas import (
    CalendarOut,
    LocationOut,
    MembershipIn,
    MembershipOut,
    MeOut,
    OrgUnitCreateIn,
    OrgUnitOut,
    OrgUnitPatchIn,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UserCreateIn,
    UserOut,
)
from keel.orgs.scoping import Action


class TokenAuth(HttpBearer):
    """A personal API token sent as `Authorization: Bearer <token>`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        """Return the token's user, or None for an unknown, revoked or inactive person's token."""
        user = services.api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


# Personal endpoints act only on the caller's own data, whatever their roles.
account = Router(tags=["account"])
# Org structure: units, people and roles, scoped like every other record.
org = Router(tags=["org"])
# Read-only reference data shared by every unit.
reference = Router(tags=["reference"])


def _unit_getter(user: Any, pk: int) -> Any:
    return selectors.org_unit_get_for_user(user, pk)


def _user_getter(user: Any, pk: int) -> Any:
    return selectors.user_get_for_user(user, pk)


def _location_getter(user: Any, pk: int) -> Any:
    return selectors.location_get(pk)


def _calendar_getter(user: Any, pk: int) -> Any:
    return selectors.calendar_get(pk)


# --- account -------------------------------------------------------------------------------------


@account.get("/me", response=responses({200: MeOut}, (401,)), summary="The signed-in user and their roles")
def me(request: HttpRequest) -> Any:
    """Who you are signed in as and the roles you hold."""
    return request.auth


@account.get("/tokens", response=responses({200: page_of(TokenOut)}, LIST_ERRORS), summary="Your API tokens")
def token_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """Your personal API tokens, newest first (revoked ones included, marked inactive)."""
    return page_response(selectors.api_token_list(request.auth), paging)


@account.post(
    "/tokens",
    response=responses({201: TokenCreatedOut}, (401, 403, 422)),
    summary="Create an API token",
)
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    """Create a personal API token. The answer holds its secret, which is never shown again."""
    token, plaintext = services.api_token_create(user=request.auth, name=payload.name)
    token.token = plaintext
    return Status(201, token)


@account.delete(
    "/tokens/{token_id}",
    response=responses({204: None}, (401, 403, 404, 422)),
    summary="Revoke one of your API tokens",
)
def token_revoke(request: HttpRequest, token_id: Id) -> Any:
    """Revoke one of your tokens; requests with it are refused from now on."""
    services.api_token_revoke(user=request.auth, token_id=token_id)
    return Status(204, None)


# --- org units -----------------------------------------------------------------------------------


@org.get("/org-units", response=responses({200: page_of(OrgUnitOut)}, LIST_ERRORS), summary="Org units")
def org_unit_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """The org units you can see, in tree order."""
    return page_response(selectors.org_unit_list_for_user(request.auth), paging)


@org.post(
    "/org-units",
    response=responses({201: OrgUnitOut}, (401, 403, 404, 422)),
    summary="Create an org unit",
    openapi_extra=etag_documented(201),
)
def org_unit_create(request: HttpRequest, response: HttpResponse, payload: OrgUnitCreateIn) -> Any:
    """Create a unit under `parent` (you administer the parent)."""
    refs = resolve_refs(
        request.auth,
        {
            "parent": (_unit_getter, payload.parent),
            "location": (_location_getter, payload.location),
            "calendar": (_calendar_getter, payload.calendar),
        },
    )
    unit = services.org_unit_create(
        actor=request.auth,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        currency=payload.currency,
        **refs,
    )
    set_etag(response, unit.version)
    return Status(201, unit)


@org.get(
    "/org-units/{unit_id}",
    response=responses({200: OrgUnitOut}),
    summary="One org unit",
    openapi_extra=etag_documented(200),
)
def org_unit_detail(request: HttpRequest, response: HttpResponse, unit_id: Id) -> Any:
    """One org unit, with its version as ETag."""
    unit = selectors.org_unit_get_for_user(request.auth, unit_id)
    set_etag(response, unit.version)
    return unit


@org.patch(
    "/org-units/{unit_id}",
    response=responses({200: OrgUnitOut}, WRITE_ERRORS),
    summary="Change an org unit",
    openapi_extra=etag_documented(200),
)
def org_unit_update(
    request: HttpRequest,
    response: HttpResponse,
    unit_id: Id,
    payload: OrgUnitPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent; moving a unit (new `parent`) moves its subtree."""
    unit = selectors.org_unit_get_for_user(request.auth, unit_id, Action.ADMIN)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=unit.version, body_version=changes.pop("version", None))
    ref_fields = {"parent": _unit_getter, "location": _location_getter, "calendar": _calendar_getter}
    changes.update(
        resolve_refs(request.auth, {f: (g, changes[f]) for f, g in ref_fields.items() if f in changes})
    )
    unit = services.org_unit_update(actor=request.auth, unit=unit, version=version, **changes)
    set_etag(response, unit.version)
    return selectors.org_unit_get_for_user(request.auth, unit.pk)


@org.delete(
    "/org-units/{unit_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete an empty org unit",
)
def org_unit_delete(
    request: HttpRequest,
    unit_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a unit that has no child units, projects, portfolios, programs or memberships left."""
    unit = selectors.org_unit_get_for_user(request.auth, unit_id, Action.ADMIN)
    version = expected_version(request, current=unit.version, body_version=payload and payload.version)
    services.org_unit_delete(actor=request.auth, unit=unit, version=version)
    return Status(204, None)


# --- people and roles ----------------------------------------------------------------------------


@org.get("/users", response=responses({200: page_of(UserOut)}, LIST_ERRORS), summary="People")
def user_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """People who hold a role in a unit you can see."""
    return page_response(selectors.user_list_for_user(request.auth), paging)


@org.post(
    "/users",
    response=responses({201: UserOut}, (401, 403, 404, 422)),
    summary="Create a person with a first role",
)
def user_create(request: HttpRequest, payload: UserCreateIn) -> Any:
    """Create a person with a role in `unit` (you administer the unit)."""
    refs = resolve_refs(request.auth, {"unit": (_unit_getter, payload.unit)})
    if payload.password:
        try:
            password_validation.validate_password(payload.password)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user = services.user_create(
        actor=request.auth,
        username=payload.username,
        email=payload.email,
        first_name=payload.first_name,
        last_name=payload.last_name,
        role=payload.role,
        password=payload.password,
        **refs,
    )
    return Status(201, user)


@org.get("/users/{user_id}", response=responses({200: UserOut}), summary="One person")
def user_detail(request: HttpRequest, user_id: Id) -> Any:
    """One person who holds a role in a unit you can see."""
    return selectors.user_get_for_user(request.auth, user_id)


@org.get(
    "/memberships", response=responses({200: page_of(MembershipOut)}, LIST_ERRORS), summary="Role memberships"
)
def membership_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """Roles held in the units you can see."""
    return page_response(selectors.membership_list_for_user(request.auth), paging)


@org.post(
    "/memberships",
    response=responses({201: MembershipOut}, (401, 403, 404, 422)),
    summary="Give a person a role",
)
def membership_create(request: HttpRequest, payload: MembershipIn) -> Any:
    """Give `user` the `role` in `unit` and its subtree (you administer the unit)."""
    refs = resolve_refs(
        request.auth, {"user": (_user_getter, payload.user), "unit": (_unit_getter, payload.unit)}
    )
    membership = services.membership_create(actor=request.auth, role=payload.role, **refs)
    return Status(201, membership)


@org.delete(
    "/memberships/{membership_id}",
    response=responses({204: None}, (401, 403, 404, 422)),
    summary="Remove a role",
)
def membership_delete(request: HttpRequest, membership_id: Id) -> Any:
    """Remove a role membership (you administer its unit)."""
    membership = selectors.membership_get_for_user(request.auth, membership_id)
    services.membership_delete(actor=request.auth, membership=membership)
    return Status(204, None)


# --- reference data ------------------------------------------------------------------------------


@reference.get(
    "/locations", response=responses({200: page_of(LocationOut)}, LIST_ERRORS), summary="Locations"
)
def location_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """Locations and their time zones."""
    return page_response(selectors.location_list(), paging)


@reference.get(
    "/calendars", response=responses({200: page_of(CalendarOut)}, LIST_ERRORS), summary="Calendars"
)
def calendar_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """Working-time calendars."""
    return page_response(selectors.calendar_list(), paging)
