"""Omar asks for a person by the week and Raj, the resource manager, approves it, in Chromium.

Omar (pm_north) opens his project's Resources page, requests Ana for three weeks (a Tuesday is
refused with the Monday to give), and sees the request waiting. Raj opens "Allocation requests" from
the navigation, tries to reject without a comment (refused in place), then approves with a comment;
the row changes in place. Omar sees the request approved with Raj's comment.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from keel.orgs.models import Role
from keel.resources import services
from keel.resources.models import Allocation
from tests.conftest import PASSWORD
from tests.e2e import test_journey
from tests.e2e.test_journey import CHROMIUM, shot
from tests.factories import MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]
browser_page = test_journey.browser_page


def sign_in(page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.django_db(transaction=True)
def test_request_an_allocation_and_the_resource_manager_approves_it(live_server, org, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    raj = UserFactory(username="raj", first_name="Raj", last_name="Patel")
    MembershipFactory(user=raj, unit=org.north, role=Role.RESOURCE_MANAGER)
    pool = services.pool_create(
        actor=org.admin, org_unit=org.north, code="POOL-N", name="North engineers", manager=raj
    )
    services.resource_create(actor=raj, pool=pool, code="R-ANA", name="Ana Berg")
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)

    # Omar opens his project's resources and asks for Ana
    sign_in(page, f"{live_server.url}/resources/projects/{org.project_north.pk}/", "pm_north")
    expect(page.get_by_role("heading", name=re.compile("Resources of N-001"))).to_be_visible()
    expect(page.get_by_text("No allocations yet")).to_be_visible()
    page.get_by_role("link", name="Request a resource").first.click()
    page.get_by_label("Person or generic role").select_option(label="R-ANA — Ana Berg")
    page.get_by_label("Start week").fill((monday + dt.timedelta(days=1)).isoformat())
    page.get_by_label("End week").fill((monday + dt.timedelta(weeks=2)).isoformat())
    page.get_by_label("Hours per week").fill("16")
    page.get_by_label("Note").fill("Design reviews")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text(f"Give the Monday of the week ({monday.isoformat()}).")).to_be_visible()
    assert page.get_by_label("Hours per week").input_value() == "16"  # kept what was typed
    page.get_by_label("Start week").fill(monday.isoformat())
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("Request sent to the pool's manager.")).to_be_visible()
    expect(page.locator("#project-allocations")).to_contain_text("Requested")
    shot(page, "resources-01-requested")

    # Raj finds it under Allocation requests and decides it in place
    page.context.clear_cookies()
    sign_in(page, f"{live_server.url}/resources/", "raj")
    page.get_by_role("link", name="Allocation requests").click()
    row = page.locator("#awaiting tbody tr").first
    expect(row).to_contain_text("N-001")
    expect(row).to_contain_text("Design reviews")
    row.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("Say why the request is rejected.")).to_be_visible()
    assert Allocation.objects.get().status == "requested"
    page.get_by_label(re.compile("Comment on the request")).fill("Ana is free then, go ahead.")
    page.locator("#awaiting tbody tr").first.get_by_role("button", name="Approve").click()
    expect(page.locator("#awaiting tbody tr").first).to_contain_text("Approved")
    expect(page.locator("#awaiting tbody tr").first).to_contain_text("Ana is free then")
    shot(page, "resources-02-approved")
    allocation = Allocation.objects.get()
    assert (allocation.status, allocation.decided_by, allocation.hours_per_week) == ("approved", raj, 16)

    # Omar sees the decision
    page.context.clear_cookies()
    sign_in(page, f"{live_server.url}/resources/allocations/", "pm_north")
    expect(page.get_by_role("heading", name="Your requests")).to_be_visible()
    expect(page.get_by_text("Ana is free then, go ahead.")).to_be_visible()
    assert page.keel_errors == []
