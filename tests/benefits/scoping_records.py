"""Benefit records for the generic scoping tests (see tests/scoping_hooks.py).

Each division gets, made through the services by its project manager: a benefit led by the division's
project and owned by that manager, its lead contribution and one measurement. So `benefit_id`,
`contribution_id` and `measurement_id` name records of one division: the sibling division's project
manager and people without a role get 404; the executive viewer reads them but changes nothing (403).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from keel.benefits import services
from keel.benefits.models import AtRiskThreshold, Benefit, Contribution, Measurement

BASELINE = dt.date(2026, 1, 1)

REF_FIELDS = ("lead_project", "project")
PLAIN_VALUES = {
    "measure": "Scoping probe savings",
    "baseline_value": 0,
    "baseline_date": "2026-01-01",
    "target_value": 1000,
    "target_date": "2027-01-01",
    "measured_on": "2026-01-02",
    "value": 10,
    "at_risk_percent": 10,
}
GOVERNED_MODELS = (Benefit, Contribution, Measurement, AtRiskThreshold)


def division_benefit(*, code: str, pm: Any, project: Any) -> Benefit:
    """The division's benefit with one measurement (made once)."""
    existing = Benefit.objects.filter(code=f"BEN-{code}").first()
    if existing is not None:
        return existing
    benefit = services.benefit_create(
        actor=pm,
        code=f"BEN-{code}",
        name=f"{code} savings",
        lead_project=project,
        owner=pm,
        measure="Operating cost savings",
        financial=True,
        baseline_value=Decimal("0"),
        baseline_date=BASELINE,
        target_value=Decimal("1000"),
        target_date=dt.date(2027, 1, 1),
    )
    services.measurement_record(actor=pm, benefit=benefit, measured_on=BASELINE, value="0", today=BASELINE)
    return benefit


def api_records(*, org: Any, name: str, unit: Any, pm: Any, project: Any) -> tuple[dict, dict]:
    """The division's benefit, its lead contribution and its measurement; the project as body reference."""
    benefit = division_benefit(code=name.upper(), pm=pm, project=project)
    return (
        {
            "benefit_id": benefit,
            "contribution_id": benefit.contributions.get(),
            "measurement_id": benefit.measurements.get(),
        },
        {"lead_project": project, "project": project},
    )


def _south(org: Any) -> Benefit:
    return division_benefit(code="SOUTH", pm=org.pm_south, project=org.project_south)


SOUTH_PAGE_RECORDS = {
    "benefit_id": lambda org, extra: _south(org).pk,
    "measurement_id": lambda org, extra: _south(org).measurements.get().pk,
}
# Reading the register, a benefit, a project's benefits and the portfolio view changes nothing.
EXECUTIVE_PAGES = {
    "benefits:register",
    "benefits:export",
    "benefits:detail",
    "benefits:portfolio",
    "benefits:project_benefits",
}
