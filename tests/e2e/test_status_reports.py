"""Browser journey of a status report, in Debian's Chromium driven by Playwright.

Omar (pm_north) drafts N-001's report: Keel proposes each RAG from the schedule, earned value and RAID
log with its reasons. He confirms cost, overrides schedule with a reason, confirms the rest, writes the
narrative and submits. Dana (the central PMO administrator) finds the report on the portfolio view.
"""

from __future__ import annotations

import re

import pytest

from keel.statusreports.models import Rag, StatusReport
from tests.conftest import PASSWORD
from tests.e2e.test_journey import CHROMIUM, browser_page, shot  # noqa: F401 - the fixture
from tests.statusreports.conftest import slipped  # noqa: F401 - the fixture

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


def _other(rag: str) -> str:
    return Rag.GREEN if rag != Rag.GREEN else Rag.AMBER


@pytest.mark.django_db(transaction=True)
def test_omar_drafts_decides_and_submits_and_the_portfolio_shows_it(
    live_server,
    org,
    slipped,  # noqa: F811
    browser_page,  # noqa: F811
):
    from playwright.sync_api import expect

    page = browser_page

    # Omar opens N-001's status reports and drafts the next one
    _sign_in(page, f"{live_server.url}/projects/{org.project_north.pk}/reports/", "pm_north")
    expect(page.get_by_role("heading", name=re.compile("Status reports of N-001"))).to_be_visible()
    page.get_by_role("link", name="Draft a report").click()
    page.get_by_role("button", name="Draft the report").click()
    expect(page.get_by_role("heading", name=re.compile("Draft status report of N-001"))).to_be_visible()
    report = StatusReport.objects.get(project=org.project_north)
    expect(page.locator("#dim-schedule")).to_contain_text("milestone slipped: Go-live")
    shot(page, "reports-1-draft")

    # He confirms cost, overrides schedule with a reason, confirms the rest
    page.get_by_label("Cost RAG").select_option(label=f"{Rag(report.proposed_cost).label} (proposed)")
    override = _other(report.proposed_schedule)
    page.get_by_label("Schedule RAG").select_option(value=override)
    page.get_by_label("Why schedule differs from the proposal").fill("The vendor added a second crew")
    for dim in ("scope", "risk", "overall"):
        proposed = Rag(report.proposed(dim)).label
        page.get_by_label(f"{dim.title()} RAG").select_option(label=f"{proposed} (proposed)")
    # and writes the narrative, then submits
    page.get_by_label("Accomplishments").fill("Design signed off by the business")
    page.get_by_label("Next steps").fill("Finish the build and rehearse the go-live")
    page.get_by_label("Help needed").fill("A decision on the second crew's budget")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_text("Submitted the report.")).to_be_visible()
    expect(page.locator("#rag-table tr[data-dimension='schedule']")).to_contain_text(
        "The vendor added a second crew"
    )
    shot(page, "reports-2-submitted")
    report.refresh_from_db()
    assert report.is_submitted and report.schedule_rag == override and report.cost_rag == report.proposed_cost

    # Dana sees it on the portfolio view
    _sign_in(page, f"{live_server.url}/reports/", "admin")
    row = page.locator("#portfolio-reports tr[data-project='N-001']")
    expect(row).to_contain_text(report.period_end.strftime("%-d %b %Y"))
    expect(row).to_contain_text(Rag(report.overall_rag).label)
    expect(page.locator("#portfolio-reports tr[data-project='S-001']")).to_contain_text("Overdue since")
    shot(page, "reports-3-portfolio")
    row.get_by_role("link", name=report.period_end.strftime("%-d %b %Y")).click()
    expect(page.get_by_text("Design signed off by the business")).to_be_visible()
