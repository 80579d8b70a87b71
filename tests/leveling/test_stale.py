"""Levelings left queued or running by a worker that stopped end as failed, saying how to start again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from keel.resources import leveling
from keel.resources.models import LevelingRun
from keel.schedule.models import Task
from tests.api.conftest import as_user  # noqa: F401 - the personas' API clients
from tests.leveling.test_runs import crowded  # noqa: F401 - the fixture


def _run(org, status: str, idle_minutes: int) -> LevelingRun:
    """A leveling of N-001 left `status` by its worker, last updated `idle_minutes` ago."""
    run = leveling.leveling_run_create(actor=org.pm_north, project=org.project_north)
    LevelingRun.objects.filter(pk=run.pk).update(
        status=status,
        progress=30 if status == "running" else 0,
        updated_at=timezone.now() - dt.timedelta(minutes=idle_minutes),
    )
    return run


def test_a_stale_run_is_failed_on_its_page_and_nothing_changes(client, org, crowded, settings):  # noqa: F811
    settings.KEEL_JOB_STALE_MINUTES = 30
    run = _run(org, "running", idle_minutes=31)
    client.force_login(org.pm_north)

    page = client.get(reverse("leveling:run_detail", args=[run.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "The leveling could not be computed; nothing was changed." in text
    assert "The worker stopped before the leveling finished (no progress for 30 minutes)" in text
    assert "Start it again with `keel worker`, then level again." in text
    assert 'hx-trigger="every 1s"' not in text
    assert LevelingRun.objects.get().status == "failed"
    assert not Task.objects.filter(leveling_delay_minutes__gt=0).exists()


def test_a_stale_run_is_failed_in_the_api_detail_and_list(org, crowded, as_user, settings):  # noqa: F811
    settings.KEEL_JOB_STALE_MINUTES = 30
    running = _run(org, "running", idle_minutes=60)
    queued = _run(org, "queued", idle_minutes=60)
    client = as_user(org.pm_north)

    detail = client.get(f"/leveling-runs/{running.pk}")
    assert detail.status == 200
    assert detail.body["status"] == "failed"
    assert "The worker stopped before the leveling finished" in detail.body["message"]

    listed = client.get("/leveling-runs")
    by_id = {item["id"]: item for item in listed.body["items"]}
    assert by_id[queued.pk]["status"] == "failed"
    queued.refresh_from_db()
    assert "No background worker started this leveling within 30 minutes" in queued.message


def test_a_run_that_moved_recently_is_left_to_its_worker(client, org, crowded, as_user, settings):  # noqa: F811
    settings.KEEL_JOB_STALE_MINUTES = 30
    running = _run(org, "running", idle_minutes=2)
    queued = _run(org, "queued", idle_minutes=29)
    client.force_login(org.pm_north)

    page = client.get(reverse("leveling:run_detail", args=[running.pk])).content.decode()
    answer = as_user(org.pm_north).get(f"/leveling-runs/{queued.pk}")

    assert 'hx-trigger="every 1s"' in page
    assert answer.body["status"] == "queued"
    assert leveling.leveling_runs_fail_stale() == 0
    assert sorted(LevelingRun.objects.values_list("status", flat=True)) == ["queued", "running"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_fails_stale_runs_when_it_starts(org, crowded, settings):  # noqa: F811
    settings.KEEL_JOB_STALE_MINUTES = 30
    stale = _run(org, "running", idle_minutes=90)
    fresh = _run(org, "running", idle_minutes=1)

    call_command("worker", batch=True, interval=0, verbosity=0)

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == "failed" and "`keel worker`" in stale.message
    assert fresh.status == "running" and fresh.message == ""


def test_a_failed_stale_run_can_be_started_again(org, crowded):  # noqa: F811
    stale = _run(org, "running", idle_minutes=600)
    assert leveling.leveling_runs_fail_stale(run_ids=[stale.pk]) == 1
    again = leveling.leveling_run_create(actor=org.pm_north, project=org.project_north)
    done = leveling.leveling_run_execute(run_id=again.pk)
    assert done is not None and done.status == "done"


@pytest.mark.django_db(transaction=True)
def test_keel_serve_fails_stale_runs_when_its_worker_thread_starts(org, crowded, settings):  # noqa: F811
    from keel.core.management.commands.serve import start_worker

    settings.KEEL_JOB_STALE_MINUTES = 30
    stale = _run(org, "queued", idle_minutes=90)
    fresh = _run(org, "running", idle_minutes=1)

    started = start_worker()
    assert started is not None
    worker, thread = started
    worker.running = False
    thread.join(10)

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == "failed" and "`keel worker`" in stale.message
    assert fresh.status == "running"
