"""Browser journey of a timesheet, in Debian's Chromium driven by Playwright.

Lena (member_north, a person resource in NORTH's pool) opens "My week": the task she is assigned to
this week is already listed. She types her hours (saved as she leaves each cell, totals following),
copies her recurring team-meeting line from last week, and submits. Omar (pm_north), her project
manager, finds the week among his approvals and approves it; the hours become her actual work.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from keel.resources.models import Assignment, Resource, ResourcePool
from keel.schedule import services as schedule_services
from keel.schedule.models import ProjectSchedule
from keel.timesheets import services as timesheet_services
from keel.timesheets.models import Timesheet, monday
from tests.conftest import PASSWORD
from tests.e2e.test_journey import CHROMIUM, browser_page, shot  # noqa: F401 - the fixture
from tests.timesheets.conftest import fill

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


def _sign_in(page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.django_db(transaction=True)
def test_lena_fills_and_submits_her_week_and_omar_approves(live_server, org, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    this_week = monday(timezone.localdate())
    pool = ResourcePool.objects.create(code="POOL-N", name="North engineers", org_unit=org.north)
    lena = Resource.objects.create(
        pool=pool, code="R-LENA", name="Lena", user=org.member_north, home_unit=org.north
    )
    # N-001's schedule starts this week, with a two-week task Lena is assigned to
    build = schedule_services.task_create(
        actor=org.pm_north, project=org.project_north, name="Build the racks", duration_minutes=480 * 10
    )
    schedule = ProjectSchedule.objects.get(project=org.project_north)
    start = dt.datetime.combine(this_week, dt.time(8), tzinfo=dt.UTC)
    schedule_services.schedule_update(
        actor=org.pm_north, project=org.project_north, version=schedule.version, start=start
    )
    assignment = Assignment.objects.create(task=build, resource=lena, work_minutes=480 * 10)
    # Last week she booked a daily team meeting on the project
    last = fill(
        org.member_north,
        this_week - dt.timedelta(days=7),
        [(org.project_north, None, {i: "1" for i in range(5)})],
    )
    last.lines.update(note="Team meeting")
    # This week's timesheet exists already (empty): every save moves its version on, and the other
    # forms of the page must follow it
    timesheet_services.timesheet_get_or_create_week(actor=org.member_north, week=this_week)

    page = browser_page
    _sign_in(page, live_server.url + "/timesheets/", "member_north")
    expect(page.get_by_role("heading", name=re.compile("My week"))).to_be_visible()
    expect(page.get_by_text("Assigned this week")).to_be_visible()
    shot(page, "timesheet-1-my-week")

    monday_label = f"N-001 Build the racks, {this_week:%A} {this_week.day} {this_week:%B}, hours"
    tuesday = this_week + dt.timedelta(days=1)
    tuesday_label = f"N-001 Build the racks, {tuesday:%A} {tuesday.day} {tuesday:%B}, hours"
    page.get_by_label(monday_label).fill("8")
    page.get_by_label(tuesday_label).fill("7,5")
    page.get_by_label(tuesday_label).press("Tab")
    expect(page.locator("#week-total")).to_have_text("15.50")
    expect(page.locator("#ts-message")).to_contain_text("Saved")

    # She copies the recurring meeting line from last week
    page.get_by_label("A line of last week").select_option(label="N-001 — Team meeting")
    page.get_by_role("button", name="Copy line").click()
    expect(page.get_by_text("Copied 1 line from last week.")).to_be_visible()
    expect(page.locator("#week-total")).to_have_text("20.50")
    shot(page, "timesheet-2-filled")

    page.get_by_role("button", name="Submit week").click()
    expect(page.get_by_text("Week submitted for approval.")).to_be_visible()
    expect(page.get_by_text("waiting for approval")).to_be_visible()
    sheet = Timesheet.objects.get(user=org.member_north, week=this_week)
    assert sheet.status == Timesheet.Status.SUBMITTED

    # Omar approves it from his approvals
    _sign_in(page, live_server.url + "/timesheets/approvals/", "pm_north")
    expect(page.get_by_role("heading", name="Timesheet approvals")).to_be_visible()
    page.get_by_role("link", name=re.compile("Review")).click()
    expect(page.get_by_role("table")).to_contain_text("Build the racks")
    page.get_by_label("Comment").fill("Thanks, Lena")
    shot(page, "timesheet-3-review")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("approved")).to_be_visible()
    expect(page.get_by_text("Nothing waits for your approval")).to_be_visible()

    sheet.refresh_from_db()
    assert sheet.status == Timesheet.Status.APPROVED and sheet.decided_by == org.pm_north
    assignment.refresh_from_db()
    assert assignment.actual_work_minutes == 930
    assert page.keel_errors == []  # type: ignore[attr-defined]
