"""RAID records for the generic scoping tests (see tests/scoping_hooks.py).

Each division gets, made through the services by its project manager: a risk with one action, an
issue, an assumption and a decision linked to the risk, all of the division's project (each the
project's first, numbered 001). So `risk_id`, `action_id`, `issue_id`, `assumption_id` and
`decision_id` name records of one division: the sibling division's project manager and people without
a role get 404; the executive viewer reads them but changes nothing (403).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from keel.governance import services
from keel.governance.models import Assumption, Decision, Issue, RaidConfig, Risk, RiskAction

REF_FIELDS = ()
PLAIN_VALUES = {
    "title": "Scoping probe item",
    "probability": 2,
    "impact": 2,
    "severity": 2,
    "description": "Scoping probe action",
    "due_date": "2026-06-30",
    "decided_by": "Steering committee",
    "decided_on": "2026-03-01",
    "rationale": "Scoping probe rationale",
    "reason": "Scoping probe reason",
    "resolution": "Scoping probe resolution",
    "scale_size": 5,
}
GOVERNED_MODELS = (Risk, RiskAction, Issue, Assumption, Decision, RaidConfig)


def division_raid(*, pm: Any, project: Any) -> dict[str, Any]:
    """The division's RAID items (made once)."""
    risk = Risk.objects.filter(project=project).first()
    if risk is None:
        risk = services.risk_create(
            actor=pm, project=project, title=f"{project.code} vendor late", probability=3, impact=3
        )
        services.risk_action_create(
            actor=pm, risk=risk, description="Second vendor", due_date=dt.date(2026, 6, 1)
        )
        services.issue_create(actor=pm, project=project, title=f"{project.code} racks late", severity=3)
        services.assumption_create(actor=pm, project=project, title=f"{project.code} power ready")
        services.decision_create(
            actor=pm,
            project=project,
            title=f"{project.code} buy spares",
            decided_by="Steering committee",
            decided_on=dt.date(2026, 3, 1),
            rationale="Cheaper than a delay",
            linked_risks=[risk],
        )
    return {
        "risk_id": risk,
        "action_id": risk.actions.get(),
        "issue_id": Issue.objects.get(project=project),
        "assumption_id": Assumption.objects.get(project=project),
        "decision_id": Decision.objects.get(project=project),
    }


def api_records(*, org: Any, name: str, unit: Any, pm: Any, project: Any) -> tuple[dict, dict]:
    """The division's RAID items as path parameters."""
    return division_raid(pm=pm, project=project), {}


def _south(org: Any, key: str) -> int:
    return division_raid(pm=org.pm_south, project=org.project_south)[key].pk


SOUTH_PAGE_RECORDS = {
    key: (lambda org, extra, key=key: _south(org, key))
    for key in ("risk_id", "action_id", "issue_id", "assumption_id", "decision_id")
}
# Reading the RAID log, the heat maps and the escalation list (and their exports) changes nothing.
EXECUTIVE_PAGES = {
    "governance:raid",
    "governance:raid_export",
    "governance:heatmap",
    "governance:portfolio_heatmap",
    "governance:heatmap_cell",
    "governance:escalations",
    "governance:escalations_export",
}
