"""The import pages: upload a file, follow the job (htmx polls every second), see what came in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keel.portfolio.models import Project
from keel.schedule import import_jobs
from keel.schedule.models import ImportJob
from tests.schedule.test_import_jobs import PLAN, stored_uploads, upload
from tests.schedule.test_import_jobs import media as media  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("media")
IMPORT = reverse("schedule:import")


def job_url(job: ImportJob) -> str:
    return reverse("schedule:import_job", kwargs={"job_id": job.pk})


def test_the_register_and_the_empty_gantt_link_to_the_import_page(client, org):
    client.force_login(org.pm_north)
    assert IMPORT in client.get(reverse("portfolio:project_list")).content.decode()
    gantt = client.get(reverse("schedule:gantt", kwargs={"project_id": org.project_north.pk}))
    assert IMPORT in gantt.content.decode()


def test_the_form_offers_the_units_where_the_user_may_create_projects(client, org):
    client.force_login(org.pm_north)
    page = client.get(IMPORT)
    assert page.status_code == 200
    units = list(page.context["form"].fields["org_unit"].queryset)
    assert units == [org.north]
    text = page.content.decode()
    assert 'enctype="multipart/form-data"' in text and "At most 100 MB." in text


def test_upload_then_follow_the_job_to_the_summary(client, org, django_capture_on_commit_callbacks):
    # Given pm_north uploads a file on the import page
    client.force_login(org.pm_north)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            IMPORT, {"file": upload(), "org_unit": org.north.pk, "code": "WH-UI", "name": "Warehouse"}
        )
    # Then they are sent to the job's page, which shows what came in and links to the schedule
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    page = client.get(job_url(job))
    text = page.content.decode()
    project = Project.objects.get(code="WH-UI")
    assert "Imported as project <strong>WH-UI</strong> — Warehouse" in text
    assert "5 (1 summary tasks, 1 milestones)" in text
    assert "3: 2 FS, 1 SS" in text
    assert '<th scope="row">Resources</th><td>none in the file</td>' in text
    assert "2025-03-03 08:00 → 2025-03-07 17:00" in text
    assert reverse("schedule:gantt", kwargs={"project_id": project.pk}) in text
    assert 'hx-trigger="every 1s"' not in text  # finished: no more polling
    # And the upload page lists the job
    assert job_url(job) in client.get(IMPORT).content.decode()


def test_a_running_job_polls_every_second_and_shows_its_progress(client, org):
    # Given a job that a worker is running
    job = import_jobs.import_job_create(actor=org.pm_north, org_unit=org.north, upload=upload())
    ImportJob.objects.filter(pk=job.pk).update(status="running", progress=40, stage="Read 5 tasks")
    client.force_login(org.pm_north)
    # When the page polls it with htmx Then the fragment shows the bar and the stage, and polls again
    fragment = client.get(job_url(job), headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in text
    assert f'hx-get="{job_url(job)}" hx-trigger="every 1s"' in text
    assert 'aria-valuenow="40"' in text and "Read 5 tasks" in text


def test_a_failed_import_shows_the_error_and_leaves_no_project(
    client, org, django_capture_on_commit_callbacks
):
    client.force_login(org.pm_north)
    before = Project.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(IMPORT, {"file": upload(PLAN[:300], "cut.xml"), "org_unit": org.north.pk})
    job = ImportJob.objects.get()
    text = client.get(job_url(job)).content.decode()
    assert "The file could not be imported; nothing was created." in text
    assert "cut.xml: " in text
    assert Project.objects.count() == before


def test_a_bad_upload_is_shown_next_to_the_field_and_stores_nothing(client, org, media):
    client.force_login(org.pm_north)
    response = client.post(
        IMPORT, {"file": upload(b"Kick-off on Monday.", "notes.txt"), "org_unit": org.north.pk}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["file"][0].startswith("notes.txt is not a project file Keel reads")
    assert ImportJob.objects.count() == 0 and stored_uploads(media) == []


def test_a_taken_code_is_refused_on_the_form(client, org):
    client.force_login(org.pm_north)
    response = client.post(IMPORT, {"file": upload(), "org_unit": org.north.pk, "code": "N-001"})
    assert response.status_code == 422
    assert response.context["form"].errors["code"] == ["Project code N-001 is already used; choose another."]


@pytest.mark.parametrize("who", ["exec", "member_north", "outsider"])
def test_people_who_create_no_projects_cannot_open_the_upload_page(client, org, who):
    client.force_login(getattr(org, who))
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": upload(), "org_unit": org.north.pk}).status_code == 403
    assert ImportJob.objects.count() == 0


def test_a_job_out_of_scope_is_404(client, org):
    job = import_jobs.import_job_create(actor=org.pm_north, org_unit=org.north, upload=upload())
    client.force_login(org.pm_south)
    assert client.get(job_url(job)).status_code == 404
    assert job_url(job) not in client.get(IMPORT).content.decode()
