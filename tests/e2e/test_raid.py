"""Browser journey of the RAID log, in Debian's Chromium driven by Playwright.

Omar (pm_north) updates two risks of N-001 — one now scores above the escalation threshold, the other
he escalates to the PMO with a reason — and logs a decision linked to it. Dana (the central PMO
administrator) finds both on the escalation list, resolves the flagged one with a recorded resolution,
and it leaves the list.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

from keel.governance.models import Decision, Risk
from tests.conftest import PASSWORD
from tests.e2e.test_journey import CHROMIUM, browser_page, shot  # noqa: F401 - the fixture
from tests.governance.conftest import immediate_tasks, make_risk  # noqa: F401 - the fixture

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
def test_omar_updates_risks_and_logs_a_decision_and_the_pmo_resolves_an_escalation(
    live_server,
    org,
    browser_page,  # noqa: F811
    immediate_tasks,  # noqa: F811
):
    from playwright.sync_api import expect

    org.admin.first_name, org.admin.last_name = "Dana", "Keller"
    org.admin.save(update_fields=["first_name", "last_name"])
    vendor = make_risk(org.pm_north, org.project_north, title="Rack vendor late", probability=2, impact=3)
    power = make_risk(org.pm_north, org.project_north, title="Grid power unstable", probability=2, impact=2)
    page = browser_page

    # Omar opens the RAID log of N-001
    _sign_in(page, f"{live_server.url}/projects/{org.project_north.pk}/raid/", "pm_north")
    expect(page.get_by_role("heading", name=re.compile("RAID log of N-001"))).to_be_visible()
    expect(page.locator("#raid-table")).to_contain_text("Rack vendor late")
    shot(page, "raid-1-log")

    # First risk: the vendor confirmed a slip — more likely, bigger impact (score 16 ≥ 15)
    page.get_by_role("link", name="R-001").click()
    page.get_by_label(re.compile(r"^Probability")).select_option(label="4 — High")
    page.get_by_label(re.compile(r"^Impact")).select_option(label="4 — High")
    page.get_by_label("Response strategy").select_option(label="Mitigate")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("R-001 Rack vendor late saved.")).to_be_visible()
    expect(page.locator(f"#risk-{vendor.pk}")).to_contain_text("16")

    # Second risk: a trigger and the owner, then escalated to the PMO with the reason
    page.get_by_role("link", name="R-002").click()
    page.get_by_label("Trigger").fill("Two outages in a week")
    page.get_by_label("Owner").select_option(label=str(org.member_north))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("R-002 Grid power unstable saved.")).to_be_visible()
    page.get_by_role("link", name="R-002").click()
    page.get_by_label("Why the PMO must look at this").fill("The utility needs a board-level request")
    page.get_by_role("button", name="Escalate to the PMO").click()
    expect(page.get_by_text("R-002 is on the PMO's escalation list.")).to_be_visible()
    shot(page, "raid-2-escalated")

    # He logs the decision taken on the vendor risk
    page.goto(f"{live_server.url}/projects/{org.project_north.pk}/raid/")
    page.get_by_role("tab", name=re.compile("Decisions")).click()
    expect(page.get_by_text("Nothing here yet")).to_be_visible()
    page.get_by_role("link", name="Log a decision").click()
    page.get_by_label("What was decided").fill("Order spare racks from a second vendor")
    page.get_by_label("Decided by").fill("Steering committee")
    page.get_by_label("Decided on").fill("2026-03-02")
    page.get_by_label("Rationale").fill("Cheaper than a four-week slip")
    page.get_by_label("Options considered").fill("Wait; rent racks; second vendor")
    page.get_by_label("Linked risks").select_option(label="R-001 Rack vendor late")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#raid-table")).to_contain_text("D-001")
    expect(page.locator("#raid-table")).to_contain_text("R-001")
    shot(page, "raid-3-decision")

    # The heat map: a click on a count lists the risks of that cell
    page.locator("#main").get_by_role("link", name="Risk heat map").click()
    expect(page.locator("#heatmap-table")).to_contain_text("2 open risks")
    expect(page.locator("#raid-heatmap canvas")).to_be_visible()
    page.get_by_role("link", name="1 risk at probability 4, impact 4").click()
    expect(page.locator("#cell-panel")).to_contain_text("R-001 Rack vendor late")
    shot(page, "raid-3b-heatmap")

    # The escalation reached the manager and the PMO administrators once each
    flagged = [m for m in mail.outbox if "R-002" in m.subject]
    assert len(flagged) == 1 and set(flagged[0].to) == {"pm_north@example.org", "admin@example.org"}

    # Dana sees both risks on the escalation list and resolves the flagged one
    _sign_in(page, f"{live_server.url}/governance/escalations/", "admin")
    table = page.locator("#escalation-table")
    expect(table).to_contain_text("Grid power unstable")
    expect(table).to_contain_text("Flagged by the project manager: The utility needs a board-level request")
    expect(table).to_contain_text("Score 16 ≥ threshold 15")
    shot(page, "raid-4-escalations")
    page.get_by_role("link", name="Resolve N-001 R-002").click()
    page.get_by_role("button", name="Record the resolution").click()
    expect(page.get_by_text("Record how the escalation was resolved.")).to_be_visible()
    page.get_by_label("Resolution").fill("Board letter sent to the utility; backup generator approved")
    page.get_by_role("button", name="Record the resolution").click()
    expect(page.get_by_text("The escalation of N-001 R-002 is resolved.")).to_be_visible()
    expect(table).not_to_contain_text("Grid power unstable")
    expect(table).to_contain_text("Rack vendor late")
    shot(page, "raid-5-resolved")

    power.refresh_from_db()
    assert (power.resolution, power.resolved_by, power.trigger) == (
        "Board letter sent to the utility; backup generator approved",
        org.admin,
        "Two outages in a week",
    )
    assert Risk.objects.get(pk=vendor.pk).score == 16
    decision = Decision.objects.get()
    assert [r.reference for r in decision.linked_risks.all()] == ["R-001"]
