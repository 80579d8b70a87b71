"""Demo timesheets: past weeks of the demo team members, approved by their approvers, one left waiting."""

from __future__ import annotations

import datetime as dt

import pytest

from keel.core.demo import demo_load
from keel.orgs.models import User
from keel.timesheets import selectors
from keel.timesheets.models import Timesheet, monday

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 12)


def test_demo_weeks_are_booked_approved_and_one_waits():
    demo_load(projects=12, today=TODAY)  # books the team's weeks through timesheets.demo.load
    sheets = Timesheet.objects.all()
    assert sheets.count() == 12  # three people, four weeks
    assert {s.week for s in sheets} == {monday(TODAY) - dt.timedelta(days=7 * n) for n in range(1, 5)}
    waiting = sheets.filter(status=Timesheet.Status.SUBMITTED)
    assert [s.user.username for s in waiting] == ["lena"]
    assert sheets.filter(status=Timesheet.Status.APPROVED).count() == 11
    # Lena's waiting week is in Omar's approvals, and every line is on a project the person may book on
    assert list(selectors.approvals_waiting_for(User.objects.get(username="omar"))) == list(waiting)
    for sheet in sheets:
        assert selectors.sheet_view(sheet).total > 0
        bookable = selectors.bookable_projects(sheet.user)
        assert all(bookable.filter(pk=line.project_id).exists() for line in sheet.lines.all())
