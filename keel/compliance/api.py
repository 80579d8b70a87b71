"""JSON endpoints of compliance: the gaps of the projects you see (open and waived), a project's
summary, the roll-up per org unit, waivers (create, read, withdraw), reminders to the owners of gaps and
a unit's settings. Same conventions as every app: scoped reads (404 out of scope), writes with a
version where a record is changed (If-Match or a body `version`), 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.compliance import checks, selectors, services
from keel.compliance.schemas import (
    ComplianceConfigIn,
    ComplianceConfigOut,
    ComplianceGapFilterIn,
    ComplianceGapOut,
    ComplianceProjectOut,
    ComplianceReminderIn,
    ComplianceReminderOut,
    ComplianceRollupFilterIn,
    ComplianceUnitOut,
    ComplianceWaivedGapOut,
    ComplianceWaiverFilterIn,
    ComplianceWaiverIn,
    ComplianceWaiverOut,
)
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
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action

compliance = Router(tags=["compliance"])
CREATE_ERRORS = (401, 403, 404, 422)


def _unit(user: Any, pk: int | None) -> Any:
    return org_selectors.org_unit_get_for_user(user, pk) if pk is not None else None


def _filters(user: Any, unit: int | None, project: int | None, kind: str = "") -> selectors.GapFilters:
    if kind and kind not in checks.REGISTRY:
        from ninja.errors import ValidationError as NinjaValidationError

        kinds = ", ".join(checks.REGISTRY)
        raise NinjaValidationError(
            [{"loc": ["query", "kind"], "msg": f"Give one of {kinds}.", "type": "value_error"}]
        )
    return selectors.GapFilters(
        unit=_unit(user, unit),
        project=selectors.project_for_user(user, project) if project is not None else None,
        kind=kind,
    )


def _gap(gap: checks.Gap, found: selectors.Compliance | None = None) -> dict[str, Any]:
    return {
        "key": gap.key,
        "kind": gap.kind,
        "kind_label": checks.kind_labels().get(gap.kind, gap.kind),
        "title": gap.title,
        "detail": gap.detail,
        "project": gap.project,
        "owner": gap.owner,
        "since": gap.since,
        "age_days": gap.age_days,
        "url": gap.url,
        "last_reminded_at": found.last_reminder(gap) if found is not None else None,
    }


def _page(rows: list[Any], paging: PageParams) -> dict[str, Any]:
    size = paging.page_size
    number = max(1, min(paging.page, -(-len(rows) // size) or 1))
    return {
        "items": rows[(number - 1) * size : number * size],
        "count": len(rows),
        "page": number,
        "page_size": size,
    }


@compliance.get(
    "/compliance/gaps",
    response=responses({200: page_of(ComplianceGapOut)}),
    summary="The open gaps of the projects you see",
)
def gap_list(request: HttpRequest, filters: Query[ComplianceGapFilterIn], paging: Query[PageParams]) -> Any:
    """Every required item not in place (and not waived), oldest first, with its owner and age."""
    found = selectors.compliance_for_user(
        request.auth, _filters(request.auth, filters.unit, filters.project, filters.kind)
    )
    return _page([_gap(g, found) for g in found.gaps], paging)


@compliance.get(
    "/compliance/waived-gaps",
    response=responses({200: page_of(ComplianceWaivedGapOut)}),
    summary="The waived gaps of the projects you see",
)
def waived_gap_list(
    request: HttpRequest, filters: Query[ComplianceGapFilterIn], paging: Query[PageParams]
) -> Any:
    """Current gaps a waiver in force counts as in place, with the waiver."""
    found = selectors.compliance_for_user(
        request.auth, _filters(request.auth, filters.unit, filters.project, filters.kind)
    )
    return _page([{"gap": _gap(w.gap, found), "waiver": w.waiver} for w in found.waived], paging)


@compliance.get(
    "/compliance/units",
    response=responses({200: list[ComplianceUnitOut]}),
    summary="Compliance rolled up per org unit",
)
def unit_rollup(request: HttpRequest, filters: Query[ComplianceRollupFilterIn]) -> Any:
    """Per unit you see (or within one unit's subtree): projects, share compliant, gaps per kind."""
    found = selectors.compliance_for_user(request.auth, _filters(request.auth, filters.unit, None))
    return [
        {
            "unit": row.unit,
            "projects": row.projects,
            "compliant": row.compliant,
            "share_compliant": row.share_compliant,
            "gaps": row.gaps,
            "waived": row.waived,
            "counts": dict(row.counts),
            "phase_met": row.phase_met,
            "phase_total": row.phase_total,
            "phase_share": row.phase_share,
        }
        for row in found.rollup
    ]


@compliance.get(
    "/compliance/projects/{project_id}",
    response=responses({200: ComplianceProjectOut}),
    summary="A project's compliance",
)
def project_detail(request: HttpRequest, project_id: Id) -> Any:
    """The project's open and waived gaps and the share of its current phase's required items in place."""
    summary = selectors.project_compliance_for_user(request.auth, project_id)
    return {
        "project": summary.project,
        "checked": selectors.is_checked(summary.project),
        "compliant": summary.compliant,
        "phase_met": summary.phase_met,
        "phase_total": summary.phase_total,
        "phase_share": summary.phase_share,
        "counts": summary.counts,
        "gaps": [_gap(g) for g in summary.gaps],
        "waived": [{"gap": _gap(w.gap), "waiver": w.waiver} for w in summary.waived],
    }


# --- waivers ----------------------------------------------------------------------------------------------


@compliance.get(
    "/compliance/waivers",
    response=responses({200: page_of(ComplianceWaiverOut)}),
    summary="Waivers of the projects you see",
)
def waiver_list(
    request: HttpRequest, filters: Query[ComplianceWaiverFilterIn], paging: Query[PageParams]
) -> Any:
    """Every waiver, in force or expired, newest first."""
    project = (
        selectors.project_for_user(request.auth, filters.project) if filters.project is not None else None
    )
    qs = selectors.waiver_list_for_user(request.auth, project=project, unit=_unit(request.auth, filters.unit))
    return page_response(qs, paging)


@compliance.post(
    "/compliance/projects/{project_id}/waivers",
    response=responses({201: ComplianceWaiverOut}, CREATE_ERRORS),
    summary="Waive a gap of a project",
    openapi_extra=etag_documented(201),
)
def waiver_create(
    request: HttpRequest, response: HttpResponse, project_id: Id, payload: ComplianceWaiverIn
) -> Any:
    """PMO administrators waive one of the project's current gaps with a reason; it counts as in place."""
    project = selectors.project_for_user(request.auth, project_id)
    waiver = services.waiver_create(actor=request.auth, project=project, **payload.dict())
    set_etag(response, waiver.version)
    return Status(201, waiver)


@compliance.get(
    "/compliance/waivers/{waiver_id}",
    response=responses({200: ComplianceWaiverOut}),
    summary="A waiver",
    openapi_extra=etag_documented(200),
)
def waiver_detail(request: HttpRequest, response: HttpResponse, waiver_id: Id) -> Any:
    """One waiver, with its version as ETag."""
    waiver = selectors.waiver_get_for_user(request.auth, waiver_id)
    set_etag(response, waiver.version)
    return waiver


@compliance.delete(
    "/compliance/waivers/{waiver_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Withdraw a waiver",
)
def waiver_delete(
    request: HttpRequest,
    waiver_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """The gap counts again (PMO administrators)."""
    waiver = selectors.waiver_get_for_user(request.auth, waiver_id, Action.CHANGE)
    version = expected_version(request, current=waiver.version, body_version=payload and payload.version)
    services.waiver_delete(actor=request.auth, waiver=waiver, version=version)
    return Status(204, None)


# --- reminders --------------------------------------------------------------------------------------------


@compliance.post(
    "/compliance/projects/{project_id}/reminders",
    response=responses({201: ComplianceReminderOut}, CREATE_ERRORS),
    summary="Remind the owner of a gap",
)
def reminder_create(request: HttpRequest, project_id: Id, payload: ComplianceReminderIn) -> Any:
    """Send the gap's owner a reminder (in-app, and by e-mail as they prefer); it is recorded."""
    project = selectors.project_for_user(request.auth, project_id)
    reminder = services.gap_remind(actor=request.auth, project=project, key=payload.key)
    return Status(201, reminder)


# --- settings of a unit -----------------------------------------------------------------------------------


def _config_answer(unit: Any) -> dict[str, Any]:
    rules = selectors.rules_for_unit(unit)
    own = rules.source is not None and rules.source.pk == unit.pk
    return {
        "unit": unit,
        "own": own,
        "inherited_from": rules.source,
        "stale_raid_days": rules.stale_raid_days,
        "change_age_days": rules.change_age_days,
        "baseline_required": rules.baseline_required,
        "version": unit.compliance_config.version if own else None,
    }


unit_settings_routes(
    compliance,
    "/compliance/org-units/{unit_id}/settings",
    module=__name__,
    name="config",
    noun="compliance settings",
    out_schema=ComplianceConfigOut,
    in_schema=ComplianceConfigIn,
    resolve=selectors.config_for_unit,
    answer=_config_answer,
    set_service=services.compliance_config_set,
    clear_service=services.compliance_config_clear,
    detail_doc="The days and rules in force (the unit's own, inherited, or the defaults).",
)
