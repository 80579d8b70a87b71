"""Writes of methodologies and stage gates: the PMO's methodologies, phases and criteria (and Keel's
defaults), a project's methodology and phase, deliverables, gate review requests and decisions.

Every write checks scope first, validates each field with an error naming it, runs in one
transaction, saves versioned rows against the version the caller edited and records an audit entry.
A gate review request with a deliverable or an automatic check missing is refused, naming each;
when every approval of the gate is in, the project moves to the next phase (after the last gate it
is closed). Reviewers are told of a request, and the project manager of each decision (kind GATE).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename

from keel.core.errors import PermissionDenied
from keel.core.services import audited_create, audited_delete, audited_update
from keel.gates import selectors
from keel.gates.defaults import DEFAULT_METHODOLOGIES
from keel.gates.models import (
    Criterion,
    Deliverable,
    GateDecision,
    GateReview,
    LifecycleEvent,
    Methodology,
    Phase,
    ProjectLifecycle,
)
from keel.notifications.models import Kind
from keel.notifications.services import notify
from keel.orgs import scoping
from keel.orgs.models import OrgUnit
from keel.orgs.scoping import Action
from keel.portfolio.models import Project

METHODOLOGY_FIELDS = ("name", "description", "approach", "min_budget", "max_budget", "active")
PHASE_FIELDS = ("name", "description", "gate_name", "order")
CRITERION_FIELDS = ("kind", "title", "description", "check_name", "role", "order")
MAX_UPLOAD_MB = getattr(settings, "KEEL_GATES_MAX_MB", 20)
"""The largest deliverable document accepted, in megabytes."""
PHASE_MAPPINGS = ("map", "reset")


def _unknown(fields: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {what} fields: {', '.join(sorted(unknown))}")


def _nulls(fields: dict[str, Any], names: tuple[str, ...]) -> None:
    errors = {name: "This field is required." for name in names if name in fields and fields[name] is None}
    if errors:
        raise ValidationError(errors)


def _event(project: Project, kind: str, actor: Any, text: str, reason: str = "", review: Any = None) -> None:
    LifecycleEvent.objects.create(
        project=project,
        kind=kind,
        at=timezone.now(),
        actor=actor,
        text=text[:300],
        reason=reason,
        review=review,
    )


# --- methodologies, phases, criteria -----------------------------------------------------------------


@transaction.atomic
def methodology_create(*, actor: Any, org_unit: OrgUnit, name: str, **fields: Any) -> Methodology:
    """Define a methodology for the projects of `org_unit`'s subtree (PMO administrators)."""
    scoping.require(actor, Action.CHANGE, Methodology, org_unit, "org_unit")
    _unknown(fields, METHODOLOGY_FIELDS, "methodology")
    _nulls(fields, ("approach", "active"))
    methodology = Methodology(org_unit=org_unit, name=(name or "").strip(), **fields)
    audited_create(actor=actor, instance=methodology)
    return methodology


@transaction.atomic
def methodology_update(*, actor: Any, methodology: Methodology, version: int, **changes: Any) -> Methodology:
    """Change a methodology edited at `version`."""
    scoping.require(actor, Action.CHANGE, Methodology, methodology.org_unit, "methodology")
    _unknown(changes, METHODOLOGY_FIELDS, "methodology")
    _nulls(changes, ("name", "approach", "active"))
    if isinstance(changes.get("name"), str):
        changes["name"] = changes["name"].strip()
    audited_update(actor=actor, instance=methodology, version=version, changes=changes)
    return methodology


@transaction.atomic
def methodology_delete(*, actor: Any, methodology: Methodology, version: int | None = None) -> None:
    """Delete a methodology no project follows (with its phases and criteria)."""
    scoping.require(actor, Action.CHANGE, Methodology, methodology.org_unit, "methodology")
    if methodology.lifecycles.exists() or GateReview.objects.filter(phase__methodology=methodology).exists():
        raise ValidationError(
            {"methodology": "Projects follow (or followed) this methodology; make it inactive instead."}
        )
    audited_delete(actor=actor, instance=methodology, version=version)


@transaction.atomic
def phase_create(
    *, actor: Any, methodology: Methodology, name: str, gate_name: str = "", **fields: Any
) -> Phase:
    """Add a phase (at the end unless `order` is given) with the gate that closes it."""
    scoping.require(actor, Action.CHANGE, Phase, methodology.org_unit, "methodology")
    _unknown(fields, PHASE_FIELDS, "phase")
    if fields.get("order") is None:
        top = methodology.phases.aggregate(top=Max("order"))["top"] or 0
        fields["order"] = top + 1
    name = (name or "").strip()
    phase = Phase(
        methodology=methodology,
        name=name,
        gate_name=(gate_name or "").strip() or f"{name} gate"[:100],
        **fields,
    )
    audited_create(actor=actor, instance=phase)
    return phase


@transaction.atomic
def phase_update(*, actor: Any, phase: Phase, version: int, **changes: Any) -> Phase:
    """Rename, describe or reorder a phase edited at `version`."""
    scoping.require(actor, Action.CHANGE, Phase, phase.methodology.org_unit, "phase")
    _unknown(changes, PHASE_FIELDS, "phase")
    _nulls(changes, ("name", "gate_name", "order"))
    audited_update(actor=actor, instance=phase, version=version, changes=changes)
    return phase


@transaction.atomic
def phase_delete(*, actor: Any, phase: Phase, version: int | None = None) -> None:
    """Delete a phase no project is in and no review names."""
    scoping.require(actor, Action.CHANGE, Phase, phase.methodology.org_unit, "phase")
    if ProjectLifecycle.objects.filter(phase=phase).exists() or phase.reviews.exists():
        raise ValidationError({"phase": "Projects are in this phase or were reviewed at its gate; it stays."})
    if Deliverable.objects.filter(criterion__phase=phase).exists():
        raise ValidationError({"phase": "Projects provided deliverables for this gate; it stays."})
    audited_delete(actor=actor, instance=phase, version=version)


def _criterion_defaults(fields: dict[str, Any]) -> None:
    for name in ("check_name", "role", "description"):
        if fields.get(name) is None:
            fields.pop(name, None)


@transaction.atomic
def criterion_create(*, actor: Any, phase: Phase, kind: str, title: str, **fields: Any) -> Criterion:
    """Add a criterion to the gate closing `phase`: a deliverable, an automatic check or an approval by a role."""
    scoping.require(actor, Action.CHANGE, Criterion, phase.methodology.org_unit, "phase")
    _unknown(fields, CRITERION_FIELDS, "criterion")
    _criterion_defaults(fields)
    if fields.get("order") is None:
        fields["order"] = (phase.criteria.aggregate(top=Max("order"))["top"] or 0) + 1
    criterion = Criterion(phase=phase, kind=kind, title=(title or "").strip(), **fields)
    audited_create(actor=actor, instance=criterion)
    return criterion


@transaction.atomic
def criterion_update(*, actor: Any, criterion: Criterion, version: int, **changes: Any) -> Criterion:
    """Change a criterion edited at `version`."""
    scoping.require(actor, Action.CHANGE, Criterion, criterion.phase.methodology.org_unit, "criterion")
    _unknown(changes, CRITERION_FIELDS, "criterion")
    _nulls(changes, ("kind", "title", "order"))
    for name in ("check_name", "role", "description"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    if "kind" in changes and changes["kind"] != criterion.kind and _criterion_used(criterion):
        raise ValidationError({"kind": "Projects used this criterion; add a new one instead."})
    audited_update(actor=actor, instance=criterion, version=version, changes=changes)
    return criterion


def _criterion_used(criterion: Criterion) -> bool:
    return (
        Deliverable.objects.filter(criterion=criterion).exists()
        or GateDecision.objects.filter(criterion=criterion).exists()
    )


@transaction.atomic
def criterion_delete(*, actor: Any, criterion: Criterion, version: int | None = None) -> None:
    """Delete a criterion no deliverable or decision names."""
    scoping.require(actor, Action.CHANGE, Criterion, criterion.phase.methodology.org_unit, "criterion")
    if _criterion_used(criterion):
        raise ValidationError({"criterion": "Projects provided or decided this criterion; it stays."})
    audited_delete(actor=actor, instance=criterion, version=version)


@transaction.atomic
def methodology_defaults_install(*, actor: Any, org_unit: OrgUnit) -> list[Methodology]:
    """Give `org_unit` Keel's default methodologies (Waterfall — small, Waterfall — large, Agile); those
    whose name the unit already uses are skipped."""
    scoping.require(actor, Action.CHANGE, Methodology, org_unit, "org_unit")
    taken = {name.casefold() for name in org_unit.methodologies.values_list("name", flat=True)}
    made = []
    for spec in DEFAULT_METHODOLOGIES:
        if spec["name"].casefold() in taken:
            continue
        methodology = methodology_create(
            actor=actor,
            org_unit=org_unit,
            name=spec["name"],
            description=spec["description"],
            approach=spec["approach"],
            min_budget=spec.get("min_budget"),
            max_budget=spec.get("max_budget"),
        )
        for phase_spec in spec["phases"]:
            phase = phase_create(
                actor=actor,
                methodology=methodology,
                name=phase_spec["name"],
                gate_name=phase_spec["gate"],
                description=phase_spec.get("description", ""),
            )
            for kind, title, extra in phase_spec["criteria"]:
                values = {"check_name": extra} if kind == Criterion.Kind.CHECK else {}
                if kind == Criterion.Kind.APPROVAL:
                    values = {"role": extra}
                criterion_create(actor=actor, phase=phase, kind=kind, title=title, **values)
        made.append(methodology)
    return made


# --- a project's methodology and phase --------------------------------------------------------------


def _first_phase(methodology: Methodology, field: str = "methodology") -> Phase:
    phase = methodology.phases.order_by("order", "pk").first()
    if phase is None:
        raise ValidationError({field: f"{methodology.name} has no phases yet."})
    return phase


def _check_fits(methodology: Methodology, project: Project, field: str = "methodology") -> None:
    if not methodology.active:
        raise ValidationError({field: f"{methodology.name} is not offered any more (inactive)."})
    if not project.org_unit.path.startswith(methodology.org_unit.path):
        raise ValidationError(
            {field: f"{methodology.name} does not apply to projects of {project.org_unit.code}."}
        )


@transaction.atomic
def lifecycle_start(*, actor: Any, project: Project, methodology: Methodology) -> ProjectLifecycle:
    """Put a project that follows no methodology into `methodology`'s first phase (its managers or the PMO)."""
    scoping.require(actor, Action.CHANGE, ProjectLifecycle, project.org_unit, "project")
    if ProjectLifecycle.objects.filter(project=project).exists():
        raise ValidationError(
            {"methodology": "The project already follows a methodology; the PMO changes it with a reason."}
        )
    _check_fits(methodology, project)
    phase = _first_phase(methodology)
    lifecycle = ProjectLifecycle(
        project=project, methodology=methodology, phase=phase, phase_started_on=timezone.localdate()
    )
    audited_create(actor=actor, instance=lifecycle)
    _project_phase_follow(actor, project, phase)
    _event(
        project, LifecycleEvent.Kind.STARTED, actor, f"Follows {methodology.name}, starting in {phase.name}"
    )
    return lifecycle


def _mapped_phase(lifecycle: ProjectLifecycle, methodology: Methodology) -> Phase:
    """The new methodology's phase of the same name, else the one at the same position (else its last)."""
    phases = list(methodology.phases.order_by("order", "pk"))
    if not phases:
        raise ValidationError({"methodology": f"{methodology.name} has no phases yet."})
    current = lifecycle.phase
    if current is None:
        return phases[-1]
    for phase in phases:
        if phase.name.strip().casefold() == current.name.strip().casefold():
            return phase
    position = list(lifecycle.methodology.phases.order_by("order", "pk").values_list("pk", flat=True))
    index = position.index(current.pk) if current.pk in position else 0
    return phases[min(index, len(phases) - 1)]


@transaction.atomic
def lifecycle_change(
    *,
    actor: Any,
    project: Project,
    methodology: Methodology,
    reason: str,
    mapping: str = "map",
    version: int | None = None,
) -> ProjectLifecycle:
    """Move a project to another methodology (PMO administrators), with a recorded reason.

    `mapping` "map" keeps the phase of the same name (else the one at the same position); "reset"
    starts the new methodology's first phase. A project without a methodology simply starts it.
    """
    scoping.require(actor, Action.CHANGE, Methodology, project.org_unit, "project")
    lifecycle = ProjectLifecycle.objects.select_for_update().filter(project=project).first()
    if not (reason or "").strip():
        raise ValidationError({"reason": "Record why the project changes methodology."})
    if mapping not in PHASE_MAPPINGS:
        raise ValidationError({"mapping": "Choose map (keep the phase) or reset (start at the first phase)."})
    _check_fits(methodology, project)
    if lifecycle is None:
        lifecycle = lifecycle_start(actor=actor, project=project, methodology=methodology)
        LifecycleEvent.objects.filter(project=project).update(reason=reason.strip())
        return lifecycle
    if lifecycle.methodology_id == methodology.pk:
        raise ValidationError({"methodology": f"The project already follows {methodology.name}."})
    if pending_review_exists(project):
        raise ValidationError({"methodology": "A gate review is pending; it must be decided first."})
    phase = _first_phase(methodology) if mapping == "reset" else _mapped_phase(lifecycle, methodology)
    old = f"{lifecycle.methodology.name} ({lifecycle.phase.name if lifecycle.phase else 'closed'})"
    changes: dict[str, Any] = {"methodology": methodology, "phase": phase, "closed_on": None}
    if lifecycle.phase_id != phase.pk:
        changes["phase_started_on"] = timezone.localdate()
    audited_update(
        actor=actor,
        instance=lifecycle,
        version=lifecycle.version if version is None else version,
        changes=changes,
    )
    how = "phase reset to" if mapping == "reset" else "phase mapped to"
    _event(
        project,
        LifecycleEvent.Kind.METHODOLOGY_CHANGED,
        actor,
        f"From {old} to {methodology.name}: {how} {phase.name}",
        reason=reason.strip(),
    )
    return lifecycle


def pending_review_exists(project: Project) -> bool:
    """Whether the project has a gate review awaiting decisions."""
    return GateReview.objects.filter(project=project, status=GateReview.Status.PENDING).exists()


# --- deliverables ---------------------------------------------------------------------------------------


def _check_upload(upload: Any) -> None:
    if upload.size == 0:
        raise ValidationError({"file": "The file is empty."})
    if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
        raise ValidationError({"file": f"The file is larger than {MAX_UPLOAD_MB} MB."})


@transaction.atomic
def deliverable_provide(
    *,
    actor: Any,
    project: Project,
    criterion: Criterion,
    link: str = "",
    upload: Any = None,
    note: str = "",
    version: int | None = None,
) -> Deliverable:
    """Provide (or replace) the document or link a deliverable criterion of the project's methodology asks for."""
    scoping.require(actor, Action.CHANGE, Deliverable, project.org_unit, "project")
    lifecycle = selectors.lifecycle_of(project)
    if lifecycle is None or criterion.phase.methodology_id != lifecycle.methodology_id:
        raise ValidationError({"criterion": "The criterion is not part of the project's methodology."})
    if criterion.kind != Criterion.Kind.DELIVERABLE:
        raise ValidationError({"criterion": f"{criterion.title} is not a deliverable."})
    link = (link or "").strip()
    if not link and upload is None:
        raise ValidationError({"link": "Give a link or upload a document."})
    if link and upload is not None:
        raise ValidationError({"link": "Give a link or a document, not both."})
    if upload is not None:
        _check_upload(upload)
    existing = Deliverable.objects.select_for_update().filter(project=project, criterion=criterion).first()
    values: dict[str, Any] = {"link": link, "note": (note or "").strip()[:300], "provided_by": actor}
    if upload is not None:
        name = get_valid_filename(Path(upload.name or "document").name)[:200] or "document"
        upload.name = name
        values.update(file=upload, file_name=name)
    else:
        values.update(file="", file_name="")
    if existing is None:
        deliverable = Deliverable(project=project, criterion=criterion, **values)
        audited_create(actor=actor, instance=deliverable)
        return deliverable
    old_file = existing.file.name if existing.file else ""
    audited_update(
        actor=actor,
        instance=existing,
        version=existing.version if version is None else version,
        changes=values,
    )
    if old_file and old_file != (existing.file.name if existing.file else ""):
        storage = existing.file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return existing


@transaction.atomic
def deliverable_remove(*, actor: Any, deliverable: Deliverable, version: int | None = None) -> None:
    """Withdraw a provided deliverable (its document is deleted once the transaction commits)."""
    scoping.require(actor, Action.CHANGE, Deliverable, deliverable.project.org_unit, "deliverable")
    name = deliverable.file.name if deliverable.file else ""
    storage = deliverable.file.storage
    audited_delete(actor=actor, instance=deliverable, version=version)
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- gate reviews ---------------------------------------------------------------------------------------


def _review_url(review: GateReview) -> str:
    return reverse("gates:review", args=[review.pk])


@transaction.atomic
def review_request(*, actor: Any, project: Project, comment: str = "") -> GateReview:
    """Ask the reviewers to pass the gate closing the project's current phase.

    Refused, naming each, when a deliverable is not provided or an automatic check fails. A gate without
    approvals passes at once.
    """
    scoping.require(actor, Action.CHANGE, GateReview, project.org_unit, "project")
    Project.objects.select_for_update().filter(pk=project.pk).exists()
    lifecycle = selectors.lifecycle_of(project)
    if lifecycle is None:
        raise ValidationError({"project": "The project follows no methodology yet; choose one first."})
    if lifecycle.phase is None:
        raise ValidationError({"project": "The project passed its last gate: it is closed."})
    if pending_review_exists(project):
        raise ValidationError({"project": "A gate review is already pending for this project."})
    items = selectors.checklist(project, lifecycle.phase)
    missing = [item for item in items if item.missing]
    if missing:
        names = "; ".join(
            f"{item.criterion.title} ({item.criterion.get_kind_display().lower()})" for item in missing
        )
        raise ValidationError({"checklist": f"Missing before {lifecycle.phase.gate_name}: {names}."})
    review = GateReview(
        project=project,
        phase=lifecycle.phase,
        comment=(comment or "").strip(),
        requested_by=actor,
        requested_at=timezone.now(),
        checklist=[
            {"key": i.key, "title": i.criterion.title, "kind": i.kind, "met": i.met, "detail": i.detail}
            for i in items
        ],
    )
    audited_create(actor=actor, instance=review)
    approvals = [item.criterion for item in items if item.kind == Criterion.Kind.APPROVAL]
    if not approvals:
        _pass(actor, review, lifecycle)
        return review
    reviewers = {
        person.pk: person
        for criterion in approvals
        for person in selectors.people_with_role(criterion.role, project.org_unit)
        if person.pk != actor.pk
    }
    notify(
        recipients=reviewers.values(),
        kind=Kind.GATE,
        title=f"Gate review requested: {project.code} {lifecycle.phase.gate_name}",
        body=f"{actor} asks to pass {lifecycle.phase.gate_name} of {project}."
        + (f"\n\n{review.comment}" if review.comment else ""),
        url=_review_url(review),
        project=project,
    )
    return review


def _pass(actor: Any, review: GateReview, lifecycle: ProjectLifecycle) -> None:
    """The gate is passed: the project enters the next phase, or is closed after the last gate."""
    project = review.project
    audited_update(
        actor=actor,
        instance=review,
        version=review.version,
        changes={"status": GateReview.Status.PASSED, "decided_at": timezone.now()},
    )
    phases = list(lifecycle.methodology.phases.order_by("order", "pk"))
    index = [p.pk for p in phases].index(lifecycle.phase_id)
    today = timezone.localdate()
    gate = lifecycle.phase.gate_name
    if index + 1 < len(phases):
        following = phases[index + 1]
        changes: dict[str, Any] = {"phase": following, "phase_started_on": today}
        text = f"{gate} passed: {project.code} enters {following.name}"
        kind = LifecycleEvent.Kind.GATE_PASSED
    else:
        changes = {"phase": None, "phase_started_on": today, "closed_on": today}
        text = f"{gate} passed: {project.code} is closed"
        kind = LifecycleEvent.Kind.CLOSED
    audited_update(actor=actor, instance=lifecycle, version=lifecycle.version, changes=changes)
    if changes["phase"] is not None:
        _project_phase_follow(actor, project, changes["phase"])
    _event(project, kind, actor, text, review=review)


def _project_phase_follow(actor: Any, project: Project, phase: Phase) -> None:
    """The register's phase of the project (initiation, planning, execution, closing) follows its
    lifecycle when the lifecycle's phase has one of those names; other names leave it as it is."""
    value = phase.name.strip().casefold()
    if value in Project.Phase.values and project.phase != value:
        project.refresh_from_db(fields=["phase", "version"])
        if project.phase != value:
            audited_update(actor=actor, instance=project, version=project.version, changes={"phase": value})


@transaction.atomic
def review_decide(
    *,
    actor: Any,
    review: GateReview,
    outcome: str,
    comment: str = "",
    criterion: Criterion | None = None,
) -> GateDecision:
    """Record a reviewer's approve, reject or defer on one approval of a pending review.

    The reviewer must hold the approval's role over the project's unit and may not decide a review they
    requested. A rejection or a deferral ends the review (the project manager may ask again); the last
    approval passes the gate. The project manager is told of each decision.
    """
    project = review.project
    if not selectors.can_decide(actor, review):
        raise PermissionDenied("You hold none of the roles this gate needs approvals from.")
    review = (
        GateReview.objects.select_for_update().select_related("project__org_unit", "phase").get(pk=review.pk)
    )
    if outcome not in GateDecision.Outcome.values:
        raise ValidationError({"outcome": "Choose approve, reject or defer."})
    if review.status != GateReview.Status.PENDING:
        raise ValidationError(
            {"review": f"The review is {review.get_status_display().lower()}: nothing to decide."}
        )
    if review.requested_by_id == actor.pk:
        raise ValidationError({"review": "You requested this review; another reviewer decides it."})
    open_ones = selectors.approvals_for(actor, review)
    if criterion is None:
        if not open_ones:
            raise ValidationError({"criterion": "Every approval your roles allow is already decided."})
        criterion = open_ones[0]
    elif criterion.pk not in {c.pk for c in open_ones}:
        raise ValidationError(
            {"criterion": f"{criterion.title} is not an open approval of this review you may decide."}
        )
    comment = (comment or "").strip()
    if outcome != GateDecision.Outcome.APPROVE and not comment:
        raise ValidationError({"comment": "Say why, for the project team."})
    decision = GateDecision(
        review=review, criterion=criterion, outcome=outcome, comment=comment, reviewer=actor
    )
    audited_create(actor=actor, instance=decision)
    gate = review.phase.gate_name
    if outcome == GateDecision.Outcome.APPROVE:
        required = set(
            review.phase.criteria.filter(kind=Criterion.Kind.APPROVAL).values_list("pk", flat=True)
        )
        approved = set(
            review.decisions.filter(outcome=GateDecision.Outcome.APPROVE).values_list(
                "criterion_id", flat=True
            )
        )
        if required <= approved:
            lifecycle = (
                ProjectLifecycle.objects.select_for_update(of=("self",))
                .select_related("methodology", "phase")
                .get(project=project)
            )
            _pass(actor, review, lifecycle)
            title = f"{project.code}: {gate} passed"
        else:
            title = f"{project.code}: {criterion.title} approved"
    else:
        status = (
            GateReview.Status.REJECTED
            if outcome == GateDecision.Outcome.REJECT
            else GateReview.Status.DEFERRED
        )
        audited_update(
            actor=actor,
            instance=review,
            version=review.version,
            changes={"status": status, "decided_at": timezone.now()},
        )
        title = f"{project.code}: {gate} {status.label.lower()}"
    notify(
        recipients=[project.manager, review.requested_by],
        kind=Kind.GATE,
        title=title,
        body=f"{actor}: {decision.get_outcome_display()} ({criterion.title})."
        + (f"\n\n{comment}" if comment else ""),
        url=_review_url(review),
        project=project,
    )
    return decision
