"""Reads of methodologies, a project's lifecycle and gate checklist, gate reviews and the reviewer's queue.

Methodologies (with their phases and criteria) are seen by the people of their unit, of the units
above it and, since they apply downwards, of every unit below it: a project manager sees the
methodologies their projects may follow. Only the PMO administrators of the owning unit (or above)
change them. A project's gate records are scoped like the project.

Other apps read a project's gate through :func:`current_phase_items` and :func:`project_phase`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from keel.gates import checks
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
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.models import OrgUnit
from keel.orgs.scoping import Action
from keel.portfolio import selectors as portfolio_selectors
from keel.portfolio.models import Project

CLOSED = "Closed"


# --- methodologies -------------------------------------------------------------------------------------


def methodology_list_for_user(user: Any, action: Action = Action.VIEW) -> QuerySet[Methodology]:
    """The methodologies the user may see (or change), by unit and name, with their phase counts."""
    qs = Methodology.objects.select_related("org_unit").order_by("org_unit__path", "name")
    return scoping.visible(user, qs, action)


def methodology_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Methodology:
    """One methodology; NotFound when missing or out of scope, PermissionDenied for a write the role lacks."""
    return scoping.get_for_user(user, Methodology.objects.select_related("org_unit"), action, pk=pk)


def phase_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Phase:
    """One phase of a methodology the user may see."""
    qs = Phase.objects.select_related("methodology__org_unit")
    return scoping.get_for_user(user, qs, action, pk=pk)


def criterion_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Criterion:
    """One criterion of a gate the user may see."""
    qs = Criterion.objects.select_related("phase__methodology__org_unit")
    return scoping.get_for_user(user, qs, action, pk=pk)


def phases_of(methodology: Methodology) -> list[Phase]:
    """The methodology's phases in order, each with its criteria prefetched."""
    criteria = Prefetch("criteria", queryset=Criterion.objects.order_by("order", "pk"))
    return list(methodology.phases.order_by("order", "pk").prefetch_related(criteria))


def _ancestor_paths(unit: OrgUnit) -> list[str]:
    parts = [part for part in unit.path.split(".") if part]
    return ["".join(f"{p}." for p in parts[: i + 1]) for i in range(len(parts))]


def methodologies_for_unit(unit: OrgUnit) -> QuerySet[Methodology]:
    """The active methodologies a project of `unit` may follow: those of the unit and of the units above it."""
    return (
        Methodology.objects.filter(org_unit__path__in=_ancestor_paths(unit), active=True)
        .select_related("org_unit")
        .order_by("-org_unit__path", "name")
    )


def methodology_choices_for_user(user: Any) -> QuerySet[Methodology]:
    """Methodologies offered when the user creates a project: active ones applying to a unit they create in."""
    units = org_selectors.org_unit_list_where(user, Project, Action.CHANGE)
    paths: set[str] = set()
    for unit in units:
        paths.update(_ancestor_paths(unit))
    return (
        Methodology.objects.filter(active=True, org_unit__path__in=paths)
        .select_related("org_unit")
        .order_by("org_unit__path", "name")
    )


def suggested_methodology(project: Project) -> Methodology | None:
    """The methodology that fits the project best: of the nearest unit, one with a budget range that fits
    before one for any budget, then by name."""
    fitting = [m for m in methodologies_for_unit(project.org_unit) if m.applies_to(project)]
    unbounded = [m.min_budget is None and m.max_budget is None for m in fitting]
    ranked = sorted(
        zip(fitting, unbounded, strict=True),
        key=lambda pair: (-len(pair[0].org_unit.path), pair[1], pair[0].name),
    )
    return ranked[0][0] if ranked else None


def can_configure(user: Any, unit: OrgUnit | None = None) -> bool:
    """Whether the user may define methodologies (in `unit`, or anywhere)."""
    if unit is None:
        return scoping.can_anywhere(user, Action.CHANGE, Methodology)
    return scoping.can(user, Action.CHANGE, Methodology, unit)


def configurable_units(user: Any) -> QuerySet[OrgUnit]:
    """The units in which the user may define methodologies."""
    return org_selectors.org_unit_list_where(user, Methodology, Action.CHANGE)


# --- a project's lifecycle and checklist --------------------------------------------------------------


def project_for_user(user: Any, project_id: Any, action: Action = Action.VIEW) -> Project:
    """The project, if the user may see it (and perform `action`)."""
    return portfolio_selectors.project_get_for_user(user, project_id, action)


def lifecycle_of(project: Project) -> ProjectLifecycle | None:
    """The project's methodology and phase, or None when it follows none."""
    return (
        ProjectLifecycle.objects.select_related("methodology__org_unit", "phase")
        .filter(project=project)
        .first()
    )


def holds_role(user: Any, role: str, unit: OrgUnit) -> bool:
    """Whether the user holds `role` in `unit` or a unit above it (superusers hold every role)."""
    if scoping.is_global(user):
        return True
    return any(unit.path.startswith(path) for path in scoping.scope_paths(user, {role}))


def people_with_role(role: str, unit: OrgUnit) -> list[Any]:
    """Active people holding `role` in `unit` or above it."""
    return [person for person in org_selectors.people_for_unit(unit) if holds_role(person, role, unit)]


@dataclass
class ChecklistItem:
    """One criterion of the gate as it stands for a project."""

    criterion: Criterion
    met: bool
    detail: str
    deliverable: Deliverable | None = None
    decision: GateDecision | None = None

    @property
    def key(self) -> str:
        return self.criterion.key

    @property
    def kind(self) -> str:
        return self.criterion.kind

    @property
    def missing(self) -> bool:
        """A deliverable or a check not in place (approvals are what the review collects)."""
        return not self.met and self.criterion.kind != Criterion.Kind.APPROVAL


def checklist(project: Project, phase: Phase, review: GateReview | None = None) -> list[ChecklistItem]:
    """The gate's checklist for the project: deliverables provided, checks run now, approvals of `review`."""
    criteria = list(phase.criteria.order_by("order", "pk"))
    deliverables = {
        d.criterion_id: d
        for d in Deliverable.objects.filter(project=project, criterion__in=criteria).select_related(
            "provided_by"
        )
    }
    decisions = {}
    if review is not None:
        decisions = {d.criterion_id: d for d in review.decisions.select_related("reviewer")}
    items = []
    for criterion in criteria:
        if criterion.kind == Criterion.Kind.DELIVERABLE:
            deliverable = deliverables.get(criterion.pk)
            met = deliverable is not None
            detail = (deliverable.file_name or deliverable.link) if deliverable else "Not provided yet"
            items.append(ChecklistItem(criterion, met, detail, deliverable=deliverable))
        elif criterion.kind == Criterion.Kind.CHECK:
            met = checks.run(criterion.check_name, project)
            check = checks.CHECKS.get(criterion.check_name)
            label = check.help if check else criterion.check_name
            items.append(ChecklistItem(criterion, met, label if met else f"Missing: {label}"))
        else:
            decision = decisions.get(criterion.pk)
            met = decision is not None and decision.outcome == GateDecision.Outcome.APPROVE
            role = criterion.get_role_display()
            if decision is None:
                detail = f"Awaiting a {role}" if review else f"A {role} approves in the gate review"
            else:
                detail = f"{decision.get_outcome_display()} by {decision.reviewer}"
            items.append(ChecklistItem(criterion, met, detail, decision=decision))
    return items


@dataclass
class PhaseStep:
    """A phase in the phase bar: done, current or to come."""

    phase: Phase
    state: str  # "done", "current", "upcoming"


@dataclass
class GateState:
    """Everything the project's gate page shows."""

    project: Project
    lifecycle: ProjectLifecycle | None
    steps: list[PhaseStep] = field(default_factory=list)
    items: list[ChecklistItem] = field(default_factory=list)
    pending: GateReview | None = None
    can_change: bool = False
    can_configure: bool = False
    suggestion: Methodology | None = None

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.missing]


def gate_state(user: Any, project: Project) -> GateState:
    """The project's methodology, phase bar, current checklist and pending review (project already in scope)."""
    lifecycle = lifecycle_of(project)
    state = GateState(
        project=project,
        lifecycle=lifecycle,
        can_change=scoping.can(user, Action.CHANGE, GateReview, project.org_unit),
        can_configure=can_configure(user, project.org_unit),
    )
    if lifecycle is None:
        state.suggestion = suggested_methodology(project)
        return state
    current = lifecycle.phase
    passed = True
    for phase in lifecycle.methodology.phases.order_by("order", "pk"):
        if current is not None and phase.pk == current.pk:
            state.steps.append(PhaseStep(phase, "current"))
            passed = False
        else:
            state.steps.append(PhaseStep(phase, "done" if passed else "upcoming"))
    if current is not None:
        state.pending = pending_review(project)
        state.items = checklist(project, current, state.pending)
    return state


def gate_state_for_user(user: Any, project_id: Any) -> GateState:
    """The project's gate state, if the user may see the project."""
    return gate_state(user, project_for_user(user, project_id))


def deliverable_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Deliverable:
    """One deliverable of a project the user may see."""
    qs = Deliverable.objects.select_related("project__org_unit", "criterion")
    return scoping.get_for_user(user, qs, action, pk=pk)


# --- reviews ---------------------------------------------------------------------------------------


def pending_review(project: Project) -> GateReview | None:
    """The project's review awaiting decisions, if any."""
    return (
        GateReview.objects.filter(project=project, status=GateReview.Status.PENDING)
        .select_related("phase")
        .first()
    )


def review_list_for_project(user: Any, project_id: Any) -> QuerySet[GateReview]:
    """The project's gate reviews, newest first."""
    project = project_for_user(user, project_id)
    return _reviews().filter(project=project)


def _reviews() -> QuerySet[GateReview]:
    decisions = Prefetch(
        "decisions", queryset=GateDecision.objects.select_related("reviewer", "criterion").order_by("pk")
    )
    return GateReview.objects.select_related(
        "project__org_unit", "project__manager", "phase__methodology", "requested_by"
    ).prefetch_related(decisions)


def review_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> GateReview:
    """One gate review the user may see."""
    return scoping.get_for_user(user, _reviews(), action, pk=pk)


def approvals_for(user: Any, review: GateReview) -> list[Criterion]:
    """The approvals of a pending review still undecided that the user's roles let them decide."""
    if review.status != GateReview.Status.PENDING:
        return []
    decided = {d.criterion_id for d in review.decisions.all()}
    unit = review.project.org_unit
    return [
        c
        for c in review.phase.criteria.filter(kind=Criterion.Kind.APPROVAL).order_by("order", "pk")
        if c.pk not in decided and holds_role(user, c.role, unit)
    ]


def can_decide(user: Any, review: GateReview) -> bool:
    """Whether the user holds one of the roles the review's gate needs approvals from."""
    unit = review.project.org_unit
    return any(
        holds_role(user, criterion.role, unit)
        for criterion in review.phase.criteria.filter(kind=Criterion.Kind.APPROVAL)
    )


def reviews_waiting_for(user: Any) -> list[GateReview]:
    """Pending gate reviews of projects the user sees with an approval their roles let them decide."""
    pending = scoping.visible(user, _reviews().filter(status=GateReview.Status.PENDING))
    return [
        review
        for review in pending.order_by("requested_at", "pk")
        if review.requested_by_id != user.pk and approvals_for(user, review)
    ]


def history_for_project(user: Any, project_id: Any) -> tuple[Project, list[LifecycleEvent], list[GateReview]]:
    """The project's lifecycle events (oldest first) and gate reviews (newest first)."""
    project = project_for_user(user, project_id)
    events = list(LifecycleEvent.objects.filter(project=project).select_related("actor").order_by("at", "pk"))
    return project, events, list(_reviews().filter(project=project))


# --- for other apps --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseItem:
    """One criterion of the gate closing a project's current phase, for compliance and reports."""

    key: str
    title: str
    met: bool
    owner: Any
    since: dt.date
    url: str


def current_phase_items(*, projects: Iterable[Project]) -> dict[int, list[PhaseItem]]:
    """Per project id, the criteria of the gate that closes the project's current phase (projects without
    a methodology, or closed, are left out). The caller has scoped the projects."""
    by_id = {project.pk: project for project in projects}
    lifecycles = ProjectLifecycle.objects.filter(project_id__in=by_id, phase__isnull=False).select_related(
        "phase", "project__manager", "project__org_unit"
    )
    result: dict[int, list[PhaseItem]] = {}
    for lifecycle in lifecycles:
        project = lifecycle.project
        url = reverse("gates:project", args=[project.pk])
        review = pending_review(project)
        result[project.pk] = [
            PhaseItem(
                key=item.key,
                title=item.criterion.title,
                met=item.met,
                owner=None if item.kind == Criterion.Kind.APPROVAL else project.manager,
                since=lifecycle.phase_started_on,
                url=url,
            )
            for item in checklist(project, lifecycle.phase, review)
        ]
    return result


def project_phase(project: Project) -> tuple[str, str] | None:
    """(methodology name, phase name) of the project — the phase is "Closed" after the last gate — or None."""
    lifecycle = lifecycle_of(project)
    if lifecycle is None:
        return None
    return lifecycle.methodology.name, lifecycle.phase.name if lifecycle.phase else CLOSED
