"""Raj's journey in Debian's Chromium: level the projects sharing his pool, compare, apply, undo.

Two projects of Division North need the same engineer at the same time. Raj, resource manager (and
project manager) of the division, levels the pool heuristically, then with the optimizer, compares the
finish dates before and after, applies one and undoes it. Runs go through django-tasks' ImmediateBackend.
"""

from __future__ import annotations

import re

import pytest

from keel.orgs.models import Role
from keel.resources.models import Assignment, LevelingRun, Resource, ResourcePool
from keel.schedule import services as schedule_services
from keel.schedule.models import Task
from tests.conftest import PASSWORD
from tests.e2e.test_journey import CHROMIUM, browser_page, shot  # noqa: F401 - the fixture
from tests.factories import MembershipFactory, ProjectFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


@pytest.mark.django_db(transaction=True)
def test_resource_manager_levels_a_pool(live_server, org, browser_page, settings):  # noqa: F811
    from playwright.sync_api import expect

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    MembershipFactory(user=org.pm_north, unit=org.north, role=Role.RESOURCE_MANAGER)
    pool = ResourcePool.objects.create(code="ENG-N", name="North engineers", org_unit=org.north)
    kari = Resource.objects.create(pool=pool, code="KARI", name="Kari Nordmann", home_unit=org.north)
    second = ProjectFactory(code="N-002", name="Fjord bridge", org_unit=org.north, status="active")
    for project in (org.project_north, second):
        for name in ("Survey", "Design"):
            task = schedule_services.task_create(
                actor=org.pm_north, project=project, name=f"{name} {project.code}", duration_minutes=3 * 420
            )
            Assignment.objects.create(task=task, resource=kari, units=100)

    page = browser_page
    page.goto(live_server.url + "/leveling/")
    page.get_by_label("Username").fill("pm_north")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Level resources")).to_be_visible()
    # Heuristic first, for the whole pool
    page.get_by_label("Or every project using a pool").select_option(label="ENG-N — North engineers")
    page.get_by_role("button", name="Level").click()
    expect(page).to_have_url(re.compile(r"/leveling/\d+/$"))
    expect(page.locator("#leveling-run")).to_contain_text("3 of 4 tasks delayed", timeout=30_000)
    table = page.locator("table").first
    expect(table).to_contain_text("N-001")
    expect(table).to_contain_text("N-002")
    shot(page, "leveling-1-heuristic")
    # Then the optimizer, with a short time limit
    page.get_by_role("link", name="Level again").click()
    page.get_by_label("Or every project using a pool").select_option(label="ENG-N — North engineers")
    page.get_by_label("Mode").select_option("optimal")
    page.get_by_label("Time limit (seconds)").fill("3")
    page.get_by_role("button", name="Level").click()
    expect(page.locator("#leveling-run")).to_contain_text("tasks delayed", timeout=60_000)
    shot(page, "leveling-2-optimal")
    # He applies this one: the tasks move, one after the other for Kari
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#leveling-run")).to_contain_text("Applied to the schedules")
    starts = sorted(Task.objects.filter(assignments__resource=kari).values_list("start", flat=True))
    assert len(set(starts)) == 4
    # And undoes it
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#leveling-run")).to_contain_text("undone")
    assert not Task.objects.filter(leveling_delay_minutes__gt=0).exists()
    assert LevelingRun.objects.filter(status=LevelingRun.Status.UNDONE).count() == 1
    assert page.keel_errors == []  # type: ignore[attr-defined]
