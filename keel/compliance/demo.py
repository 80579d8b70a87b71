"""Compliance in the demo organisation: the central PMO's settings and a waiver of one real gap, both
through the services as the head of the central PMO (dana)."""

from __future__ import annotations

import datetime as dt

from keel.compliance import selectors, services
from keel.orgs.models import OrgUnit, User
from keel.portfolio.models import Project

WAIVER_REASON = (
    "Delivered under a fixed-price contract: the supplier's approved plan stands in for the baseline."
)


def load(*, today: dt.date, project_codes: list[str]) -> int:
    """Set the central PMO's compliance settings and waive the missing baseline of the first of the
    named projects that lacks one; returns the number of waivers made (0 or 1)."""
    head = User.objects.filter(username="dana").first()
    root = OrgUnit.objects.filter(code="CPMO").first()
    if head is None or root is None:
        return 0
    services.compliance_config_set(actor=head, unit=root, stale_raid_days=30, change_age_days=10)
    for project in Project.objects.filter(code__in=project_codes).select_related("org_unit").order_by("code"):
        gap, waiver = selectors.gap_of(project, "baseline", today=today)
        if gap is not None and waiver is None:
            services.waiver_create(
                actor=head, project=project, key="baseline", reason=WAIVER_REASON, today=today
            )
            return 1
    return 0
