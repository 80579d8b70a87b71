"""Imports through the API: POST /imports (multipart) answers 202 with the job, GET follows it.

Jobs run with django-tasks' ImmediateBackend when the upload's transaction commits, so the answer to
the GET after a POST shows the finished job.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from keel.portfolio.models import Project
from keel.schedule.models import ImportJob
from tests.api.conftest import BASE, Answer
from tests.schedule.test_import_jobs import PLAN, stored_uploads, upload
from tests.schedule.test_import_jobs import media as media  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("media")


def post_file(client: Any, data: dict[str, Any]) -> Answer:
    """POST /imports as multipart/form-data with the client's token."""
    headers = {"Authorization": f"Bearer {client.token}"} if client.token else {}
    response = client.client.post(f"{BASE}/imports", data=data, headers=headers)
    body = json.loads(response.content) if response.content else None
    return Answer(status=response.status_code, body=body, headers=response.headers)


def test_post_queues_the_import_and_get_shows_what_came_in(org, as_user, django_capture_on_commit_callbacks):
    # Given pm_north's token, when they upload a file into NORTH
    client = as_user(org.pm_north)
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_file(client, {"file": upload(), "org_unit": org.north.pk, "code": "WH-API"})
    # Then the answer is 202 with the queued job and where to follow it
    assert answer.status == 202, answer.body
    job = answer.body
    assert (job["status"], job["progress"], job["file_name"]) == ("queued", 0, "fit-out.xml")
    assert job["org_unit"] == {"id": org.north.pk, "code": "NORTH", "name": "Division North"}
    assert job["summary"] is None and job["project"] is None and job["error"] == ""
    assert answer.headers["Location"] == f"{BASE}/imports/{job['id']}"
    # When they follow it Then the job has succeeded with the summary and the project
    followed = client.get(f"/imports/{job['id']}")
    assert followed.status == 200
    assert (followed.body["status"], followed.body["progress"]) == ("succeeded", 100)
    project = Project.objects.get(code="WH-API")
    assert followed.body["project"] == {"id": project.pk, "code": "WH-API", "name": "Warehouse fit-out"}
    summary = followed.body["summary"]
    assert (summary["tasks"], summary["milestones"], summary["dependencies"]) == (5, 1, 3)
    assert summary["dependencies_by_type"] == {"FS": 2, "SS": 1, "FF": 0, "SF": 0}
    assert summary["resources_created"] == summary["assignments"] == 0 and summary["warnings"] == []
    # And the list shows it
    listed = client.get("/imports")
    assert [item["id"] for item in listed.body["items"]] == [job["id"]]


def test_a_failed_import_answers_the_error_and_no_project(org, as_user, django_capture_on_commit_callbacks):
    client = as_user(org.pm_north)
    before = Project.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_file(client, {"file": upload(PLAN[:200], "cut.xml"), "org_unit": org.north.pk})
    assert answer.status == 202
    followed = client.get(f"/imports/{answer.body['id']}").body
    assert followed["status"] == "failed"
    assert followed["error"].startswith("cut.xml: ")
    assert followed["project"] is None and followed["summary"] is None
    assert Project.objects.count() == before


@pytest.mark.parametrize(
    ("data", "status", "field", "message"),
    [
        ({"org_unit": "NORTH"}, 422, "file", "Choose the project file to import"),
        ({"file": "PLAN", "org_unit": "NORTH", "name": "n" * 201}, 422, "name", "Use at most 200 characters"),
        ({"file": "EMPTY", "org_unit": "NORTH"}, 422, "file", "empty.mpp is empty."),
        ({"file": "NOTES", "org_unit": "NORTH"}, 422, "file", "notes.txt is not a project file Keel reads"),
        ({"file": "PLAN"}, 422, "org_unit", "Name the org unit of the new project."),
        ({"file": "PLAN", "org_unit": 999_999}, 422, "org_unit", "There is no org unit with id 999999."),
        (
            {"file": "PLAN", "org_unit": "NORTH", "code": "N-001"},
            422,
            "code",
            "Project code N-001 is already",
        ),
        (
            {"file": "PLAN", "org_unit": "NORTH", "code": "x" * 31},
            422,
            "code",
            "Use at most 30 characters (this code has 31).",
        ),
        (
            {"file": "BIG", "org_unit": "NORTH"},
            413,
            "file",
            "huge.xml is 1.0 MB; Keel imports files of at most 1 MB.",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(org, as_user, settings, media, data, status, field, message):
    settings.KEEL_IMPORT_MAX_MB = 1
    files = {
        "EMPTY": upload(b"", "empty.mpp"),
        "NOTES": upload(b"Kick-off on Monday.\n", "notes.txt"),
        "PLAN": upload(),
        "BIG": upload(b"<" + b" " * (1024 * 1024), "huge.xml"),
    }
    values = {key: files.get(value, value) if key == "file" else value for key, value in data.items()}
    if values.get("org_unit") == "NORTH":
        values["org_unit"] = org.north.pk
    answer = post_file(as_user(org.pm_north), values)
    assert answer.status == status, answer.body
    [item] = answer.body["detail"]
    assert item["loc"] == ["body", field]
    assert item["msg"].startswith(message)
    assert ImportJob.objects.count() == 0 and stored_uploads(media) == []


def test_a_json_body_is_refused_naming_the_fields(org, as_user):
    # Given a JSON body (uploads are multipart/form-data)
    answer = as_user(org.pm_north).post("/imports", {"org_unit": org.north.pk})
    # Then both fields are named as missing
    assert answer.status == 422
    assert [item["loc"] for item in answer.body["detail"]] == [["body", "file"], ["body", "org_unit"]]
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "unit", "status"),
    [
        ("pm_north", "south", 422),
        ("exec", "north", 403),
        ("member_north", "north", 403),
        ("outsider", "north", 403),
    ],
)
def test_only_those_who_may_create_projects_there_may_import(org, as_user, who, unit, status):
    # pm_north cannot see SOUTH (named like a unit that does not exist); the executive and a team member
    # see NORTH but create no projects; the outsider has no role
    answer = post_file(as_user(getattr(org, who)), {"file": upload(), "org_unit": getattr(org, unit).pk})
    assert answer.status == status, answer.body
    if status == 422:
        assert answer.body["detail"][0]["loc"] == ["body", "org_unit"]
    assert ImportJob.objects.count() == 0


def test_without_credentials_it_is_401(org, as_user):
    answer = post_file(as_user(None), {"file": upload(), "org_unit": org.north.pk})
    assert answer.status == 401
    assert as_user(None).get("/imports/1").status == 401


def test_a_job_out_of_scope_is_404(org, as_user):
    answer = post_file(as_user(org.pm_north), {"file": upload(), "org_unit": org.north.pk})
    job_id = answer.body["id"]
    assert as_user(org.pm_south).get(f"/imports/{job_id}").status == 404
    assert as_user(org.outsider).get(f"/imports/{job_id}").status == 404
    assert as_user(org.pm_south).get("/imports").body["items"] == []
    assert as_user(org.exec).get(f"/imports/{job_id}").status == 200


def test_a_broken_multipart_body_is_a_client_error(org, as_user):
    client = as_user(org.pm_north)
    response = client.client.post(
        f"{BASE}/imports",
        data=b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.xml"\r\n\r\n<',
        content_type="multipart/form-data; boundary=xyz",
        headers={"Authorization": f"Bearer {client.token}"},
    )
    assert 400 <= response.status_code < 500
