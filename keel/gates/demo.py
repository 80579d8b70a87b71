"""Methodologies and gates of the demo organisation, through the services.

The central PMO gets Keel's default methodologies. Each project named follows the one that fits it
and is walked through its gates by the real people (the manager provides the deliverables and asks; a
portfolio manager or a PMO administrator covering the project approves) up to a phase that varies by
project; the first project is left with its next gate review pending, awaiting its reviewers. A gate
whose automatic checks fail (say, no sponsor) stops a project where it is, as it would in Keel.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from keel.core.errors import PermissionDenied
from keel.gates import selectors, services
from keel.gates.models import Criterion, GateReview
from keel.orgs import scoping
from keel.orgs.models import OrgUnit
from keel.portfolio.models import Project

INTRANET = "https://intranet.example.org/projects"


def _person(role: str, project: Project, loader: Any) -> Any:
    """A real person holding `role` over the project's unit (the nearest first), else the loader."""
    people = [p for p in selectors.people_with_role(role, project.org_unit) if p.pk != loader.pk]
    return people[0] if people else loader


def _provide(actor: Any, project: Project, phase: Any) -> None:
    slug = project.code.lower()
    for criterion in phase.criteria.filter(kind=Criterion.Kind.DELIVERABLE):
        title = criterion.title.lower().replace(" ", "-")
        services.deliverable_provide(
            actor=actor, project=project, criterion=criterion, link=f"{INTRANET}/{slug}/{title}"
        )


def _request(manager: Any, project: Project, comment: str) -> GateReview | None:
    """Provide the gate's deliverables and ask for the review; None when a check stops the project."""
    lifecycle = selectors.lifecycle_of(project)
    if lifecycle is None or lifecycle.phase is None:
        return None
    try:
        with transaction.atomic():
            _provide(manager, project, lifecycle.phase)
            return services.review_request(actor=manager, project=project, comment=comment)
    except ValidationError:
        return None


def _approve(project: Project, review: GateReview, loader: Any) -> None:
    for criterion in review.phase.criteria.filter(kind=Criterion.Kind.APPROVAL):
        reviewer = _person(criterion.role, project, loader)
        services.review_decide(
            actor=reviewer, review=review, outcome="approve", comment="In order.", criterion=criterion
        )


def load(*, loader: Any, rng: random.Random, today: dt.date, project_codes: list[str]) -> int:
    """Default methodologies for the central PMO; lifecycles and gate reviews for the projects named.
    Returns the number of gate reviews recorded."""
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        return 0
    services.methodology_defaults_install(actor=loader, org_unit=root)
    reviews = 0
    projects = (
        Project.objects.filter(code__in=project_codes).select_related("manager", "org_unit").order_by("code")
    )
    for index, project in enumerate(projects):
        methodology = selectors.suggested_methodology(project)
        if methodology is None:
            continue
        may = project.manager is not None and scoping.can(
            project.manager, scoping.Action.CHANGE, GateReview, project.org_unit
        )
        manager = project.manager if may else loader
        services.lifecycle_start(actor=manager, project=project, methodology=methodology)
        for _ in range(rng.randint(1, 3) if index else 1):
            review = _request(manager, project, "Ready for the gate.")
            if review is None:
                break
            reviews += 1
            if review.status == GateReview.Status.PENDING:
                try:
                    with transaction.atomic():
                        _approve(project, review, loader)
                except (ValidationError, PermissionDenied):
                    break
        if index == 0:
            reviews += _request(manager, project, "Everything for this gate is in place.") is not None
    return reviews
