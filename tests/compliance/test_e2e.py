"""Browser journey of the compliance page, in Debian's Chromium driven by Playwright.

N-001 and S-001 are in execution without a baseline. Dana (the central PMO administrator) opens the
compliance page: the roll-up chart is drawn and both gaps are listed with their owners. She waives
N-001's missing baseline with a reason — it moves to the waived list — and reminds S-001's manager,
who gets the reminder.
"""

from __future__ import annotations

import re

import pytest

from keel.compliance.models import Waiver
from keel.notifications.models import Notification
from tests.compliance.conftest import in_execution
from tests.conftest import PASSWORD
from tests.e2e.test_journey import CHROMIUM, browser_page, shot  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


@pytest.mark.django_db(transaction=True)
def test_dana_waives_one_gap_and_reminds_the_owner_of_another(live_server, org, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    in_execution(org.pm_north, org.project_north)
    in_execution(org.pm_south, org.project_south)
    page = browser_page

    page.goto(f"{live_server.url}/compliance/?kind=baseline")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Compliance", exact=True)).to_be_visible()
    expect(page.locator("#compliance-chart canvas")).to_have_count(1)
    expect(page.locator("#gap-table")).to_contain_text("N-001")
    expect(page.locator("#gap-table")).to_contain_text("S-001")
    shot(page, "compliance-1-page")

    page.get_by_role("link", name=re.compile(r"^Waive N-001")).click()
    page.get_by_label("Reason").fill("Delivered by a supplier on a fixed-price plan")
    page.get_by_role("button", name="Waive the gap").click()
    expect(page.get_by_text("The gap of N-001 is waived.")).to_be_visible()
    expect(page.locator("#waived-table")).to_contain_text("fixed-price plan")
    expect(page.locator("#gap-table tr[data-key='baseline']")).not_to_contain_text(["N-001"])
    expect(page.locator("#gap-table tr[data-key='baseline']")).to_contain_text(["S-001"])

    page.get_by_role("link", name=re.compile(r"^Remind .* S-001 No baseline saved")).click()
    page.get_by_role("button", name="Send the reminder").click()
    expect(page.get_by_text(re.compile("was reminded about No baseline saved"))).to_be_visible()
    shot(page, "compliance-2-waived-and-reminded")

    assert Waiver.objects.get().project == org.project_north
    assert Notification.objects.get(kind="reminder").recipient == org.pm_south
    assert page.keel_errors == []
