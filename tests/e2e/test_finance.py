"""Browser journey of project money, in Debian's Chromium driven by Playwright.

Omar (pm_north) records an invoice against his baselined project, opens its finance tab, reads the
S-curve and the earned-value table at a status date, and records the status for the trend.
"""

from __future__ import annotations

import re

import pytest

from keel.finance.models import EvmSnapshot, Expense
from tests.conftest import PASSWORD
from tests.e2e.test_journey import CHROMIUM, browser_page, shot  # noqa: F401 - the fixture
from tests.finance.helpers import category, planned_project

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


@pytest.mark.django_db(transaction=True)
def test_a_project_manager_records_an_expense_and_reads_the_finance_tab(live_server, org, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    planned_project(org)
    travel = category("TRAVEL")
    page = browser_page
    page.goto(f"{live_server.url}/projects/{org.project_north.pk}/finance/expenses/")
    page.get_by_label("Username").fill("pm_north")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name=re.compile("Expenses"))).to_be_visible()
    expect(page.get_by_text("No expenses yet")).to_be_visible()
    page.get_by_label("Date").fill("2026-01-20")
    page.get_by_label("Category").select_option(str(travel.pk))
    page.get_by_label("Amount").fill("17750")
    page.get_by_label("Supplier").fill("Widerøe")
    page.get_by_role("button", name="Record expense").click()
    expect(page.get_by_text("The expense was recorded.")).to_be_visible()
    expect(page.locator("#expense-table")).to_contain_text("Widerøe")
    assert Expense.objects.get().amount == 17750
    shot(page, "finance-1-expense")

    page.get_by_role("link", name="Overview").click()
    page.get_by_label("Status date", exact=True).fill("2026-01-23")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=re.compile("Earned value at 23 Jan 2026"))).to_be_visible()
    table = page.locator("#evm-table")
    expect(table.get_by_role("row", name=re.compile(r"^EV\s"))).to_contain_text("20000.00")
    expect(table.get_by_role("row", name=re.compile(r"^AC\s"))).to_contain_text("17750.00")
    expect(table.get_by_role("row", name=re.compile(r"^CPI\s"))).to_contain_text("1.127")
    # The S-curve is drawn (ECharts renders into a canvas) with its table behind it.
    expect(page.locator("#finance-scurve canvas")).to_be_visible()
    expect(page.locator("#scurve-table")).to_contain_text("30000.00")
    shot(page, "finance-2-tab")

    page.get_by_role("button", name="Record this status for the trend").click()
    expect(page.get_by_text("The status was recorded.")).to_be_visible()
    expect(page.locator("#trend-table")).to_contain_text("23 Jan 2026")
    assert EvmSnapshot.objects.get().status_date.isoformat() == "2026-01-23"
