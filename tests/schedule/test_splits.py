"""Split tasks in stored schedules: the work pauses and resumes, the pauses move with the task.

N-001 starts Monday 5 January 2026 on the eight-hour calendar (Mon–Fri 08–12, 13–17); DAY is 480
working minutes. A split is ``[offset, pause]``: the work stops after `offset` minutes of it and
resumes `pause` working minutes later.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from keel.core.models import AuditEntry
from keel.schedule import services
from keel.schedule.models import MAX_SPLITS, Task
from tests.api.conftest import field_errors
from tests.factories import CalendarFactory
from tests.schedule.conftest import DAY, at, local
from tests.schedule.test_views import document, tasks_by_name

pytestmark = pytest.mark.django_db


def test_a_split_task_spans_its_work_and_its_pauses_and_its_successor_follows(plan):
    # Given four days of work that pause for two days after the first, followed by a one-day task
    plan.task("Pour", days=4, splits=[[DAY, 2 * DAY]])
    plan.task("Cure", days=1)
    plan.link("Pour", "Cure")
    pour, cure = plan["Pour"], plan["Cure"]
    # Then the split task runs Monday, (Tuesday and Wednesday paused), Thursday, Friday, Monday
    assert (local(pour.start), local(pour.finish)) == (at(5, 8), at(12, 17))
    assert pour.duration_minutes == 4 * DAY and pour.splits == [[DAY, 2 * DAY]]
    assert local(cure.start) == at(13, 8)
    assert pour.is_critical and cure.is_critical


def test_the_pauses_move_with_the_task(plan):
    plan.task("Design", days=2)
    plan.task("Build", days=2, splits=[[DAY, DAY]])
    plan.link("Design", "Build")
    build = plan["Build"]
    # Build starts Wednesday 7th: one day, one day paused, one day
    assert (local(build.start), local(build.finish)) == (at(7, 8), at(9, 17))
    # When Design takes a day longer, Build and its pause move a day later
    plan.update("Design", duration_minutes=3 * DAY)
    build = plan["Build"]
    assert (local(build.start), local(build.finish)) == (at(8, 8), at(12, 17))


def test_splits_are_set_changed_and_removed_with_an_audit_entry(plan):
    plan.task("Survey", days=3)
    plan.update("Survey", splits=[[DAY, DAY], [2 * DAY, DAY]])
    survey = plan["Survey"]
    assert (local(survey.start), local(survey.finish)) == (at(5, 8), at(9, 17))
    entry = AuditEntry.objects.filter(object_id=str(survey.pk), action=AuditEntry.Action.UPDATE).latest("pk")
    assert entry.changes["splits"] == [[], [[DAY, DAY], [2 * DAY, DAY]]]
    plan.update("Survey", splits=[])
    survey = plan["Survey"]
    assert (local(survey.finish), survey.splits) == (at(7, 17), [])


def test_a_shorter_task_keeps_only_the_pauses_its_work_still_reaches(plan):
    plan.task("Survey", days=4, splits=[[DAY, DAY], [3 * DAY, DAY]])
    plan.update("Survey", duration_minutes=2 * DAY)
    survey = plan["Survey"]
    assert survey.splits == [[DAY, DAY]]
    assert local(survey.finish) == at(7, 17)


@pytest.mark.parametrize(
    ("splits", "message"),
    [
        ([[0, DAY]], "must pause within the task's 1920 minutes of work"),
        ([[4 * DAY, DAY]], "not after 1920"),
        ([[DAY, 0]], "the pause must last from 1"),
        ([[2 * DAY, DAY], [DAY, DAY]], "Split 2: each pause comes after more work than the one before"),
        ([[DAY, DAY, DAY]], "Split 1: give it as [offset, pause]"),
        ([[DAY, "a day"]], "Split 1: give it as [offset, pause]"),
        ({"after": DAY}, "Give the splits as a list of [offset, pause] pairs"),
        ([[n, 1] for n in range(1, MAX_SPLITS + 2)], f"at most {MAX_SPLITS} times"),
    ],
)
def test_bad_splits_are_refused_naming_the_field_and_nothing_is_written(plan, splits, message):
    plan.task("Survey", days=4)
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        plan.update("Survey", splits=splits)
    assert message in refused.value.message_dict["splits"][0]
    survey = plan["Survey"]
    assert (survey.splits, survey.version, AuditEntry.objects.count()) == ([], 1, entries)


def test_a_summary_task_takes_no_splits(plan):
    plan.task("Build", days=0)
    plan.task("Walls", days=2, parent="Build")
    with pytest.raises(ValidationError) as refused:
        plan.update("Build", splits=[[DAY, DAY]])
    assert "from its subtasks" in refused.value.message_dict["splits"][0]


def test_the_import_service_refuses_bad_splits_naming_the_task(plan, org):
    with pytest.raises(ValidationError) as refused:
        services.schedule_replace(
            actor=org.pm_north,
            project=org.project_north,
            tasks=[services.TaskData(uid=7, name="Survey", duration_minutes=DAY, splits=((2 * DAY, DAY),))],
        )
    (problem,) = refused.value.message_dict["tasks"]
    assert problem.startswith("task 7 'Survey': splits: Split 1: the work must pause within")
    assert not Task.objects.filter(project=org.project_north).exists()


def test_splits_through_the_api(org, calendar8, as_user):
    client = as_user(org.pm_north)
    path = f"/projects/{org.project_north.pk}/tasks"
    created = client.post(path, {"name": "Pour", "duration_minutes": 4 * DAY, "splits": [[DAY, 2 * DAY]]})
    assert created.status == 201, created.body
    assert created.body["splits"] == [[DAY, 2 * DAY]]
    assert created.body["finish"] == "2026-01-12T17:00:00+01:00"
    # Malformed pairs are a 422 on the field from the schema; pauses outside the work from the model
    assert "splits" in field_errors(client.post(path, {"name": "Bad", "splits": [[DAY]]}))
    outside = client.patch(f"/tasks/{created.body['id']}", {"splits": [[5 * DAY, DAY]], "version": 1})
    assert "must pause within the task's 1920 minutes" in field_errors(outside)["splits"]
    removed = client.patch(f"/tasks/{created.body['id']}", {"splits": [], "version": 1})
    assert (removed.status, removed.body["splits"], removed.body["finish"]) == (
        200,
        [],
        "2026-01-08T17:00:00+01:00",
    )
    # Another division sees nothing and changes nothing
    other = as_user(org.pm_south)
    assert other.patch(f"/tasks/{created.body['id']}", {"splits": [[DAY, DAY]], "version": 2}).status == 404
    assert Task.objects.get(pk=created.body["id"]).splits == []


def test_the_gantt_draws_a_split_task_as_its_stretches(client, plan, org):
    # Given a task paused two days after its first day, and a task on its own calendar (Mon–Thu) paused a day
    day = [["08:00", "12:00"], ["13:00", "17:00"]]
    four_days = CalendarFactory(name="Four days", working_week=[day, day, day, day, [], [], []])
    plan.task("Pour", days=4, splits=[[DAY, 2 * DAY]])
    plan.task("Cure", days=2, splits=[[DAY, DAY]], calendar=four_days)
    plan.task("Plain", days=1)
    client.force_login(org.pm_north)
    doc = document(client.get(reverse("schedule:gantt", kwargs={"project_id": org.project_north.pk})))
    tasks = tasks_by_name(doc)

    def minute(day: int, hour: int) -> int:
        return (at(day, hour).date() - dt.date(1970, 1, 1)).days * 1440 + hour * 60

    # Then the document gives the stretches of work (wall-clock minutes) the chart joins by a dotted line
    assert tasks["Pour"]["stretches"] == [[minute(5, 8), minute(5, 17)], [minute(8, 8), minute(12, 17)]]
    # Cure works Mon 5, pauses Tue 6, works Wed 7 (its calendar has no Fridays)
    assert tasks["Cure"]["stretches"] == [[minute(5, 8), minute(5, 17)], [minute(7, 8), minute(7, 17)]]
    assert tasks["Plain"]["stretches"] is None
