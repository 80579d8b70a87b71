"""JSON endpoints of governance: RAID settings of a unit, a project's risks (and their actions), issues,
assumptions and decisions, the risk heat map (per project and across the portfolio), the escalation
list, escalating and resolving. Same conventions as every app: scoped reads (404 out of scope), writes
with a version (If-Match or a body `version`), 422 naming the field.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
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
    resolve_refs,
    responses,
    set_etag,
    unit_settings_routes,
)
from keel.governance import selectors, services
from keel.governance.schemas import (
    AssumptionCreateIn,
    AssumptionOut,
    AssumptionPatchIn,
    DecisionCreateIn,
    DecisionOut,
    DecisionPatchIn,
    EscalateIn,
    EscalationFilterIn,
    EscalationOut,
    HeatMapFilterIn,
    HeatMapOut,
    IssueCreateIn,
    IssueOut,
    IssuePatchIn,
    RaidConfigIn,
    RaidConfigOut,
    RaidFilterIn,
    ResolveIn,
    RiskActionCreateIn,
    RiskActionOut,
    RiskActionPatchIn,
    RiskCreateIn,
    RiskOut,
    RiskPatchIn,
)
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action

governance = Router(tags=["governance"])
CREATE_ERRORS = (401, 403, 404, 422)


def _user(user: Any, pk: int) -> Any:
    return org_selectors.user_get_for_user(user, pk)


def _resolve_owner(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Replace the owner's id by the person (422 naming `owner` when unknown or out of scope)."""
    if "owner" in data:
        data = {**data, **resolve_refs(user, {"owner": (_user, data["owner"])})}
    return data


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Drop fields sent as null that have a default on creation (status: the model's default)."""
    return {k: v for k, v in data.items() if not (k == "status" and v is None)}


# --- settings of a unit ---------------------------------------------------------------------------------


def _config_answer(unit: Any) -> dict[str, Any]:
    scale = selectors.scale_for_unit(unit)
    own = scale.source is not None and scale.source.pk == unit.pk
    return {
        "unit": unit,
        "own": own,
        "inherited_from": scale.source,
        "scale_size": scale.size,
        "probability_labels": list(scale.probability_labels),
        "impact_labels": list(scale.impact_labels),
        "escalation_threshold": scale.escalation_threshold,
        "escalation_severity": scale.escalation_severity,
        "categories": list(scale.categories),
        "version": unit.raid_config.version if own else None,
    }


unit_settings_routes(
    governance,
    "/org-units/{unit_id}/raid-config",
    module=__name__,
    name="raid_config",
    noun="RAID settings",
    out_schema=RaidConfigOut,
    in_schema=RaidConfigIn,
    resolve=selectors.config_for_unit,
    answer=_config_answer,
    set_service=services.raid_config_set,
    clear_service=services.raid_config_clear,
    detail_doc="The scale, labels, thresholds and categories in force (the unit's own, inherited, or the defaults).",
)


def _signature(
    func: Callable[..., Any], types: dict[str, Any], path: str | None = None
) -> Callable[..., Any]:
    """Give a generated endpoint the signature the router reads: the parameters' real types and, for
    one taking `**path`, the path parameter `path` (e.g. ``risk_id``)."""
    signature = inspect.signature(func)
    params = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    fixed = [p.replace(annotation=types[p.name]) if p.name in types else p for p in params]
    if path is not None:
        fixed.append(inspect.Parameter(path, inspect.Parameter.KEYWORD_ONLY, annotation=Id))
    func.__signature__ = signature.replace(parameters=fixed)  # type: ignore[attr-defined]
    return func


# --- the four kinds of items ----------------------------------------------------------------------------


def _item_routes(
    kind: str,
    plural: str,
    out: type[Any],
    create_in: type[Any],
    patch_in: type[Any],
    create: Callable[..., Any],
    update: Callable[..., Any],
    delete: Callable[..., Any],
) -> None:
    """List, create, read, change and delete one kind of RAID item."""
    label = kind
    types = {
        "request": HttpRequest,
        "response": HttpResponse,
        "project_id": Id,
        "if_match": str | None,
        "payload": VersionIn | None,
        "filters": Query[RaidFilterIn],
        "paging": Query[PageParams],
    }

    @governance.get(
        f"/projects/{{project_id}}/{plural}",
        response=responses({200: page_of(out)}),
        summary=f"A project's {plural}",
        operation_id=f"governance_{kind}_list",
    )
    def item_list(
        request: HttpRequest, project_id: Id, filters: Query[RaidFilterIn], paging: Query[PageParams]
    ) -> Any:
        f = selectors.RaidFilters(**filters.dict())
        return page_response(selectors.raid_list_for_project(request.auth, project_id, kind, f), paging)

    item_list.__doc__ = f"The project's {plural} by number, filtered."

    def item_create(request: HttpRequest, response: HttpResponse, project_id: Id, payload: create_in) -> Any:  # type: ignore[valid-type]
        project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
        data = _resolve_owner(request.auth, _clean(payload.dict(exclude_unset=True)))  # type: ignore[attr-defined]
        item = create(actor=request.auth, project=project, **data)
        set_etag(response, item.version)
        return Status(201, selectors.raid_item_get_for_user(request.auth, kind, item.pk))

    item_create.__doc__ = f"Add a {label} to the project's RAID log; it gets the next reference number."
    _signature(item_create, {**types, "payload": create_in})
    governance.post(
        f"/projects/{{project_id}}/{plural}",
        response=responses({201: out}, CREATE_ERRORS),
        summary=f"Add a {label}",
        openapi_extra=etag_documented(201),
        operation_id=f"governance_{kind}_create",
    )(item_create)

    def item_detail(request: HttpRequest, response: HttpResponse, **path: Any) -> Any:
        item = selectors.raid_item_get_for_user(request.auth, kind, path[f"{kind}_id"])
        set_etag(response, item.version)
        return item

    item_detail.__doc__ = f"One {label} with its version as ETag."
    _signature(item_detail, types, f"{kind}_id")
    governance.get(
        f"/{plural}/{{{kind}_id}}",
        response=responses({200: out}),
        summary=f"One {label}",
        openapi_extra=etag_documented(200),
        operation_id=f"governance_{kind}_detail",
    )(item_detail)

    def item_update(
        request: HttpRequest,
        response: HttpResponse,
        payload: patch_in,  # type: ignore[valid-type]
        if_match: str | None = IF_MATCH,
        **path: Any,
    ) -> Any:
        item = selectors.raid_item_get_for_user(request.auth, kind, path[f"{kind}_id"], Action.CHANGE)
        changes = payload.dict(exclude_unset=True)  # type: ignore[attr-defined]
        version = expected_version(request, current=item.version, body_version=changes.pop("version", None))
        item = update(request.auth, item, version, **_resolve_owner(request.auth, changes))
        set_etag(response, item.version)
        return selectors.raid_item_get_for_user(request.auth, kind, item.pk)

    item_update.__doc__ = f"Change the fields sent of a {label}."
    _signature(item_update, {**types, "payload": patch_in}, f"{kind}_id")
    governance.patch(
        f"/{plural}/{{{kind}_id}}",
        response=responses({200: out}, WRITE_ERRORS),
        summary=f"Change a {label}",
        openapi_extra=etag_documented(200),
        operation_id=f"governance_{kind}_update",
    )(item_update)

    def item_delete(
        request: HttpRequest,
        payload: VersionIn | None = OPTIONAL_VERSION_BODY,
        if_match: str | None = IF_MATCH,
        **path: Any,
    ) -> Any:
        item = selectors.raid_item_get_for_user(request.auth, kind, path[f"{kind}_id"], Action.CHANGE)
        version = expected_version(request, current=item.version, body_version=payload and payload.version)
        delete(request.auth, item, version)
        return Status(204, None)

    item_delete.__doc__ = f"Delete a {label} (refused when the version is stale)."
    _signature(item_delete, types, f"{kind}_id")
    governance.delete(
        f"/{plural}/{{{kind}_id}}",
        response=responses({204: None}, WRITE_ERRORS),
        summary=f"Delete a {label}",
        operation_id=f"governance_{kind}_delete",
    )(item_delete)


def _update(service: Callable[..., Any], name: str) -> Callable[..., Any]:
    return lambda actor, item, version, **changes: service(
        actor=actor, version=version, **{name: item}, **changes
    )


def _delete(service: Callable[..., Any], name: str) -> Callable[..., Any]:
    return lambda actor, item, version: service(actor=actor, version=version, **{name: item})


_item_routes(
    "risk",
    "risks",
    RiskOut,
    RiskCreateIn,
    RiskPatchIn,
    services.risk_create,
    _update(services.risk_update, "risk"),
    _delete(services.risk_delete, "risk"),
)
_item_routes(
    "issue",
    "issues",
    IssueOut,
    IssueCreateIn,
    IssuePatchIn,
    services.issue_create,
    _update(services.issue_update, "issue"),
    _delete(services.issue_delete, "issue"),
)
_item_routes(
    "assumption",
    "assumptions",
    AssumptionOut,
    AssumptionCreateIn,
    AssumptionPatchIn,
    services.assumption_create,
    _update(services.assumption_update, "assumption"),
    _delete(services.assumption_delete, "assumption"),
)
_item_routes(
    "decision",
    "decisions",
    DecisionOut,
    DecisionCreateIn,
    DecisionPatchIn,
    services.decision_create,
    _update(services.decision_update, "decision"),
    _delete(services.decision_delete, "decision"),
)


# --- risk actions -------------------------------------------------------------------------------------


@governance.get(
    "/risks/{risk_id}/actions",
    response=responses({200: list[RiskActionOut]}),
    summary="A risk's response actions",
)
def risk_action_list(request: HttpRequest, risk_id: Id) -> Any:
    """The risk's actions by due date."""
    risk = selectors.raid_item_get_for_user(request.auth, "risk", risk_id)
    return list(selectors.risk_actions(risk))


@governance.post(
    "/risks/{risk_id}/actions",
    response=responses({201: RiskActionOut}, CREATE_ERRORS),
    summary="Add a response action to a risk",
    openapi_extra=etag_documented(201),
)
def risk_action_create(
    request: HttpRequest, response: HttpResponse, risk_id: Id, payload: RiskActionCreateIn
) -> Any:
    """Add an action with its due date (and owner) to the risk."""
    risk = selectors.raid_item_get_for_user(request.auth, "risk", risk_id, Action.CHANGE)
    data = _resolve_owner(request.auth, _clean(payload.dict(exclude_unset=True)))
    action = services.risk_action_create(actor=request.auth, risk=risk, **data)
    set_etag(response, action.version)
    return Status(201, selectors.risk_action_get_for_user(request.auth, action.pk))


@governance.get(
    "/risk-actions/{action_id}",
    response=responses({200: RiskActionOut}),
    summary="One risk action",
    openapi_extra=etag_documented(200),
)
def risk_action_detail(request: HttpRequest, response: HttpResponse, action_id: Id) -> Any:
    """One response action with its version as ETag."""
    action = selectors.risk_action_get_for_user(request.auth, action_id)
    set_etag(response, action.version)
    return action


@governance.patch(
    "/risk-actions/{action_id}",
    response=responses({200: RiskActionOut}, WRITE_ERRORS),
    summary="Change a risk action",
    openapi_extra=etag_documented(200),
)
def risk_action_update(
    request: HttpRequest,
    response: HttpResponse,
    action_id: Id,
    payload: RiskActionPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent (done needs the completion day)."""
    action = selectors.risk_action_get_for_user(request.auth, action_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=action.version, body_version=changes.pop("version", None))
    action = services.risk_action_update(
        actor=request.auth, action=action, version=version, **_resolve_owner(request.auth, changes)
    )
    set_etag(response, action.version)
    return selectors.risk_action_get_for_user(request.auth, action.pk)


@governance.delete(
    "/risk-actions/{action_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a risk action",
)
def risk_action_delete(
    request: HttpRequest,
    action_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a response action (refused when the version is stale)."""
    action = selectors.risk_action_get_for_user(request.auth, action_id, Action.CHANGE)
    version = expected_version(request, current=action.version, body_version=payload and payload.version)
    services.risk_action_delete(actor=request.auth, action=action, version=version)
    return Status(204, None)


# --- escalation ----------------------------------------------------------------------------------------


def _escalation_routes(kind: str, plural: str, out: type[Any]) -> None:
    """Escalate and resolve one kind of item."""

    def escalate(
        request: HttpRequest,
        response: HttpResponse,
        payload: EscalateIn,
        if_match: str | None = IF_MATCH,
        **path: Any,
    ) -> Any:
        item = selectors.raid_item_get_for_user(request.auth, kind, path[f"{kind}_id"], Action.CHANGE)
        version = expected_version(request, current=item.version, body_version=payload.version)
        item = services.raid_escalate(actor=request.auth, item=item, version=version, reason=payload.reason)
        set_etag(response, item.version)
        return selectors.raid_item_get_for_user(request.auth, kind, item.pk)

    escalate.__doc__ = (
        f"Flag the {kind} for the PMO (the project manager), with the reason; the people are emailed."
    )
    types = {"request": HttpRequest, "response": HttpResponse, "payload": EscalateIn, "if_match": str | None}
    _signature(escalate, types, f"{kind}_id")
    governance.post(
        f"/{plural}/{{{kind}_id}}/escalate",
        response=responses({200: out}, WRITE_ERRORS),
        summary=f"Escalate a {kind} to the PMO",
        openapi_extra=etag_documented(200),
        operation_id=f"governance_{kind}_escalate",
    )(escalate)

    def resolve(
        request: HttpRequest,
        response: HttpResponse,
        payload: ResolveIn,
        if_match: str | None = IF_MATCH,
        **path: Any,
    ) -> Any:
        item = selectors.raid_item_get_for_user(request.auth, kind, path[f"{kind}_id"])
        version = expected_version(request, current=item.version, body_version=payload.version)
        item = services.escalation_resolve(
            actor=request.auth, item=item, version=version, resolution=payload.resolution
        )
        set_etag(response, item.version)
        return selectors.raid_item_get_for_user(request.auth, kind, item.pk)

    resolve.__doc__ = f"Resolve the {kind}'s escalation (a PMO administrator), recording the resolution."
    _signature(resolve, {**types, "payload": ResolveIn}, f"{kind}_id")
    governance.post(
        f"/{plural}/{{{kind}_id}}/resolve-escalation",
        response=responses({200: out}, WRITE_ERRORS),
        summary=f"Resolve a {kind}'s escalation",
        openapi_extra=etag_documented(200),
        operation_id=f"governance_{kind}_resolve",
    )(resolve)


_escalation_routes("risk", "risks", RiskOut)
_escalation_routes("issue", "issues", IssueOut)


def _unit(user: Any, pk: int | None) -> Any:
    return org_selectors.org_unit_get_for_user(user, pk) if pk is not None else None


@governance.get(
    "/escalations",
    response=responses({200: page_of(EscalationOut)}),
    summary="The escalation list",
)
def escalation_list(
    request: HttpRequest, filters: Query[EscalationFilterIn], paging: Query[PageParams]
) -> Any:
    """Risks and issues above their unit's threshold, overdue or flagged, not yet resolved; oldest first."""
    found = selectors.escalation_list_for_user(
        request.auth,
        project_id=filters.project,
        unit=_unit(request.auth, filters.unit),
        reason=filters.reason,
    )
    rows = [
        {
            "kind": e.kind,
            "id": e.item.pk,
            "reference": e.item.reference,
            "title": e.item.title,
            "project": e.project,
            "owner": e.item.owner,
            "reasons": e.reasons,
            "details": e.details,
            "since": e.since,
            "age_days": e.age_days,
            "version": e.item.version,
        }
        for e in found
    ]
    size = paging.page_size
    number = max(1, min(paging.page, -(-len(rows) // size) or 1))
    return {
        "items": rows[(number - 1) * size : number * size],
        "count": len(rows),
        "page": number,
        "page_size": size,
    }


# --- heat map ----------------------------------------------------------------------------------------------


def _heat_answer(heat: selectors.HeatMap) -> dict[str, Any]:
    return {
        "size": heat.size,
        "probability_labels": list(heat.probability_labels),
        "impact_labels": list(heat.impact_labels),
        "threshold": heat.threshold,
        "residual": heat.residual,
        "total": heat.total,
        "cells": [
            {"probability": p, "impact": i, "score": p * i, "count": heat.count(p, i)}
            for p in range(1, heat.size + 1)
            for i in range(1, heat.size + 1)
        ],
    }


@governance.get(
    "/projects/{project_id}/risk-heatmap",
    response=responses({200: HeatMapOut}),
    summary="A project's risk heat map",
)
def project_heatmap(request: HttpRequest, project_id: Id, filters: Query[HeatMapFilterIn]) -> Any:
    """Open risks counted per probability × impact on the scale of the project's unit."""
    return _heat_answer(selectors.heat_map_for_project(request.auth, project_id, residual=filters.residual))


@governance.get(
    "/risk-heatmap",
    response=responses({200: HeatMapOut}),
    summary="The portfolio's risk heat map",
)
def portfolio_heatmap(request: HttpRequest, filters: Query[HeatMapFilterIn]) -> Any:
    """Open risks of every project you see (or of one unit's subtree) per probability × impact."""
    unit = _unit(request.auth, filters.unit)
    return _heat_answer(selectors.heat_map_for_portfolio(request.auth, unit, residual=filters.residual))
