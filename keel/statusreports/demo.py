"""Status reports of the demo organisation: the last few weeks of reports of the running scheduled
projects, drafted from their data, decided and submitted by their managers through the services (one
override with its reason), and one project whose latest report is missing, so it shows as overdue."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from keel.orgs import scoping
from keel.portfolio.models import Project
from keel.statusreports import selectors, services
from keel.statusreports.models import DIMENSIONS, Rag, StatusReport

WEEKS = 4
ACCOMPLISHMENTS = (
    "Closed the design review with the business owners.",
    "Finished the supplier selection and signed the contract.",
    "Completed the first round of user acceptance tests.",
    "Migrated the test data and rehearsed the cut-over.",
)
NEXT_STEPS = (
    "Start the build of the second release.",
    "Train the key users of the first site.",
    "Agree the go-live date with operations.",
    "Close the open findings of the test round.",
)


def load(*, loader: Any, rng: random.Random, today: dt.date, project_codes: list[str]) -> int:
    """Reports of the last weeks for the running projects named; returns the number submitted."""
    submitted = 0
    projects = Project.objects.filter(code__in=project_codes, status=Project.Status.ACTIVE).select_related(
        "manager", "org_unit", "program__portfolio"
    )
    for index, project in enumerate(projects.order_by("code")):
        manager = project.manager
        may = manager is not None and scoping.can(
            manager, scoping.Action.CHANGE, StatusReport, project.org_unit
        )
        actor: Any = manager if may else loader
        cadence = selectors.cadence_for_project(project)
        dues = selectors.period_ends(
            cadence, today - dt.timedelta(days=7 * WEEKS), today - dt.timedelta(days=1)
        )
        dues = [d for d in dues if project.planned_start is None or d >= project.planned_start]
        if index == 0 and dues:
            dues = dues[:-1]  # its latest report is missing: overdue
        for n, due in enumerate(dues):
            report = services.report_create(
                actor=actor, project=project, period_end=due, status_date=due, today=due
            )
            decisions: dict[str, Any] = {f"{d}_rag": report.proposed(d) for d in DIMENSIONS}
            if index == 1 and n == len(dues) - 1 and report.proposed_schedule != Rag.GREEN:
                decisions["schedule_rag"] = Rag.AMBER if report.proposed_schedule == Rag.RED else Rag.GREEN
                decisions["schedule_reason"] = (
                    "The supplier confirmed extra crews from next week to recover the slip."
                )
            services.report_update(
                actor=actor,
                report=report,
                version=report.version,
                accomplishments=rng.choice(ACCOMPLISHMENTS),
                next_steps=rng.choice(NEXT_STEPS),
                help_needed="" if rng.random() < 0.6 else "A decision on the test environment budget.",
                **decisions,
            )
            services.report_submit(actor=actor, report=report, version=report.version)
            submitted += 1
    return submitted
