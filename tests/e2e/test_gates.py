"""Browser journey of a gate review, in Debian's Chromium driven by Playwright.

N-001 follows the central PMO's test lifecycle and is in Initiation. Its manager asks to pass Gate 1:
Keel shows the automatic checks and refuses the request, naming the charter that is missing; he links
the charter, asks again, and the review waits for the portfolio manager, who finds it in the gate
reviews waiting for him and approves it. The project is then in Delivery.
"""

from __future__ import annotations

import re

import pytest

from keel.gates import selectors, services
from keel.portfolio import services as portfolio_services
from tests.conftest import PASSWORD
from tests.e2e.test_journey import CHROMIUM, browser_page, shot  # noqa: F401 - the fixture
from tests.gates.conftest import make_methodology, pfm  # noqa: F401 - the fixture

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
def test_a_project_passes_a_gate(live_server, org, pfm, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    project = org.project_north
    portfolio_services.project_update(
        actor=org.admin, project=project, version=project.version, sponsor=org.exec
    )
    methodology = make_methodology(org.admin, org.central)
    services.lifecycle_start(actor=org.pm_north, project=project, methodology=methodology)
    page = browser_page
    gate_url = f"{live_server.url}/projects/{project.pk}/gates/"

    # The project manager opens the gate page: Keel has checked the data itself
    _sign_in(page, gate_url, "pm_north")
    expect(page.get_by_role("heading", name=re.compile("Gates of N-001"))).to_be_visible()
    expect(page.locator("#current-phase")).to_have_text("Initiation")
    checklist = page.locator("#checklist")
    expect(checklist).to_contain_text("Manager set")
    expect(checklist).to_contain_text("Sponsor set")
    expect(page.locator("#missing-summary")).to_contain_text("Charter")
    shot(page, "gates-1-checklist")

    # He asks for the review anyway: refused, naming what is missing
    page.get_by_role("button", name="Request the gate review").click()
    expect(page.locator("#gate-errors")).to_contain_text("Missing before Gate 1: Charter (deliverable)")

    # He links the charter and asks again
    page.get_by_role("textbox", name="Link").fill("https://docs.example.org/n-001/charter")
    page.get_by_role("button", name="Save link").click()
    expect(page.get_by_text("Charter provided.")).to_be_visible()
    expect(page.locator("#missing-summary")).to_have_count(0)
    page.get_by_label("Comment for the reviewers").fill("Charter signed by the sponsor")
    page.get_by_role("button", name="Request the gate review").click()
    expect(page.locator("#pending-review")).to_be_visible()
    shot(page, "gates-2-requested")

    # The portfolio manager finds it waiting for him and approves
    _sign_in(page, f"{live_server.url}/gates/reviews/", "pfm_eng")
    page.get_by_role("link", name="Gate 1").click()
    expect(page.get_by_text("Charter signed by the sponsor")).to_be_visible()
    page.get_by_label("Approve").check()
    page.get_by_label("Comment").fill("Good charter")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#review-status")).to_contain_text("Passed")
    shot(page, "gates-3-approved")

    # The project is in its next phase
    page.goto(gate_url)
    expect(page.locator("#current-phase")).to_have_text("Delivery")
    expect(page.locator("#phase-bar")).to_contain_text("Initiation")
    assert selectors.project_phase(project) == ("Test lifecycle", "Delivery")
