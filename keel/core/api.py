"""Shared pieces of the JSON API: authentication, error answers, input types, pagination, versions, and
the endpoints of settings a unit owns or inherits.

Every app's `api.py` builds its endpoints from these so that all of them authenticate, page, report
errors and guard concurrent writes the same way (see docs/api.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from ninja import Body, Field, Header, NinjaAPI, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie
from ninja.utils import check_csrf
from pydantic import AfterValidator, ConfigDict, WithJsonSchema, create_model

from keel.core.errors import ConflictError, NotFound, PermissionDenied, validation_errors
from keel.core.pagination import paginate
from keel.orgs.scoping import Action

# Row ids are 64-bit signed integers on every supported database; larger numbers can name no record
# and would overflow the database driver, so the API refuses them as invalid input.
MAX_ID = 2**63 - 1
MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _printable(value: str) -> str:
    """Refuse NUL characters and unpaired surrogates, which no database column can store."""
    if "\x00" in value:
        raise ValueError("must not contain NUL (\\x00) characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, AfterValidator(_printable)]
MONEY_MAX = Decimal("99999999999999.99")
# An amount of money: up to 14 digits and 2 decimals, as a JSON number or a string such as "1250.50".
Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=16, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": float(MONEY_MAX), "multipleOf": 0.01},
                {"type": "string", "pattern": r"^[0-9]{1,14}(\.[0-9]{1,2})?$"},
            ]
        }
    ),
]


class InputSchema(Schema):
    """A request body: a field the endpoint does not know is refused (422), not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------------------------
# Authentication


class SessionAuth(APIKeyCookie):
    """The browser's signed-in session; unsafe methods must carry the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check runs only for a signed-in session: a request without any credentials
        # is answered 401, not 403.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        """Return the signed-in user after checking CSRF for unsafe methods."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the csrftoken cookie's value as X-CSRFToken.")
        return user


# ---------------------------------------------------------------------------------------------
# Error bodies (documented in the OpenAPI schema so clients can rely on them)


class ErrorOut(Schema):
    """An error a client can act on, e.g. 401, 403, 404."""

    detail: str


class ConflictOut(Schema):
    """A write against a stale version (409 with a body version, 412 with If-Match); nothing changed."""

    detail: str
    current_version: int | None = None
    given_version: int | None = None


class ValidationErrorItem(Schema):
    """One invalid input: where it is (`["body", "name"]`, `["query", "page"]`), why, and its kind."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    """422: the input was refused; each item names the field and the reason. Nothing was written."""

    detail: list[ValidationErrorItem]


ERROR_SCHEMAS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ConflictOut,
    412: ConflictOut,
    422: ValidationErrorOut,
    428: ErrorOut,
}
LIST_ERRORS = (401, 422)
READ_ERRORS = (401, 404, 422)
WRITE_ERRORS = (401, 403, 404, 409, 412, 422, 428)


def responses(ok: dict[int, Any], errors: Iterable[int] = READ_ERRORS) -> dict[int, Any]:
    """The documented responses of an endpoint: its success answers plus the error answers it can give."""
    return {**ok, **{code: ERROR_SCHEMAS[code] for code in errors}}


class PreconditionRequired(Exception):
    """A write to a versioned record named no version (neither If-Match nor a body `version`)."""


def _value_error(loc: list[str | int], msg: str, kind: str = "value_error") -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


def _django_validation_items(error: ValidationError) -> list[dict[str, Any]]:
    """Turn a domain ValidationError into the 422 items ninja uses for schema errors."""
    items = []
    for field, messages in validation_errors(error).items():
        loc: list[str | int] = ["body"] if field in ("__all__", None) else ["body", field]
        items.extend(_value_error(loc, message) for message in messages)
    return items


def install_error_handlers(api: NinjaAPI) -> None:
    """Map domain errors to HTTP answers with a JSON body (see docs/api.md, "Errors")."""

    @api.exception_handler(NotFound)
    def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        """404: missing or out of scope, never told apart."""
        return api.create_response(request, {"detail": f"{exc.what.capitalize()} not found."}, status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        """403: a visible record the role may not change."""
        return api.create_response(request, {"detail": str(exc)}, status=403)

    @api.exception_handler(ConflictError)
    def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        """409 or 412: a write against a stale version, naming both versions."""
        # With If-Match the client asked for a conditional request: a stale one is 412.
        status = 412 if "If-Match" in request.headers else 409
        body = {
            "detail": str(exc),
            "current_version": exc.current_version,
            "given_version": exc.given_version,
        }
        return api.create_response(request, body, status=status)

    @api.exception_handler(PreconditionRequired)
    def precondition_required(request: HttpRequest, exc: PreconditionRequired) -> HttpResponse:
        """428: a versioned write that named no version."""
        return api.create_response(request, {"detail": str(exc)}, status=428)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        """422: a domain rule refused the input, per field."""
        return api.create_response(request, {"detail": _django_validation_items(exc)}, status=422)

    @api.exception_handler(IntegrityError)
    def integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        """409: a unique value taken by a concurrent write."""
        # Validation runs before every write, so this is a concurrent write of the same unique value.
        detail = "The change conflicts with a record written at the same time; reload and try again."
        return api.create_response(request, {"detail": detail}, status=409)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        """401 with a hint, 403 for CSRF, and a body that is not JSON as a 422."""
        if exc.status_code == 400:
            # A body that is not JSON: answered in the same shape as every other invalid input.
            body = {"detail": [_value_error(["body"], "The request body is not valid JSON.", "json_invalid")]}
            return api.create_response(request, body, status=422)
        if exc.status_code == 401:
            detail = "Authentication required: send Authorization: Bearer <token>, or sign in."
            response = api.create_response(request, {"detail": detail}, status=401)
            response["WWW-Authenticate"] = 'Bearer realm="keel"'
            return response
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


# Names endpoints give to a schema that groups a request's fields (body, filters, paging); clients
# see the fields themselves.
GROUPED_PARAMETERS = frozenset({"payload", "filters", "paging", "params"})


def normalise_validation_error(error: NinjaValidationError) -> NinjaValidationError:
    """Drop grouping parameters from ninja's error locations: ["body", "payload", "name"] -> ["body", "name"]."""
    for item in error.errors:
        loc = list(item.get("loc", ()))
        if len(loc) >= 2 and loc[1] in GROUPED_PARAMETERS:
            del loc[1]
        item["loc"] = loc
    return error


def field_error(field: str, message: str) -> ValidationError:
    """A 422 naming one body field."""
    return ValidationError({field: message})


# ---------------------------------------------------------------------------------------------
# References to other records in a request body


def resolve_refs(user: Any, refs: dict[str, tuple[Callable[[Any, Any], Any], int | None]]) -> dict[str, Any]:
    """Fetch the records a body names by id, through their scoped getters.

    `refs` maps a body field to (getter(user, pk), pk). A missing pk gives None. An id that does not
    exist or that the user may not see is a 422 naming the field (all such fields at once), worded
    the same in both cases so that the answer does not reveal records out of scope.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, (getter, pk) in refs.items():
        if pk is None:
            values[field] = None
            continue
        try:
            values[field] = getter(user, pk)
        except NotFound as exc:
            errors[field] = f"There is no {exc.what} with id {pk}."
    if errors:
        raise ValidationError(errors)
    return values


# ---------------------------------------------------------------------------------------------
# Pagination


class PageParams(Schema):
    """`?page=1&page_size=25`; a page past the end answers the last page."""

    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE)


@cache
def page_of(item: type[Schema]) -> type[Schema]:
    """The response schema of a paginated list of `item`."""
    name = item.__name__.removesuffix("Out") + "Page"
    return create_model(
        name,
        __base__=Schema,
        __doc__=f"One page of {item.__name__.removesuffix('Out')} records.",
        items=(list[item], ...),  # type: ignore[valid-type]
        count=(int, Field(..., description="Records matching the filters, on all pages")),
        page=(int, ...),
        page_size=(int, ...),
    )


def page_response(queryset: Any, params: PageParams) -> dict[str, Any]:
    """One page of `queryset` in the list shape {items, count, page, page_size}."""
    page = paginate(queryset, page=params.page, size=params.page_size)
    return {"items": page.items, "count": page.count, "page": page.number, "page_size": page.size}


# ---------------------------------------------------------------------------------------------
# Versions: ETag on reads, If-Match or a body `version` on writes


class VersionIn(InputSchema):
    """The version of the record you are deleting (alternative to If-Match)."""

    version: int | None = Field(None, ge=1, le=2**31)


IF_MATCH = Header(
    None,
    alias="If-Match",
    pattern=r'^(W/)?"?[0-9]{1,18}"?(, *(W/)?"?[0-9]{1,18}"?)*$',
    description='The ETag of the version you edited, e.g. "3".',
)
OPTIONAL_VERSION_BODY = Body(None, description="The version you are deleting, if not sent as If-Match")

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


def etag_documented(status: int) -> dict[str, Any]:
    """OpenAPI extra documenting the ETag header that answer `status` carries."""
    header = {
        "description": 'The record\'s version, e.g. "3"; send it back as If-Match.',
        "schema": {"type": "string", "pattern": '^"[0-9]+"$'},
        "required": True,
    }
    return {"responses": {status: {"headers": {"ETag": header}}}}


def set_etag(response: HttpResponse, version: int) -> None:
    """Send the record's version as its entity tag."""
    response["ETag"] = f'"{version}"'


def _if_match_versions(value: str) -> list[int]:
    """The versions an If-Match header names (`"3"`, `W/"3"`, `3`, or a comma-separated list)."""
    versions = []
    for part in value.split(","):
        match = _ETAG.match(part)
        if match is None:
            raise ValidationError(
                {"If-Match": f'If-Match must name the version you edited, such as "3" (got {value[:40]!r}).'}
            )
        versions.append(int(match.group(1)))
    return versions


def expected_version(request: HttpRequest, *, current: int, body_version: int | None) -> int:
    """The version a write was made against, from If-Match or the body's `version`.

    A stale If-Match raises ConflictError before anything is written (answered 412); a stale body
    version is left to the service (answered 409). Neither given raises PreconditionRequired (428).
    """
    header = request.headers.get("If-Match")
    if header is not None:
        try:
            versions = _if_match_versions(header)
        except ValidationError as exc:
            items = [_value_error(["header", "If-Match"], m) for m in validation_errors(exc)["If-Match"]]
            raise NinjaValidationError(items) from exc
        if current not in versions:
            raise ConflictError(current_version=current, given_version=versions[0])
        if body_version is not None and body_version != current:
            raise ConflictError(current_version=current, given_version=body_version)
        return current
    if body_version is not None:
        return body_version
    raise PreconditionRequired(
        'This write needs the version you edited: send If-Match: "<version>" (the ETag of your GET) '
        'or a "version" field in the body.'
    )


# ---------------------------------------------------------------------------------------------
# Settings a unit owns or inherits from its ancestors


def _sent_fields(payload: Any) -> dict[str, Any]:
    """The fields a settings body sent, without its `version`: the service's keyword arguments."""
    return payload.dict(exclude_unset=True, exclude={"version"})


def unit_settings_routes(
    router: Router,
    path: str,
    *,
    module: str,
    name: str,
    noun: str,
    out_schema: type[Schema],
    in_schema: type[Schema],
    resolve: Callable[[Any, Any, Action], tuple[Any, Any]],
    answer: Callable[[Any], Any],
    set_service: Callable[..., Any],
    clear_service: Callable[..., Any],
    detail_doc: str,
    set_doc: str = "Give the unit its own settings (PMO administrators); its subtree inherits them.",
    clear_doc: str = "The unit inherits its parent's settings (or the defaults) again.",
    fields: Callable[[Any], dict[str, Any]] = _sent_fields,
) -> None:
    """GET, PUT and DELETE `path` (with `{unit_id}`) for settings a unit sets or inherits.

    - `resolve(user, unit_id, action)` gives the unit (NotFound out of scope; PermissionDenied when the
      role may not change it) and the unit's own settings, with a `version`, or None when it inherits.
    - `answer(unit)` is the body of GET and PUT: the settings in force for the unit (`out_schema`).
    - PUT calls `set_service(actor=, unit=, version=, **fields(payload))`, the version from If-Match or
      the body's `version` when the unit has its own settings (none needed for a first set).
    - DELETE calls `clear_service(actor=, unit=, version=)` when the unit has its own settings, and
      answers 204 either way.

    The endpoints are named `<name>_detail`, `<name>_set` and `<name>_clear` in `module`, which gives
    their operation ids and URL names; their summaries speak of `noun` ("RAID settings").
    """

    def detail(request: HttpRequest, unit_id: Id) -> Any:
        unit, _ = resolve(request.auth, unit_id, Action.VIEW)
        return answer(unit)

    def set_(request: HttpRequest, unit_id: Id, payload: Any, if_match: str | None = IF_MATCH) -> Any:
        unit, own = resolve(request.auth, unit_id, Action.CHANGE)
        version = None
        if own is not None:
            version = expected_version(request, current=own.version, body_version=payload.version)
        set_service(actor=request.auth, unit=unit, version=version, **fields(payload))
        unit.refresh_from_db()
        return answer(unit)

    def clear(
        request: HttpRequest,
        unit_id: Id,
        payload: VersionIn | None = OPTIONAL_VERSION_BODY,
        if_match: str | None = IF_MATCH,
    ) -> Any:
        unit, own = resolve(request.auth, unit_id, Action.CHANGE)
        if own is not None:
            version = expected_version(request, current=own.version, body_version=payload and payload.version)
            clear_service(actor=request.auth, unit=unit, version=version)
        return Status(204, None)

    set_.__annotations__["payload"] = in_schema
    for func, suffix, doc in (
        (detail, "detail", detail_doc),
        (set_, "set", set_doc),
        (clear, "clear", clear_doc),
    ):
        func.__name__ = func.__qualname__ = f"{name}_{suffix}"
        func.__module__ = module
        func.__doc__ = doc

    router.get(path, response=responses({200: out_schema}), summary=f"The {noun} in force for a unit")(detail)
    router.put(path, response=responses({200: out_schema}, WRITE_ERRORS), summary=f"Set a unit's {noun}")(
        set_
    )
    router.delete(path, response=responses({204: None}, WRITE_ERRORS), summary=f"Drop a unit's own {noun}")(
        clear
    )
