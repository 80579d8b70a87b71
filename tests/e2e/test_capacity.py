"""Raj, resource manager for NORTH, opens the utilization heatmap in Chromium, clicks the over-allocated
cell in the chart and sees the projects behind it; then the over-allocation list and the role chart."""

from __future__ import annotations

import re

import pytest

from keel.orgs.models import Role
from keel.resources.models import Assignment
from tests.conftest import PASSWORD
from tests.e2e import test_journey
from tests.e2e.test_journey import CHROMIUM, shot
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.resources.test_capacity import H, World, at, d, task

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]
browser_page = test_journey.browser_page


@pytest.mark.django_db(transaction=True)
def test_raj_finds_the_projects_behind_an_over_allocation(live_server, org, browser_page):
    from playwright.sync_api import expect

    raj = UserFactory(username="raj")
    MembershipFactory(user=raj, unit=org.north, role=Role.RESOURCE_MANAGER)
    world = World(org)
    second = ProjectFactory(code="N-002", name="Fibre backbone", org_unit=org.north)
    third = ProjectFactory(code="N-003", name="Campus Wi-Fi", org_unit=org.north)
    for project, name, last, hours in (
        (org.project_north, "Rack servers", 13, 40),
        (second, "Splice fibre", 11, 24),
        (third, "Survey access points", 9, 8),
    ):
        Assignment.objects.create(
            task=task(project, name, at(d(3, 9), 8), at(d(3, last), 17), hours * H), resource=world.ada
        )

    page = browser_page
    page.goto(live_server.url + "/capacity/?start=2026-03-02&periods=4")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("raj")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Utilization heatmap")).to_be_visible()
    chart = page.locator("#capacity-heatmap canvas").first
    expect(chart).to_be_visible()

    # The cell of Ada in W11 is 72 of 40 hours: 180 %, marked over-allocated in the chart and the table.
    over = page.locator('[data-cell="ADA-2026-W11"]')
    expect(over).to_contain_text("180")
    expect(over.locator(".badge.text-bg-danger")).to_be_visible()
    shot(page, "capacity-heatmap")

    # Raj clicks that cell in the chart: the panel lists the three projects and their tasks with hours.
    x, y = page.evaluate(
        """() => {
            const el = document.getElementById("capacity-heatmap");
            const chart = window.echarts.getInstanceByDom(el);
            const data = JSON.parse(document.getElementById("heatmap-data").textContent);
            const row = data.resources.indexOf("ADA (ADA)");
            const box = el.getBoundingClientRect();
            const [px, py] = chart.convertToPixel({ seriesIndex: 0 }, [1, row]);
            return [box.left + px, box.top + py];
        }"""
    )
    page.mouse.click(x, y)
    panel = page.locator("#cell-panel")
    expect(panel).to_contain_text("Over-allocated")
    expect(panel).to_contain_text("3 projects")
    for text in ("N-001", "Rack servers", "N-002", "Splice fibre", "N-003", "Survey access points"):
        expect(panel).to_contain_text(text)
    expect(panel.get_by_role("row", name=re.compile("Rack servers"))).to_contain_text("40")
    assert "S-001" not in page.content()
    shot(page, "capacity-cell")

    # The over-allocation list names the cause and who has room.
    page.get_by_role("link", name="Over-allocations").click()
    expect(page.get_by_role("heading", name="Over-allocations")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("ADA"))
    expect(row).to_contain_text("Splice fibre")
    expect(row).to_contain_text("CY")
    shot(page, "capacity-overallocations")

    # The role chart, with the what-if switch on.
    page.get_by_role("link", name="Role capacity vs demand").click()
    page.get_by_label("Include proposed projects").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("with proposed projects")).to_be_visible()
    expect(page.locator("#role-chart svg")).to_be_visible()
    shot(page, "capacity-roles")
    assert not page.keel_errors, page.keel_errors
