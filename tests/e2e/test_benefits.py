"""Dana's journey after delivery, in Chromium: N-001 has closed; six months on, Keel reminds the benefit's
owner to record the realized savings; the owner follows the email's link and records them on the benefit
page, which then shows realized vs planned; Dana sees the benefit leave the overdue list."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from keel.benefits import curve, services
from keel.benefits.models import Measurement
from keel.portfolio import services as portfolio_services
from tests.conftest import PASSWORD
from tests.e2e import test_journey
from tests.e2e.test_journey import CHROMIUM, shot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]
browser_page = test_journey.browser_page


def _sign_in(page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.django_db(transaction=True)
def test_the_owner_records_realized_savings_after_a_reminder(live_server, org, browser_page, settings):
    from playwright.sync_api import expect

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.KEEL_BASE_URL = live_server.url
    today = timezone.localdate()
    closed = today - dt.timedelta(days=200)  # the project closed more than six months ago
    benefit = services.benefit_create(
        actor=org.pm_north,
        code="BEN-DC",
        name="Data centre running cost savings",
        lead_project=org.project_north,
        owner=org.member_north,
        measure="Annual running cost savings",
        measure_unit="NOK/year",
        financial=True,
        baseline_value=Decimal("0"),
        baseline_date=closed,
        target_value=Decimal("400000"),
        target_date=closed + dt.timedelta(days=400),
        frequency="semiannual",
    )
    portfolio_services.project_update(
        actor=org.pm_north, project=org.project_north, version=org.project_north.version, status="closed"
    )

    # The daily job reminds the owner: six months after the baseline, nothing was measured.
    (reminder,) = services.reminders_send()
    (message,) = mail.outbox
    assert message.to == [org.member_north.email] and reminder.benefit == benefit
    link = re.search(r"https?://\S+/benefits/\d+/", message.body).group(0)

    # The owner follows the link, signs in, and lands on the benefit with no measurement yet.
    page = browser_page
    _sign_in(page, link, "member_north")
    expect(page.get_by_role("heading", name=re.compile("BEN-DC"))).to_be_visible()
    expect(page.get_by_text("Measurement overdue")).to_be_visible()
    expect(page.locator("#benefit-chart svg").first).to_be_visible()
    shot(page, "benefits-1-overdue")

    # A mistake is shown next to its field, then the realized savings are recorded in place (htmx).
    form = page.locator("#benefit-realization form")
    form.get_by_label("Measured on").fill(today.isoformat())
    form.get_by_label("Realized value").fill("about 150k")
    form.get_by_role("button", name="Record").click()
    expect(page.locator("#id_value_errors")).to_contain_text("not a number")
    page.locator("#benefit-realization form").get_by_label("Realized value").fill("150000")
    page.locator("#benefit-realization form").get_by_label("Note").fill("Power and cooling, first half year")
    page.locator("#benefit-realization form").get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded 150,000")
    assert Measurement.objects.get().recorded_by == org.member_north

    # The page shows realized vs planned: the measurement in the table next to the plan, and in the chart.
    row = page.locator(f'#realization-table tr[data-measurement="{today.isoformat()}"]')
    expect(row).to_contain_text("150,000")
    expect(row).to_contain_text("Power and cooling")
    expect(page.locator("#latest-value")).to_have_text("150,000")
    realized_points = page.evaluate(
        """() => window.echarts.getInstanceByDom(document.getElementById("benefit-chart"))
                  .getOption().series[1].data.length"""
    )
    assert realized_points == 1
    expect(page.get_by_text("Measurement overdue")).to_have_count(0)
    next_due = curve.add_months(today, 6)  # measured every six months
    expect(page.locator("#benefit-next-due")).to_have_text(f"{next_due.day} {next_due:%b %Y}")
    shot(page, "benefits-2-recorded")

    # Dana opens the portfolio's benefits: nothing is overdue any more.
    page.context.clear_cookies()
    _sign_in(page, live_server.url + "/benefits/portfolio/", "admin")
    expect(page.get_by_role("heading", name="Portfolio benefits")).to_be_visible()
    expect(page.locator("#portfolio-benefits")).to_contain_text("BEN-DC")
    expect(page.get_by_role("heading", name=re.compile(r"Overdue for measurement \(0\)"))).to_be_visible()
    expect(page.locator("#portfolio-realization svg").first).to_be_visible()
    shot(page, "benefits-3-portfolio")
    assert page.keel_errors == []
