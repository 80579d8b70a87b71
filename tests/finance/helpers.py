"""A small project with a baseline, its costs and rates, whose earned value is worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keel.finance import services
from keel.finance.models import CostCategory
from keel.schedule import services as schedule_services
from keel.schedule.models import Task, TaskProgress

DEFAULTS = {
    "LABOR": ("Labor", "opex", True),
    "MATERIALS": ("Materials", "capex", False),
    "SERVICES": ("Services", "opex", False),
    "TRAVEL": ("Travel", "opex", False),
}


def category(code: str) -> CostCategory:
    """One of the default categories (made by the app's migration; again after a flushing browser test)."""
    name, kind, is_labor = DEFAULTS[code]
    item, _ = CostCategory.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "is_labor": is_labor}
    )
    return item


def nok_eur(org, rate: str = "0.085", day: dt.date = dt.date(2026, 1, 1)) -> None:
    """One NOK is worth `rate` EUR from `day` on."""
    services.rate_create(
        actor=org.admin, from_currency="NOK", to_currency="EUR", date=day, rate=Decimal(rate)
    )


def planned_project(
    org, *, pm=None, project=None, progress_on: dt.date = dt.date(2026, 1, 23)
) -> tuple[Task, Task]:
    """Two ten-day tasks (7-hour days) in a row from Monday 2026-01-05 (Design 10,000, Build 20,000), baselined.

    With the standard week Design runs 5-16 January and Build 19-30 January. Design is done and Build
    half done, so EV = 10,000 + 10,000 = 20,000. That progress is dated `progress_on` in the history
    (as if reported on that day): before it EV is 0.
    """
    pm = pm or org.pm_north
    project = project or org.project_north
    design = schedule_services.task_create(
        actor=pm, project=project, name="Design", duration_minutes=4200, cost=Decimal("10000")
    )
    build = schedule_services.task_create(
        actor=pm, project=project, name="Build", duration_minutes=4200, cost=Decimal("20000")
    )
    schedule_services.dependency_create(actor=pm, project=project, predecessor=design, successor=build)
    schedule_services.baseline_save(actor=pm, project=project, number=0)
    design.refresh_from_db()
    build.refresh_from_db()
    schedule_services.task_update(actor=pm, task=design, version=design.version, percent_complete=100)
    build.refresh_from_db()
    schedule_services.task_update(actor=pm, task=build, version=build.version, percent_complete=50)
    TaskProgress.objects.filter(project=project).update(day=progress_on)
    return design, build
