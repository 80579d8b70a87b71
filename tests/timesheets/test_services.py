"""Timesheet services: the owner's week, every refusal with its field, locking, corrections, approval rights."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from keel.core.errors import ConflictError, PermissionDenied
from keel.core.models import AuditEntry
from keel.timesheets import selectors, services
from keel.timesheets.models import Timesheet, TimesheetEntry, TimesheetLine
from tests.timesheets.conftest import LAST_WEEK, WEEK, approved, day, fill, h, submitted

pytestmark = pytest.mark.django_db


def _fields(exc) -> set[str]:
    return set(exc.value.message_dict)


# --- the week --------------------------------------------------------------------------------------------


def test_get_or_create_week_normalises_to_monday_and_is_idempotent(org, team):
    sheet = services.timesheet_get_or_create_week(actor=org.member_north, week=day(3))
    assert sheet.week == WEEK and sheet.status == Timesheet.Status.DRAFT and sheet.revision == 0
    again = services.timesheet_get_or_create_week(actor=org.member_north, week=WEEK)
    assert again.pk == sheet.pk
    entries = AuditEntry.objects.filter(object_id=str(sheet.pk), content_type__model="timesheet")
    assert [e.action for e in entries] == ["create"]
    assert entries[0].unit_path == org.north.path  # the owner's home unit, through their resource


def test_entries_set_and_cleared_with_totals(org, team):
    sheet = fill(org.member_north, WEEK, [(org.project_north, team.build, {0: "7.5", 1: "8"})])
    view = selectors.sheet_view(sheet)
    assert view.day_totals[:3] == [h("7.5"), h("8"), h("0")]
    assert view.total == h("15.5")
    line = view.rows[0].line
    services.entry_set(
        actor=org.member_north,
        timesheet=sheet,
        version=sheet.version,
        entries=[services.EntryInput(line, day(0), None), services.EntryInput(line, day(1), Decimal("0"))],
    )
    assert not TimesheetEntry.objects.filter(line=line).exists()


@pytest.mark.parametrize(
    ("hours", "field"),
    [(Decimal("-1"), "hours"), (Decimal("25"), "hours"), (Decimal("1.125"), "hours")],
)
def test_bad_hours_are_refused_naming_the_field(org, team, hours, field):
    sheet = fill(org.member_north, WEEK, [(org.project_north, team.build, {0: "2"})])
    line = sheet.lines.get()
    with pytest.raises(ValidationError) as exc:
        services.entry_set(
            actor=org.member_north,
            timesheet=sheet,
            version=sheet.version,
            entries=[
                services.EntryInput(line, day(1), Decimal("3")),
                services.EntryInput(line, day(2), hours),
            ],
        )
    assert _fields(exc) == {field}
    # nothing half-written: the valid entry of the same call is not there either
    assert list(TimesheetEntry.objects.filter(line=line).values_list("hours", flat=True)) == [h("2")]


def test_a_day_holds_at_most_24_hours_over_all_lines(org, team):
    sheet = fill(org.member_north, WEEK, [(org.project_north, team.build, {0: "16"})])
    design = services.line_add(
        actor=org.member_north,
        timesheet=sheet,
        version=sheet.version,
        project=org.project_north,
        task=team.design,
    )
    with pytest.raises(ValidationError) as exc:
        services.entry_set(
            actor=org.member_north,
            timesheet=sheet,
            version=sheet.version,
            entries=[services.EntryInput(design, day(0), Decimal("9"))],
        )
    assert _fields(exc) == {"hours"}
    assert "at most 24" in str(exc.value)
    assert not TimesheetEntry.objects.filter(line=design).exists()


def test_a_date_outside_the_week_is_refused(org, team):
    sheet = fill(org.member_north, WEEK, [(org.project_north, team.build, {})])
    line = sheet.lines.get()
    with pytest.raises(ValidationError) as exc:
        services.entry_set(
            actor=org.member_north,
            timesheet=sheet,
            version=sheet.version,
            entries=[services.EntryInput(line, day(7), Decimal("1"))],
        )
    assert _fields(exc) == {"date"}


def test_a_stale_version_is_refused_and_nothing_written(org, team):
    sheet = fill(org.member_north, WEEK, [(org.project_north, team.build, {})])
    line = sheet.lines.get()
    with pytest.raises(ConflictError):
        services.entry_set(
            actor=org.member_north,
            timesheet=sheet,
            version=sheet.version - 1,
            entries=[services.EntryInput(line, day(0), Decimal("1"))],
        )
    assert not TimesheetEntry.objects.exists()


def test_lines_only_on_projects_and_tasks_one_may_book(org, team):
    sheet = services.timesheet_get_or_create_week(actor=org.member_north, week=WEEK)
    with pytest.raises(ValidationError) as exc:  # SOUTH's project: member_north has no role there
        services.line_add(
            actor=org.member_north, timesheet=sheet, version=sheet.version, project=org.project_south
        )
    assert _fields(exc) == {"project"}
    with pytest.raises(ValidationError) as exc:  # a task of another project
        services.line_add(
            actor=org.member_north,
            timesheet=sheet,
            version=sheet.version,
            project=org.project_north,
            task=team.survey,
        )
    assert _fields(exc) == {"task"}
    services.line_add(
        actor=org.member_north, timesheet=sheet, version=sheet.version, project=org.project_north
    )
    with pytest.raises(ValidationError) as exc:  # the same line twice
        services.line_add(
            actor=org.member_north, timesheet=sheet, version=sheet.version, project=org.project_north
        )
    assert _fields(exc) == {"project"}


def test_an_assignment_makes_a_project_bookable(org, team):
    # member_south is assigned to a NORTH task although they hold no role in NORTH
    from keel.resources.models import Assignment

    Assignment.objects.create(task=team.design, resource=team.sam)
    assert org.project_north in selectors.bookable_projects(team.member_south)
    assert org.project_north not in selectors.bookable_projects(org.outsider)


def test_only_the_owner_writes(org, team):
    sheet = fill(org.member_north, WEEK, [(org.project_north, team.build, {0: "1"})])
    with pytest.raises(PermissionDenied):
        services.line_add(
            actor=org.pm_north, timesheet=sheet, version=sheet.version, project=org.project_north
        )
    with pytest.raises(PermissionDenied):
        services.timesheet_submit(actor=org.pm_north, timesheet=sheet, version=sheet.version)


# --- copy last week ------------------------------------------------------------------------------------------


def test_copy_all_lines_from_last_week_with_their_hours(org, team):
    fill(
        org.member_north,
        LAST_WEEK,
        [(org.project_north, team.build, {0: "2", 4: "3"}), (org.project_north, None, {2: "1"})],
    )
    sheet = services.timesheet_get_or_create_week(actor=org.member_north, week=WEEK)
    lines = services.line_copy_from_last_week(actor=org.member_north, timesheet=sheet, version=sheet.version)
    assert len(lines) == 2
    hours = dict(TimesheetEntry.objects.filter(line__timesheet=sheet).values_list("date", "hours"))
    assert hours == {day(0): h("2"), day(4): h("3"), day(2): h("1")}


def test_copy_one_line_keeps_hours_already_entered(org, team):
    last = fill(
        org.member_north,
        LAST_WEEK,
        [(org.project_north, team.build, {0: "2", 1: "2"}), (org.project_north, None, {2: "1"})],
    )
    recurring = last.lines.get(task=team.build)
    sheet = fill(org.member_north, WEEK, [(org.project_north, team.build, {0: "5"})])
    services.line_copy_from_last_week(
        actor=org.member_north, timesheet=sheet, version=sheet.version, line=recurring
    )
    assert TimesheetLine.objects.filter(timesheet=sheet).count() == 1
    hours = dict(TimesheetEntry.objects.filter(line__timesheet=sheet).values_list("date", "hours"))
    assert hours == {day(0): h("5"), day(1): h("2")}


def test_copy_refuses_a_line_that_is_not_last_weeks(org, team):
    sheet = fill(org.member_north, WEEK, [(org.project_north, team.build, {0: "5"})])
    with pytest.raises(ValidationError) as exc:
        services.line_copy_from_last_week(
            actor=org.member_north, timesheet=sheet, version=sheet.version, line=sheet.lines.get()
        )
    assert _fields(exc) == {"line"}
    with pytest.raises(ValidationError) as exc:
        services.line_copy_from_last_week(actor=org.member_north, timesheet=sheet, version=sheet.version)
    assert _fields(exc) == {"line"}


# --- submit, approve, reject, lock ---------------------------------------------------------------------------


def test_an_empty_week_is_not_submitted(org, team):
    sheet = fill(org.member_north, WEEK, [(org.project_north, team.build, {})])
    with pytest.raises(ValidationError) as exc:
        services.timesheet_submit(actor=org.member_north, timesheet=sheet, version=sheet.version)
    assert _fields(exc) == {"hours"}


def test_submitted_weeks_wait_and_refuse_changes(org, team):
    sheet = submitted(org.member_north, WEEK, [(org.project_north, team.build, {0: "8"})])
    assert sheet.status == Timesheet.Status.SUBMITTED and sheet.submitted_at is not None
    with pytest.raises(ValidationError) as exc:
        services.entry_set(
            actor=org.member_north,
            timesheet=sheet,
            version=sheet.version,
            entries=[services.EntryInput(sheet.lines.get(), day(1), Decimal("1"))],
        )
    assert _fields(exc) == {"timesheet"}
    assert "waits for approval" in str(exc.value)


def test_approval_locks_the_week_and_feeds_actual_work(org, team):
    sheet = approved(
        org.member_north, WEEK, [(org.project_north, team.build, {0: "8", 1: "1.5"})], org.pm_north
    )
    assert sheet.status == Timesheet.Status.APPROVED
    assert sheet.decided_by == org.pm_north and sheet.decided_at is not None
    team.assignment.refresh_from_db()
    assert team.assignment.actual_work_minutes == 570
    line = sheet.lines.get()
    for write in (
        lambda: services.entry_set(
            actor=org.member_north,
            timesheet=sheet,
            version=sheet.version,
            entries=[services.EntryInput(line, day(2), Decimal("1"))],
        ),
        lambda: services.line_add(
            actor=org.member_north, timesheet=sheet, version=sheet.version, project=org.project_north
        ),
        lambda: services.line_delete(
            actor=org.member_north, timesheet=sheet, version=sheet.version, line=line
        ),
        lambda: services.line_copy_from_last_week(
            actor=org.member_north, timesheet=sheet, version=sheet.version
        ),
        lambda: services.timesheet_submit(actor=org.member_north, timesheet=sheet, version=sheet.version),
    ):
        with pytest.raises(ValidationError) as exc:
            write()
        assert _fields(exc) == {"timesheet"}
        assert "locked" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.timesheet_approve(actor=org.pm_north, timesheet=sheet, version=sheet.version)
    assert _fields(exc) == {"status"}


def test_reject_needs_a_comment_then_the_owner_fixes_and_resubmits(org, team):
    sheet = submitted(org.member_north, WEEK, [(org.project_north, team.build, {0: "8"})])
    with pytest.raises(ValidationError) as exc:
        services.timesheet_reject(actor=org.pm_north, timesheet=sheet, version=sheet.version, comment="  ")
    assert _fields(exc) == {"comment"}
    sheet = services.timesheet_reject(
        actor=org.pm_north, timesheet=sheet, version=sheet.version, comment="Monday was a holiday"
    )
    assert sheet.status == Timesheet.Status.REJECTED and sheet.comment == "Monday was a holiday"
    sheet = services.entry_set(
        actor=org.member_north,
        timesheet=sheet,
        version=sheet.version,
        entries=[
            services.EntryInput(sheet.lines.get(), day(0), None),
            services.EntryInput(sheet.lines.get(), day(1), Decimal("8")),
        ],
    )
    sheet = services.timesheet_submit(actor=org.member_north, timesheet=sheet, version=sheet.version)
    assert sheet.status == Timesheet.Status.SUBMITTED
    team.assignment.refresh_from_db()
    assert team.assignment.actual_work_minutes == 0  # nothing approved yet


def test_approval_rights(org, team):
    north = submitted(org.member_north, WEEK, [(org.project_north, team.build, {0: "8"})])
    south = submitted(team.member_south, WEEK, [(org.project_south, team.survey, {0: "8"})])
    # the sibling division's project manager neither sees nor approves
    with pytest.raises(PermissionDenied):
        services.timesheet_approve(actor=org.pm_south, timesheet=north, version=north.version)
    assert north not in selectors.timesheet_list_visible(org.pm_south)
    assert south not in selectors.timesheet_list_visible(org.pm_north)
    # a team member and an executive do not approve
    with pytest.raises(PermissionDenied):
        services.timesheet_approve(actor=org.exec, timesheet=south, version=south.version)
    with pytest.raises(PermissionDenied):
        services.timesheet_approve(actor=team.member_south, timesheet=north, version=north.version)
    # the owner does not approve their own week
    with pytest.raises(PermissionDenied):
        services.timesheet_approve(actor=org.member_north, timesheet=north, version=north.version)
    # the resource manager of the owner's pool approves; the central PMO administrator approves anywhere
    services.timesheet_approve(actor=team.raj, timesheet=north, version=north.version)
    services.timesheet_approve(actor=org.admin, timesheet=south, version=south.version)


def test_a_resource_manager_approves_people_of_their_pool_on_any_project(org, team):
    from keel.resources.models import Assignment

    Assignment.objects.create(task=team.survey, resource=team.lena)  # member_north works on a SOUTH task
    sheet = submitted(
        org.member_north,
        WEEK,
        [(org.project_south, team.survey, {0: "4"}), (org.project_north, None, {0: "4"})],
    )
    assert not selectors.can_approve(org.pm_north, sheet)  # one line is on SOUTH's project
    assert not selectors.can_approve(org.pm_south, sheet)
    assert selectors.can_approve(team.raj, sheet)
    # pm_north sees the sheet but only the line on NORTH's project
    view = selectors.sheet_view_for_user(org.pm_north, sheet.pk)
    assert [r.project for r in view.rows] == [org.project_north] and view.hidden_lines == 1
    services.timesheet_approve(actor=team.raj, timesheet=sheet, version=sheet.version)


def test_a_pmo_admin_may_approve_their_own_week(org, team):
    sheet = submitted(org.admin, WEEK, [(org.project_north, None, {0: "2"})])
    services.timesheet_approve(actor=org.admin, timesheet=sheet, version=sheet.version)


def test_approvals_waiting_for_me(org, team):
    north = submitted(org.member_north, WEEK, [(org.project_north, team.build, {0: "8"})])
    south = submitted(team.member_south, WEEK, [(org.project_south, team.survey, {0: "8"})])
    fill(org.member_north, LAST_WEEK, [(org.project_north, team.build, {0: "1"})])  # a draft: not waiting
    assert list(selectors.approvals_waiting_for(org.pm_north)) == [north]
    assert list(selectors.approvals_waiting_for(team.raj)) == [north]
    assert list(selectors.approvals_waiting_for(org.pm_south)) == [south]
    assert set(selectors.approvals_waiting_for(org.admin)) == {north, south}
    assert list(selectors.approvals_waiting_for(org.member_north)) == []
    assert list(selectors.approvals_waiting_for(org.exec)) == []
    assert list(selectors.approvals_waiting_for(org.outsider)) == []


# --- corrections -----------------------------------------------------------------------------------------------


def test_corrections_go_through_approval_and_approved_hours_are_the_sum(org, team):
    sheet = approved(
        org.member_north, WEEK, [(org.project_north, team.build, {0: "8", 1: "8"})], org.pm_north
    )
    with pytest.raises(ValidationError) as exc:  # a draft week is not "corrected"
        draft = services.timesheet_get_or_create_week(actor=org.member_north, week=LAST_WEEK)
        services.timesheet_correct(actor=org.member_north, timesheet=draft)
    assert _fields(exc) == {"timesheet"}

    correction = services.timesheet_correct(actor=org.member_north, timesheet=sheet)
    assert correction.revision == 1 and correction.status == Timesheet.Status.DRAFT
    assert services.timesheet_correct(actor=org.member_north, timesheet=sheet).pk == correction.pk
    line = services.line_add(
        actor=org.member_north,
        timesheet=correction,
        version=correction.version,
        project=org.project_north,
        task=team.build,
    )
    # cannot take back more than was approved
    with pytest.raises(ValidationError) as exc:
        services.entry_set(
            actor=org.member_north,
            timesheet=correction,
            version=correction.version,
            entries=[services.EntryInput(line, day(2), Decimal("-1"))],
        )
    assert _fields(exc) == {"hours"}
    # nor push a day over 24 with the approved hours
    with pytest.raises(ValidationError) as exc:
        services.entry_set(
            actor=org.member_north,
            timesheet=correction,
            version=correction.version,
            entries=[services.EntryInput(line, day(0), Decimal("17"))],
        )
    assert _fields(exc) == {"hours"}
    correction = services.entry_set(
        actor=org.member_north,
        timesheet=correction,
        version=correction.version,
        entries=[
            services.EntryInput(line, day(1), Decimal("-2")),
            services.EntryInput(line, day(2), Decimal("1")),
        ],
    )
    rows = selectors.approved_hours([org.project_north.pk], WEEK, day(6))
    assert sum(r.hours for r in rows) == h("16")  # the correction counts only once approved
    correction = services.timesheet_submit(
        actor=org.member_north, timesheet=correction, version=correction.version
    )
    services.timesheet_approve(actor=org.pm_north, timesheet=correction, version=correction.version)

    rows = selectors.approved_hours([org.project_north.pk], WEEK, day(6))
    assert {(r.date, r.hours) for r in rows} == {(day(0), h("8")), (day(1), h("6")), (day(2), h("1"))}
    assert {(r.task_id, r.user_id, r.resource_id) for r in rows} == {
        (team.build.pk, org.member_north.pk, team.lena.pk)
    }
    total = TimesheetEntry.objects.filter(line__timesheet__status=Timesheet.Status.APPROVED).values_list(
        "hours", flat=True
    )
    assert sum(total) == h("15")
    # the first approval was never edited in place
    assert dict(TimesheetEntry.objects.filter(line__timesheet=sheet).values_list("date", "hours")) == {
        day(0): h("8"),
        day(1): h("8"),
    }
    team.assignment.refresh_from_db()
    assert team.assignment.actual_work_minutes == 15 * 60


def test_approved_hours_leaves_out_other_projects_and_days(org, team):
    approved(org.member_north, WEEK, [(org.project_north, team.build, {0: "8", 6: "2"})], org.pm_north)
    approved(team.member_south, WEEK, [(org.project_south, team.survey, {0: "8"})], org.pm_south)
    rows = selectors.approved_hours([org.project_north.pk], WEEK, day(5))
    assert [(r.project_id, r.date, r.hours) for r in rows] == [(org.project_north.pk, day(0), h("8"))]


def test_my_week_lists_the_tasks_assigned_this_week(org, team):
    week = selectors.my_week(org.member_north, day(2))
    assert week.week == WEEK and week.sheets == []
    assert [(r.project, r.task) for r in week.suggestions] == [(org.project_north, team.build)]
    far = selectors.my_week(org.member_north, WEEK.replace(year=2027))
    assert far.suggestions == []
    fill(org.member_north, WEEK, [(org.project_north, team.build, {0: "1"})])
    week = selectors.my_week(org.member_north, WEEK)
    assert week.suggestions == [] and len(week.current.rows) == 1


def test_deleting_a_task_keeps_its_hours_on_the_project(org, team):
    from keel.schedule import services as schedule_services

    sheet = approved(org.member_north, WEEK, [(org.project_north, team.design, {0: "3"})], org.pm_north)
    team.design.refresh_from_db()
    schedule_services.task_delete(actor=org.pm_north, task=team.design, version=team.design.version)
    [row] = selectors.approved_hours([org.project_north.pk], WEEK, day(6))
    assert (row.task_id, row.hours) == (None, h("3"))
    assert sheet.lines.get().task is None
