"""Imports left queued or running by a worker that stopped end as failed, saying how to start again.

A job that has not moved for ``KEEL_JOB_STALE_MINUTES`` is failed when its page or the API reads it,
and when `keel worker` starts; a job that moved recently is left to its worker.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from keel.portfolio.models import Project
from keel.schedule import import_jobs
from keel.schedule.models import ImportJob
from tests.schedule.test_import_jobs import DATABASE, stored_uploads, upload
from tests.schedule.test_import_jobs import media as media  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("media")


def _job(org, status: str, idle_minutes: int) -> ImportJob:
    """A job of pm_north's left `status` by its worker, last updated `idle_minutes` ago."""
    job = import_jobs.import_job_create(actor=org.pm_north, org_unit=org.north, upload=upload())
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        progress=40 if status == "running" else 0,
        stage="Read 5 tasks" if status == "running" else "Waiting for a worker",
        updated_at=timezone.now() - dt.timedelta(minutes=idle_minutes),
    )
    return job


def test_a_stale_running_job_is_failed_on_its_page_with_how_to_start_again(client, org, media, settings):
    # Given a job left running 31 minutes ago (the limit is 30) and its upload still stored
    settings.KEEL_JOB_STALE_MINUTES = 30
    before = Project.objects.count()
    job = _job(org, "running", idle_minutes=31)
    assert stored_uploads(media)
    client.force_login(org.pm_north)
    # When its page is read
    page = client.get(reverse("schedule:import_job", args=[job.pk]))
    # Then it says failed, why, and how to start again; it polls no more; nothing was imported
    text = page.content.decode()
    assert page.status_code == 200
    assert "The file could not be imported; nothing was created." in text
    assert "The worker stopped before the import of fit-out.xml finished" in text
    assert "Start it again with `keel worker`" in text
    assert 'hx-trigger="every 1s"' not in text
    job.refresh_from_db()
    assert (job.status, job.stage, job.upload) == ("failed", "Failed: nothing was imported", "")
    assert job.finished_at is not None
    assert Project.objects.count() == before
    assert not [path for path in stored_uploads(media) if path.is_file()]


def test_a_stale_job_is_failed_in_the_api_detail_and_list(org, as_user, settings):
    settings.KEEL_JOB_STALE_MINUTES = 30
    running = _job(org, "running", idle_minutes=45)
    queued = _job(org, "queued", idle_minutes=45)
    client = as_user(org.pm_north)

    detail = client.get(f"/imports/{running.pk}")
    assert detail.status == 200
    assert detail.body["status"] == "failed"
    assert "The worker stopped before the import" in detail.body["error"]
    assert detail.body["finished_at"] is not None

    listed = client.get("/imports")
    by_id = {item["id"]: item for item in listed.body["items"]}
    assert by_id[queued.pk]["status"] == "failed"
    assert (
        "No background worker started the import of fit-out.xml within 30 minutes"
        in (by_id[queued.pk]["error"])
    )


def test_a_job_that_moved_recently_is_left_to_its_worker(client, org, as_user, settings):
    # Given a running job updated 5 minutes ago and a queued one 29 minutes ago (limit 30)
    settings.KEEL_JOB_STALE_MINUTES = 30
    running = _job(org, "running", idle_minutes=5)
    queued = _job(org, "queued", idle_minutes=29)
    client.force_login(org.pm_north)
    # When the page, the API and the sweep read them
    page = client.get(reverse("schedule:import_job", args=[running.pk])).content.decode()
    answer = as_user(org.pm_north).get(f"/imports/{queued.pk}")
    assert import_jobs.import_jobs_fail_stale() == 0
    # Then they are untouched
    assert 'hx-trigger="every 1s"' in page and "Read 5 tasks" in page
    assert answer.body["status"] == "queued" and answer.body["error"] == ""
    assert list(ImportJob.objects.order_by("pk").values_list("status", "progress")) == [
        ("running", 40),
        ("queued", 0),
    ]


def test_the_limit_is_a_setting(org, settings):
    job = _job(org, "running", idle_minutes=10)
    settings.KEEL_JOB_STALE_MINUTES = 15
    assert import_jobs.import_jobs_fail_stale() == 0
    settings.KEEL_JOB_STALE_MINUTES = 5
    assert import_jobs.import_jobs_fail_stale() == 1
    job.refresh_from_db()
    assert job.status == "failed" and "no progress for 5 minutes" in job.error


@pytest.mark.django_db(transaction=True)
def test_the_worker_fails_stale_jobs_when_it_starts_and_runs_the_fresh_ones(org, settings):
    # Given, in the database queue, a job a stopped worker left running an hour ago and a fresh upload
    settings.TASKS = DATABASE
    settings.KEEL_JOB_STALE_MINUTES = 30
    stale = _job(org, "running", idle_minutes=60)
    DBTaskResult.objects.all().delete()  # the stopped worker had taken its task
    fresh = import_jobs.import_job_create(
        actor=org.pm_north, org_unit=org.north, upload=upload(), code="WH-F"
    )
    # When a worker starts (and runs the queue once)
    call_command("worker", batch=True, interval=0, verbosity=0)
    # Then the stale job failed with how to start again, and the fresh one was imported
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == "failed" and "Start it again with `keel worker`" in stale.error
    assert fresh.status == "succeeded", fresh.error
    assert Project.objects.filter(code="WH-F").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_row_a_live_worker_holds_is_not_failed(org, settings):
    # Given a job idle for an hour whose worker is inside the import's transaction (row locked)
    settings.KEEL_JOB_STALE_MINUTES = 30
    job = _job(org, "running", idle_minutes=60)
    locked, release = threading.Event(), threading.Event()

    def worker() -> None:
        try:
            with transaction.atomic():
                ImportJob.objects.select_for_update().get(pk=job.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert locked.wait(10)
        # When a reader looks Then the job is left to its worker, without waiting for the lock
        assert import_jobs.import_jobs_fail_stale() == 0
        assert ImportJob.objects.get(pk=job.pk).status == "running"
    finally:
        release.set()
        thread.join()
    # And once the worker is gone, the job is failed
    assert import_jobs.import_jobs_fail_stale() == 1
