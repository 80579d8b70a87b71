"""Change records for the generic scoping tests (see tests/scoping_hooks.py).

Each division gets, made through the services by its project manager: a draft change request of its
project with one schedule edit (a task of the project gets a longer duration) and one budget edit. So
`change_id`, `task_edit_id` and `budget_edit_id` name records of one division: the sibling division's
project manager and people without a role get 404; the executive viewer reads them but changes
nothing (403). The body fields `requested_by`, `risk` and `task` name the division's project manager,
the division's RAID risk (tests/governance/scoping_records.py) and a task of its project.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from keel.changes import services
from keel.changes.models import BudgetEdit, ChangeAuthority, ChangeRequest, TaskEdit
from keel.finance.models import CostCategory
from keel.schedule import services as schedule_services
from keel.schedule.models import Task
from tests.governance.scoping_records import division_raid

REF_FIELDS = ("requested_by", "risk", "task")
PLAIN_VALUES = {
    "duration_days": "3",
    "period_start": "2026-03-01",
    "amount": "100",
    "category": "MATERIALS",
    "levels": [{"approver_role": "pmo_admin"}],
}
GOVERNED_MODELS = (ChangeRequest, TaskEdit, BudgetEdit, ChangeAuthority)


def division_changes(*, pm: Any, project: Any) -> dict[str, Any]:
    """The division's draft change with its edits (made once)."""
    change = ChangeRequest.objects.filter(project=project).first()
    if change is None:
        task = Task.objects.filter(project=project, is_summary=False).order_by("pk").first()
        if task is None:
            task = schedule_services.task_create(
                actor=pm, project=project, name=f"{project.code} works", duration_minutes=480
            )
        category, _ = CostCategory.objects.get_or_create(
            code="MATERIALS", defaults={"name": "Materials", "kind": "capex"}
        )
        change = services.change_create(actor=pm, project=project, title=f"{project.code} extra racks")
        services.task_edit_add(actor=pm, change=change, task=task, duration_days=Decimal("2"))
        services.budget_edit_add(
            actor=pm,
            change=change,
            category=category,
            period_start=dt.date(2026, 3, 1),
            amount=Decimal("500"),
        )
    risk = division_raid(pm=pm, project=project)["risk_id"]
    return {
        "change_id": change,
        "task_edit_id": change.task_edits.get(),
        "budget_edit_id": change.budget_edits.get(),
        "_risk": risk,
        "_task": change.task_edits.get().task,
    }


def api_records(*, org: Any, name: str, unit: Any, pm: Any, project: Any) -> tuple[dict, dict]:
    """The division's change records as path parameters, and the records its body fields name."""
    records = division_changes(pm=pm, project=project)
    refs = {"requested_by": pm, "risk": records.pop("_risk"), "task": records.pop("_task")}
    return records, refs


def _south(org: Any, key: str) -> int:
    return division_changes(pm=org.pm_south, project=org.project_south)[key].pk


SOUTH_PAGE_RECORDS = {
    key: (lambda org, extra, key=key: _south(org, key))
    for key in ("change_id", "task_edit_id", "budget_edit_id")
}
# Reading the change log (and its export), a change and the changes awaiting a decision changes nothing.
EXECUTIVE_PAGES = {"changes:log", "changes:export", "changes:detail", "changes:pending"}
