"""Compliance test helpers: gaps of N-001 (Division North) and S-001 (Division South).

Checks take the day they run: tests look at a day after the records were made (`LATER`, 40 days on),
so that what was written today is stale then, without editing stored times.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keel.governance import services as governance_services
from keel.portfolio import services as portfolio_services
from tests.api.conftest import as_user  # noqa: F401 - the personas' API clients, for the API tests here

LATER_DAYS = 40


@pytest.fixture
def later() -> dt.date:
    """A day 40 days from now: items written now have not been updated for 40 days then."""
    return timezone.localdate() + dt.timedelta(days=LATER_DAYS)


def in_execution(actor, project):
    """Move the project into execution (it then owes a baseline)."""
    project.refresh_from_db()
    return portfolio_services.project_update(
        actor=actor, project=project, version=project.version, phase="execution"
    )


def make_risk(actor, project, **fields):
    """An open risk of `project` through the service."""
    values = {"title": "Supplier late", "probability": 2, "impact": 3, **fields}
    return governance_services.risk_create(actor=actor, project=project, **values)
