"""Schedules through the API: tasks, links, settings, computation, baselines, milestones; errors and scope."""

from __future__ import annotations

import pytest

from keel.core.models import AuditEntry
from keel.schedule import services
from keel.schedule.models import Dependency, ProjectSchedule, Task
from tests.api.conftest import field_errors
from tests.schedule.conftest import DAY


@pytest.fixture
def client(org, calendar8, as_user):
    """pm_north's API client."""
    return as_user(org.pm_north)


def add(client, project, name, **fields):
    """Create a task through the API and return its body."""
    answer = client.post(f"/projects/{project.pk}/tasks", {"name": name, **fields})
    assert answer.status == 201, answer.body
    return answer.body


def test_plan_a_project_through_the_api(org, client):
    """Given pm_north, when they add a summary with two subtasks, link them, lengthen the first and save a
    baseline, then every answer carries the recomputed dates in Oslo time and the variance shows the slip."""
    project = org.project_north
    build = add(client, project, "Build")
    walls = add(client, project, "Walls", parent=build["id"], duration_minutes=2 * DAY, duration_unit="d")
    roof = add(client, project, "Roof", parent=build["id"], duration_minutes=DAY)
    handover = add(client, project, "Handover")
    assert (walls["outline_number"], walls["start"], walls["finish"]) == (
        "1.1",
        "2026-01-05T08:00:00+01:00",
        "2026-01-06T17:00:00+01:00",
    )
    assert handover["is_milestone"] and not walls["is_milestone"]

    link = client.post(
        f"/projects/{project.pk}/dependencies", {"predecessor": walls["id"], "successor": roof["id"]}
    )
    assert link.status == 201, link.body
    assert (link.body["predecessor"]["name"], link.body["type"], link.etag) == ("Walls", "FS", '"1"')
    assert (
        client.post(
            f"/projects/{project.pk}/dependencies", {"predecessor": build["id"], "successor": handover["id"]}
        ).status
        == 201
    )

    listed = client.get(f"/projects/{project.pk}/tasks")
    assert [(t["outline_number"], t["name"], t["is_summary"]) for t in listed.body["items"]] == [
        ("1", "Build", True),
        ("1.1", "Walls", False),
        ("1.2", "Roof", False),
        ("2", "Handover", False),
    ]
    assert listed.body["items"][2]["start"] == "2026-01-07T08:00:00+01:00"
    assert client.get(f"/projects/{project.pk}/tasks", critical="true").body["count"] == 4  # with the summary

    saved = client.post(f"/projects/{project.pk}/baselines", {"number": 0})
    assert saved.status == 201 and (saved.body["name"], saved.body["task_count"]) == ("Baseline", 4)

    read = client.get(f"/tasks/{walls['id']}")
    changed = client.patch(
        f"/tasks/{walls['id']}", {"duration_minutes": 3 * DAY}, headers={"If-Match": read.etag}
    )
    assert changed.status == 200, changed.body
    assert changed.etag == '"2"' and changed.body["finish"] == "2026-01-07T17:00:00+01:00"
    assert client.get(f"/tasks/{roof['id']}").body["start"] == "2026-01-08T08:00:00+01:00"

    summary = client.get(f"/projects/{project.pk}/schedule").body
    assert summary["computed_finish"] == "2026-01-08T17:00:00+01:00"
    assert (summary["task_count"], summary["critical_count"], summary["time_zone"]) == (4, 3, "Europe/Oslo")
    assert summary["effective_calendar"]["name"] == "Eight hours" and summary["calendar"] is None

    variance = client.get(f"/projects/{project.pk}/baselines/0/variance").body["items"]
    by_name = {row["name"]: row for row in variance}
    assert by_name["Roof"]["start_variance_minutes"] == DAY
    assert by_name["Walls"]["duration_variance_minutes"] == DAY
    assert by_name["Handover"]["finish_variance_minutes"] == DAY


def test_settings_compute_and_milestones(org, client, as_user):
    """Given a task and a milestone, when the schedule start moves with If-Match, then the dates follow; the
    compute endpoint reports nothing left to change, and the milestone list shows the milestone."""
    project = org.project_north
    add(client, project, "Work", duration_minutes=DAY)
    add(client, project, "Go live", deadline="2026-01-20T17:00:00")
    read = client.get(f"/projects/{project.pk}/schedule")

    moved = client.patch(
        f"/projects/{project.pk}/schedule",
        {"start": "2026-01-12T00:00:00", "status_date": None},
        headers={"If-Match": read.etag},
    )
    assert moved.status == 200, moved.body
    assert moved.body["start"] == "2026-01-12T00:00:00+01:00" and moved.etag == '"2"'
    assert moved.body["computed_finish"] == "2026-01-12T17:00:00+01:00"

    computed = client.post(f"/projects/{project.pk}/schedule/compute")
    assert computed.status == 200, computed.body
    assert (computed.body["changed_tasks"], computed.body["finish_moved"]) == ([], False)

    milestones = as_user(org.exec).get("/milestones").body
    assert [(m["name"], m["project"]["code"], m["start"]) for m in milestones["items"]] == [
        ("Go live", "N-001", "2026-01-12T08:00:00+01:00")
    ]
    assert as_user(org.pm_south).get("/milestones").body["items"] == []


def test_a_loop_is_a_422_naming_the_loop_on_predecessor(org, client):
    """Given A → B, when B → A is posted, then 422 names `predecessor` and the loop, and no link is added."""
    project = org.project_north
    a = add(client, project, "A", duration_minutes=DAY)
    b = add(client, project, "B", duration_minutes=DAY)
    client.post(f"/projects/{project.pk}/dependencies", {"predecessor": a["id"], "successor": b["id"]})

    answer = client.post(
        f"/projects/{project.pk}/dependencies", {"predecessor": b["id"], "successor": a["id"]}
    )

    assert field_errors(answer) == {"predecessor": "This link would create a loop A → B → A."}
    assert Dependency.objects.count() == 1


def test_invalid_task_input_is_a_422_per_field(org, client):
    """Given invalid values, unknown ids and impossible combinations, then each is a 422 naming its fields,
    and nothing is written."""
    project = org.project_north
    path = f"/projects/{project.pk}/tasks"
    entries = AuditEntry.objects.count()

    shape = client.post(
        path,
        {
            "name": "",
            "duration_minutes": -1,
            "percent_complete": 101,
            "constraint_type": "SOON",
            "deadline": "1800-01-01T00:00:00",
            "colour": "red",
        },
    )
    assert set(field_errors(shape)) == {
        "name",
        "duration_minutes",
        "percent_complete",
        "constraint_type",
        "deadline",
        "colour",
    }
    unknown = client.post(path, {"name": "Orphan", "parent": 987654, "calendar": 987654})
    assert field_errors(unknown) == {
        "parent": "There is no task with id 987654.",
        "calendar": "There is no calendar with id 987654.",
    }
    undated = client.post(path, {"name": "Fixed", "constraint_type": "MSO"})
    assert "needs a date" in field_errors(undated)["constraint_date"]
    finished = client.post(path, {"name": "Done", "actual_finish": "2026-01-05T17:00:00"})
    assert "needs an actual start" in field_errors(finished)["actual_start"]
    assert not Task.objects.exists() and AuditEntry.objects.count() == entries


def test_a_parent_from_another_project_and_summary_values_are_refused(org, client, as_user):
    """Given a SOUTH task visible to the administrator, when it is named as the parent of a NORTH task, then
    422 on `parent`; setting a summary's duration is a 422 on that field."""
    south = services.task_create(actor=org.pm_south, project=org.project_south, name="Elsewhere")
    admin = as_user(org.admin)
    crossing = admin.post(f"/projects/{org.project_north.pk}/tasks", {"name": "Child", "parent": south.pk})
    assert "another project" in field_errors(crossing)["parent"]

    build = add(client, org.project_north, "Build")
    add(client, org.project_north, "Walls", parent=build["id"], duration_minutes=DAY)
    summary = client.patch(f"/tasks/{build['id']}", {"duration_minutes": 5 * DAY, "version": 1})
    assert "from its subtasks" in field_errors(summary)["duration_minutes"]


def test_scope_between_divisions_and_roles(org, client, as_user):
    """Given a NORTH task and link, then pm_south and the outsider get 404 for all of it, the team member and
    the executive may read but not write (403), and nothing changes."""
    project = org.project_north
    a = add(client, project, "A", duration_minutes=DAY)
    b = add(client, project, "B", duration_minutes=DAY)
    link = client.post(
        f"/projects/{project.pk}/dependencies", {"predecessor": a["id"], "successor": b["id"]}
    ).body
    services.baseline_save(actor=org.pm_north, project=project, number=0)
    paths = [
        f"/tasks/{a['id']}",
        f"/dependencies/{link['id']}",
        f"/projects/{project.pk}/tasks",
        f"/projects/{project.pk}/dependencies",
        f"/projects/{project.pk}/schedule",
        f"/projects/{project.pk}/baselines",
        f"/projects/{project.pk}/baselines/0/variance",
    ]
    for person in (org.pm_south, org.outsider):
        for path in paths:
            assert as_user(person).get(path).status == 404, (person, path)
        answer = as_user(person).patch(f"/tasks/{a['id']}", {"name": "Taken", "version": 1})
        assert answer.status == 404
    for person in (org.member_north, org.exec):
        reader = as_user(person)
        for path in paths:
            assert reader.get(path).status == 200, (person, path)
        assert reader.patch(f"/tasks/{a['id']}", {"name": "Taken", "version": 1}).status == 403
        assert reader.post(f"/projects/{project.pk}/tasks", {"name": "Probe"}).status == 403
        assert reader.post(f"/projects/{project.pk}/schedule/compute").status == 403
        assert reader.delete(f"/dependencies/{link['id']}", {"version": 1}).status == 403
    # Naming NORTH's tasks from SOUTH's project is refused as if they did not exist.
    crossing = as_user(org.pm_south).post(
        f"/projects/{org.project_south.pk}/dependencies", {"predecessor": a["id"], "successor": b["id"]}
    )
    assert set(field_errors(crossing)) == {"predecessor", "successor"}
    assert Task.objects.get(pk=a["id"]).name == "A" and Dependency.objects.count() == 1


def test_concurrent_edits_of_a_task(org, client, as_user):
    """Given two writers holding version 1, when both change the task, then the second gets 412 (If-Match)
    or 409 (body version), a write without a version gets 428, and the first change stays."""
    task = add(client, org.project_north, "A", duration_minutes=DAY)
    path = f"/tasks/{task['id']}"
    other = as_user(org.admin)

    assert client.patch(path, {"duration_minutes": 2 * DAY}, headers={"If-Match": '"1"'}).status == 200
    stale = other.patch(path, {"duration_minutes": 3 * DAY}, headers={"If-Match": '"1"'})
    assert (stale.status, stale.body["current_version"], stale.body["given_version"]) == (412, 2, 1)
    assert other.patch(path, {"duration_minutes": 3 * DAY, "version": 1}).status == 409
    assert other.patch(path, {"duration_minutes": 3 * DAY}).status == 428
    assert other.delete(path, {"version": 1}).status == 409
    assert Task.objects.get(pk=task["id"]).duration_minutes == 2 * DAY


def test_delete_a_task_and_a_link_and_clear_a_baseline(org, client):
    """Given a task with a link and a baseline, when the link, the task and the baseline are deleted, then
    each is gone and the schedule summary follows."""
    project = org.project_north
    a = add(client, project, "A", duration_minutes=DAY)
    b = add(client, project, "B", duration_minutes=DAY)
    link = client.post(
        f"/projects/{project.pk}/dependencies", {"predecessor": a["id"], "successor": b["id"]}
    ).body
    client.post(f"/projects/{project.pk}/baselines", {"number": 4, "name": "Tender"})

    assert client.delete(f"/dependencies/{link['id']}", headers={"If-Match": '"1"'}).status == 204
    assert client.delete(f"/tasks/{a['id']}", {"version": 1}).status == 204
    assert client.delete(f"/projects/{project.pk}/baselines/4").status == 204
    assert client.delete(f"/projects/{project.pk}/baselines/4").status == 404
    assert client.get(f"/projects/{project.pk}/baselines/4/variance").status == 404

    assert ProjectSchedule.objects.get(project=project).task_count == 1
    assert client.get(f"/projects/{project.pk}/baselines").body == []
