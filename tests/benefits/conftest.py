"""Benefit test helpers: a financial savings benefit of N-001 owned by member_north, and its twin in SOUTH.

The NORTH benefit: baseline 0 NOK on 1 Jan 2026, target 120,000 NOK on 1 Jan 2027 (365 days), measured
quarterly, with no milestones (a straight planned line) unless a test adds them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.benefits import services
from keel.benefits.models import Benefit
from tests.api.conftest import as_user  # noqa: F401 - the personas' API clients, for the API tests here

BASELINE = dt.date(2026, 1, 1)
TARGET = dt.date(2027, 1, 1)


def make_benefit(actor, project, code: str, owner, **fields) -> Benefit:
    """A benefit led by `project`, made through the service."""
    values = {
        "name": f"{code} savings",
        "owner": owner,
        "measure": "Operating cost savings",
        "measure_unit": "NOK/year",
        "baseline_value": Decimal("0"),
        "baseline_date": BASELINE,
        "target_value": Decimal("120000"),
        "target_date": TARGET,
        "financial": True,
        "frequency": "quarterly",
        **fields,
    }
    return services.benefit_create(actor=actor, code=code, lead_project=project, **values)


@pytest.fixture
def north_benefit(org) -> Benefit:
    """B-N: savings of N-001, owned by member_north."""
    return make_benefit(org.pm_north, org.project_north, "B-N", org.member_north)


@pytest.fixture
def south_benefit(org) -> Benefit:
    """B-S: savings of S-001, owned by pm_south."""
    return make_benefit(org.pm_south, org.project_south, "B-S", org.pm_south, measure_unit="EUR/year")
