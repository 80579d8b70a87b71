"""The Gantt's details form (name, % complete, constraint, leveling delay) and indent/outdent, as pages."""

from __future__ import annotations

from keel.core.models import AuditEntry
from keel.schedule.models import ConstraintType
from tests.schedule import test_views
from tests.schedule.conftest import DAY, at, local
from tests.schedule.test_views import JSON, edit_url, tasks_by_name

built = test_views.built  # the fixture: Design → Build, Permits beside them

DETAILS = {"name": "Build", "percent_complete": 0, "constraint_type": "ASAP", "constraint_date": ""}


def post_details(client, org, task, **fields):
    """Post the details form of `task` at its current version, as the Gantt does."""
    data = {**DETAILS, "name": task.name, "version": task.version, **fields}
    return client.post(edit_url("task_edit", org.project_north, task_id=task.pk), data, **JSON)


def test_a_finish_no_later_than_before_the_links_is_flagged_and_the_finish_reported(client, org, built):
    """Given Build after Design, when its manager sets 'finish no later than 8 Jan' (links allow the 9th),
    then the constraint is stored at the end of that day, it wins over the link (MS Project's default) and
    the link is flagged; the answer names the constraint and the finish before and after."""
    client.force_login(org.pm_north)
    response = post_details(client, org, built["Build"], constraint_type="FNLT", constraint_date="2026-01-08")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message"] == (
        "‘Build’: Finish no later than 8 Jan 2026. Project finish: 9 Jan 2026 17:00 → 8 Jan 2026 17:00."
    )
    build = built["Build"]
    assert build.constraint_type == ConstraintType.FNLT and local(build.constraint_date) == at(8, 23, 59)
    assert local(build.finish) == at(8, 17)
    assert any("link from 'Design' is not met" in v for v in build.violations)
    row = tasks_by_name(body["gantt"])["Build"]
    assert (row["constraint_type"], row["constraint_day"]) == ("FNLT", "2026-01-08")


def test_a_dated_constraint_without_a_date_is_refused_beside_the_date(client, org, built):
    client.force_login(org.pm_north)
    response = post_details(client, org, built["Build"], constraint_type="MSO")
    assert response.status_code == 422
    assert response.json()["errors"]["constraint_date"] == ["A ‘must start on’ constraint needs a date."]
    assert built["Build"].version == 1


def test_renaming_and_progress_are_saved_and_audited(client, org, built):
    """When the manager renames Design and marks it 50 % complete, then both are saved, the Gantt shows
    them, and the audit trail has the change."""
    client.force_login(org.pm_north)
    response = post_details(client, org, built["Design"], name="Concept design", percent_complete=50)
    assert response.status_code == 200, response.content
    assert response.json()["message"] == (
        "‘Design’ is now called ‘Concept design’. ‘Concept design’ is 50% complete. "
        "Project finish unchanged: 9 Jan 2026 17:00."
    )
    row = tasks_by_name(response.json()["gantt"])["Concept design"]
    assert row["percent"] == 50
    entry = AuditEntry.objects.filter(object_id=str(built.tasks["Design"].pk)).order_by("-pk").first()
    assert entry.changes["name"] == ["Design", "Concept design"]
    assert entry.changes["percent_complete"] == [0, 50]


def test_bad_percent_and_elapsed_delay_are_refused(client, org, built):
    client.force_login(org.pm_north)
    response = post_details(client, org, built["Design"], percent_complete=120, leveling_delay="2ed")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "percent_complete" in errors
    assert errors["leveling_delay"] == [
        "Type the delay in working time (such as 2d or 4h), not elapsed time."
    ]


def test_a_leveling_delay_typed_in_days_moves_the_task(client, org, built):
    """When Permits (float 4 days) is held back 5 days by leveling, then it starts a week later and
    becomes the project's last task; the Gantt shows the delay."""
    client.force_login(org.pm_north)
    response = post_details(client, org, built["Permits"], leveling_delay="5d")
    assert response.status_code == 200, response.content
    assert response.json()["message"].startswith("‘Permits’ is held 5d by leveling. Project finish:")
    permits = built["Permits"]
    assert permits.leveling_delay_minutes == 5 * DAY and local(permits.start) == at(12, 8)
    assert tasks_by_name(response.json()["gantt"])["Permits"]["leveling_delay"] == "5d"
    page = client.get(edit_url("task_edit", org.project_north, task_id=permits.pk))
    assert page.status_code == 200 and 'value="5d"' in page.content.decode()


def test_indent_and_outdent_move_the_task_and_recompute(client, org, built):
    """When Permits is indented under Build, then Build becomes a summary and Permits is 2.1; outdenting
    puts it back at the top level as 3. Design and Build are linked: Build cannot go under Design."""
    client.force_login(org.pm_north)
    permits = built["Permits"]
    indent = client.post(
        edit_url("task_indent", org.project_north, task_id=permits.pk), {"version": permits.version}, **JSON
    )
    assert indent.status_code == 200, indent.content
    assert indent.json()["message"].startswith("‘Permits’ is now 2.1, under ‘Build’.")
    assert built["Build"].is_summary
    assert tasks_by_name(indent.json()["gantt"])["Permits"]["outline"] == "2.1"
    permits = built["Permits"]
    outdent = client.post(
        edit_url("task_outdent", org.project_north, task_id=permits.pk), {"version": permits.version}, **JSON
    )
    assert outdent.status_code == 200
    assert outdent.json()["message"].startswith("‘Permits’ is now 3, at the top level.")
    assert not built["Build"].is_summary

    build = built["Build"]
    linked = client.post(
        edit_url("task_indent", org.project_north, task_id=build.pk), {"version": build.version}, **JSON
    )
    assert linked.status_code == 422
    assert "‘Build’ follows ‘Design’" in " ".join(linked.json()["errors"]["__all__"])
    # The first task has nothing above it to go under: refused, saying why
    design = built["Design"]
    refused = client.post(
        edit_url("task_indent", org.project_north, task_id=design.pk), {"version": design.version}, **JSON
    )
    assert refused.status_code == 422
    assert "has no task above it" in " ".join(refused.json()["errors"]["__all__"])
    assert built["Build"].version == build.version


def test_a_viewer_cannot_edit_details_or_indent(client, org, built):
    client.force_login(org.member_north)
    build = built["Build"]
    for name in ("task_edit", "task_indent", "task_outdent"):
        response = client.post(
            edit_url(name, org.project_north, task_id=build.pk), {**DETAILS, "version": 1}, **JSON
        )
        assert response.status_code == 403, name
    assert built["Build"].version == 1
