"""Schedule services: the WBS, links, constraints, progress, recomputation on every change, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from keel.core.errors import ConflictError, PermissionDenied
from keel.core.models import AuditEntry
from keel.schedule import selectors, services
from keel.schedule.models import Dependency, ProjectSchedule, Task
from tests.factories import CalendarExceptionFactory, CalendarFactory, ProjectFactory
from tests.schedule.conftest import DAY, at, local, wall


def outline(project) -> list[tuple[str, str, bool]]:
    """(outline number, name, summary) of every task in WBS order."""
    return [
        (t.outline_number, t.name, t.is_summary)
        for t in Task.objects.filter(project=project).order_by("sort_index")
    ]


# --- the WBS -------------------------------------------------------------------------------------


def test_tasks_form_a_numbered_outline_that_follows_inserts_and_moves(plan, org):
    """Given tasks and subtasks, when tasks are inserted, indented, outdented and moved, then the outline
    numbers, rows and summary flags follow every change."""
    plan.task("Design", 2)
    plan.task("Build", 0)
    plan.task("Foundations", 3, parent="Build")
    plan.task("Walls", 2, parent="Build")
    plan.task("Handover", 0)
    assert outline(org.project_north) == [
        ("1", "Design", False),
        ("2", "Build", True),
        ("2.1", "Foundations", False),
        ("2.2", "Walls", False),
        ("3", "Handover", False),
    ]

    plan.task("Survey", 1, position=0)
    services.task_indent(actor=org.pm_north, task=plan["Handover"], version=plan["Handover"].version)
    services.task_outdent(actor=org.pm_north, task=plan["Foundations"], version=plan["Foundations"].version)

    assert outline(org.project_north) == [
        ("1", "Survey", False),
        ("2", "Design", False),
        ("3", "Build", True),
        ("3.1", "Walls", False),
        ("3.2", "Handover", False),
        ("4", "Foundations", False),
    ]
    assert [
        t.sort_index for t in Task.objects.filter(project=org.project_north).order_by("sort_index")
    ] == list(range(6))

    services.task_move(
        actor=org.pm_north, task=plan["Walls"], version=plan["Walls"].version, parent=plan["Design"]
    )
    assert outline(org.project_north)[1:4] == [
        ("2", "Design", True),
        ("2.1", "Walls", False),
        ("3", "Build", True),
    ]


def test_a_task_cannot_go_under_itself_or_its_subtasks(plan):
    """Given a summary with a subtask, when the summary is moved under its subtask, then the move is refused
    on `parent` and the outline is unchanged."""
    plan.task("Build", 0)
    plan.task("Walls", 2, parent="Build")

    with pytest.raises(ValidationError) as refused:
        plan.update("Build", parent=plan["Walls"])

    assert "under itself or its own subtask" in refused.value.message_dict["parent"][0]
    assert plan["Walls"].parent_id == plan["Build"].pk and plan["Build"].parent_id is None


def test_summary_tasks_store_their_roll_ups(plan):
    """Given a summary over a finished and a planned task, then it stores the span of its subtasks, the
    sum of their work and cost, and the share of their duration done."""
    plan.task("Build", 0)
    plan.task(
        "Foundations",
        3,
        parent="Build",
        work_minutes=3 * DAY,
        cost=Decimal("100.00"),
        actual_start=at(5, 8),
        actual_finish=at(7, 17),
    )
    plan.task("Walls", 2, parent="Build", work_minutes=2 * DAY, cost=Decimal("50.50"))
    plan.link("Foundations", "Walls")

    build = plan["Build"]
    assert (local(build.start), local(build.finish)) == (at(5, 8), at(9, 17))
    assert (build.duration_minutes, build.work_minutes, build.cost) == (
        5 * DAY,
        5 * DAY,
        Decimal("50.50") + 100,
    )
    assert build.percent_complete == 60  # three of five days done
    assert plan["Foundations"].percent_complete == 100  # a finished task is complete


def test_a_summary_refuses_the_values_it_rolls_up(plan):
    """Given a summary task, when its duration or progress is set, then both fields are refused."""
    plan.task("Build", 0)
    plan.task("Walls", 2, parent="Build")

    with pytest.raises(ValidationError) as refused:
        plan.update("Build", duration_minutes=DAY, percent_complete=50)

    assert set(refused.value.message_dict) == {"duration_minutes", "percent_complete"}


# --- dates, links and the critical path ----------------------------------------------------------


def test_links_drive_dates_and_the_critical_path_on_the_unit_calendar(plan, org):
    """Given A (2 days) → B (3 days) and C (1 day) alone, then B starts after A on the inherited eight-hour
    calendar, A and B are critical, C floats until the finish, and the schedule stores the summary."""
    plan.task("A", 2)
    plan.task("B", 3)
    plan.task("C", 1)
    plan.link("A", "B")

    a, b, c = plan["A"], plan["B"], plan["C"]
    assert (local(a.start), local(a.finish)) == (at(5, 8), at(6, 17))
    assert (local(b.start), local(b.finish)) == (at(7, 8), at(9, 17))
    assert (local(c.early_start), local(c.late_finish)) == (at(5, 8), at(9, 17))
    assert (a.is_critical, b.is_critical, c.is_critical) == (True, True, False)
    assert (c.total_float_minutes, c.free_float_minutes) == (4 * DAY, 4 * DAY)
    schedule = ProjectSchedule.objects.get(project=org.project_north)
    assert local(schedule.computed_finish) == at(9, 17)
    assert (schedule.minutes_per_day, schedule.minutes_per_week, schedule.time_zone) == (
        DAY,
        5 * DAY,
        "Europe/Oslo",
    )
    assert (schedule.task_count, schedule.critical_count, schedule.violation_count) == (3, 2, 0)


def test_lags_leads_and_link_types(plan):
    """Given SS with a one-day lag, FF, and FS with a half-day lead, then each successor sits where its link
    puts it."""
    plan.task("A", 2)
    plan.task("B", 2)
    plan.task("C", 1)
    plan.task("D", 1)
    plan.link("A", "B", type="SS", lag=DAY)
    plan.link("A", "C", type="FF")
    plan.link("B", "D", lag=-DAY // 2)

    assert local(plan["B"].start) == at(6, 8)
    assert (local(plan["C"].start), local(plan["C"].finish)) == (at(6, 8), at(6, 17))
    assert local(plan["D"].start) == at(7, 13)


def test_a_percentage_lag_and_an_elapsed_duration(plan):
    """Given B one day after A by a 50 % lag of A's two days, and C of two elapsed days after B, then the lag
    is one working day and C runs through the weekend, 48 hours."""
    plan.task("A", 2)
    plan.task("B", 1)
    plan.task("C", 0, duration_minutes=2 * 24 * 60, duration_unit="ed")
    plan.link("A", "B", lag=50, lag_unit="percent")
    plan.link("B", "C")

    c = plan["C"]
    assert local(plan["B"].start) == at(8, 8)
    assert c.elapsed
    assert (local(c.start), local(c.finish)) == (at(8, 17), at(10, 17))


def test_holidays_and_yearly_exceptions_of_the_calendar(plan, org, calendar8):
    """Given a holiday on Tuesday 6 January and 17 May every year, then work skips both days."""
    CalendarExceptionFactory(calendar=calendar8, name="Extra holiday", start_date=dt.date(2026, 1, 6))
    CalendarExceptionFactory(
        calendar=calendar8, name="Constitution Day", start_date=dt.date(2026, 5, 17), recurs_yearly=True
    )
    plan.task("A", 2)
    assert local(plan["A"].finish) == at(7, 17)

    schedule = ProjectSchedule.objects.get(project=org.project_north)
    services.schedule_update(
        actor=org.pm_north,
        project=org.project_north,
        version=schedule.version,
        start=wall("2027-05-17 00:00"),  # a Monday
    )
    assert (local(plan["A"].start), local(plan["A"].finish)) == (
        wall("2027-05-18 08:00"),
        wall("2027-05-19 17:00"),
    )


def test_a_task_calendar_and_a_project_calendar_override_the_unit(plan, org):
    """Given a night-shift task calendar, then the task works its hours; given a project calendar of ten-hour
    days, then the other tasks follow it and the minutes per day follow the calendar."""
    nights = CalendarFactory(name="Nights", working_week=[[["20:00", "24:00"]]] * 5 + [[], []])
    plan.task("Night work", 0, duration_minutes=240, calendar=nights)
    assert (local(plan["Night work"].start), local(plan["Night work"].finish)) == (at(5, 20), at(6, 0))

    long_days = CalendarFactory(name="Long days", working_week=[[["07:00", "17:00"]]] * 4 + [[], [], []])
    schedule = ProjectSchedule.objects.get(project=org.project_north)
    services.schedule_update(
        actor=org.pm_north, project=org.project_north, version=schedule.version, calendar=long_days
    )
    plan.task("Day work", 0, duration_minutes=1200)

    assert (local(plan["Day work"].start), local(plan["Day work"].finish)) == (at(5, 7), at(6, 17))
    schedule.refresh_from_db()
    assert (schedule.minutes_per_day, schedule.minutes_per_week) == (600, 2400)


def test_a_loop_is_refused_naming_it_and_nothing_is_written(plan, org):
    """Given A → B → C, when C → A is linked, then it is refused on `predecessor` naming the loop from A,
    and no link, audit entry or date changes."""
    plan.task("A", 1)
    plan.task("B", 1)
    plan.task("C", 1)
    plan.link("A", "B")
    plan.link("B", "C")
    links, entries = Dependency.objects.count(), AuditEntry.objects.count()
    before = [(t.pk, t.start, t.finish, t.version) for t in Task.objects.order_by("pk")]

    with pytest.raises(ValidationError) as refused:
        plan.link("C", "A")

    assert refused.value.message_dict == {"predecessor": ["This link would create a loop A → B → C → A."]}
    assert (Dependency.objects.count(), AuditEntry.objects.count()) == (links, entries)
    assert [(t.pk, t.start, t.finish, t.version) for t in Task.objects.order_by("pk")] == before


@pytest.mark.parametrize(
    ("predecessor", "successor", "field", "message"),
    [
        ("A", "A", "successor", "cannot follow itself"),
        ("A", "B", "successor", "already follows"),
        ("Build", "Walls", "successor", "summary task cannot be linked to its own subtasks"),
    ],
)
def test_impossible_links_are_refused(plan, predecessor, successor, field, message):
    """Given a self-link, a second link between two tasks, or a summary linked to its subtask, then each is
    refused on the field with the reason."""
    plan.task("A", 1)
    plan.task("B", 1)
    plan.task("Build", 0)
    plan.task("Walls", 1, parent="Build")
    plan.link("A", "B")

    with pytest.raises(ValidationError) as refused:
        plan.link(predecessor, successor)

    assert message in refused.value.message_dict[field][0]


def test_links_and_parents_stay_within_one_project(plan, org):
    """Given a task of another project, then it can be neither linked nor used as a parent."""
    plan.task("A", 1)
    other = ProjectFactory(org_unit=org.north)
    stranger = services.task_create(actor=org.pm_north, project=other, name="Elsewhere", duration_minutes=DAY)

    with pytest.raises(ValidationError) as linked:
        services.dependency_create(
            actor=org.pm_north, project=org.project_north, predecessor=plan["A"], successor=stranger
        )
    with pytest.raises(ValidationError) as parented:
        services.task_create(actor=org.pm_north, project=org.project_north, name="Child", parent=stranger)

    assert "another project" in linked.value.message_dict["successor"][0]
    assert "another project" in parented.value.message_dict["parent"][0]


# --- constraints, deadlines and progress ---------------------------------------------------------


def test_a_constraint_that_breaks_a_link_is_flagged(plan, org):
    """Given B after A with 'must start on' the project start, then B starts there and the broken link is
    flagged on B, naming A; the schedule counts one task with violations."""
    plan.task("A", 2)
    plan.task("B", 1, constraint_type="MSO", constraint_date=at(5, 8))
    plan.link("A", "B")

    b = plan["B"]
    assert local(b.start) == at(5, 8)
    assert len(b.violations) == 1 and "link from 'A' is not met" in b.violations[0]
    assert ProjectSchedule.objects.get(project=org.project_north).violation_count == 1


def test_a_missed_finish_no_later_than_gives_negative_float_when_links_win(plan, org):
    """Given B after A must finish no later than Tuesday, when constraints do not override links, then B
    finishes Wednesday, the constraint is flagged and B has a day of negative float; a missed deadline is
    flagged too."""
    plan.task("A", 2)
    plan.task("B", 1, constraint_type="FNLT", constraint_date=at(6, 17), deadline=at(6, 17))
    plan.link("A", "B")
    schedule = ProjectSchedule.objects.get(project=org.project_north)

    services.schedule_update(
        actor=org.pm_north, project=org.project_north, version=schedule.version, honor_constraints=False
    )

    b = plan["B"]
    assert local(b.finish) == at(7, 17)
    assert b.total_float_minutes == -DAY and b.is_critical
    assert any("finish no later than 2026-01-06 17:00:00 is not met" in v for v in b.violations)
    assert any("after its deadline" in v for v in b.violations)


def test_a_dated_constraint_needs_its_date(plan):
    """Given 'start no earlier than' without a date, then the task is refused on constraint_date."""
    with pytest.raises(ValidationError) as refused:
        plan.task("A", 1, constraint_type="SNET")
    assert "needs a date" in refused.value.message_dict["constraint_date"][0]
    assert not Task.objects.exists()


def test_progress_against_the_status_date(plan, org):
    """Given a five-day task 40 % done since Monday and a status date of Thursday morning, then the done
    work stays where it happened, the remaining three days run from Thursday, and an unstarted task
    starts no earlier than the status date."""
    plan.task("Build", 5, actual_start=at(5, 8), percent_complete=40)
    plan.task("Paint", 1)
    schedule = ProjectSchedule.objects.get(project=org.project_north)

    services.schedule_update(
        actor=org.pm_north, project=org.project_north, version=schedule.version, status_date=at(8, 8)
    )

    build, paint = plan["Build"], plan["Paint"]
    assert (local(build.start), local(build.finish)) == (at(5, 8), at(12, 17))
    assert local(paint.start) == at(8, 8)


# --- every change recomputes ---------------------------------------------------------------------


def test_every_change_recomputes_the_stored_dates(plan, org):
    """Given A → B, then changing A's duration, the link's lag, the schedule start, deleting the link and
    deleting A each move B's stored dates and the project finish at once."""
    plan.task("A", 2)
    plan.task("B", 1)
    link = plan.link("A", "B")
    schedule = ProjectSchedule.objects.get(project=org.project_north)

    def finish() -> dt.datetime | None:
        return local(ProjectSchedule.objects.get(pk=schedule.pk).computed_finish)

    assert (local(plan["B"].start), finish()) == (at(7, 8), at(7, 17))

    plan.update("A", duration_minutes=3 * DAY)
    assert (local(plan["B"].start), finish()) == (at(8, 8), at(8, 17))

    link.refresh_from_db()
    services.dependency_update(actor=org.pm_north, dependency=link, version=link.version, lag=DAY)
    assert local(plan["B"].start) == at(9, 8)

    schedule.refresh_from_db()
    services.schedule_update(
        actor=org.pm_north,
        project=org.project_north,
        version=schedule.version,
        start=wall("2026-01-12 00:00"),
    )
    assert (local(plan["A"].start), local(plan["B"].start)) == (at(12, 8), at(16, 8))

    link.refresh_from_db()
    services.dependency_delete(actor=org.pm_north, dependency=link, version=link.version)
    assert local(plan["B"].start) == at(12, 8)

    plan.link("A", "B")
    a = plan["A"]
    services.task_delete(actor=org.pm_north, task=a, version=a.version)
    assert local(plan["B"].start) == at(12, 8)
    assert (finish(), Dependency.objects.count()) == (at(12, 17), 0)


def test_deleting_a_summary_deletes_its_subtasks_and_their_links_with_audit(plan, org):
    """Given a summary with two linked subtasks and a link out of it, when the summary is deleted, then the
    subtasks and links go too, each with a delete entry in the project's trail."""
    plan.task("Build", 0)
    plan.task("Walls", 1, parent="Build")
    plan.task("Roof", 1, parent="Build")
    plan.task("Handover", 0)
    plan.link("Walls", "Roof")
    plan.link("Build", "Handover")
    build = plan["Build"]

    services.task_delete(actor=org.pm_north, task=build, version=build.version)

    assert list(Task.objects.values_list("name", flat=True)) == ["Handover"]
    assert not Dependency.objects.exists()
    deletes = AuditEntry.objects.filter(action="delete", project_id=org.project_north.pk)
    assert sorted(e.content_type.model for e in deletes) == [
        "dependency",
        "dependency",
        "task",
        "task",
        "task",
    ]
    assert all(e.actor == org.pm_north and e.unit_path == org.north.path for e in deletes)


def test_writes_are_audited_against_the_project(plan, org):
    """Given a task created and changed, then the trail holds a create and an update with the project id and
    only the changed field (computed dates are left out)."""
    plan.task("A", 2)
    plan.update("A", name="Excavation")

    entries = AuditEntry.objects.filter(content_type__model="task").order_by("pk")
    assert [(e.action, e.project_id, e.actor) for e in entries] == [
        ("create", org.project_north.pk, org.pm_north),
        ("update", org.project_north.pk, org.pm_north),
    ]
    assert entries[1].changes == {"name": ["A", "Excavation"]}
    assert "start" not in entries[0].changes and entries[0].changes["duration_minutes"] == [None, 2 * DAY]


def test_a_stale_version_is_refused_and_nothing_is_written(plan):
    """Given a task changed by someone else, when a change is made against the old version, then it is refused
    with ConflictError and the other change stays."""
    plan.task("A", 2)
    stale = plan["A"]
    plan.update("A", duration_minutes=DAY)

    with pytest.raises(ConflictError):
        services.task_update(actor=plan.actor, task=stale, version=stale.version, duration_minutes=5 * DAY)

    assert plan["A"].duration_minutes == DAY


def test_only_roles_that_may_change_the_project_write_its_schedule(plan, org):
    """Given the team member of NORTH and the project manager of SOUTH, then neither may add a task to N-001."""
    for person in (org.member_north, org.pm_south, org.exec):
        with pytest.raises(PermissionDenied):
            services.task_create(actor=person, project=org.project_north, name="Probe")
    assert not Task.objects.exists()


# --- baselines -----------------------------------------------------------------------------------


def test_baseline_save_replace_and_variance(plan, org):
    """Given a saved baseline, when A slips a day, then A and B show a day of finish variance and A a day of
    duration variance; saving the baseline again replaces it and the variance is gone."""
    plan.task("A", 2, work_minutes=2 * DAY, cost=Decimal("200"))
    plan.task("B", 1)
    plan.link("A", "B")
    services.baseline_save(actor=org.pm_north, project=org.project_north, number=0)

    plan.update("A", duration_minutes=3 * DAY, cost=Decimal("250"))
    rows = {
        row.name: row for row in selectors.baseline_variance_for_user(org.pm_north, org.project_north.pk, 0)
    }

    assert (rows["A"].start_variance_minutes, rows["A"].finish_variance_minutes) == (0, DAY)
    assert (rows["A"].duration_variance_minutes, rows["A"].cost_variance) == (DAY, Decimal("50"))
    assert (rows["B"].start_variance_minutes, rows["B"].finish_variance_minutes) == (DAY, DAY)
    assert local(rows["B"].baseline_start) == at(7, 8)

    baseline = services.baseline_save(actor=org.pm_north, project=org.project_north, number=0, name="Re-plan")
    rows = selectors.baseline_variance_for_user(org.pm_north, org.project_north.pk, 0)
    assert {r.finish_variance_minutes for r in rows} == {0}
    assert (baseline.name, org.project_north.baselines.count()) == ("Re-plan", 1)
    trail = AuditEntry.objects.filter(content_type__model="baseline").order_by("pk")
    assert [e.action for e in trail] == ["create", "update"]


def test_a_deleted_task_stays_in_its_baseline(plan, org):
    """Given a baseline, when a task is deleted, then the variance still lists it by uid and name, without
    a current task."""
    plan.task("A", 1)
    plan.task("B", 1)
    services.baseline_save(actor=org.pm_north, project=org.project_north, number=3)
    b = plan["B"]
    services.task_delete(actor=org.pm_north, task=b, version=b.version)

    rows = selectors.baseline_variance_for_user(org.pm_north, org.project_north.pk, 3)
    gone = rows[-1]
    assert (gone.task_id, gone.uid, gone.name, gone.finish) == (None, b.uid, "B", None)
    assert local(gone.baseline_finish) == at(5, 17)


def test_at_most_eleven_baselines(plan, org):
    """Given baselines 0 to 10 saved, then baseline 11 is refused on `number` and there are still 11."""
    plan.task("A", 1)
    for number in range(11):
        services.baseline_save(actor=org.pm_north, project=org.project_north, number=number)

    with pytest.raises(ValidationError) as refused:
        services.baseline_save(actor=org.pm_north, project=org.project_north, number=11)

    assert "0 (Baseline) to 10" in refused.value.message_dict["number"][0]
    assert [b.name for b in org.project_north.baselines.order_by("number")] == [
        "Baseline",
        *(f"Baseline{n}" for n in range(1, 11)),
    ]


def test_baseline_clear(plan, org):
    """Given a saved baseline, when it is cleared, then it is gone, with a delete entry."""
    plan.task("A", 1)
    services.baseline_save(actor=org.pm_north, project=org.project_north, number=2)

    services.baseline_clear(actor=org.pm_north, project=org.project_north, number=2)

    assert not org.project_north.baselines.exists()
    assert AuditEntry.objects.filter(content_type__model="baseline", action="delete").count() == 1


def test_indent_outdent_and_progress_limits(plan, org):
    """Given a first task and a started task, then the first cannot be indented, a top-level task cannot be
    outdented, and a task with progress cannot take subtasks; each refusal names `parent`."""
    plan.task("Started", 2, actual_start=at(5, 8), percent_complete=20)
    plan.task("Next", 1)
    started = plan["Started"]

    refusals = []
    for call in (
        lambda: services.task_indent(actor=org.pm_north, task=started, version=started.version),
        lambda: services.task_outdent(actor=org.pm_north, task=started, version=started.version),
        lambda: services.task_indent(actor=org.pm_north, task=plan["Next"], version=plan["Next"].version),
    ):
        with pytest.raises(ValidationError) as refused:
            call()
        refusals.append(refused.value.message_dict["parent"][0])

    assert "no task above it" in refusals[0]
    assert "already at the top level" in refusals[1]
    assert "has progress recorded" in refusals[2]
    assert outline(org.project_north) == [("1", "Started", False), ("2", "Next", False)]


def test_a_calendar_without_working_time_is_refused_on_calendar(plan, org):
    """Given a calendar whose every day for 25 years is an exception without work, when a task uses it, then
    the task is refused on `calendar` and not created."""
    idle = CalendarFactory(name="Idle")
    CalendarExceptionFactory(
        calendar=idle, name="Closed", start_date=dt.date(2025, 1, 1), end_date=dt.date(2050, 12, 31)
    )

    with pytest.raises(ValidationError) as refused:
        plan.task("Waiting", 1, calendar=idle)

    assert "no working time" in refused.value.message_dict["calendar"][0]
    assert not Task.objects.exists()
