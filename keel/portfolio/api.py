"""JSON endpoints of the portfolio register: portfolios, programs, projects, audit trail, dashboard."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

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
from keel.gates import selectors as gates_selectors
from keel.gates import services as gates_services
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action
from keel.portfolio import selectors, services
from keel.portfolio.schemas import (
    ActivityParams,
    AuditEntryOut,
    AuditFilterIn,
    DashboardOut,
    PortfolioCreateIn,
    PortfolioOut,
    PortfolioPatchIn,
    ProgramCreateIn,
    ProgramOut,
    ProgramPatchIn,
    ProjectCreateIn,
    ProjectFilterIn,
    ProjectOut,
    ProjectPatchIn,
)

register = Router(tags=["register"])
oversight = Router(tags=["oversight"])


def _unit(user: Any, pk: int) -> Any:
    return org_selectors.org_unit_get_for_user(user, pk)


def _person(user: Any, pk: int) -> Any:
    return org_selectors.user_get_for_user(user, pk)


def _portfolio(user: Any, pk: int) -> Any:
    return selectors.portfolio_get_for_user(user, pk)


def _resolve(user: Any, data: dict[str, Any], getters: dict[str, Any]) -> dict[str, Any]:
    """Replace the ids of `getters`' fields present in `data` by the records they name."""
    return {**data, **resolve_refs(user, {f: (g, data[f]) for f, g in getters.items() if f in data})}


# --- portfolios ----------------------------------------------------------------------------------

PORTFOLIO_REFS = {"org_unit": _unit, "owner": _person}


@register.get(
    "/portfolios", response=responses({200: page_of(PortfolioOut)}, LIST_ERRORS), summary="Portfolios"
)
def portfolio_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """The portfolios you can see."""
    return page_response(selectors.portfolio_list_for_user(request.auth), paging)


@register.post(
    "/portfolios",
    response=responses({201: PortfolioOut}, (401, 403, 404, 422)),
    summary="Create a portfolio",
    openapi_extra=etag_documented(201),
)
def portfolio_create(request: HttpRequest, response: HttpResponse, payload: PortfolioCreateIn) -> Any:
    """Create a portfolio owned by `org_unit`."""
    data = _resolve(request.auth, payload.dict(), PORTFOLIO_REFS)
    portfolio = services.portfolio_create(actor=request.auth, **data)
    set_etag(response, portfolio.version)
    return Status(201, portfolio)


@register.get(
    "/portfolios/{portfolio_id}",
    response=responses({200: PortfolioOut}),
    summary="One portfolio",
    openapi_extra=etag_documented(200),
)
def portfolio_detail(request: HttpRequest, response: HttpResponse, portfolio_id: Id) -> Any:
    """One portfolio, with its version as ETag."""
    portfolio = selectors.portfolio_get_for_user(request.auth, portfolio_id)
    set_etag(response, portfolio.version)
    return portfolio


@register.patch(
    "/portfolios/{portfolio_id}",
    response=responses({200: PortfolioOut}, WRITE_ERRORS),
    summary="Change a portfolio",
    openapi_extra=etag_documented(200),
)
def portfolio_update(
    request: HttpRequest,
    response: HttpResponse,
    portfolio_id: Id,
    payload: PortfolioPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent."""
    portfolio = selectors.portfolio_get_for_user(request.auth, portfolio_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=portfolio.version, body_version=changes.pop("version", None))
    changes = _resolve(request.auth, changes, PORTFOLIO_REFS)
    portfolio = services.portfolio_update(actor=request.auth, portfolio=portfolio, version=version, **changes)
    set_etag(response, portfolio.version)
    return selectors.portfolio_get_for_user(request.auth, portfolio.pk)


@register.delete(
    "/portfolios/{portfolio_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a portfolio without programs",
)
def portfolio_delete(
    request: HttpRequest,
    portfolio_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a portfolio that has no programs left."""
    portfolio = selectors.portfolio_get_for_user(request.auth, portfolio_id, Action.CHANGE)
    version = expected_version(request, current=portfolio.version, body_version=payload and payload.version)
    services.portfolio_delete(actor=request.auth, portfolio=portfolio, version=version)
    return Status(204, None)


# --- programs ------------------------------------------------------------------------------------

PROGRAM_REFS = {"portfolio": _portfolio, "org_unit": _unit, "manager": _person}


@register.get("/programs", response=responses({200: page_of(ProgramOut)}, LIST_ERRORS), summary="Programs")
def program_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """The programs you can see."""
    return page_response(selectors.program_list_for_user(request.auth), paging)


@register.post(
    "/programs",
    response=responses({201: ProgramOut}, (401, 403, 404, 422)),
    summary="Create a program",
    openapi_extra=etag_documented(201),
)
def program_create(request: HttpRequest, response: HttpResponse, payload: ProgramCreateIn) -> Any:
    """Create a program in `portfolio`, run by `org_unit`."""
    data = _resolve(request.auth, payload.dict(), PROGRAM_REFS)
    program = services.program_create(actor=request.auth, **data)
    set_etag(response, program.version)
    return Status(201, program)


@register.get(
    "/programs/{program_id}",
    response=responses({200: ProgramOut}),
    summary="One program",
    openapi_extra=etag_documented(200),
)
def program_detail(request: HttpRequest, response: HttpResponse, program_id: Id) -> Any:
    """One program, with its version as ETag."""
    program = selectors.program_get_for_user(request.auth, program_id)
    set_etag(response, program.version)
    return program


@register.patch(
    "/programs/{program_id}",
    response=responses({200: ProgramOut}, WRITE_ERRORS),
    summary="Change a program",
    openapi_extra=etag_documented(200),
)
def program_update(
    request: HttpRequest,
    response: HttpResponse,
    program_id: Id,
    payload: ProgramPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent."""
    program = selectors.program_get_for_user(request.auth, program_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=program.version, body_version=changes.pop("version", None))
    changes = _resolve(request.auth, changes, PROGRAM_REFS)
    program = services.program_update(actor=request.auth, program=program, version=version, **changes)
    set_etag(response, program.version)
    return selectors.program_get_for_user(request.auth, program.pk)


@register.delete(
    "/programs/{program_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a program without projects",
)
def program_delete(
    request: HttpRequest,
    program_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a program that has no projects left."""
    program = selectors.program_get_for_user(request.auth, program_id, Action.CHANGE)
    version = expected_version(request, current=program.version, body_version=payload and payload.version)
    services.program_delete(actor=request.auth, program=program, version=version)
    return Status(204, None)


# --- projects ------------------------------------------------------------------------------------

PROJECT_REFS = {"org_unit": _unit, "manager": _person, "sponsor": _person}


def _methodology(user: Any, pk: int) -> Any:
    """A methodology the user may see (for a new project)."""
    return gates_selectors.methodology_get_for_user(user, pk)


def _project_refs(user: Any, data: dict[str, Any], current_unit: Any = None) -> dict[str, Any]:
    """Resolve a project body's ids; the program is checked against the project's (new) unit."""
    sends_program = "program" in data
    program_id = data.pop("program", None)
    data = _resolve(user, data, PROJECT_REFS)
    if sends_program:
        unit = data.get("org_unit", current_unit)

        def program_for_unit(u: Any, pk: int) -> Any:
            """A program the project's unit may join."""
            return selectors.program_get_for_project(u, pk, unit)

        data.update(resolve_refs(user, {"program": (program_for_unit, program_id)}))
    return data


@register.get("/projects", response=responses({200: page_of(ProjectOut)}, LIST_ERRORS), summary="Projects")
def project_list(request: HttpRequest, filters: Query[ProjectFilterIn], paging: Query[PageParams]) -> Any:
    """The projects you can see, filtered and ordered."""
    values = filters.dict()
    ordering = values.pop("ordering")
    for name in ("status", "health", "phase"):
        values[name] = tuple(values[name])
    projects = selectors.project_list_for_user(
        request.auth, selectors.ProjectFilters(**values), ordering=ordering
    )
    return page_response(projects, paging)


@register.post(
    "/projects",
    response=responses({201: ProjectOut}, (401, 403, 404, 422)),
    summary="Register a project",
    openapi_extra=etag_documented(201),
)
def project_create(request: HttpRequest, response: HttpResponse, payload: ProjectCreateIn) -> Any:
    """Register a project run by `org_unit`, optionally in the first phase of a `methodology`."""
    data = payload.dict(exclude_unset=True)
    methodology_id = data.pop("methodology", None)
    data = _project_refs(request.auth, data)
    methodology = resolve_refs(request.auth, {"methodology": (_methodology, methodology_id)})["methodology"]
    with transaction.atomic():
        project = services.project_create(actor=request.auth, **data)
        if methodology is not None:
            gates_services.lifecycle_start(actor=request.auth, project=project, methodology=methodology)
    set_etag(response, project.version)
    return Status(201, selectors.project_get_for_user(request.auth, project.pk))


@register.get(
    "/projects/{project_id}",
    response=responses({200: ProjectOut}),
    summary="One project",
    openapi_extra=etag_documented(200),
)
def project_detail(request: HttpRequest, response: HttpResponse, project_id: Id) -> Any:
    """One project, with its version as ETag."""
    project = selectors.project_get_for_user(request.auth, project_id)
    set_etag(response, project.version)
    return project


@register.patch(
    "/projects/{project_id}",
    response=responses({200: ProjectOut}, WRITE_ERRORS),
    summary="Change a project",
    openapi_extra=etag_documented(200),
)
def project_update(
    request: HttpRequest,
    response: HttpResponse,
    project_id: Id,
    payload: ProjectPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent."""
    project = selectors.project_get_for_user(request.auth, project_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=project.version, body_version=changes.pop("version", None))
    changes = _project_refs(request.auth, changes, current_unit=project.org_unit)
    project = services.project_update(actor=request.auth, project=project, version=version, **changes)
    set_etag(response, project.version)
    return selectors.project_get_for_user(request.auth, project.pk)


@register.delete(
    "/projects/{project_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a project",
)
def project_delete(
    request: HttpRequest,
    project_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a project."""
    project = selectors.project_get_for_user(request.auth, project_id, Action.CHANGE)
    version = expected_version(request, current=project.version, body_version=payload and payload.version)
    services.project_delete(actor=request.auth, project=project, version=version)
    return Status(204, None)


@register.get(
    "/projects/{project_id}/activity",
    response=responses({200: list[AuditEntryOut]}),
    summary="A project's activity feed",
)
def project_activity(request: HttpRequest, project_id: Id, params: Query[ActivityParams]) -> Any:
    """The newest changes to the project and its records."""
    project = selectors.project_get_for_user(request.auth, project_id)
    return selectors.activity_for_project(request.auth, project, limit=params.limit)


# --- oversight -----------------------------------------------------------------------------------


@oversight.get(
    "/audit", response=responses({200: page_of(AuditEntryOut)}, LIST_ERRORS), summary="The audit trail"
)
def audit_list(request: HttpRequest, filters: Query[AuditFilterIn], paging: Query[PageParams]) -> Any:
    """Every change in the units you administer, newest first, filtered."""
    entries = selectors.audit_list_for_user(request.auth, selectors.AuditFilters(**filters.dict()))
    return page_response(entries, paging)


@oversight.get(
    "/dashboard", response=responses({200: DashboardOut}, (401,)), summary="Your portfolio at a glance"
)
def dashboard(request: HttpRequest) -> Any:
    """Counts of your visible projects by status, health and unit, and the finishes ahead."""
    dash = selectors.dashboard_for_user(request.auth)
    return {
        "total": dash.total,
        "by_status": dash.by_status,
        "by_health": dash.by_health,
        "by_unit": [{"code": code, "name": name, "count": n} for code, name, n in dash.by_unit],
        "finishing": {str(days): n for days, n in dash.finishing.items()},
        "finishing_soon": dash.finishing_soon,
    }
