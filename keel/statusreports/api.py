"""JSON endpoints of status reports: the PMO's settings of a unit, a project's cadence, a project's
reports (draft, decide, refresh, submit, delete a draft), the PDF of a report, the portfolio view (and
its Excel export) and the overdue reports. Same conventions as every app: scoped reads (404 out of
scope), writes with a version (If-Match or a body `version`), 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from keel.core.api import (
    IF_MATCH,
    OPTIONAL_VERSION_BODY,
    WRITE_ERRORS,
    Id,
    PageParams,
    VersionIn,
    etag_documented,
    expected_version,
    page_of,
    page_response,
    responses,
    set_etag,
    unit_settings_routes,
)
from keel.orgs.scoping import Action
from keel.portfolio import selectors as portfolio_selectors
from keel.statusreports import exports, selectors, services
from keel.statusreports.models import DEFAULTS
from keel.statusreports.schemas import (
    StatusReportCadenceIn,
    StatusReportCadenceOut,
    StatusReportConfigIn,
    StatusReportConfigOut,
    StatusReportCreateIn,
    StatusReportOut,
    StatusReportOverdueOut,
    StatusReportPatchIn,
    StatusReportPortfolioFilterIn,
    StatusReportPortfolioRowOut,
    StatusReportRefreshIn,
    StatusReportSubmitIn,
)

statusreports = Router(tags=["status reports"])
CREATE_ERRORS = (401, 403, 404, 409, 422)


def _file_doc(content_type: str) -> dict[str, Any]:
    return {
        "responses": {
            200: {
                "description": "The file",
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


# --- settings of a unit -------------------------------------------------------------------------------------


def _config_answer(unit: Any) -> dict[str, Any]:
    limits = selectors.thresholds_for_unit(unit)
    own = limits.source is not None and limits.source.pk == unit.pk
    return {
        "unit": unit,
        "own": own,
        "inherited_from": limits.source,
        **{name: getattr(limits, name) for name in DEFAULTS},
        "version": unit.report_config.version if own else None,
    }


unit_settings_routes(
    statusreports,
    "/org-units/{unit_id}/status-report-config",
    module=__name__,
    name="config",
    noun="status-report settings",
    out_schema=StatusReportConfigOut,
    in_schema=StatusReportConfigIn,
    resolve=selectors.config_for_unit,
    answer=_config_answer,
    set_service=services.report_config_set,
    clear_service=services.report_config_clear,
    detail_doc="The default cadence and RAG thresholds in force (the unit's own, inherited, or the defaults).",
    set_doc="Give the unit its own cadence and thresholds (PMO administrators); its subtree inherits them.",
)


# --- a project's cadence ------------------------------------------------------------------------------------


def _cadence_answer(project: Any) -> dict[str, Any]:
    own = selectors.own_cadence(project)
    return {
        "project": project,
        "cadence": selectors.cadence_for_project(project),
        "own": own is not None,
        "next_due": selectors.next_period(project),
        "version": own.version if own else None,
    }


@statusreports.get(
    "/projects/{project_id}/status-report-cadence",
    response=responses({200: StatusReportCadenceOut}),
    summary="A project's reporting cadence",
)
def cadence_detail(request: HttpRequest, project_id: Id) -> Any:
    """The project's cadence (its own or its unit's) and the due date of its next report."""
    return _cadence_answer(selectors.project_for_user(request.auth, project_id))


@statusreports.put(
    "/projects/{project_id}/status-report-cadence",
    response=responses({200: StatusReportCadenceOut}, WRITE_ERRORS),
    summary="Set a project's reporting cadence",
)
def cadence_set(
    request: HttpRequest, project_id: Id, payload: StatusReportCadenceIn, if_match: str | None = IF_MATCH
) -> Any:
    """Give the project its own cadence, or null to follow its unit's."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    own = selectors.own_cadence(project)
    version = None
    if own is not None:
        version = expected_version(request, current=own.version, body_version=payload.version)
    services.project_cadence_set(
        actor=request.auth, project=project, cadence=payload.cadence, version=version
    )
    return _cadence_answer(project)


# --- across projects ----------------------------------------------------------------------------------------


def _row_answer(row: selectors.PortfolioRow) -> dict[str, Any]:
    return {
        "project": row.project,
        "latest_id": row.latest.pk if row.latest else None,
        "period_end": row.latest.period_end if row.latest else None,
        **{d: row.rag(d) for d in ("schedule", "cost", "scope", "risk", "overall")},
        "trend": list(row.trend),
        "overdue_since": row.overdue,
    }


@statusreports.get(
    "/status-reports/portfolio",
    response=responses({200: list[StatusReportPortfolioRowOut]}),
    summary="The portfolio view of status reports",
)
def portfolio(request: HttpRequest, filters: Query[StatusReportPortfolioFilterIn]) -> Any:
    """Every active or on-hold project in scope with its latest report's RAG, its trend and its overdue report."""
    rows = selectors.portfolio_for_user(request.auth, unit=filters.unit, q=filters.q)
    return [_row_answer(row) for row in rows]


@statusreports.get(
    "/status-reports/portfolio.xlsx",
    response=responses({200: None}),
    summary="The portfolio view as an Excel workbook",
    openapi_extra=_file_doc(exports.XLSX_CONTENT_TYPE),
)
def portfolio_xlsx(request: HttpRequest, filters: Query[StatusReportPortfolioFilterIn]) -> HttpResponse:
    """The portfolio view, one row per project."""
    rows = selectors.portfolio_for_user(request.auth, unit=filters.unit, q=filters.q)
    return exports.attachment(
        exports.portfolio_xlsx(rows),
        f"keel-status-reports-{timezone.localdate():%Y%m%d}.xlsx",
        exports.XLSX_CONTENT_TYPE,
    )


@statusreports.get(
    "/status-reports/overdue",
    response=responses({200: list[StatusReportOverdueOut]}),
    summary="Reports due and not submitted",
)
def overdue(request: HttpRequest) -> Any:
    """The projects in scope whose last period's report was not submitted, oldest due date first."""
    projects = portfolio_selectors.project_list_for_user(request.auth)
    return selectors.overdue_reports(projects=projects)


# --- reports ------------------------------------------------------------------------------------------------


@statusreports.get(
    "/projects/{project_id}/status-reports",
    response=responses({200: page_of(StatusReportOut)}),
    summary="A project's status reports",
)
def report_list(request: HttpRequest, project_id: Id, paging: Query[PageParams]) -> Any:
    """The project's reports, latest period first."""
    return page_response(selectors.report_list_for_project(request.auth, project_id), paging)


@statusreports.post(
    "/projects/{project_id}/status-reports",
    response=responses({201: StatusReportOut}, CREATE_ERRORS),
    summary="Draft a status report",
    openapi_extra=etag_documented(201),
)
def report_create(
    request: HttpRequest, response: HttpResponse, project_id: Id, payload: StatusReportCreateIn
) -> Any:
    """Draft the report of a period (default: the one due next) from the project's data: proposed RAG
    with reasons, progress, upcoming milestones, changes, new risks and issues."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    report = services.report_create(
        actor=request.auth, project=project, period_end=payload.period_end, status_date=payload.status_date
    )
    set_etag(response, report.version)
    return Status(201, selectors.report_get_for_user(request.auth, report.pk))


@statusreports.get(
    "/status-reports/{report_id}",
    response=responses({200: StatusReportOut}),
    summary="One status report",
    openapi_extra=etag_documented(200),
)
def report_detail(request: HttpRequest, response: HttpResponse, report_id: Id) -> Any:
    """One report with its version as ETag."""
    report = selectors.report_get_for_user(request.auth, report_id)
    set_etag(response, report.version)
    return report


@statusreports.patch(
    "/status-reports/{report_id}",
    response=responses({200: StatusReportOut}, WRITE_ERRORS),
    summary="Decide RAGs and write the narrative of a draft",
    openapi_extra=etag_documented(200),
)
def report_update(
    request: HttpRequest,
    response: HttpResponse,
    report_id: Id,
    payload: StatusReportPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Confirm a RAG (send the proposed one), override it (another one, with its reason), or write the
    narrative. A submitted report is refused (422 naming `status`)."""
    report = selectors.report_get_for_user(request.auth, report_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=report.version, body_version=changes.pop("version", None))
    services.report_update(actor=request.auth, report=report, version=version, **changes)
    set_etag(response, report.version)
    return selectors.report_get_for_user(request.auth, report.pk)


@statusreports.post(
    "/status-reports/{report_id}/refresh",
    response=responses({200: StatusReportOut}, WRITE_ERRORS),
    summary="Draft a report's proposal again from the data",
    openapi_extra=etag_documented(200),
)
def report_refresh(
    request: HttpRequest,
    response: HttpResponse,
    report_id: Id,
    payload: StatusReportRefreshIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Read the project's data again (the decisions and narrative stay)."""
    report = selectors.report_get_for_user(request.auth, report_id, Action.CHANGE)
    version = expected_version(request, current=report.version, body_version=payload.version)
    services.report_refresh(
        actor=request.auth, report=report, version=version, status_date=payload.status_date
    )
    set_etag(response, report.version)
    return selectors.report_get_for_user(request.auth, report.pk)


@statusreports.post(
    "/status-reports/{report_id}/submit",
    response=responses({200: StatusReportOut}, WRITE_ERRORS),
    summary="Submit a status report",
    openapi_extra=etag_documented(200),
)
def report_submit(
    request: HttpRequest,
    response: HttpResponse,
    report_id: Id,
    payload: StatusReportSubmitIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Submit a draft whose five RAGs are decided and whose accomplishments and next steps are written;
    it becomes immutable and the portfolio managers are told."""
    report = selectors.report_get_for_user(request.auth, report_id, Action.CHANGE)
    version = expected_version(request, current=report.version, body_version=payload.version)
    services.report_submit(actor=request.auth, report=report, version=version)
    set_etag(response, report.version)
    return selectors.report_get_for_user(request.auth, report.pk)


@statusreports.delete(
    "/status-reports/{report_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a draft",
)
def report_delete(
    request: HttpRequest,
    report_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a draft; a submitted report is refused (422 naming `status`)."""
    report = selectors.report_get_for_user(request.auth, report_id, Action.CHANGE)
    version = expected_version(request, current=report.version, body_version=payload and payload.version)
    services.report_delete(actor=request.auth, report=report, version=version)
    return Status(204, None)


@statusreports.get(
    "/status-reports/{report_id}/pdf",
    response=responses({200: None}),
    summary="A status report as PDF",
    openapi_extra=_file_doc(exports.PDF_CONTENT_TYPE),
)
def report_pdf(request: HttpRequest, report_id: Id) -> HttpResponse:
    """The report as a PDF document (drafts too, marked as such)."""
    report = selectors.report_get_for_user(request.auth, report_id)
    content = exports.report_pdf(report)
    return exports.attachment(
        content, f"keel-{report.project.code}-status-{report.period_end:%Y%m%d}.pdf", exports.PDF_CONTENT_TYPE
    )
