"""JSON endpoints of gates: methodologies with their phases and criteria (and Keel's defaults), a project's
methodology, gate checklist and deliverables, gate reviews with their decisions, the reviewer's queue and
the lifecycle history. Same conventions as every app: scoped reads (404 out of scope), writes with a
version (If-Match or a body `version`), 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status, UploadedFile

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
)
from keel.gates import checks, selectors, services
from keel.gates.schemas import (
    GateCheckOut,
    GateCriterionCreateIn,
    GateCriterionOut,
    GateCriterionPatchIn,
    GateDecisionIn,
    GateDecisionOut,
    GateDeliverableIn,
    GateDeliverableOut,
    GateEventOut,
    GateMethodologyIn,
    GatePhaseCreateIn,
    GatePhaseOut,
    GatePhasePatchIn,
    GateReviewOut,
    GateReviewRequestIn,
    GateStateOut,
    MethodologyCreateIn,
    MethodologyDetailOut,
    MethodologyOut,
    MethodologyPatchIn,
)
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action

gates = Router(tags=["gates"])
CREATE_ERRORS = (401, 403, 404, 422)


def _unit(user: Any, pk: int) -> Any:
    return org_selectors.org_unit_get_for_user(user, pk)


def _methodology(user: Any, pk: int) -> Any:
    return selectors.methodology_get_for_user(user, pk)


def _criterion(user: Any, pk: int) -> Any:
    return selectors.criterion_get_for_user(user, pk)


# --- methodologies --------------------------------------------------------------------------------------


@gates.get("/methodologies", response=responses({200: page_of(MethodologyOut)}), summary="Methodologies")
def methodology_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """The methodologies you may see: those of your units, the units above them and below them."""
    return page_response(selectors.methodology_list_for_user(request.auth), paging)


@gates.post(
    "/methodologies",
    response=responses({201: MethodologyDetailOut}, CREATE_ERRORS),
    summary="Define a methodology",
    openapi_extra=etag_documented(201),
)
def methodology_create(request: HttpRequest, response: HttpResponse, payload: MethodologyCreateIn) -> Any:
    """A new methodology of a unit (PMO administrators); add its phases and criteria next."""
    data = payload.dict()
    refs = resolve_refs(request.auth, {"org_unit": (_unit, data.pop("org_unit"))})
    methodology = services.methodology_create(actor=request.auth, **refs, **data)
    set_etag(response, methodology.version)
    return Status(201, methodology)


@gates.post(
    "/org-units/{unit_id}/default-methodologies",
    response=responses({201: list[MethodologyOut]}, CREATE_ERRORS),
    summary="Add Keel's default methodologies to a unit",
)
def methodology_defaults(request: HttpRequest, unit_id: Id) -> Any:
    """Waterfall — small, Waterfall — large and Agile, with their phases and gates (names already used are
    skipped); the answer lists those added."""
    unit = org_selectors.org_unit_get_for_user(request.auth, unit_id)
    return Status(201, services.methodology_defaults_install(actor=request.auth, org_unit=unit))


@gates.get(
    "/methodologies/{methodology_id}",
    response=responses({200: MethodologyDetailOut}),
    summary="One methodology with its phases and criteria",
    openapi_extra=etag_documented(200),
)
def methodology_detail(request: HttpRequest, response: HttpResponse, methodology_id: Id) -> Any:
    """The methodology, its phases in order and each gate's criteria; its version as ETag."""
    methodology = selectors.methodology_get_for_user(request.auth, methodology_id)
    set_etag(response, methodology.version)
    return methodology


@gates.patch(
    "/methodologies/{methodology_id}",
    response=responses({200: MethodologyDetailOut}, WRITE_ERRORS),
    summary="Change a methodology",
    openapi_extra=etag_documented(200),
)
def methodology_update(
    request: HttpRequest,
    response: HttpResponse,
    methodology_id: Id,
    payload: MethodologyPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent (name, description, approach, budget range, active)."""
    methodology = selectors.methodology_get_for_user(request.auth, methodology_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(
        request, current=methodology.version, body_version=changes.pop("version", None)
    )
    services.methodology_update(actor=request.auth, methodology=methodology, version=version, **changes)
    set_etag(response, methodology.version)
    return methodology


@gates.delete(
    "/methodologies/{methodology_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a methodology no project follows",
)
def methodology_delete(
    request: HttpRequest,
    methodology_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete the methodology with its phases and criteria (refused once a project follows it)."""
    methodology = selectors.methodology_get_for_user(request.auth, methodology_id, Action.CHANGE)
    version = expected_version(request, current=methodology.version, body_version=payload and payload.version)
    services.methodology_delete(actor=request.auth, methodology=methodology, version=version)
    return Status(204, None)


@gates.post(
    "/methodologies/{methodology_id}/phases",
    response=responses({201: GatePhaseOut}, CREATE_ERRORS),
    summary="Add a phase",
    openapi_extra=etag_documented(201),
)
def phase_create(
    request: HttpRequest, response: HttpResponse, methodology_id: Id, payload: GatePhaseCreateIn
) -> Any:
    """A new phase and the gate that closes it (at the end unless `order` is given)."""
    methodology = selectors.methodology_get_for_user(request.auth, methodology_id, Action.CHANGE)
    data = payload.dict()
    phase = services.phase_create(actor=request.auth, methodology=methodology, **data)
    set_etag(response, phase.version)
    return Status(201, phase)


@gates.patch(
    "/gate-phases/{phase_id}",
    response=responses({200: GatePhaseOut}, WRITE_ERRORS),
    summary="Change a phase",
    openapi_extra=etag_documented(200),
)
def phase_update(
    request: HttpRequest,
    response: HttpResponse,
    phase_id: Id,
    payload: GatePhasePatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Rename, describe or reorder a phase, or rename its gate."""
    phase = selectors.phase_get_for_user(request.auth, phase_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=phase.version, body_version=changes.pop("version", None))
    services.phase_update(actor=request.auth, phase=phase, version=version, **changes)
    set_etag(response, phase.version)
    return phase


@gates.delete(
    "/gate-phases/{phase_id}", response=responses({204: None}, WRITE_ERRORS), summary="Delete a phase"
)
def phase_delete(
    request: HttpRequest,
    phase_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a phase no project is in or was reviewed at."""
    phase = selectors.phase_get_for_user(request.auth, phase_id, Action.CHANGE)
    version = expected_version(request, current=phase.version, body_version=payload and payload.version)
    services.phase_delete(actor=request.auth, phase=phase, version=version)
    return Status(204, None)


@gates.post(
    "/gate-phases/{phase_id}/criteria",
    response=responses({201: GateCriterionOut}, CREATE_ERRORS),
    summary="Add a criterion to a gate",
    openapi_extra=etag_documented(201),
)
def criterion_create(
    request: HttpRequest, response: HttpResponse, phase_id: Id, payload: GateCriterionCreateIn
) -> Any:
    """A deliverable, an automatic check (`check_name`) or an approval by a role (`role`)."""
    phase = selectors.phase_get_for_user(request.auth, phase_id, Action.CHANGE)
    criterion = services.criterion_create(actor=request.auth, phase=phase, **payload.dict())
    set_etag(response, criterion.version)
    return Status(201, criterion)


@gates.patch(
    "/gate-criteria/{criterion_id}",
    response=responses({200: GateCriterionOut}, WRITE_ERRORS),
    summary="Change a criterion",
    openapi_extra=etag_documented(200),
)
def criterion_update(
    request: HttpRequest,
    response: HttpResponse,
    criterion_id: Id,
    payload: GateCriterionPatchIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Change the fields sent of a criterion."""
    criterion = selectors.criterion_get_for_user(request.auth, criterion_id, Action.CHANGE)
    changes = payload.dict(exclude_unset=True)
    version = expected_version(request, current=criterion.version, body_version=changes.pop("version", None))
    services.criterion_update(actor=request.auth, criterion=criterion, version=version, **changes)
    set_etag(response, criterion.version)
    return criterion


@gates.delete(
    "/gate-criteria/{criterion_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a criterion",
)
def criterion_delete(
    request: HttpRequest,
    criterion_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Delete a criterion no deliverable or decision names."""
    criterion = selectors.criterion_get_for_user(request.auth, criterion_id, Action.CHANGE)
    version = expected_version(request, current=criterion.version, body_version=payload and payload.version)
    services.criterion_delete(actor=request.auth, criterion=criterion, version=version)
    return Status(204, None)


@gates.get(
    "/gate-checks",
    response=responses({200: list[GateCheckOut]}, (401,)),
    summary="Keel's automatic checks",
    tags=["gates", "reference"],
)
def check_list(request: HttpRequest) -> Any:
    """The checks a criterion of kind "check" may name."""
    return [{"name": c.name, "label": c.label, "help": c.help} for c in checks.CHECKS.values()]


# --- a project's gate -----------------------------------------------------------------------------------


def _state_answer(state: selectors.GateState) -> dict[str, Any]:
    lifecycle = state.lifecycle
    phase = None
    if lifecycle is not None:
        phase = lifecycle.phase.name if lifecycle.phase else selectors.CLOSED
    return {
        "project": state.project,
        "methodology": lifecycle.methodology if lifecycle else None,
        "phase": phase,
        "phase_started_on": lifecycle.phase_started_on if lifecycle else None,
        "gate_name": lifecycle.phase.gate_name if lifecycle and lifecycle.phase else None,
        "phases": state.steps,
        "checklist": state.items,
        "pending_review_id": state.pending.pk if state.pending else None,
        "version": lifecycle.version if lifecycle else None,
    }


@gates.get(
    "/projects/{project_id}/gate",
    response=responses({200: GateStateOut}),
    summary="A project's methodology, phase and gate checklist",
)
def gate_detail(request: HttpRequest, project_id: Id) -> Any:
    """The methodology, the phase bar, the checklist of the gate closing the current phase (automatic
    checks evaluated now) and the pending review."""
    return _state_answer(selectors.gate_state_for_user(request.auth, project_id))


@gates.post(
    "/projects/{project_id}/methodology",
    response=responses({200: GateStateOut}, WRITE_ERRORS),
    summary="Choose or change a project's methodology",
)
def gate_methodology(request: HttpRequest, project_id: Id, payload: GateMethodologyIn) -> Any:
    """A project without a methodology starts in the first phase of the one chosen (its managers or the
    PMO). Moving a project to another methodology is for PMO administrators, with a `reason`; `mapping`
    says whether the phase is mapped (same name, else same position) or reset to the first; `version`, when
    sent, is the version of the project's lifecycle record you saw (GET .../gate)."""
    project = selectors.project_for_user(request.auth, project_id)
    data = payload.dict()
    refs = resolve_refs(request.auth, {"methodology": (_methodology, data["methodology"])})
    lifecycle = selectors.lifecycle_of(project)
    if lifecycle is None and not data["reason"].strip():
        services.lifecycle_start(actor=request.auth, project=project, methodology=refs["methodology"])
    else:
        services.lifecycle_change(
            actor=request.auth,
            project=project,
            methodology=refs["methodology"],
            reason=data["reason"],
            mapping=data["mapping"],
            version=data["version"],
        )
    return _state_answer(selectors.gate_state(request.auth, project))


@gates.post(
    "/projects/{project_id}/deliverables",
    response=responses({201: GateDeliverableOut}, WRITE_ERRORS),
    summary="Provide a deliverable as a link",
    openapi_extra=etag_documented(201),
)
def deliverable_link(
    request: HttpRequest, response: HttpResponse, project_id: Id, payload: GateDeliverableIn
) -> Any:
    """The link for a deliverable criterion of the project's methodology (replaces what was provided)."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    data = payload.dict()
    refs = resolve_refs(request.auth, {"criterion": (_criterion, data["criterion"])})
    deliverable = services.deliverable_provide(
        actor=request.auth, project=project, criterion=refs["criterion"], link=data["link"], note=data["note"]
    )
    set_etag(response, deliverable.version)
    return Status(201, deliverable)


@gates.post(
    "/projects/{project_id}/deliverables/upload",
    response=responses({201: GateDeliverableOut}, WRITE_ERRORS),
    summary="Provide a deliverable as a document",
    openapi_extra=etag_documented(201),
)
def deliverable_upload(
    request: HttpRequest,
    response: HttpResponse,
    project_id: Id,
    criterion: int | None = Form(None, ge=1, le=2**63 - 1, description="The deliverable criterion"),  # noqa: B008
    note: str = Form("", max_length=300),  # noqa: B008
    file: UploadedFile = File(None, description="The document (at most KEEL_GATES_MAX_MB, 20 MB)"),  # noqa: B008
) -> Any:
    """Upload the document for a deliverable criterion (multipart form: criterion, file, note)."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    if criterion is None:
        raise ValidationError({"criterion": "Name the deliverable criterion."})
    if file is None:
        raise ValidationError({"file": "Attach the document."})
    refs = resolve_refs(request.auth, {"criterion": (_criterion, criterion)})
    deliverable = services.deliverable_provide(
        actor=request.auth,
        project=project,
        criterion=refs["criterion"],
        upload=file,
        note=note.replace("\x00", ""),
    )
    set_etag(response, deliverable.version)
    return Status(201, deliverable)


@gates.get(
    "/gate-deliverables/{deliverable_id}",
    response=responses({200: GateDeliverableOut}),
    summary="One deliverable",
    openapi_extra=etag_documented(200),
)
def deliverable_detail(request: HttpRequest, response: HttpResponse, deliverable_id: Id) -> Any:
    """A provided deliverable: its link, or its document's name and where it is served."""
    deliverable = selectors.deliverable_get_for_user(request.auth, deliverable_id)
    set_etag(response, deliverable.version)
    return deliverable


@gates.delete(
    "/gate-deliverables/{deliverable_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Withdraw a deliverable",
)
def deliverable_delete(
    request: HttpRequest,
    deliverable_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Withdraw a provided link or document."""
    deliverable = selectors.deliverable_get_for_user(request.auth, deliverable_id, Action.CHANGE)
    version = expected_version(request, current=deliverable.version, body_version=payload and payload.version)
    services.deliverable_remove(actor=request.auth, deliverable=deliverable, version=version)
    return Status(204, None)


# --- reviews ---------------------------------------------------------------------------------------------


@gates.get(
    "/projects/{project_id}/gate-reviews",
    response=responses({200: page_of(GateReviewOut)}),
    summary="A project's gate reviews",
)
def review_list(request: HttpRequest, project_id: Id, paging: Query[PageParams]) -> Any:
    """Every gate review of the project, newest first, with its decisions."""
    return page_response(selectors.review_list_for_project(request.auth, project_id), paging)


@gates.post(
    "/projects/{project_id}/gate-reviews",
    response=responses({201: GateReviewOut}, CREATE_ERRORS),
    summary="Request a gate review",
    openapi_extra=etag_documented(201),
)
def review_request(
    request: HttpRequest, response: HttpResponse, project_id: Id, payload: GateReviewRequestIn
) -> Any:
    """Ask to pass the gate closing the current phase. Refused (422, field `checklist`) naming every
    deliverable not provided and every automatic check that fails; a gate without approvals passes at once."""
    project = selectors.project_for_user(request.auth, project_id, Action.CHANGE)
    review = services.review_request(actor=request.auth, project=project, comment=payload.comment)
    set_etag(response, review.version)
    return Status(201, selectors.review_get_for_user(request.auth, review.pk))


@gates.get(
    "/gate-reviews/{review_id}",
    response=responses({200: GateReviewOut}),
    summary="One gate review",
    openapi_extra=etag_documented(200),
)
def review_detail(request: HttpRequest, response: HttpResponse, review_id: Id) -> Any:
    """The review, the checklist when it was requested, and the decisions."""
    review = selectors.review_get_for_user(request.auth, review_id)
    set_etag(response, review.version)
    return review


@gates.post(
    "/gate-reviews/{review_id}/decisions",
    response=responses({201: GateDecisionOut}, CREATE_ERRORS),
    summary="Approve, reject or defer",
)
def review_decide(request: HttpRequest, review_id: Id, payload: GateDecisionIn) -> Any:
    """Decide one approval of a pending review your roles allow (a reject or defer needs a comment and
    ends the review; the last approval passes the gate and moves the project to the next phase)."""
    review = selectors.review_get_for_user(request.auth, review_id)
    data = payload.dict()
    criterion = None
    if data["criterion"] is not None:
        criterion = resolve_refs(request.auth, {"criterion": (_criterion, data["criterion"])})["criterion"]
    decision = services.review_decide(
        actor=request.auth,
        review=review,
        outcome=data["outcome"],
        comment=data["comment"],
        criterion=criterion,
    )
    return Status(201, decision)


@gates.get(
    "/gate-review-queue",
    response=responses({200: list[GateReviewOut]}, (401,)),
    summary="Gate reviews waiting for me",
)
def review_queue(request: HttpRequest) -> Any:
    """Pending gate reviews with an approval your roles let you decide, oldest first."""
    return selectors.reviews_waiting_for(request.auth)


@gates.get(
    "/projects/{project_id}/gate-history",
    response=responses({200: list[GateEventOut]}),
    summary="A project's lifecycle history",
)
def history(request: HttpRequest, project_id: Id) -> Any:
    """Methodology chosen or changed (with the reason), gates passed, closure; oldest first."""
    _, events, _ = selectors.history_for_project(request.auth, project_id)
    return events
