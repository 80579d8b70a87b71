"""The timesheet API: the owner's week end to end, approvals, and bad input answered 4xx naming the field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keel.timesheets.models import Timesheet
from tests.timesheets.conftest import LAST_WEEK, WEEK, approved, day, fill, submitted

pytestmark = pytest.mark.django_db


def _fields(answer) -> set[str]:
    return {item["loc"][-1] for item in answer.body["detail"]}


def test_a_week_through_the_api(org, team, as_user):
    fill(org.member_north, LAST_WEEK, [(org.project_north, None, {0: "1", 1: "1"})])
    lena = as_user(org.member_north)
    opened = lena.post("/timesheets/weeks", {"week": day(2).isoformat()})
    assert opened.status == 200, opened.body
    assert opened.body["week"] == WEEK.isoformat() and opened.body["status"] == "draft"
    sheet_id, etag = opened.body["id"], opened.etag

    entries = [
        {"project": org.project_north.pk, "task": team.build.pk, "date": day(0).isoformat(), "hours": "7.5"},
        {"project": org.project_north.pk, "task": team.build.pk, "date": day(1).isoformat(), "hours": 8},
    ]
    saved = lena.call(
        "PUT", f"/timesheets/{sheet_id}/entries", {"entries": entries}, headers={"If-Match": etag}
    )
    assert saved.status == 200, saved.body
    assert saved.body["total"] == "15.50"
    [line] = saved.body["lines"]
    assert line["task"]["name"] == "Build" and len(line["entries"]) == 2

    stale = lena.call("PUT", f"/timesheets/{sheet_id}/entries", {"entries": []}, headers={"If-Match": etag})
    assert stale.status == 412

    copied = lena.post(f"/timesheets/{sheet_id}/copy", {}, headers={"If-Match": saved.etag})
    assert copied.status == 200, copied.body
    assert copied.body["total"] == "17.50"

    done = lena.post(f"/timesheets/{sheet_id}/submit", {"version": copied.body["version"]})
    assert done.status == 200 and done.body["status"] == "submitted"

    waiting = as_user(org.pm_north).get("/timesheets/approvals")
    assert [item["id"] for item in waiting.body["items"]] == [sheet_id]
    assert Decimal(waiting.body["items"][0]["total_hours"]) == Decimal("17.5")

    pm = as_user(org.pm_north)
    answer = pm.post(
        f"/timesheets/{sheet_id}/approve", {"comment": "Thanks"}, headers={"If-Match": done.etag}
    )
    assert answer.status == 200 and answer.body["status"] == "approved"
    assert answer.body["decided_by"]["username"] == "pm_north"

    mine = lena.get("/timesheets/weeks")
    assert [(item["week"], item["status"]) for item in mine.body["items"]] == [
        (WEEK.isoformat(), "approved"),
        (LAST_WEEK.isoformat(), "draft"),
    ]

    locked = lena.call(
        "PUT",
        f"/timesheets/{sheet_id}/entries",
        {"entries": [{"line": line["id"], "date": day(2).isoformat(), "hours": 1}]},
        headers={"If-Match": answer.etag},
    )
    assert locked.status == 422 and _fields(locked) == {"timesheet"}
    assert "locked" in locked.body["detail"][0]["msg"]

    correction = lena.post(f"/timesheets/{sheet_id}/corrections")
    assert (
        correction.status == 200 and correction.body["revision"] == 1 and correction.body["status"] == "draft"
    )


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"hours": 25}, "hours"),
        ({"hours": -2}, "hours"),
        ({"hours": "1.005"}, "hours"),
        ({"hours": "many"}, "hours"),
        ({"date": "2026-03-09"}, "date"),
        ({"date": "not a date"}, "date"),
        ({"project": 999999}, "project"),
        ({"line": 999999}, "line"),
    ],
)
def test_bad_entries_are_refused_naming_the_field(org, team, as_user, entry, field):
    sheet = fill(org.member_north, WEEK, [(org.project_north, None, {0: "1"})])
    item = {"project": org.project_north.pk, "date": day(1).isoformat(), "hours": 2, **entry}
    answer = as_user(org.member_north).call(
        "PUT", f"/timesheets/{sheet.pk}/entries", {"entries": [item], "version": sheet.version}
    )
    assert answer.status == 422, answer.body
    assert field in _fields(answer)
    sheet.refresh_from_db()
    assert sheet.lines.get().entries.count() == 1


def test_a_south_project_is_not_bookable_from_north(org, team, as_user):
    sheet = fill(org.member_north, WEEK, [])
    item = {"project": org.project_south.pk, "date": day(1).isoformat(), "hours": 2}
    answer = as_user(org.member_north).call(
        "PUT", f"/timesheets/{sheet.pk}/entries", {"entries": [item], "version": sheet.version}
    )
    assert answer.status == 422 and _fields(answer) == {"project"}
    assert "S-001" not in str(answer.body)


def test_decisions_through_the_api(org, team, as_user):
    sheet = submitted(team.member_south, WEEK, [(org.project_south, team.survey, {0: "8"})])
    assert as_user(org.pm_north).get(f"/timesheets/{sheet.pk}").status == 404
    assert (
        as_user(org.pm_north).post(f"/timesheets/{sheet.pk}/approve", {"version": sheet.version}).status
        == 404
    )
    assert as_user(org.exec).get(f"/timesheets/{sheet.pk}").status == 200
    assert as_user(org.exec).post(f"/timesheets/{sheet.pk}/approve", {"version": sheet.version}).status == 403
    # the owner's own endpoints are the owner's only
    assert (
        as_user(org.pm_south).post(f"/timesheets/{sheet.pk}/submit", {"version": sheet.version}).status == 404
    )
    no_comment = as_user(org.pm_south).post(f"/timesheets/{sheet.pk}/reject", {"version": sheet.version})
    assert no_comment.status == 422 and _fields(no_comment) == {"comment"}
    no_version = as_user(org.pm_south).post(f"/timesheets/{sheet.pk}/reject", {"comment": "why"})
    assert no_version.status == 428
    rejected = as_user(org.pm_south).post(
        f"/timesheets/{sheet.pk}/reject",
        {"comment": "Split the survey hours by site", "version": sheet.version},
    )
    assert rejected.status == 200 and rejected.body["status"] == "rejected"
    assert Timesheet.objects.get(pk=sheet.pk).comment == "Split the survey hours by site"


def test_approved_weeks_refuse_a_second_decision(org, team, as_user):
    sheet = approved(org.member_north, WEEK, [(org.project_north, team.build, {0: "8"})], org.pm_north)
    answer = as_user(org.pm_north).post(
        f"/timesheets/{sheet.pk}/reject", {"comment": "x", "version": sheet.version}
    )
    assert answer.status == 422 and _fields(answer) == {"status"}


def test_remove_a_line(org, team, as_user):
    sheet = fill(
        org.member_north,
        WEEK,
        [(org.project_north, None, {0: "1"}), (org.project_north, team.build, {0: "2"})],
    )
    line = sheet.lines.get(task=None)
    lena = as_user(org.member_north)
    assert lena.delete(f"/timesheets/{sheet.pk}/lines/{line.pk}").status == 428
    answer = lena.delete(f"/timesheets/{sheet.pk}/lines/{line.pk}", {"version": sheet.version})
    assert answer.status == 200 and answer.body["total"] == "2.00"
    assert [row["task"]["name"] for row in answer.body["lines"]] == ["Build"]
    assert (
        lena.delete(f"/timesheets/{sheet.pk}/lines/{line.pk}", {"version": answer.body["version"]}).status
        == 404
    )
    other = fill(team.member_south, WEEK, [(org.project_south, None, {0: "1"})])
    assert lena.delete(f"/timesheets/{other.pk}/lines/{other.lines.get().pk}", {"version": 1}).status == 404
