"""The demo's status reports: weeks of submitted reports for the running scheduled projects, one missing."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from keel.portfolio.models import Project
from keel.statusreports import demo, selectors
from keel.statusreports.models import StatusReport
from tests.statusreports.conftest import schedule_with_slip

pytestmark = pytest.mark.django_db


def test_demo_reports_with_one_overdue(org):
    schedule_with_slip(org)
    schedule_with_slip(org, pm=org.pm_south, project=org.project_south)
    today = dt.date(2026, 3, 2)
    count = demo.load(
        loader=org.admin, rng=random.Random("demo"), today=today, project_codes=["N-001", "S-001"]
    )
    assert count == 7  # four Fridays before 2 March for S-001, three for N-001 (its last is missing)
    assert StatusReport.objects.filter(status=StatusReport.Status.SUBMITTED).count() == 7
    overdue = selectors.overdue_reports(projects=Project.objects.all(), today=today)
    assert [(o.project.code, o.due) for o in overdue] == [("N-001", dt.date(2026, 2, 27))]
    south = StatusReport.objects.filter(project=org.project_south).order_by("-period_end").first()
    assert south.schedule_rag != south.proposed_schedule and south.schedule_reason
