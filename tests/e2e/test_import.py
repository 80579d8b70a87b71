"""Browser journey of an import, in Debian's Chromium driven by Playwright.

Omar (pm_north) opens the register, follows "Import a project file", uploads an MS Project XML file
into his division, watches the job page (polled by htmx) reach its summary and opens the schedule.
The job runs with django-tasks' ImmediateBackend (the same task, run when the upload commits): a
worker thread beside the live server would share SQLite's in-memory test database and lock it. The
database queue and its worker are tested in tests/schedule/test_import_jobs.py.
"""

from __future__ import annotations

import re

import pytest

from keel.portfolio.models import Project
from tests.conftest import PASSWORD
from tests.e2e.test_journey import CHROMIUM, browser_page, shot  # noqa: F401 - the fixture
from tests.schedule.test_import_jobs import PLAN

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


@pytest.mark.django_db(transaction=True)
def test_project_manager_imports_a_file(live_server, org, browser_page, settings, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    plan = tmp_path / "fit-out.xml"
    plan.write_bytes(PLAN)
    page = browser_page
    # Omar signs in and goes from the register to the import page
    page.goto(live_server.url + "/projects/")
    page.get_by_label("Username").fill("pm_north")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Import a project file").click()
    expect(page.get_by_role("heading", name="Import a project file")).to_be_visible()
    # He chooses the file, his division is the only unit offered, and he names the code
    page.get_by_label("Project file").set_input_files(str(plan))
    expect(page.get_by_label("Org unit")).to_have_value(str(org.north.pk))
    page.get_by_label("Project code").fill("WH-E2E")
    shot(page, "import-1-form")
    page.get_by_role("button", name="Import").click()
    # The job page shows the import's summary (polled by htmx while a worker runs it)
    expect(page).to_have_url(re.compile(r"/schedule/import/\d+/$"))
    expect(page.get_by_text("Imported as project")).to_be_visible(timeout=60_000)
    expect(page.locator("#import-job")).to_contain_text("3: 2 FS, 1 SS")
    shot(page, "import-2-summary")
    # And he opens the schedule of the new project
    page.get_by_role("link", name="Open the schedule").click()
    expect(page).to_have_url(re.compile(r"/projects/\d+/schedule/$"))
    assert Project.objects.get(code="WH-E2E").org_unit == org.north
    assert page.keel_errors == []  # type: ignore[attr-defined]
