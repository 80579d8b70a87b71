"""JSON endpoints of the benefits register: benefits, contributing projects, measurements, reports."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.benefits import selectors, services
from keel.benefits.schemas import (
    BenefitCreateIn,
    BenefitFilterIn,
    BenefitOut,
    BenefitPatchIn,
    BenefitSeriesOut,
    BenefitStateOut,
    ContributionIn,
    ContributionOut,
    MeasurementIn,
    MeasurementOut,
    PortfolioBenefitsOut,
    ThresholdIn,
    ThresholdOut,
)
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
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action
from keel.portfolio import selectors as portfolio_selectors

benefits = Router(tags=["benefits"])
CREATE_ERRORS = (401, 403, 404, 422)
CHILD_ERRORS = (401, 403, 404, 422)


def _unit(user: Any, pk: int) -> Any:
    return org_selectors.org_unit_get_for_user(user, pk)


def _person(user: Any, pk: int) -> Any:
    return org_selectors.user_get_for_user(user, pk)


def _project(user: Any, pk: int) -> Any:
    return portfolio_selectors.project_get_for_user(user, pk)


BENEFIT_REFS = {"org_unit": _unit, "owner": _person, "lead_project": _project}


def _resolve(user: Any, data: dict[str, Any], getters: dict[str, Any]) -> dict[str, Any]:
    """Replace the ids of `getters`' fields present in `data` by the records they name."""
    return {**data, **resolve_refs(user, {f: (g, data[f]) for f, g in getters.items() if f in data})}


def _filters(params: BenefitFilterIn) -> tuple[selectors.BenefitFilters, str]:
    return (
        selectors.BenefitFilters(
            q=params.q,
            unit=params.unit,
            status=tuple(params.status),
            project=params.project,
            owner=params.owner,
            financial=params.financial,
        ),
        params.sort,
    )


def _state_out(state: selectors.BenefitState, series: bool = False) -> dict[str, Any]:
    """A benefit's state in the shape of BenefitStateOut (with the series when asked)."""
    out = {
        "benefit": state.benefit,
        "today": state.today,
        "planned_today": state.planned_today,
        "latest_measured_on": state.latest.measured_on if state.latest else None,
        "latest_value": state.latest.value if state.latest else None,
        "planned_at_latest": state.planned_at_latest,
        "shortfall_percent": state.shortfall_percent,
        "realized_percent": state.realized_percent,
        "threshold_percent": state.threshold,
        "at_risk": state.at_risk,
        "next_due": state.next_due,
        "overdue": state.overdue,
        "overdue_since": state.overdue_since,
    }
    if series:
        out["series"] = [
            {"date": r.day, "planned": r.planned, "realized": r.realized, "kind": r.kind}
            for r in state.series
        ]
    return out


# --- benefits ------------------------------------------------------------------------------------


@benefits.get("/benefits", response=responses({200: page_of(BenefitOut)}, LIST_ERRORS), summary="Benefits")
def benefit_list(request: HttpRequest, filters: Query[BenefitFilterIn], paging: Query[PageParams]) -> Any:
    """The benefits register you can see, filtered (`unit` includes the units below it)."""
    found, sort = _filters(filters)
    return page_response(selectors.benefit_list_for_user(request.auth, found, sort), paging)


@benefits.post(
    "/benefits",
    response=responses({201: BenefitOut}, CREATE_ERRORS),
    summary="Register a benefit",
    openapi_extra=etag_documented(201),
)
def benefit_create(request: HttpRequest, response: HttpResponse, payload: BenefitCreateIn) -> Any:
    """Register a benefit in `org_unit` (default: the unit of `lead_project`, which then contributes)."""
    data = _resolve(request.auth, payload.dict(), BENEFIT_REFS)
    data["milestones"] = [
        {"date": m["date"].isoformat(), "value": str(m["value"])} for m in data["milestones"]
    ]
    benefit = services.benefit_create(actor=request.auth, **data)
    set_etag(response, benefit.version)
    return Status(201, selectors.benefit_get_for_user(request.auth, benefit.pk))


@benefits.get(
    "/benefits/{benefit_id}",
    response=responses({200: BenefitOut}),
    summary="One benefit",
    openapi_extra=etag_documented(200),
)
def benefit_detail(request: HttpRequest, response: HttpResponse, benefit_id: Id) -> Any:
    """One benefit, with its version as ETag."""
    benefit = selectors.benefit_get_for_user(request.auth, benefit_id)
    set_etag(response, benefit.version)
    return benefit


@benefits.patch(
    "/benefits/{benefit_id}",
    response=responses({200: BenefitOut}, WRITE_ERRORS),
    summary="Change a benefit",
    openapi_extra=etag_documented(200),
)
def benefit_update(
    request: HttpRequest,
    response: HttpResponse,
    benefit_id: Id,
    payload: BenefitPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent (`lead_project` also becomes a contributing project)."""
    benefit = selectors.benefit_get_for_user(request.auth, benefit_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=benefit.version, body_version=changes.pop("version", None))
    changes = _resolve(request.auth, changes, BENEFIT_REFS)
    if changes.get("milestones") is not None:
        changes["milestones"] = [
            {"date": m["date"].isoformat(), "value": str(m["value"])} for m in changes["milestones"]
        ]
    elif "milestones" in changes:
        changes["milestones"] = []
    benefit = services.benefit_update(actor=request.auth, benefit=benefit, version=version, **changes)
    set_etag(response, benefit.version)
    return selectors.benefit_get_for_user(request.auth, benefit.pk)


@benefits.delete(
    "/benefits/{benefit_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a benefit",
)
def benefit_delete(
    request: HttpRequest,
    benefit_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a benefit with its contributions and measurements."""
    benefit = selectors.benefit_get_for_user(request.auth, benefit_id, Action.CHANGE)
    version = expected_version(request, current=benefit.version, body_version=payload and payload.version)
    services.benefit_delete(actor=request.auth, benefit=benefit, version=version)
    return Status(204, None)


@benefits.get(
    "/benefits/{benefit_id}/realization",
    response=responses({200: BenefitSeriesOut}),
    summary="Realized vs planned",
)
def benefit_realization(request: HttpRequest, benefit_id: Id) -> Any:
    """The benefit's planned curve and measurements by date, how far behind plan it is, when it is due."""
    benefit = selectors.benefit_get_for_user(request.auth, benefit_id)
    return _state_out(selectors.benefit_state(benefit), series=True)


# --- contributing projects -----------------------------------------------------------------------


@benefits.get(
    "/benefits/{benefit_id}/contributions",
    response=responses({200: list[ContributionOut]}),
    summary="Contributing projects",
)
def contribution_list(request: HttpRequest, benefit_id: Id) -> Any:
    """The projects contributing to the benefit."""
    return list(selectors.contributions_of(selectors.benefit_get_for_user(request.auth, benefit_id)))


@benefits.post(
    "/benefits/{benefit_id}/contributions",
    response=responses({201: ContributionOut}, CHILD_ERRORS),
    summary="Add a contributing project",
)
def contribution_add(request: HttpRequest, benefit_id: Id, payload: ContributionIn) -> Any:
    """Record that a project you can see contributes to the benefit."""
    benefit = selectors.benefit_get_for_user(request.auth, benefit_id)
    data = _resolve(request.auth, payload.dict(), {"project": _project})
    contribution = services.contribution_add(actor=request.auth, benefit=benefit, **data)
    return Status(201, contribution)


@benefits.delete(
    "/benefits/{benefit_id}/contributions/{contribution_id}",
    response=responses({204: None}, CHILD_ERRORS),
    summary="Remove a contributing project",
)
def contribution_remove(request: HttpRequest, benefit_id: Id, contribution_id: Id) -> Any:
    """Remove a contributing project (not the lead project)."""
    benefit = selectors.benefit_get_for_user(request.auth, benefit_id)
    contribution = selectors.contribution_get(benefit, contribution_id)
    services.contribution_remove(actor=request.auth, contribution=contribution)
    return Status(204, None)


# --- measurements --------------------------------------------------------------------------------


@benefits.get(
    "/benefits/{benefit_id}/measurements",
    response=responses({200: list[MeasurementOut]}),
    summary="Measurements",
)
def measurement_list(request: HttpRequest, benefit_id: Id) -> Any:
    """The benefit's measurements, oldest first."""
    return list(selectors.measurements_of(selectors.benefit_get_for_user(request.auth, benefit_id)))


@benefits.post(
    "/benefits/{benefit_id}/measurements",
    response=responses({201: MeasurementOut}, CHILD_ERRORS),
    summary="Record a measurement",
)
def measurement_record(request: HttpRequest, benefit_id: Id, payload: MeasurementIn) -> Any:
    """Record the realized value on a day (the benefit's owner, or a manager of its unit)."""
    benefit = selectors.benefit_get_for_user(request.auth, benefit_id)
    measurement = services.measurement_record(actor=request.auth, benefit=benefit, **payload.dict())
    return Status(201, measurement)


@benefits.delete(
    "/benefits/{benefit_id}/measurements/{measurement_id}",
    response=responses({204: None}, CHILD_ERRORS),
    summary="Delete a measurement",
)
def measurement_delete(request: HttpRequest, benefit_id: Id, measurement_id: Id) -> Any:
    """Delete a measurement recorded by mistake."""
    benefit = selectors.benefit_get_for_user(request.auth, benefit_id)
    measurement = selectors.measurement_get(benefit, measurement_id)
    services.measurement_delete(actor=request.auth, measurement=measurement)
    return Status(204, None)


# --- a project's benefits, portfolio reports, thresholds -----------------------------------------


@benefits.get(
    "/projects/{project_id}/benefits",
    response=responses({200: list[BenefitStateOut]}),
    summary="A project's benefits",
)
def project_benefits(request: HttpRequest, project_id: Id) -> Any:
    """The benefits the project contributes to, with where each stands."""
    project = portfolio_selectors.project_get_for_user(request.auth, project_id)
    states = selectors.states_for(selectors.benefits_for_project(request.auth, project))
    return [_state_out(s) for s in states]


@benefits.get(
    "/benefit-reports/portfolio",
    response=responses({200: PortfolioBenefitsOut}, LIST_ERRORS),
    summary="Realized vs planned across the portfolio",
)
def portfolio_benefits(request: HttpRequest, filters: Query[BenefitFilterIn]) -> Any:
    """Every benefit you can see with its state, and financial benefits summed per currency by month."""
    found, _ = _filters(filters)
    report = selectors.portfolio_benefits_for_user(request.auth, found)
    return {
        "today": report.today,
        "benefits": [_state_out(s) for s in report.states],
        "currencies": report.currencies,
        "reporting_currency": report.reporting_currency,
        "total": report.total,
        "total_error": report.total_error,
    }


@benefits.get(
    "/benefit-reports/at-risk",
    response=responses({200: list[BenefitStateOut]}, LIST_ERRORS),
    summary="Benefits at risk",
)
def at_risk(request: HttpRequest, filters: Query[BenefitFilterIn]) -> Any:
    """Benefits whose latest measurement is behind plan by more than the PMO's threshold."""
    found, _ = _filters(filters)
    return [_state_out(s) for s in selectors.at_risk_for_user(request.auth, filters=found)]


@benefits.get(
    "/benefit-reports/overdue",
    response=responses({200: list[BenefitStateOut]}, LIST_ERRORS),
    summary="Benefits overdue for measurement",
)
def overdue(request: HttpRequest, filters: Query[BenefitFilterIn]) -> Any:
    """Benefits with no measurement within their period, with their owners."""
    found, _ = _filters(filters)
    return [_state_out(s) for s in selectors.overdue_for_user(request.auth, filters=found)]


@benefits.put(
    "/benefit-reports/threshold",
    response=responses({200: ThresholdOut}, CREATE_ERRORS),
    summary="Set the at-risk threshold of a unit",
)
def threshold_set(request: HttpRequest, payload: ThresholdIn) -> Any:
    """Set how far behind plan (percent) makes a benefit of the unit's subtree at risk (PMO administrators)."""
    unit = _resolve(request.auth, {"org_unit": payload.org_unit}, {"org_unit": _unit})["org_unit"]
    return services.threshold_set(actor=request.auth, org_unit=unit, at_risk_percent=payload.at_risk_percent)
