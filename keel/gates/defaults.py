"""Keel's default methodologies, which a PMO adds to its unit in one step (methodology page or API) and
then adapts: "Waterfall — small" and "Waterfall — large" split by budget (below or from 250,000 in the
project's currency), and "Agile" for any budget.

Each phase lists its gate's criteria as (kind, title, check name or approving role).
"""

from __future__ import annotations

from decimal import Decimal

from keel.orgs.models import Role

LARGE_BUDGET = Decimal("250000")
D, C, A = "deliverable", "check", "approval"

DEFAULT_METHODOLOGIES = [
    {
        "name": "Waterfall — small",
        "approach": "waterfall",
        "description": "Four phases with light gates for projects below 250,000.",
        "max_budget": LARGE_BUDGET,
        "phases": [
            {
                "name": "Initiation",
                "gate": "Gate 1: Approval to plan",
                "criteria": [
                    (D, "Project brief", ""),
                    (C, "Manager set", "manager_set"),
                    (C, "Sponsor set", "sponsor_set"),
                    (A, "Portfolio manager approves", Role.PORTFOLIO_MANAGER),
                ],
            },
            {
                "name": "Planning",
                "gate": "Gate 2: Approval to execute",
                "criteria": [
                    (C, "Schedule has tasks", "schedule_has_tasks"),
                    (C, "Baseline saved", "baseline_saved"),
                    (C, "Risks registered", "risks_registered"),
                    (A, "Portfolio manager approves", Role.PORTFOLIO_MANAGER),
                ],
            },
            {
                "name": "Execution",
                "gate": "Gate 3: Approval to close",
                "criteria": [
                    (D, "Acceptance of the deliverables", ""),
                    (A, "Portfolio manager approves", Role.PORTFOLIO_MANAGER),
                ],
            },
            {
                "name": "Closing",
                "gate": "Gate 4: Project closed",
                "criteria": [
                    (D, "Lessons learned", ""),
                    (A, "PMO administrator approves", Role.PMO_ADMIN),
                ],
            },
        ],
    },
    {
        "name": "Waterfall — large",
        "approach": "waterfall",
        "description": "Five phases with full gates for projects from 250,000.",
        "min_budget": LARGE_BUDGET,
        "phases": [
            {
                "name": "Concept",
                "gate": "Gate 0: Idea accepted",
                "criteria": [
                    (D, "Idea and strategic fit", ""),
                    (C, "Sponsor set", "sponsor_set"),
                    (A, "Portfolio manager approves", Role.PORTFOLIO_MANAGER),
                ],
            },
            {
                "name": "Initiation",
                "gate": "Gate 1: Approval to plan",
                "criteria": [
                    (D, "Business case", ""),
                    (D, "Project charter", ""),
                    (C, "Manager set", "manager_set"),
                    (C, "Planned dates set", "planned_dates_set"),
                    (A, "Portfolio manager approves", Role.PORTFOLIO_MANAGER),
                ],
            },
            {
                "name": "Planning",
                "gate": "Gate 2: Approval to execute",
                "criteria": [
                    (D, "Project management plan", ""),
                    (C, "Schedule has tasks", "schedule_has_tasks"),
                    (C, "Baseline saved", "baseline_saved"),
                    (C, "Budget approved", "budget_approved"),
                    (C, "Risks registered", "risks_registered"),
                    (A, "Portfolio manager approves", Role.PORTFOLIO_MANAGER),
                    (A, "PMO administrator approves", Role.PMO_ADMIN),
                ],
            },
            {
                "name": "Execution",
                "gate": "Gate 3: Approval to close",
                "criteria": [
                    (D, "Acceptance of the deliverables", ""),
                    (D, "Handover to operations", ""),
                    (A, "Portfolio manager approves", Role.PORTFOLIO_MANAGER),
                ],
            },
            {
                "name": "Closing",
                "gate": "Gate 4: Project closed",
                "criteria": [
                    (D, "Closure report and lessons learned", ""),
                    (A, "PMO administrator approves", Role.PMO_ADMIN),
                ],
            },
        ],
    },
    {
        "name": "Agile",
        "approach": "agile",
        "description": "Discovery, delivery in increments, and closing, with light gates, for any budget.",
        "phases": [
            {
                "name": "Discovery",
                "gate": "Gate 1: Ready for delivery",
                "criteria": [
                    (D, "Product vision and initial backlog", ""),
                    (C, "Manager set", "manager_set"),
                    (C, "Sponsor set", "sponsor_set"),
                    (A, "Portfolio manager approves", Role.PORTFOLIO_MANAGER),
                ],
            },
            {
                "name": "Delivery",
                "gate": "Gate 2: Ready to close",
                "criteria": [
                    (D, "Release acceptance", ""),
                    (C, "Risks registered", "risks_registered"),
                    (A, "Portfolio manager approves", Role.PORTFOLIO_MANAGER),
                ],
            },
            {
                "name": "Closing",
                "gate": "Gate 3: Project closed",
                "criteria": [
                    (D, "Retrospective and lessons learned", ""),
                    (A, "PMO administrator approves", Role.PMO_ADMIN),
                ],
            },
        ],
    },
]
