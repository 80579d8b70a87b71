"""Leveling delays on stored tasks: the field, the bulk service resource leveling calls, the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from keel.core.errors import PermissionDenied
from keel.core.models import AuditEntry
from keel.schedule import services
from keel.schedule.models import Task
from tests.api.conftest import field_errors
from tests.schedule.conftest import DAY, at, local


@pytest.fixture
def chain(plan):
    """Design (2d) → Build (1d) → Handover (0d), with Survey (4d) → Handover beside them."""
    plan.task("Design", 2)
    plan.task("Build", 1)
    plan.task("Survey", 4)
    plan.task("Handover", 0)
    plan.link("Design", "Build")
    plan.link("Build", "Handover")
    plan.link("Survey", "Handover")
    return plan


def audit_of(task: Task) -> list[dict]:
    """The leveling-delay changes audited on a task, oldest first."""
    return [
        entry.changes
        for entry in AuditEntry.objects.filter(
            object_id=str(task.pk), action=AuditEntry.Action.UPDATE
        ).order_by("pk")
        if "leveling_delay_minutes" in entry.changes
    ]


def test_delays_apply_in_one_recompute_and_undo_restores_the_dates(chain, org):
    """Given a chain with float, when leveling delays Build by 3 days and then sets it back to 0, then
    Build and the project finish move out and back, each change bumps the version and is audited."""
    project = org.project_north
    build = chain["Build"]
    before_start, before_finish = build.start, project.schedule.computed_finish
    assert local(build.start) == at(7, 8)

    summary = services.task_leveling_delays_set(
        actor=org.pm_north, project=project, delays={build.pk: 3 * DAY, chain["Design"].pk: 0}
    )
    build = chain["Build"]
    assert build.leveling_delay_minutes == 3 * DAY
    assert local(build.start) == at(12, 8)
    assert local(chain["Handover"].start) == at(12, 17)
    assert summary.finish_moved and build.uid in summary.changed_tasks
    assert build.version == chain.tasks["Build"].version + 1
    assert chain["Design"].version == chain.tasks["Design"].version  # given its own value: untouched
    assert audit_of(build) == [{"leveling_delay_minutes": [0, 3 * DAY]}]
    assert chain["Design"].total_float_minutes == 0 and chain["Design"].is_critical

    services.task_leveling_delays_set(actor=org.pm_north, project=project, delays={build.pk: 0})
    build = chain["Build"]
    assert (build.start, build.leveling_delay_minutes) == (before_start, 0)
    project.schedule.refresh_from_db()
    assert project.schedule.computed_finish == before_finish
    assert audit_of(build)[-1] == {"leveling_delay_minutes": [3 * DAY, 0]}


def test_bad_delays_are_refused_all_at_once_and_nothing_is_written(chain, org, plan):
    """Given tasks of two projects and a summary, when delays name a foreign task, a summary, a negative
    value, then the whole call is refused under "delays" naming each task, and nothing changed."""
    plan.task("Phase", 0)
    plan.task("Inside", 1, parent="Phase")
    other = services.task_create(actor=org.pm_south, project=org.project_south, name="South task")
    build = chain["Build"]
    with pytest.raises(ValidationError) as refused:
        services.task_leveling_delays_set(
            actor=org.pm_north,
            project=org.project_north,
            delays={build.pk: DAY, other.pk: DAY, chain["Phase"].pk: DAY, chain["Design"].pk: -5},
        )
    problems = refused.value.message_dict["delays"]
    assert len(problems) == 3
    assert any(f"task {other.pk}: not a task of project" in p for p in problems)
    assert any("summary task takes no leveling delay" in p for p in problems)
    assert any(f"task {chain['Design'].pk}: the delay must be whole minutes" in p for p in problems)
    assert chain["Build"].leveling_delay_minutes == 0
    assert chain["Build"].version == build.version


def test_only_people_who_may_change_the_schedule_set_delays(chain, org):
    """Given pm_south and a member of North, when they set a delay on N-001, then both are refused."""
    for person in (org.pm_south, org.member_north):
        with pytest.raises(PermissionDenied):
            services.task_leveling_delays_set(
                actor=person, project=org.project_north, delays={chain["Build"].pk: DAY}
            )
    assert chain["Build"].leveling_delay_minutes == 0


def test_the_delay_through_task_update_and_the_api(chain, org, as_user):
    """Given the API, when pm_north patches Build's leveling delay, then the answer shows the delay and the
    new dates; a negative one is a 422 naming the field; a summary refuses one."""
    client = as_user(org.pm_north)
    build = chain["Build"]
    answer = client.patch(f"/tasks/{build.pk}", {"leveling_delay_minutes": DAY, "version": build.version})
    assert answer.status == 200, answer.body
    assert answer.body["leveling_delay_minutes"] == DAY
    assert answer.body["start"] == "2026-01-08T08:00:00+01:00"
    bad = client.patch(f"/tasks/{build.pk}", {"leveling_delay_minutes": -1})
    assert bad.status == 422 and "leveling_delay_minutes" in field_errors(bad)
    created = client.post(
        f"/projects/{org.project_north.pk}/tasks",
        {"name": "Late", "duration_minutes": DAY, "leveling_delay_minutes": 2 * DAY},
    )
    assert created.status == 201 and created.body["start"] == "2026-01-07T08:00:00+01:00"

    chain.task("Phase", 0)
    chain.task("Inside", 1, parent="Phase")
    with pytest.raises(ValidationError) as refused:
        chain.update("Phase", leveling_delay_minutes=DAY)
    assert "leveling_delay_minutes" in refused.value.message_dict
