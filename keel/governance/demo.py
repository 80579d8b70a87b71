"""RAID logs of the demo organisation: a few risks, an issue and a decision on each running scheduled
project, through the services (one risk high enough to reach the PMO's escalation list)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from keel.governance import services
from keel.governance.models import Risk
from keel.orgs import scoping
from keel.portfolio.models import Project

RISKS = (
    (
        "Key supplier delivers late",
        "Single-source supplier",
        "Delivery slips",
        "Critical path moves",
        "Supplier",
        "mitigate",
    ),
    (
        "Specialist leaves the team",
        "Tight labour market",
        "Loss of know-how",
        "Rework and delay",
        "Resources",
        "mitigate",
    ),
    (
        "Budget cut next fiscal year",
        "Savings programme",
        "Scope must shrink",
        "Benefits delayed",
        "Cost",
        "accept",
    ),
    (
        "Permit takes longer",
        "Authority backlog",
        "Start of works waits",
        "Later go-live",
        "Compliance",
        "transfer",
    ),
)


def load(*, loader: Any, rng: random.Random, today: dt.date, project_codes: list[str]) -> int:
    """RAID items for the running projects named; returns the number of risks registered."""
    count = 0
    for project in Project.objects.filter(code__in=project_codes, status="active").select_related(
        "manager", "org_unit"
    ):
        manager = project.manager
        may = manager is not None and scoping.can(manager, scoping.Action.CHANGE, Risk, project.org_unit)
        actor: Any = manager if may else loader
        owner = manager if may else None
        for n, (title, cause, event, effect, category, strategy) in enumerate(rng.sample(RISKS, 3)):
            probability, impact = (5, 4) if n == 0 and count == 0 else (rng.randint(1, 4), rng.randint(1, 4))
            services.risk_create(
                actor=actor,
                project=project,
                title=title,
                cause=cause,
                event=event,
                effect=effect,
                category=category,
                probability=probability,
                impact=impact,
                response_strategy=strategy,
                owner=owner,
                proximity=today + dt.timedelta(days=rng.randint(14, 120)),
            )
            count += 1
        services.issue_create(
            actor=actor,
            project=project,
            title="Test environment not available",
            severity=rng.randint(2, 3),
            owner=owner,
            due_date=today + dt.timedelta(days=rng.randint(5, 30)),
        )
        services.decision_create(
            actor=actor,
            project=project,
            title="Phase the roll-out by site",
            decided_by="Project board",
            decided_on=today - dt.timedelta(days=rng.randint(5, 60)),
            rationale="Limits the risk of one large cut-over and lets the first site train the others.",
            options_considered="Big-bang go-live; phased by site; phased by function",
        )
    return count
