"""Change requests of the demo organisation, through the services: on each running scheduled project
its manager raises a change that a PMO administrator approved (a longer task and more budget, so the
budget log and the baseline show it), one awaiting a decision (on the PMO's list) and, on every other
project, one rejected."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from keel.changes import selectors, services
from keel.changes.models import ChangeRequest
from keel.finance import selectors as finance_selectors
from keel.finance.models import period_start
from keel.orgs import scoping
from keel.orgs.models import Role
from keel.portfolio.models import Project
from keel.schedule.models import Task

CHANGES = (
    (
        "Add a second test cycle",
        "quality",
        "The pilot found more defects than planned.",
        "One more test cycle.",
    ),
    (
        "Extend the data migration",
        "scope",
        "Two more legacy systems must be migrated.",
        "Two extra data sources.",
    ),
    (
        "Upgrade the network hardware",
        "cost",
        "The vendor ended support for the planned model.",
        "Newer switches.",
    ),
)


def _open_task(project: Project) -> Task | None:
    return (
        Task.objects.filter(project=project, is_summary=False, is_milestone=False, percent_complete=0)
        .order_by("sort_index")
        .first()
    )


def load(*, loader: Any, rng: random.Random, today: dt.date, project_codes: list[str]) -> int:
    """Change requests for the running projects named; returns how many were raised."""
    count = 0
    category = finance_selectors.category_by_code("MATERIALS")
    projects = Project.objects.filter(code__in=project_codes, status="active").select_related(
        "manager", "org_unit"
    )
    for index, project in enumerate(projects.order_by("code")):
        manager = project.manager
        may = manager is not None and scoping.can(
            manager, scoping.Action.CHANGE, ChangeRequest, project.org_unit
        )
        # A manager without a role over the project's unit cannot raise its changes: its portfolio
        # manager (or else a PMO administrator over it) does.
        actor: Any = manager if may else selectors.approvers_for(project, Role.PORTFOLIO_MANAGER).first()
        if actor is None:
            continue
        approver = (
            selectors.approvers_for(project, Role.PMO_ADMIN).exclude(pk=getattr(actor, "pk", None)).first()
        )
        title, kind, reason, scope = CHANGES[index % len(CHANGES)]
        period = period_start(today, finance_selectors.finance_settings(project).period)

        approved = services.change_create(
            actor=actor, project=project, title=title, category=kind, reason=reason, scope_impact=scope
        )
        task = _open_task(project)
        if task is not None:
            days = Decimal(task.duration_minutes // 480 + rng.randint(2, 5))
            services.task_edit_add(actor=actor, change=approved, task=task, duration_days=days)
        if category is not None:
            amount = Decimal(rng.randint(4, 30) * 500)
            services.budget_edit_add(
                actor=actor, change=approved, category=category, period_start=period, amount=amount
            )
        services.change_submit(actor=actor, change=approved, version=approved.version)
        if approver is not None:
            services.change_approve(
                actor=approver, change=approved, version=approved.version, note="Within the contingency."
            )
        count += 1

        waiting = services.change_create(
            actor=actor,
            project=project,
            title="Bring the go-live forward for the year-end freeze",
            category="schedule",
            reason="Operations ask for the cut-over before the change freeze.",
            schedule_days=-5,
            risk_impact="Less float before go-live.",
        )
        if category is not None:
            services.budget_edit_add(
                actor=actor, change=waiting, category=category, period_start=period, amount=Decimal("6000")
            )
        services.change_submit(actor=actor, change=waiting, version=waiting.version)
        count += 1

        if index % 2 == 1 and approver is not None:
            rejected = services.change_create(
                actor=actor,
                project=project,
                title="Add a mobile app",
                category="scope",
                reason="Sales asked.",
            )
            services.change_submit(actor=actor, change=rejected, version=rejected.version)
            services.change_reject(
                actor=approver, change=rejected, version=rejected.version, note="Out of the project's scope."
            )
            count += 1
    return count
