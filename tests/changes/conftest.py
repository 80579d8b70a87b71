"""Change control helpers: a small plan of N-001 and a draft change of it.

N-001 (Division North) gets, through the schedule services, Design (5 days) → Build (10 days) →
Test (5 days) and Docs (3 days) after Design, on Keel's standard week, and a baseline. Its budget
has 20,000 for materials in March 2026. The default authority levels apply: up to 10,000 and 5
days a portfolio manager decides, beyond that a PMO administrator (who may decide every level).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from keel.changes import services
from keel.finance import services as finance_services
from keel.schedule import services as schedule_services
from keel.schedule.models import Task
from tests.api.conftest import as_user  # noqa: F401 - the personas' API clients, for the API tests here
from tests.finance.helpers import category

MARCH = dt.date(2026, 3, 1)


@dataclass
class PlanN:
    """The tasks of N-001 by name, and the day length of its calendar."""

    tasks: dict[str, Task]
    day: int

    def __getitem__(self, name: str) -> Task:
        task = self.tasks[name]
        task.refresh_from_db()
        return task


def make_plan(pm: Any, project: Any) -> PlanN:
    """Design → Build → Test, Docs after Design; baselined; 20,000 of materials in March."""
    from keel.changes import whatif
    from keel.changes.models import ChangeRequest

    probe = ChangeRequest(project=project)
    day = whatif.minutes_per_day(probe)
    tasks = {}
    for name, days in (("Design", 5), ("Build", 10), ("Test", 5), ("Docs", 3)):
        tasks[name] = schedule_services.task_create(
            actor=pm, project=project, name=name, duration_minutes=days * day
        )
    for pred, succ in (("Design", "Build"), ("Build", "Test"), ("Design", "Docs")):
        schedule_services.dependency_create(
            actor=pm, project=project, predecessor=tasks[pred], successor=tasks[succ]
        )
    schedule_services.baseline_save(actor=pm, project=project, number=0)
    finance_services.budget_line_set(
        actor=pm,
        project=project,
        category=category("MATERIALS"),
        period_start=MARCH,
        reason="Initial budget",
        approved_amount=Decimal("20000"),
    )
    return PlanN(tasks, day)


@pytest.fixture
def plan(org) -> PlanN:
    """The plan of N-001."""
    return make_plan(org.pm_north, org.project_north)


def draft(pm: Any, project: Any, **fields: Any):
    """A draft change of `project` raised by `pm`."""
    values = {"title": "Add a second data hall", "reason": "Demand grew", **fields}
    return services.change_create(actor=pm, project=project, **values)
