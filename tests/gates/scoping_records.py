"""Gate records for the generic scoping tests (see tests/scoping_hooks.py).

Each division gets, made through the services: a methodology of its own unit (by the central PMO
administrator) with one phase whose gate asks for a deliverable, the manager_set check and a PMO
administrator's approval; its project follows it, the deliverable is provided as a link and the
project manager has requested the review (pending). So `methodology_id`, `phase_id`, `criterion_id`,
`deliverable_id` and `review_id` name records of one division.
"""

from __future__ import annotations

from typing import Any

from keel.gates import services
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
from keel.orgs.models import Role

REF_FIELDS = ("methodology", "criterion")
PLAIN_VALUES = {
    "link": "https://example.org/probe",
    "outcome": "approve",
    "gate_name": "Probe gate",
}
GOVERNED_MODELS = (
    Methodology,
    Phase,
    Criterion,
    ProjectLifecycle,
    Deliverable,
    GateReview,
    GateDecision,
    LifecycleEvent,
)


def division_gates(*, admin: Any, unit: Any, pm: Any, project: Any) -> dict[str, Any]:
    """The division's methodology, lifecycle, deliverable and pending review (made once)."""
    methodology = Methodology.objects.filter(org_unit=unit).first()
    if methodology is None:
        methodology = services.methodology_create(actor=admin, org_unit=unit, name=f"{unit.code} lifecycle")
        phase = services.phase_create(actor=admin, methodology=methodology, name="Start", gate_name="Go")
        deliverable = services.criterion_create(actor=admin, phase=phase, kind="deliverable", title="Brief")
        services.criterion_create(
            actor=admin, phase=phase, kind="check", title="PM", check_name="manager_set"
        )
        services.criterion_create(actor=admin, phase=phase, kind="approval", title="PMO", role=Role.PMO_ADMIN)
        services.phase_create(actor=admin, methodology=methodology, name="Finish", gate_name="Done")
        services.lifecycle_start(actor=pm, project=project, methodology=methodology)
        services.deliverable_provide(
            actor=pm, project=project, criterion=deliverable, link=f"https://example.org/{unit.code}"
        )
        services.review_request(actor=pm, project=project)
    phase = methodology.phases.order_by("order").first()
    return {
        "methodology_id": methodology,
        "phase_id": phase,
        "criterion_id": phase.criteria.get(kind="deliverable"),
        "deliverable_id": Deliverable.objects.get(project=project),
        "review_id": GateReview.objects.get(project=project),
    }


def api_records(*, org: Any, name: str, unit: Any, pm: Any, project: Any) -> tuple[dict, dict]:
    """The division's gate records as path parameters; its methodology and criterion as body refs."""
    records = division_gates(admin=org.admin, unit=unit, pm=pm, project=project)
    refs = {"methodology": records["methodology_id"], "criterion": records["criterion_id"]}
    return records, refs


def _south(org: Any, key: str) -> int:
    return division_gates(admin=org.admin, unit=org.south, pm=org.pm_south, project=org.project_south)[key].pk


SOUTH_PAGE_RECORDS = {
    key: (lambda org, extra, key=key: _south(org, key))
    for key in ("methodology_id", "phase_id", "criterion_id", "deliverable_id", "review_id")
}
# A project's gate page, its history, a review, a deliverable's link and the (empty) queue change nothing.
EXECUTIVE_PAGES = {
    "gates:project",
    "gates:project_history",
    "gates:review",
    "gates:deliverable",
    "gates:queue",
}
