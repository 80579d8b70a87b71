"""Timesheet pages: my week (grid, saves, lines, copy, submit, correction), approvals, a week's detail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from keel.timesheets import services
from keel.timesheets.models import Timesheet, TimesheetEntry
from tests.timesheets.conftest import LAST_WEEK, WEEK, approved, day, fill, submitted

pytestmark = pytest.mark.django_db

WEEK_URL = f"/timesheets/{WEEK.isoformat()}/"
HTMX = {"HX-Request": "true"}


def test_my_week_lists_the_assigned_task_with_an_empty_grid(client, org, team):
    client.force_login(org.member_north)
    page = client.get(WEEK_URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "N-001" in text and "Build" in text and "Assigned this week" in text
    assert f'name="h-p{org.project_north.pk}-t{team.build.pk}-0"' in text
    assert not Timesheet.objects.exists()  # opening the page writes nothing


def test_the_dated_page_needs_a_date_and_a_sign_in(client, org):
    assert client.get(WEEK_URL).status_code == 302
    client.force_login(org.member_north)
    assert client.get("/timesheets/not-a-date/").status_code == 404
    assert client.get(reverse("timesheets:my_week"), {"week": day(3).isoformat()})["Location"] == WEEK_URL


def test_an_empty_week_says_what_to_do(client, org):
    client.force_login(org.pm_north)
    text = client.get(WEEK_URL).content.decode()
    assert "Nothing booked this week yet" in text


def test_htmx_save_creates_the_line_and_answers_totals(client, org, team):
    client.force_login(org.member_north)
    key = f"p{org.project_north.pk}-t{team.build.pk}"
    answer = client.post(
        WEEK_URL,
        {"action": "save", "week": WEEK.isoformat(), "version": "", f"h-{key}-0": "7,5", f"h-{key}-1": ""},
        headers=HTMX,
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    assert 'id="week-total" hx-swap-oob="true">7.50<' in text
    sheet = Timesheet.objects.get(user=org.member_north)
    assert f'id="ts-version" value="{sheet.version}"' in text
    # the same cell names find the line now that it exists
    client.post(
        WEEK_URL,
        {"action": "save", "week": WEEK.isoformat(), "version": sheet.version, f"h-{key}-0": "8"},
        headers=HTMX,
    )
    assert list(TimesheetEntry.objects.values_list("hours", flat=True)) == [Decimal("8")]


def test_htmx_save_reports_a_day_over_24_hours_and_saves_nothing(client, org, team):
    client.force_login(org.member_north)
    key = f"p{org.project_north.pk}-t{team.build.pk}"
    answer = client.post(
        WEEK_URL, {"action": "save", "week": WEEK.isoformat(), f"h-{key}-0": "25"}, headers=HTMX
    )
    assert "Not saved" in answer.content.decode() and "24" in answer.content.decode()
    assert not TimesheetEntry.objects.exists()
    answer = client.post(
        WEEK_URL, {"action": "save", "week": WEEK.isoformat(), f"h-{key}-0": "lots"}, headers=HTMX
    )
    assert "is not a number of hours" in answer.content.decode()


def test_add_line_copy_and_submit(client, org, team):
    fill(org.member_north, LAST_WEEK, [(org.project_north, team.design, {0: "1", 2: "1"})])
    client.force_login(org.member_north)
    # the task picker follows the project
    options = client.get(WEEK_URL, {"project": org.project_north.pk}, headers=HTMX).content.decode()
    assert "Design" in options and "Survey" not in options
    south = client.get(WEEK_URL, {"project": org.project_south.pk}, headers=HTMX).content.decode()
    assert "Survey" not in south
    refused = client.post(
        WEEK_URL, {"action": "add_line", "week": WEEK.isoformat(), "project": org.project_south.pk}
    )
    assert refused.status_code == 422 and "S-001" not in refused.content.decode()
    added = client.post(
        WEEK_URL,
        {"action": "add_line", "week": WEEK.isoformat(), "project": org.project_north.pk, "note": "Support"},
    )
    assert added.status_code == 302
    sheet = Timesheet.objects.get(user=org.member_north, week=WEEK)
    copied = client.post(WEEK_URL, {"action": "copy", "week": WEEK.isoformat(), "version": sheet.version})
    assert copied.status_code == 302
    assert sheet.lines.count() == 2
    sheet.refresh_from_db()
    done = client.post(WEEK_URL, {"action": "submit", "week": WEEK.isoformat(), "version": sheet.version})
    assert done.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == Timesheet.Status.SUBMITTED
    page = client.get(WEEK_URL).content.decode()
    assert "waiting for approval" in page and 'name="h-' not in page


def test_a_locked_week_offers_a_correction(client, org, team):
    approved(org.member_north, WEEK, [(org.project_north, team.build, {0: "8"})], org.pm_north)
    client.force_login(org.member_north)
    page = client.get(WEEK_URL).content.decode()
    assert "the week is locked" in page and "Open a correction" in page
    client.post(WEEK_URL, {"action": "correct", "week": WEEK.isoformat()})
    page = client.get(WEEK_URL).content.decode()
    assert "Correction 1" in page and "The week as approved" in page


def test_unknown_actions_are_refused(client, org):
    client.force_login(org.member_north)
    assert client.post(WEEK_URL, {"week": WEEK.isoformat()}).status_code == 422
    assert not Timesheet.objects.exists()


def test_approvals_and_decisions_on_pages(client, org, team):
    sheet = submitted(org.member_north, WEEK, [(org.project_north, team.build, {0: "8"})])
    client.force_login(org.member_north)
    assert client.get(reverse("timesheets:approvals")).status_code == 403
    assert (
        client.post(reverse("timesheets:sheet_detail", args=[sheet.pk]), {"action": "approve"}).status_code
        == 403
    )

    client.force_login(org.pm_north)
    listing = client.get(reverse("timesheets:approvals")).content.decode()
    assert reverse("timesheets:sheet_detail", args=[sheet.pk]) in listing
    detail = client.get(reverse("timesheets:sheet_detail", args=[sheet.pk])).content.decode()
    assert "Build" in detail and "Approve" in detail
    no_comment = client.post(
        reverse("timesheets:sheet_detail", args=[sheet.pk]), {"action": "reject", "version": sheet.version}
    )
    assert no_comment.status_code == 422 and "Say why" in no_comment.content.decode()
    done = client.post(
        reverse("timesheets:sheet_detail", args=[sheet.pk]), {"action": "approve", "version": sheet.version}
    )
    assert done.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == Timesheet.Status.APPROVED

    client.force_login(org.pm_south)
    assert client.get(reverse("timesheets:sheet_detail", args=[sheet.pk])).status_code == 404
    empty = client.get(reverse("timesheets:approvals")).content.decode()
    assert "Nothing waits for your approval" in empty


def test_page_queries_do_not_grow_with_lines(client, org, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from keel.schedule import services as schedule_services

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(WEEK_URL).status_code == 200
        return len(captured)

    fill(org.member_north, WEEK, [(org.project_north, None, {0: "1"})])
    client.force_login(org.member_north)
    one = queries()
    sheet = Timesheet.objects.get(user=org.member_north)
    for n in range(8):
        task = schedule_services.task_create(actor=org.pm_north, project=org.project_north, name=f"Extra {n}")
        services.line_add(
            actor=org.member_north,
            timesheet=sheet,
            version=sheet.version,
            project=org.project_north,
            task=task,
        )
    sheet.refresh_from_db()
    services.entry_set(
        actor=org.member_north,
        timesheet=sheet,
        version=sheet.version,
        entries=[services.EntryInput(line, day(1), Decimal("0.5")) for line in sheet.lines.all()],
    )
    many = queries()
    assert many == one <= 12


def test_a_rejected_week_shows_why_and_is_editable_again(client, org, team):
    sheet = submitted(org.member_north, WEEK, [(org.project_north, team.build, {0: "8"})])
    services.timesheet_reject(
        actor=org.pm_north, timesheet=sheet, version=sheet.version, comment="Book Monday on Design"
    )
    client.force_login(org.member_north)
    page = client.get(WEEK_URL).content.decode()
    assert "Book Monday on Design" in page and 'name="h-l' in page
