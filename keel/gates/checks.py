"""The registry of the checks Keel runs by itself for a gate's "required data" criteria.

Each check is a named function over a project answering whether the data is in place, read through
the selectors of the app that owns it. A criterion of kind "check" names one of them
(``Criterion.check_name``); the PMO picks them from :data:`CHECKS` on the methodology page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from keel.finance import selectors as finance_selectors
from keel.governance import selectors as governance_selectors
from keel.portfolio.models import Project
from keel.schedule import selectors as schedule_selectors


@dataclass(frozen=True)
class Check:
    """A named automatic check: its label, what it looks for, and the function answering it."""

    name: str
    label: str
    help: str
    test: Callable[[Project], bool]


def _baseline_saved(project: Project) -> bool:
    return project.baselines.exists()


def _budget_approved(project: Project) -> bool:
    lines = finance_selectors.budget_lines(project)
    return lines.filter(approved_amount__gt=Decimal("0")).exists()


def _risks_registered(project: Project) -> bool:
    return governance_selectors.raid_counts(project)["risk"] > 0


def _sponsor_set(project: Project) -> bool:
    return project.sponsor_id is not None


def _manager_set(project: Project) -> bool:
    return project.manager_id is not None


def _schedule_has_tasks(project: Project) -> bool:
    schedule = schedule_selectors.schedule_for_project(project)
    return schedule.pk is not None and project.tasks.exists()


def _planned_dates_set(project: Project) -> bool:
    return project.planned_start is not None and project.planned_finish is not None


CHECKS: dict[str, Check] = {
    check.name: check
    for check in (
        Check("baseline_saved", "Baseline saved", "The schedule has a saved baseline.", _baseline_saved),
        Check(
            "budget_approved",
            "Budget approved",
            "The project has an approved budget (a budget line with an approved amount).",
            _budget_approved,
        ),
        Check(
            "risks_registered", "Risks registered", "The RAID log holds at least one risk.", _risks_registered
        ),
        Check("sponsor_set", "Sponsor set", "The project has a sponsor.", _sponsor_set),
        Check("manager_set", "Manager set", "The project has a project manager.", _manager_set),
        Check("schedule_has_tasks", "Schedule has tasks", "The schedule holds tasks.", _schedule_has_tasks),
        Check(
            "planned_dates_set",
            "Planned dates set",
            "The project has a planned start and finish.",
            _planned_dates_set,
        ),
    )
}
CHECK_CHOICES = [(check.name, check.label) for check in CHECKS.values()]


def run(name: str, project: Project) -> bool:
    """Whether the project passes the named check (an unknown name never passes)."""
    check = CHECKS.get(name)
    return bool(check and check.test(project))
