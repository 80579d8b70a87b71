"""Browser journey of a project manager, in Debian's Chromium driven by Playwright.

Omar (pm_north) signs in, reads his dashboard, filters the register, registers a new project through
the form, finds it in the register and sees its creation in the project's activity feed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.db import connections

from keel.portfolio.models import Project
from tests.conftest import PASSWORD
from tests.factories import ProjectFactory

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("KEEL_E2E_SCREENSHOTS", "/tmp/keel-e2e"))

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


@pytest.fixture
def browser_page(monkeypatch):
    """A fresh Chromium page (laptop-sized window)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own database calls stay
    # synchronous. Set for this test only, so no other test or subprocess inherits it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(30_000)  # generous: requests may start Java or a solver
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.keel_errors = errors  # type: ignore[attr-defined]
        yield page
        browser.close()
        # While Playwright's loop runs, Django keeps this thread's database connections apart from
        # the usual ones (as for async code): close them here, or they outlive the test database.
        connections.close_all()


def shot(page, name: str) -> None:
    """Keep a screenshot of the step for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_project_manager_journey(live_server, org, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    ProjectFactory(code="N-AMBER", name="Bergen substation", org_unit=org.north, health="amber")

    # Omar signs in and lands on his dashboard, charts drawn from the page's own data
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("pm_north")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Portfolio overview")).to_be_visible()
    expect(page.locator(".keel-chart svg").first).to_be_visible()
    assert "S-001" not in page.content()
    shot(page, "1-dashboard")

    # He filters the register to amber projects: only the table is swapped, the URL follows the filter
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Projects").click()
    expect(page.get_by_role("heading", name="Project register")).to_be_visible()
    expect(page.locator("#project-table")).to_contain_text("N-001")
    page.get_by_role("button", name="Health").click()
    page.locator("#project-filters").get_by_label("Amber").check()
    expect(page).to_have_url(re.compile(r"health=amber"))
    table = page.locator("#project-table")
    expect(table).to_contain_text("N-AMBER")
    expect(table).not_to_contain_text("N-001")
    shot(page, "2-register-filtered")

    # He searches by name; the table follows as he types
    page.goto(live_server.url + "/projects/")
    page.locator("#id_q").fill("Oslo")
    expect(page).to_have_url(re.compile(r"q=Oslo"))
    expect(table).to_contain_text("N-001")
    expect(table).not_to_contain_text("N-AMBER")

    # He registers a new project; a mistake is shown next to its field and what he typed stays
    page.get_by_role("link", name="New project").click()
    expect(page.get_by_role("heading", name="New project")).to_be_visible()
    page.get_by_label("Code").fill("N-200")
    page.get_by_label("Name").fill("Tromsø fibre ring")
    page.get_by_label("Org unit").select_option(value=str(org.north.pk))
    page.get_by_label("Manager").select_option(label=f"{org.pm_north.get_full_name()} (pm_north)")
    page.get_by_label("Planned start").fill("2026-06-01")
    page.get_by_label("Planned finish").fill("2026-05-01")
    page.get_by_label("Budget").fill("480000")
    shot(page, "3-project-form")
    page.get_by_role("button", name="Create project").click()
    expect(page.locator("#id_planned_finish_errors")).to_contain_text("before the planned start")
    expect(page.get_by_label("Name")).to_have_value("Tromsø fibre ring")
    shot(page, "4-project-form-error")
    page.get_by_label("Planned finish").fill("2026-12-18")
    page.get_by_role("button", name="Create project").click()

    # The project page opens with the new project and its creation in the activity feed
    expect(page.get_by_role("heading", name=re.compile("Tromsø fibre ring"))).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Project N-200 created")
    project = Project.objects.get(code="N-200")
    assert project.currency == "NOK" and project.manager == org.pm_north

    # Back in the register he finds it and opens it from there
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Projects").click()
    page.locator("#id_q").fill("Tromsø")
    expect(table).to_contain_text("N-200")
    table.get_by_role("link", name="N-200").click()
    feed = page.locator(".keel-feed")
    expect(feed).to_contain_text("created project")
    expect(feed).to_contain_text("N-200")
    shot(page, "5-project-page")
    assert page.keel_errors == []  # no script error on any page
