"""Browser journey of change control, in Debian's Chromium driven by Playwright.

Omar (pm_north) raises a change of N-001: Build takes three more days and materials cost 7,500 more.
He sees the computed impact (three working days of slip, the cost, the authority level) and submits
it. Dana (the central PMO administrator) finds it among the changes awaiting a decision and approves
it; the budget log names the change and the baseline is saved again with the longer Build.
"""

from __future__ import annotations

import re

import pytest

from keel.changes.models import ChangeRequest
from keel.schedule.models import BaselineTask
from tests.changes.conftest import make_plan
from tests.conftest import PASSWORD
from tests.e2e.test_journey import CHROMIUM, browser_page, shot  # noqa: F401 - the fixture

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
def test_omar_raises_a_change_with_its_impact_and_the_pmo_approves_it(live_server, org, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    plan = make_plan(org.pm_north, org.project_north)
    page = browser_page

    # Omar opens the change log of N-001 and raises a change
    _sign_in(page, f"{live_server.url}/projects/{org.project_north.pk}/changes/", "pm_north")
    expect(page.get_by_role("heading", name=re.compile("Change log of N-001"))).to_be_visible()
    page.get_by_role("link", name="Raise a change").first.click()
    page.get_by_label("Title").fill("Second data hall")
    page.get_by_label("Reason").fill("Demand grew beyond the first hall")
    page.get_by_label("Category").select_option(label="Scope")
    page.get_by_label("Scope impact").fill("One more hall to fit out")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("CR-001 Second data hall saved.")).to_be_visible()

    # A longer Build and more materials
    page.get_by_label("Kind").select_option(label="Change a task's duration")
    page.get_by_label("Task", exact=True).select_option(label="Build")
    page.get_by_label("Duration (working days)").fill("13")
    page.get_by_role("button", name="Add the schedule edit").click()
    expect(page.locator("#task-edits")).to_contain_text("Build: 13.00 working days")
    page.get_by_label("Category").select_option(label="MATERIALS — Materials")
    page.get_by_label("Period start").fill("2026-03-01")
    page.get_by_label("Amount").fill("7500")
    page.get_by_role("button", name="Add the budget edit").click()
    expect(page.locator("#budget-edits")).to_contain_text("7,500.00")

    # The computed impact: three working days of slip, the cost, the level that decides it
    expect(page.locator("#impact-slip")).to_contain_text("3.0")
    expect(page.locator("#impact-cost")).to_contain_text("7,500.00")
    expect(page.locator("#impact-critical")).to_contain_text("Unchanged")
    expect(page.locator("#impact-level")).to_contain_text("Portfolio manager")
    shot(page, "changes-1-impact")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("CR-001 is submitted.")).to_be_visible()
    expect(page.locator("#change-status")).to_contain_text("Submitted")

    # Dana finds it among the changes awaiting a decision and approves it
    _sign_in(page, f"{live_server.url}/changes/pending/", "admin")
    expect(page.locator("#pending-changes")).to_contain_text("Second data hall")
    page.get_by_role("link", name="CR-001").click()
    page.get_by_label("Note (required to reject)").fill("Within the contingency")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("CR-001 is approved.")).to_be_visible()
    expect(page.locator("#applied")).to_contain_text("Baseline re-saved")
    shot(page, "changes-2-approved")

    # The budget log names the change; the baseline holds the longer Build
    change = ChangeRequest.objects.get()
    page.goto(f"{live_server.url}/projects/{org.project_north.pk}/finance/budget/")
    expect(page.locator("#main")).to_contain_text("Change CR-001: Second data hall")
    assert BaselineTask.objects.get(baseline__project=org.project_north, name="Build").duration_minutes == (
        13 * plan.day
    )
    assert change.status == "approved"
