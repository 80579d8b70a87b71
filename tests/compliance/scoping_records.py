"""Compliance records for the generic scoping tests (see tests/scoping_hooks.py).

Each division gets a waiver of a real gap, made through the service by the central PMO administrator:
the RAID records of tests/governance/scoping_records.py include a risk action due 2026-06-01, which on
2026-07-01 is past its date, so it is a stale RAID gap the PMO can waive. `waiver_id` therefore names a
record of one division: the sibling division's project manager and people without a role get 404; the
executive viewer reads it but changes nothing (403).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from keel.compliance import services
from keel.compliance.models import ComplianceConfig, Reminder, Waiver
from keel.orgs.models import Membership, Role
from tests.governance.scoping_records import division_raid

ON = dt.date(2026, 7, 1)
REF_FIELDS = ()
PLAIN_VALUES = {"key": "baseline"}
GOVERNED_MODELS = (ComplianceConfig, Waiver, Reminder)


def division_waiver(*, project: Any, pm: Any) -> Waiver:
    """The division's waiver (made once) of the overdue action of its RAID log."""
    waiver = Waiver.objects.filter(project=project).first()
    if waiver is None:
        action = division_raid(pm=pm, project=project)["action_id"]
        admin = Membership.objects.filter(role=Role.PMO_ADMIN, unit__parent__isnull=True).first().user
        waiver = services.waiver_create(
            actor=admin,
            project=project,
            key=f"raid:action:{action.pk}",
            reason="Scoping probe: the second vendor is on contract",
            today=ON,
        )
    return waiver


def api_records(*, org: Any, name: str, unit: Any, pm: Any, project: Any) -> tuple[dict, dict]:
    """The division's waiver as a path parameter."""
    return {"waiver_id": division_waiver(project=project, pm=pm)}, {}


SOUTH_PAGE_RECORDS = {
    "waiver_id": lambda org, extra: division_waiver(project=org.project_south, pm=org.pm_south).pk,
}
# Reading the compliance page, its export and a project's summary changes nothing.
EXECUTIVE_PAGES = {"compliance:index", "compliance:export", "compliance:project"}
