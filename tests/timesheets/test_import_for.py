"""Importing hours for someone else: the people who approve a person's weeks (their resource manager,
PMO administrators over their pool) import into the person's draft weeks under the person's rules, and
do not approve what they entered."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keel.core.errors import PermissionDenied
from keel.core.imports import ImportRefused
from keel.core.models import AuditEntry
from keel.timesheets import selectors, services
from keel.timesheets.models import Timesheet, TimesheetEntry
from tests.timesheets.conftest import WEEK, approved, day, fill, submitted

pytestmark = pytest.mark.django_db


def _csv(*rows: str) -> bytes:
    return ("\n".join(("date,project,task,hours,note", *rows)) + "\n").encode()


def _hours(user) -> dict[tuple[str, str | None, str], Decimal]:
    return {
        (e.line.project.code, e.line.task.name if e.line.task else None, e.date.isoformat()): e.hours
        for e in TimesheetEntry.objects.filter(line__timesheet__user=user).select_related(
            "line__project", "line__task"
        )
    }


def _post(api, person, content: bytes):
    return api.client.post(
        f"/api/v1/timesheets/people/{person.pk}/import",
        {"file": SimpleUploadedFile("hours.csv", content)},
        headers={"Authorization": f"Bearer {api.token}"},
    )


# --- who may enter hours for whom ---------------------------------------------------------------------------


def test_people_entered_for_follow_the_approval_rule_of_a_persons_weeks(org, team):
    def names(user):
        return set(selectors.people_entered_for(user).values_list("username", flat=True))

    assert names(team.raj) == {"raj", "member_north"}  # resource manager of NORTH: POOL-N
    assert names(org.admin) == {"admin", "member_north", "member_south"}  # PMO admin over both pools
    assert names(org.pm_north) == {"pm_north"}  # approves hours on projects, not a person's weeks
    assert names(org.exec) == {"exec"}  # sees the weeks, approves none
    assert names(org.member_north) == {"member_north"}
    team.member_south.is_active = False
    team.member_south.save()
    assert names(org.admin) == {"admin", "member_north"}


# --- the service ---------------------------------------------------------------------------------------------


def test_a_resource_manager_imports_into_the_persons_draft_weeks(org, team):
    fill(org.member_north, WEEK, [(org.project_north, team.build, {0: "2"})])
    report = services.timesheet_lines_import(
        actor=team.raj,
        person=org.member_north,
        name="hours.csv",
        content=_csv(f"{day(0)},N-001,Build,3,pour", f"{day(8)},N-001,,7.25,next week"),
    )
    assert report.created == 2
    assert _hours(org.member_north) == {
        ("N-001", "Build", day(0).isoformat()): Decimal("5.00"),
        ("N-001", None, day(8).isoformat()): Decimal("7.25"),
    }
    assert not Timesheet.objects.filter(user=team.raj).exists()
    weeks = Timesheet.objects.filter(user=org.member_north).order_by("week")
    assert [(s.week, s.status) for s in weeks] == [(WEEK, "draft"), (day(7), "draft")]
    assert {e.entered_by for e in TimesheetEntry.objects.all()} == {team.raj}
    created = AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, object_repr="Week of 2026-03-09")
    assert [a.actor for a in created] == [team.raj]
    # the person's My week names who entered hours for them
    view = selectors.my_week(org.member_north, WEEK)
    assert view.current.entered_by == ["Raj Rao"]


def test_the_persons_rules_apply_not_the_importers(org, team):
    approved(org.member_north, WEEK, [(org.project_north, team.build, {0: "8"})], org.pm_north)
    fill(org.member_north, day(7), [(org.project_north, team.build, {2: "20"})])
    with pytest.raises(ImportRefused) as exc:
        services.timesheet_lines_import(
            actor=org.admin,
            person=org.member_north,
            name="hours.csv",
            content=_csv(
                f"{day(8)},N-001,Build,2,fine",
                f"{day(1)},N-001,Build,1,",  # an approved week
                f"{day(8)},S-001,,1,",  # the admin books on S-001, the person cannot
                f"{day(9)},N-001,Build,5,",  # 25 hours with the person's own 20
                f"{day(8)},N-001,Build,-1,",
                f"{day(8)},N-001,Build,25,",
            ),
        )
    refusals = [(e.line, e.column, e.reason) for e in exc.value.report.errors]
    assert [(line, column) for line, column, _ in refusals] == [
        (3, "date"),
        (4, "project"),
        (5, "hours"),
        (6, "hours"),
        (7, "hours"),
    ]
    assert "locked" in refusals[0][2]
    assert (
        refusals[1][2] == f"There is no open project 'S-001' {org.member_north.get_full_name()} can book on."
    )
    assert "would hold 25" in refusals[2][2]
    assert "negative" in refusals[3][2]
    assert "more than a day's 24" in refusals[4][2]
    assert not TimesheetEntry.objects.filter(entered_by__isnull=False).exists()


def test_someone_who_does_not_approve_the_person_cannot_import_for_them(org, team):
    refused = [
        (org.pm_north, org.member_north),  # approves hours on N-001, not the person's weeks
        (org.exec, org.member_north),  # sees the weeks only
        (team.raj, team.member_south),  # another division's pool
        (org.member_north, team.member_south),
    ]
    for actor, person in refused:
        with pytest.raises(PermissionDenied):
            services.timesheet_lines_import(
                actor=actor, person=person, name="hours.csv", content=_csv(f"{day(0)},S-001,,1,")
            )
    assert not TimesheetEntry.objects.exists()


# --- no approving what one entered ----------------------------------------------------------------------------


def test_the_importer_does_not_approve_the_hours_they_entered(org, team, as_user):
    services.timesheet_lines_import(
        actor=team.raj, person=org.member_north, name="hours.csv", content=_csv(f"{day(0)},N-001,Build,8,")
    )
    sheet = Timesheet.objects.get(user=org.member_north)
    sheet = services.timesheet_submit(actor=org.member_north, timesheet=sheet, version=sheet.version)
    assert selectors.can_approve(team.raj, sheet)  # raj approves member_north's weeks in general
    with pytest.raises(ValidationError) as exc:
        services.timesheet_approve(actor=team.raj, timesheet=sheet, version=sheet.version)
    assert "You entered hours on this week" in exc.value.message_dict["timesheet"][0]
    api = as_user(team.raj)
    answer = api.client.post(
        f"/api/v1/timesheets/{sheet.pk}/approve",
        {"version": sheet.version},
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert answer.status_code == 422 and "entered hours" in str(answer.json())
    assert Timesheet.objects.get(pk=sheet.pk).status == "submitted"
    # rejecting stays possible, and another approver approves
    approved_sheet = services.timesheet_approve(actor=org.pm_north, timesheet=sheet, version=sheet.version)
    assert approved_sheet.status == "approved"


def test_hours_the_owner_changes_are_theirs_again(org, team):
    services.timesheet_lines_import(
        actor=team.raj, person=org.member_north, name="hours.csv", content=_csv(f"{day(0)},N-001,Build,8,")
    )
    sheet = Timesheet.objects.get(user=org.member_north)
    entry = TimesheetEntry.objects.get()
    services.entry_set(
        actor=org.member_north,
        timesheet=sheet,
        version=sheet.version,
        entries=[services.EntryInput(entry.line, day(0), Decimal("6"))],
    )
    entry.refresh_from_db()
    assert (entry.hours, entry.entered_by) == (Decimal("6.00"), None)
    sheet.refresh_from_db()
    sheet = services.timesheet_submit(actor=org.member_north, timesheet=sheet, version=sheet.version)
    assert (
        services.timesheet_approve(actor=team.raj, timesheet=sheet, version=sheet.version).status
        == "approved"
    )


# --- the API ----------------------------------------------------------------------------------------------------


def test_the_api_imports_for_a_managed_person_and_refuses_the_others(org, team, as_user):
    raj = as_user(team.raj)
    good = _csv(f"{day(0)},N-001,Build,8,", f"{day(1)},N-001,,1,")
    answer = _post(raj, org.member_north, good)
    assert (answer.status_code, answer.json()) == (201, {"created": 2})
    assert _hours(org.member_north)[("N-001", "Build", day(0).isoformat())] == Decimal("8.00")
    sheet = Timesheet.objects.get(user=org.member_north)
    assert sheet.status == "draft"
    # the week's answer names who entered hours for its owner; the owner's own week names nobody
    assert as_user(org.member_north).get(f"/timesheets/{sheet.pk}").body["entered_by"] == ["Raj Rao"]
    # bad rows: every bad cell answered, nothing written
    before = _hours(org.member_north)
    bad = _csv(f"{day(2)},N-001,Build,8,", f"{day(2)},S-001,,1,", f"{day(2)},N-001,Build,-1,")
    answer = _post(raj, org.member_north, bad)
    assert answer.status_code == 422
    assert [tuple(i["loc"]) for i in answer.json()["detail"]] == [
        ("body", "file", 3, "project"),
        ("body", "file", 4, "hours"),
    ]
    assert _hours(org.member_north) == before
    # another division's person: invisible to raj, 404; the PMO admin over both imports
    assert _post(raj, team.member_south, _csv(f"{day(0)},S-001,,1,")).status_code == 404
    assert not TimesheetEntry.objects.filter(line__timesheet__user=team.member_south).exists()
    admin = as_user(org.admin)
    assert _post(admin, team.member_south, _csv(f"{day(0)},S-001,,1,")).status_code == 201
    assert _hours(team.member_south) == {("S-001", None, day(0).isoformat()): Decimal("1.00")}
    # whoever sees the person's weeks without approving the person: 403, nothing written
    for viewer in (org.pm_north, org.exec):
        api = as_user(viewer)
        assert _post(api, org.member_north, _csv(f"{day(3)},N-001,,1,")).status_code == 403
    assert _post(as_user(org.pm_south), org.member_north, _csv(f"{day(3)},N-001,,1,")).status_code == 404
    assert not TimesheetEntry.objects.filter(date=day(3)).exists()


def test_the_own_import_is_unchanged_for_an_approver(org, team, as_user):
    raj = as_user(team.raj)
    answer = _post(raj, team.raj, _csv(f"{day(0)},N-001,,4,"))
    assert answer.status_code == 201
    entry = TimesheetEntry.objects.get()
    assert (entry.line.timesheet.user, entry.entered_by) == (team.raj, None)
    assert raj.get(f"/timesheets/{entry.line.timesheet_id}").body["entered_by"] == []


# --- the page -----------------------------------------------------------------------------------------------------


def test_the_page_offers_only_the_people_one_may_enter_for(client, org, team):
    url = reverse("timesheets:import")
    client.force_login(team.raj)
    page = client.get(url)
    choices = list(page.context["form"].fields["person"].queryset)
    assert set(choices) == {org.member_north, team.raj}
    assert page.context["form"]["person"].value() == team.raj.pk
    body = page.content.decode()
    assert f'value="{org.member_north.pk}"' in body and f'value="{team.member_south.pk}"' not in body
    client.force_login(org.member_north)
    assert list(client.get(url).context["form"].fields["person"].queryset) == [org.member_north]


def test_the_page_imports_for_another_person_and_names_them(client, org, team):
    org.member_north.first_name, org.member_north.last_name = "Lena", "North"  # no HTML escaping
    org.member_north.save()
    url = reverse("timesheets:import")
    client.force_login(team.raj)
    bad = _csv(f"{day(0)},N-001,Build,8,", f"{day(0)},N-001,Build,abc,")
    page = client.post(url, {"person": org.member_north.pk, "file": SimpleUploadedFile("hours.csv", bad)})
    assert page.status_code == 422
    body = page.content.decode()
    assert f"Problems found (1) for {org.member_north.get_full_name()} — nothing was imported" in body
    assert not TimesheetEntry.objects.exists()
    good = _csv(f"{day(0)},N-001,Build,8,")
    page = client.post(
        url, {"person": org.member_north.pk, "file": SimpleUploadedFile("hours.csv", good)}, follow=True
    )
    assert page.redirect_chain == [(url, 302)]
    name = org.member_north.get_full_name()
    assert f"1 row(s) of hours imported into the timesheets of {name}" in page.content.decode()
    assert TimesheetEntry.objects.get().line.timesheet.user == org.member_north
    # a person outside the picker is refused on the field, nothing written
    page = client.post(url, {"person": team.member_south.pk, "file": SimpleUploadedFile("hours.csv", good)})
    assert page.status_code == 422 and "person" in page.context["form"].errors
    assert TimesheetEntry.objects.count() == 1
    # the person sees who entered the hours in My week
    client.force_login(org.member_north)
    week = client.get(reverse("timesheets:my_week") + f"{WEEK.isoformat()}/").content.decode()
    assert 'id="entered-by"' in week and "Raj Rao" in week


def test_own_submitted_hours_are_still_refused_through_the_page(client, org, team):
    submitted(org.member_north, WEEK, [(org.project_north, team.build, {0: "8"})])
    client.force_login(team.raj)
    page = client.post(
        reverse("timesheets:import"),
        {"person": org.member_north.pk, "file": SimpleUploadedFile("hours.csv", _csv(f"{day(1)},N-001,,1,"))},
    )
    assert page.status_code == 422 and "submitted" in page.content.decode()
