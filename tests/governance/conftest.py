"""RAID test helpers: risks, issues and decisions of N-001 (Division North) and S-001 (South).

The default scale is 1–5 with an escalation threshold of 15 and an issue severity threshold of 4.
"""

from __future__ import annotations

import datetime as dt

import pytest

from keel.governance import services
from tests.api.conftest import as_user  # noqa: F401 - the personas' API clients, for the API tests here

TODAY = dt.date(2026, 3, 2)


def make_risk(actor, project, **fields):
    """A risk of `project` through the service (probability 2, impact 3 unless given)."""
    values = {"title": "Supplier late", "probability": 2, "impact": 3, **fields}
    return services.risk_create(actor=actor, project=project, **values)


@pytest.fixture
def immediate_tasks(settings):
    """Background jobs run at once (django-tasks' ImmediateBackend), e-mail kept in memory."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
