"""Schedule test helpers: an eight-hour calendar for the whole organisation and a plan builder.

Project N-001 (Division North, Oslo) starts on Monday 5 January 2026. Its calendar is inherited from
the central PMO: Monday to Friday, 08:00–12:00 and 13:00–17:00 (480 minutes a day).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from keel.schedule import services
from keel.schedule.models import Task
from tests.api.conftest import as_user  # noqa: F401 - the personas' API clients, for the API tests here
from tests.factories import CalendarFactory

DAY = 480
OSLO = ZoneInfo("Europe/Oslo")


def local(value: dt.datetime | None) -> dt.datetime | None:
    """A stored datetime as naive Oslo wall-clock time."""
    return None if value is None else value.astimezone(OSLO).replace(tzinfo=None)


def wall(text: str) -> dt.datetime:
    """A naive wall-clock datetime, "2026-01-05 08:00" (the project's zone is implied)."""
    return dt.datetime.fromisoformat(text)


def at(day: int, hour: int, minute: int = 0, month: int = 1) -> dt.datetime:
    """A naive Oslo wall-clock datetime in 2026."""
    return wall(f"2026-{month:02d}-{day:02d} {hour:02d}:{minute:02d}")


@pytest.fixture
def calendar8(org):
    """The eight-hour calendar, set on the central PMO so every unit inherits it."""
    calendar = CalendarFactory(name="Eight hours")
    org.central.calendar = calendar
    org.central.save(update_fields=["calendar"])
    return calendar


class Plan:
    """Builds tasks and links of one project through the services, as a project manager would."""

    def __init__(self, actor: Any, project: Any) -> None:
        self.actor = actor
        self.project = project
        self.tasks: dict[str, Task] = {}

    def task(self, name: str, days: float = 1, parent: str | None = None, **fields: Any) -> Task:
        """Add a task of `days` working days (under the task named `parent`)."""
        fields.setdefault("duration_minutes", round(days * DAY))
        task = services.task_create(
            actor=self.actor,
            project=self.project,
            name=name,
            parent=self.tasks[parent] if parent else None,
            **fields,
        )
        self.tasks[name] = task
        return task

    def link(self, predecessor: str, successor: str, **fields: Any) -> Any:
        """Make `successor` follow `predecessor`."""
        return services.dependency_create(
            actor=self.actor,
            project=self.project,
            predecessor=self[predecessor],
            successor=self[successor],
            **fields,
        )

    def __getitem__(self, name: str) -> Task:
        """The task named `name`, as stored now."""
        return Task.objects.select_related("project__org_unit").get(pk=self.tasks[name].pk)

    def update(self, task_name: str, **changes: Any) -> Task:
        """Change a task through the service at its current version."""
        task = self[task_name]
        return services.task_update(actor=self.actor, task=task, version=task.version, **changes)


@pytest.fixture
def plan(org, calendar8) -> Plan:
    """A plan builder for N-001 acting as its project manager."""
    return Plan(org.pm_north, org.project_north)
