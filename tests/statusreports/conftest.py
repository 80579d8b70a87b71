"""Status-report test helpers: a scheduled, baselined N-001 (Division North) with a slipped milestone.

N-001 starts Monday 2026-01-05 (Oslo). Design (10 days) runs 5–16 January, Build (10 days) 19–30
January and the Go-live milestone closes it on 30 January; all three are baselined. Design is then
finished, Build is half done and lengthened by five days, so Go-live slips to 6 February.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.schedule import services as schedule_services
from keel.schedule.models import Task, TaskProgress
from tests.api.conftest import as_user  # noqa: F401 - the personas' API clients, for the API tests here

STATUS_DAY = dt.date(2026, 2, 2)  # a Monday: Build (due 30 January at baseline) is late


def fresh(task: Task) -> Task:
    """The task as stored now."""
    return Task.objects.get(pk=task.pk)


def schedule_with_slip(org, *, pm=None, project=None) -> dict[str, Task]:
    """Design, Build and Go-live, baselined; Design done, Build half done and five days longer."""
    pm = pm or org.pm_north
    project = project or org.project_north
    design = schedule_services.task_create(
        actor=pm, project=project, name="Design", duration_minutes=4200, cost=Decimal("10000")
    )
    build = schedule_services.task_create(
        actor=pm, project=project, name="Build", duration_minutes=4200, cost=Decimal("20000")
    )
    golive = schedule_services.task_create(actor=pm, project=project, name="Go-live", duration_minutes=0)
    schedule_services.dependency_create(actor=pm, project=project, predecessor=design, successor=build)
    schedule_services.dependency_create(actor=pm, project=project, predecessor=build, successor=golive)
    schedule_services.baseline_save(actor=pm, project=project, number=0)
    design = fresh(design)
    schedule_services.task_update(
        actor=pm,
        task=design,
        version=design.version,
        percent_complete=100,
        actual_start=design.start,
        actual_finish=design.finish,
    )
    build = fresh(build)
    schedule_services.task_update(
        actor=pm, task=build, version=build.version, percent_complete=50, duration_minutes=6300
    )
    TaskProgress.objects.filter(project=project).update(day=dt.date(2026, 1, 23))
    return {"design": fresh(design), "build": fresh(build), "golive": fresh(golive)}


@pytest.fixture
def slipped(org):
    """N-001's schedule with Go-live slipped (see the module's docstring)."""
    return schedule_with_slip(org)
