"""Importing timesheet lines from CSV and Excel: all rows or none, every refusal named by line and column."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from keel.core.imports import ImportRefused
from keel.timesheets import services
from keel.timesheets.models import Timesheet, TimesheetEntry
from tests.timesheets.conftest import WEEK, approved, day, fill, submitted

pytestmark = pytest.mark.django_db


def _csv(*rows: str) -> bytes:
    return ("\n".join(("date,project,task,hours,note", *rows)) + "\n").encode()


def _refusals(actor, content: bytes, name: str = "hours.csv") -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRefused) as exc:
        services.timesheet_lines_import(actor=actor, name=name, content=content)
    return [(e.line, e.column, e.reason) for e in exc.value.report.errors]


def _hours(user) -> dict[tuple[str, str | None, str], Decimal]:
    return {
        (e.line.project.code, e.line.task.name if e.line.task else None, e.date.isoformat()): e.hours
        for e in TimesheetEntry.objects.filter(line__timesheet__user=user).select_related(
            "line__project", "line__task"
        )
    }


def test_rows_go_into_the_weeks_draft_timesheets(org, team):
    fill(org.member_north, WEEK, [(org.project_north, team.build, {0: "2"})])
    report = services.timesheet_lines_import(
        actor=org.member_north,
        name="hours.csv",
        content=_csv(
            f"{day(0)},N-001,{team.build.uid},3,pour",
            f"{day(0)},n-001,Build,1.5,",
            f"{day(1)},N-001,design,4,drawings",
            f"{day(8)},N-001,,7.25,next week",
        ),
    )
    assert report.created == 4 and report.ok
    assert _hours(org.member_north) == {
        ("N-001", "Build", day(0).isoformat()): Decimal("6.50"),
        ("N-001", "Design", day(1).isoformat()): Decimal("4.00"),
        ("N-001", None, day(8).isoformat()): Decimal("7.25"),
    }
    assert TimesheetEntry.objects.get(date=day(1)).note == "drawings"
    weeks = Timesheet.objects.filter(user=org.member_north).order_by("week")
    assert [(s.week, s.status) for s in weeks] == [(WEEK, "draft"), (day(7), "draft")]


def test_an_excel_file_is_read_too(org, team):
    book = Workbook()
    sheet = book.active
    sheet.append(["Date", "Project", "Task", "Hours", "Note"])
    sheet.append([day(2), "N-001", team.build.uid, 8, "on site"])
    buffer = io.BytesIO()
    book.save(buffer)
    services.timesheet_lines_import(actor=org.member_north, name="hours.xlsx", content=buffer.getvalue())
    assert _hours(org.member_north) == {("N-001", "Build", day(2).isoformat()): Decimal("8.00")}


def test_every_bad_row_is_reported_and_nothing_is_imported(org, team):
    fill(org.member_north, WEEK, [(org.project_north, team.build, {3: "20"})])
    before = _hours(org.member_north)
    refusals = _refusals(
        org.member_north,
        _csv(
            f"{day(0)},N-001,Build,8,fine",
            "02/03/2026,N-001,Build,1,",
            f"{day(0)},X-999,,1,",
            f"{day(0)},S-001,,1,",
            f"{day(0)},N-001,Nothing,1,",
            f"{day(0)},N-001,Build,-2,",
            f"{day(0)},N-001,Build,many,",
            f"{day(0)},N-001,Build,1.234,",
            f"{day(0)},N-001,Build,25,",
            f"{day(3)},N-001,Build,5,",
            f"{day(1)},N-001,Build,0,",
        ),
    )
    columns = [(line, column) for line, column, _ in refusals]
    assert columns == [
        (3, "date"),
        (4, "project"),
        (5, "project"),
        (6, "task"),
        (7, "hours"),
        (8, "hours"),
        (9, "hours"),
        (10, "hours"),
        (11, "hours"),
        (12, "hours"),
    ]
    reasons = {line: reason for line, _, reason in refusals}
    assert "not a date" in reasons[3]
    assert "no open project 'X-999'" in reasons[4]
    assert "no open project 'S-001'" in reasons[5]  # another division's project: out of scope
    assert "no task with UID, WBS code or name 'Nothing'" in reasons[6]
    assert "negative" in reasons[7]
    assert "not a number" in reasons[8]
    assert "two decimals" in reasons[9]
    assert "more than a day's 24" in reasons[10]
    assert "would hold 25" in reasons[11] and "already booked" in reasons[11]
    assert _hours(org.member_north) == before


def test_locked_weeks_refuse_their_rows(org, team):
    approved(org.member_north, WEEK, [(org.project_north, team.build, {0: "8"})], org.pm_north)
    submitted(org.member_north, day(7), [(org.project_north, team.build, {0: "8"})])
    refusals = _refusals(
        org.member_north,
        _csv(f"{day(1)},N-001,Build,1,", f"{day(8)},N-001,Build,1,"),
    )
    assert [(line, column) for line, column, _ in refusals] == [(2, "date"), (3, "date")]
    assert "approved" in refusals[0][2] and "locked" in refusals[0][2]
    assert "submitted" in refusals[1][2]


def test_a_summary_task_and_an_ambiguous_name_are_refused(org, team):
    from keel.schedule import services as schedule_services

    child = schedule_services.task_create(
        actor=org.pm_north, project=org.project_north, name="Build", parent=team.design, duration_minutes=480
    )
    refusals = _refusals(
        org.member_north,
        _csv(f"{day(0)},N-001,Design,1,", f"{day(0)},N-001,Build,1,", f"{day(0)},N-001,{child.uid},1,"),
    )
    assert [(line, column) for line, column, _ in refusals] == [(2, "task"), (3, "task")]
    assert "summary task" in refusals[0][2]
    assert "names 2 tasks" in refusals[1][2]


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("hours.pdf", b"x", "Upload a .csv or .xlsx file"),
        ("hours.csv", b"date,project\n2026-03-02,N-001\n", "lacks the column(s) hours"),
        ("hours.csv", b"date,project,hours\n", "no rows below its header"),
        ("hours.csv", b"", "The file is empty"),
        ("hours.xlsx", b"not a workbook", "not a readable Excel"),
    ],
)
def test_unreadable_files_are_refused_naming_the_file(org, team, name, content, reason):
    with pytest.raises(ValidationError) as exc:
        services.timesheet_lines_import(actor=org.member_north, name=name, content=content)
    assert reason in exc.value.message_dict["file"][0]
    assert not Timesheet.objects.exists()


def test_the_api_imports_or_answers_every_bad_cell(org, team, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = as_user(org.member_north)
    headers = {"Authorization": f"Bearer {api.token}"}
    url = f"/api/v1/timesheets/people/{org.member_north.pk}/import"
    bad = _csv(f"{day(0)},N-001,Build,8,", f"{day(0)},S-001,,1,", f"{day(0)},N-001,Build,-1,")
    response = api.client.post(url, {"file": SimpleUploadedFile("hours.csv", bad)}, headers=headers)
    assert response.status_code == 422
    items = response.json()["detail"]
    assert [tuple(i["loc"]) for i in items] == [("body", "file", 3, "project"), ("body", "file", 4, "hours")]
    assert not TimesheetEntry.objects.exists()
    missing = api.client.post(url, {}, headers=headers)
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"][-1] == "file"
    good = _csv(f"{day(0)},N-001,Build,8,", f"{day(1)},N-001,,1,")
    response = api.client.post(url, {"file": SimpleUploadedFile("hours.csv", good)}, headers=headers)
    assert (response.status_code, response.json()) == (201, {"created": 2})
    assert _hours(org.member_north)[("N-001", "Build", day(0).isoformat())] == Decimal("8.00")
    anonymous = api.client.post(url, {"file": SimpleUploadedFile("hours.csv", good)})
    assert anonymous.status_code == 401


def test_a_south_member_cannot_book_on_north_through_an_import(org, team, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = as_user(team.member_south)
    headers = {"Authorization": f"Bearer {api.token}"}
    content = _csv(f"{day(0)},N-001,{team.build.uid},8,")
    url = f"/api/v1/timesheets/people/{team.member_south.pk}/import"
    response = api.client.post(url, {"file": SimpleUploadedFile("hours.csv", content)}, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file", 2, "project"]
    assert not TimesheetEntry.objects.exists() and not Timesheet.objects.exists()
    # nobody imports into another person's weeks: 403 for whom sees them, 404 for the others
    north_url = f"/api/v1/timesheets/people/{org.member_north.pk}/import"
    fill(org.member_north, WEEK, [(org.project_north, team.build, {0: "1"})])
    upload = {"file": SimpleUploadedFile("hours.csv", _csv(f"{day(1)},N-001,,1,"))}
    assert api.client.post(north_url, upload, headers=headers).status_code == 404
    pm = as_user(org.pm_north)
    upload = {"file": SimpleUploadedFile("hours.csv", _csv(f"{day(1)},N-001,,1,"))}
    answer = pm.client.post(north_url, upload, headers={"Authorization": f"Bearer {pm.token}"})
    assert answer.status_code == 403
    assert list(_hours(org.member_north).values()) == [Decimal("1.00")]


def test_the_import_page_lists_every_problem_then_imports(client, org, team):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(org.member_north)
    url = reverse("timesheets:import")
    assert client.get(url).status_code == 200
    assert url in client.get(reverse("timesheets:my_week")).content.decode()
    bad = _csv(f"{day(0)},N-001,Build,8,", f"{day(0)},N-001,Build,abc,")
    page = client.post(url, {"file": SimpleUploadedFile("hours.csv", bad)})
    assert page.status_code == 422
    body = page.content.decode()
    assert "nothing was imported" in body and "&#x27;abc&#x27; is not a number of hours" in body
    assert not TimesheetEntry.objects.exists()
    good = _csv(f"{day(0)},N-001,Build,8,")
    page = client.post(url, {"file": SimpleUploadedFile("hours.csv", good)})
    assert page.status_code == 302 and page["Location"] == reverse("timesheets:my_week")
    assert TimesheetEntry.objects.get().hours == Decimal("8.00")
    client.logout()
    assert client.get(url).status_code == 302
