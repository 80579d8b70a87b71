"""The leveling endpoints: start a run (202), follow it, apply and undo; refusals name the field."""

from __future__ import annotations

import pytest

from keel.resources import leveling
from keel.resources.models import LevelingRun
from keel.schedule.models import Task
from tests.api.conftest import field_errors
from tests.leveling.test_runs import crowded  # noqa: F401 - the fixture


@pytest.fixture
def immediate(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_a_project_manager_levels_applies_and_undoes_through_the_api(org, crowded, as_user):  # noqa: F811
    api = as_user(org.pm_north)
    started = api.post("/leveling-runs", {"project": org.project_north.pk, "mode": "heuristic"})
    assert started.status == 202, started.body
    assert started.body["status"] == "queued"
    assert started.headers["Location"].endswith(f"/leveling-runs/{started.body['id']}")
    # The test's transaction never commits, so the worker's part runs here.
    leveling.leveling_run_execute(run_id=started.body["id"])
    run = api.get(f"/leveling-runs/{started.body['id']}")
    assert run.status == 200
    assert run.body["status"] == "done"
    comparison = run.body["comparison"]
    assert sorted(t["delay_minutes"] for t in comparison["tasks"]) == [0, 840, 1680]
    assert comparison["projects"][0]["code"] == "N-001"
    assert comparison["engine"]["mode"] == "heuristic"

    applied = api.post(f"/leveling-runs/{started.body['id']}/apply")
    assert applied.status == 200, applied.body
    assert applied.body["status"] == "applied"
    assert Task.objects.filter(project=org.project_north, leveling_delay_minutes__gt=0).count() == 2
    again = api.post(f"/leveling-runs/{started.body['id']}/apply")
    assert "status" in field_errors(again)

    undone = api.post(f"/leveling-runs/{started.body['id']}/undo")
    assert undone.body["status"] == "undone"
    assert not Task.objects.filter(project=org.project_north, leveling_delay_minutes__gt=0).exists()
    listed = api.get("/leveling-runs")
    assert [item["id"] for item in listed.body["items"]] == [started.body["id"]]


def test_bad_requests_name_the_field(org, crowded, as_user):  # noqa: F811
    api = as_user(org.pm_north)
    assert "project" in field_errors(api.post("/leveling-runs", {}))
    assert "mode" in field_errors(api.post("/leveling-runs", {"project": org.project_north.pk, "mode": "x"}))
    assert "time_limit" in field_errors(
        api.post("/leveling-runs", {"project": org.project_north.pk, "time_limit": 0})
    )
    assert "project" in field_errors(api.post("/leveling-runs", {"project": org.project_south.pk}))
    assert not LevelingRun.objects.exists()


def test_other_divisions_and_viewers(org, crowded, as_user):  # noqa: F811
    run = leveling.leveling_run_create(actor=org.pm_north, project=org.project_north)
    leveling.leveling_run_execute(run_id=run.pk)
    assert as_user(org.pm_south).get(f"/leveling-runs/{run.pk}").status == 404
    assert as_user(org.pm_south).post(f"/leveling-runs/{run.pk}/apply").status == 404
    assert as_user(org.exec).get(f"/leveling-runs/{run.pk}").status == 200
    assert as_user(org.exec).post(f"/leveling-runs/{run.pk}/apply").status == 403
    assert as_user(org.exec).post("/leveling-runs", {"project": org.project_north.pk}).status == 403
    assert not Task.objects.filter(leveling_delay_minutes__gt=0).exists()
