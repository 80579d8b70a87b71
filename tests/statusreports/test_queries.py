"""The portfolio view and the overdue list read in a constant number of queries, whatever the projects."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keel.portfolio.models import Project
from keel.statusreports import selectors, services
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured.captured_queries)


def _reports(org, project) -> None:
    for due in (dt.date(2026, 2, 20), dt.date(2026, 2, 27)):
        report = services.report_create(
            actor=org.admin, project=project, period_end=due, status_date=due, today=due
        )
        values = {f"{d}_rag": report.proposed(d) for d in ("schedule", "cost", "scope", "risk", "overall")}
        services.report_update(
            actor=org.admin,
            report=report,
            version=report.version,
            accomplishments="a",
            next_steps="b",
            **values,
        )
        services.report_submit(actor=org.admin, report=report, version=report.version)


def test_portfolio_and_overdue_queries_do_not_grow_with_projects(org):
    _reports(org, org.project_north)
    few = _queries(lambda: selectors.portfolio_for_user(org.admin, today=TODAY))
    few_overdue = _queries(
        lambda: selectors.overdue_reports(projects=list(Project.objects.all()), today=TODAY)
    )
    for n in range(6):
        project = ProjectFactory(code=f"N-1{n:02d}", org_unit=org.north, manager=org.pm_north)
        _reports(org, project)
    rows = selectors.portfolio_for_user(org.admin, today=TODAY)
    assert len(rows) == 8 and sum(1 for r in rows if r.latest) == 7
    assert _queries(lambda: selectors.portfolio_for_user(org.admin, today=TODAY)) == few
    projects = list(Project.objects.all())
    assert _queries(lambda: selectors.overdue_reports(projects=projects, today=TODAY)) <= few_overdue
