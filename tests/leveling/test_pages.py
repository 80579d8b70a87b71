"""The leveling pages: the form, the comparison with its chart data, the confirmations of apply and undo."""

from __future__ import annotations

from django.urls import reverse

from keel.resources import leveling
from keel.resources.models import LevelingRun
from keel.schedule.models import Task
from tests.leveling.test_runs import crowded  # noqa: F401 - the fixture


def test_level_a_project_from_the_page(client, org, crowded, settings):  # noqa: F811
    client.force_login(org.pm_north)
    page = client.get(reverse("leveling:run_list") + f"?project={org.project_north.pk}")
    assert page.status_code == 200
    assert f'<option value="{org.project_north.pk}" selected>' in page.content.decode()
    assert org.project_south.code not in page.content.decode()
    refused = client.post(reverse("leveling:run_list"), {"mode": "heuristic", "time_limit": 10})
    assert refused.status_code == 422
    assert "Choose either a project or a resource pool" in refused.content.decode()
    assert not LevelingRun.objects.exists()

    answer = client.post(
        reverse("leveling:run_list"), {"project": org.project_north.pk, "mode": "heuristic", "time_limit": 10}
    )
    run = LevelingRun.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("leveling:run_detail", args=[run.pk])
    queued = client.get(answer["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in queued
    leveling.leveling_run_execute(run_id=run.pk)
    done = client.get(answer["Location"]).content.decode()
    assert "2 of 3 tasks delayed" in done
    assert 'id="leveling-chart"' in done
    assert "Apply" in done

    confirm = client.get(reverse("leveling:run_apply", args=[run.pk]))
    assert confirm.status_code == 200 and "Apply this leveling?" in confirm.content.decode()
    assert not Task.objects.filter(leveling_delay_minutes__gt=0).exists()
    client.post(reverse("leveling:run_apply", args=[run.pk]))
    assert Task.objects.filter(leveling_delay_minutes__gt=0).count() == 2
    assert "Undo" in client.get(answer["Location"]).content.decode()
    client.post(reverse("leveling:run_undo", args=[run.pk]))
    assert not Task.objects.filter(leveling_delay_minutes__gt=0).exists()
    run.refresh_from_db()
    assert run.status == LevelingRun.Status.UNDONE


def test_viewers_see_runs_but_cannot_start_or_apply(client, org, crowded):  # noqa: F811
    run = leveling.leveling_run_create(actor=org.pm_north, project=org.project_north)
    leveling.leveling_run_execute(run_id=run.pk)
    client.force_login(org.exec)
    page = client.get(reverse("leveling:run_list")).content.decode()
    assert "<form" not in page.split("Recent levelings")[0].split("</h1>")[1]
    detail = client.get(reverse("leveling:run_detail", args=[run.pk])).content.decode()
    assert "2 of 3 tasks delayed" in detail and f"/leveling/{run.pk}/apply/" not in detail
    assert client.post(reverse("leveling:run_apply", args=[run.pk])).status_code == 403
    assert client.post(reverse("leveling:run_list"), {"project": org.project_north.pk}).status_code == 403
