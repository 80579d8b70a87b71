"""The RAID page, the escalation list and the API lists read in a fixed number of queries, whatever
the number of items (measured with 5 and with 40 risks, each with two actions)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.governance import services
from tests.conftest import PASSWORD
from tests.governance.conftest import make_risk


def _fill(org, n: int) -> None:
    for i in range(n):
        risk = make_risk(org.pm_north, org.project_north, title=f"Risk {i}", probability=1 + i % 5, impact=5)
        for day in (1, 2):
            services.risk_action_create(
                actor=org.pm_north, risk=risk, description=f"Action {day}", due_date=dt.date(2026, 1, day)
            )
        services.issue_create(actor=org.pm_north, project=org.project_north, title=f"Issue {i}", severity=5)


def _count(client, url: str, **query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("raid", {"tab": "risk"}),
        ("raid", {"tab": "decision"}),
        ("escalations", {}),
        ("portfolio_heatmap", {}),
    ],
)
def test_pages_read_in_constant_queries(client, org, name, query):
    assert client.login(username="admin", password=PASSWORD)
    url = reverse(f"governance:{name}", args=[org.project_north.pk] if name == "raid" else [])
    _fill(org, 5)
    few = _count(client, url, **query)
    _fill(org, 35)
    many = _count(client, url, **query)
    assert many <= few, (name, few, many)
    assert many <= 25


def test_api_lists_read_in_constant_queries(org, as_user):
    client = as_user(org.admin)
    _fill(org, 3)

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status == 200
        return len(captured)

    paths = [
        f"/projects/{org.project_north.pk}/risks",
        "/escalations",
        f"/projects/{org.project_north.pk}/issues",
    ]
    few = [count(p) for p in paths]
    _fill(org, 20)
    many = [count(p) for p in paths]
    assert all(m <= f for m, f in zip(many, few, strict=True)), (few, many)
