"""Status reports: drafting from real schedule, earned-value and RAID data; thresholds inherited down the
unit tree; confirming and overriding (with a reason); submitting; immutability; notifications; cadence
and due dates; overdue reports and reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from keel.core.errors import ConflictError, NotFound, PermissionDenied
from keel.core.models import AuditEntry
from keel.governance import services as governance_services
from keel.notifications.models import Kind, Notification
from keel.orgs.models import Role
from keel.statusreports import selectors, services
from keel.statusreports.models import Cadence, Rag, ReportReminder, StatusReport
from tests.factories import MembershipFactory, UserFactory
from tests.statusreports.conftest import STATUS_DAY, fresh

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 2, 6)  # the weekly due date of STATUS_DAY's week


def draft(org, project=None, **kw):
    """A draft of N-001 (or `project`) for the week of STATUS_DAY, its data as of STATUS_DAY."""
    values = {"period_end": FRIDAY, "status_date": STATUS_DAY, "today": STATUS_DAY, **kw}
    return services.report_create(actor=org.pm_north, project=project or org.project_north, **values)


def decide_all(org, report, **extra):
    """Confirm every proposed RAG and write the narrative."""
    values = {f"{d}_rag": report.proposed(d) for d in ("schedule", "cost", "scope", "risk", "overall")}
    values.update(accomplishments="Design signed off", next_steps="Finish Build", **extra)
    return services.report_update(actor=org.pm_north, report=report, version=report.version, **values)


# --- drafting from data ----------------------------------------------------------------------------------


def test_the_draft_proposes_each_rag_with_its_reasons_from_the_project_data(org, slipped):
    # Given N-001 behind plan (SPI 0.67), Go-live slipped a week, and an open risk scoring 20
    governance_services.risk_create(
        actor=org.pm_north, project=org.project_north, title="Vendor bankrupt", probability=4, impact=5
    )
    # When its manager drafts the week's report
    report = draft(org)
    # Then schedule is red for the SPI, with the slip named; risk amber for the one high risk
    assert report.proposed_schedule == Rag.RED
    assert report.reasons["schedule"] == [
        "SPI 0.67 < 0.90",
        "1 milestone slipped: Go-live (+7 d)",
        "No overdue task",
    ]
    assert report.proposed_risk == Rag.AMBER
    assert report.reasons["risk"] == ["1 open risk scoring 20: R-001 Vendor bankrupt"]
    assert report.proposed_cost == Rag.GREEN and "No CPI" in report.reasons["cost"][0]
    assert report.proposed_scope == Rag.GREEN
    assert report.proposed_overall == Rag.RED
    assert report.reasons["overall"][0].startswith("Red as schedule")
    # and the facts: progress, the upcoming milestone, nothing decided yet
    assert report.facts["percent_complete"] == 70
    assert report.facts["upcoming_milestones"] == [
        {"label": "Go-live", "name": "Go-live", "finish": "2026-02-06"}
    ]
    assert report.status == StatusReport.Status.DRAFT
    assert all(report.decided(d) == "" for d in ("schedule", "cost", "scope", "risk", "overall"))
    assert AuditEntry.objects.filter(project_id=org.project_north.pk, object_repr=str(report)).exists()


def test_overdue_tasks_and_severe_issues_count_towards_red(org, slipped):
    # Given three severe open issues and a status date after Build and Go-live should have finished
    for n in range(3):
        governance_services.issue_create(
            actor=org.pm_north, project=org.project_north, title=f"Racks late {n}", severity=5
        )
    report = draft(org, period_end=dt.date(2026, 2, 13), status_date=dt.date(2026, 2, 9))
    # Then both unfinished tasks are overdue and the risk dimension is red (3 ≥ the red count 3)
    assert [t["name"] for t in report.facts["overdue_tasks"]] == ["Build", "Go-live"]
    assert "2 overdue tasks: Build, Go-live" in report.reasons["schedule"]
    assert report.proposed_risk == Rag.RED
    assert report.reasons["risk"][0].startswith("3 open issues of severity ≥ 4: I-001 Racks late 0")


def test_thresholds_are_set_per_unit_and_inherited_down_the_tree(org, slipped):
    # Given the PMO sets Engineering's limits: SPI red below 0.5, two slipped milestones for amber
    services.report_config_set(
        actor=org.admin, unit=org.eng, spi_amber=Decimal("0.70"), spi_red=Decimal("0.50"), slipped_amber=2
    )
    # Then Division North (below Engineering) inherits them: SPI 0.67 is amber and one slip is green
    assert selectors.thresholds_for_unit(org.north).source == org.eng
    report = draft(org)
    assert report.reasons["schedule"][0] == "SPI 0.67 < 0.70"
    assert report.proposed_schedule == Rag.AMBER
    # and the defaults hold for the central unit above
    assert selectors.thresholds_for_unit(org.central).source is None


def test_settings_refuse_a_red_limit_above_the_amber_one_naming_the_field(org):
    with pytest.raises(ValidationError) as error:
        services.report_config_set(
            actor=org.admin, unit=org.eng, spi_amber=Decimal("0.8"), spi_red=Decimal("0.9")
        )
    assert "spi_red" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.report_config_set(actor=org.admin, unit=org.eng, overdue_amber=5, overdue_red=2)
    assert "overdue_red" in error.value.message_dict
    assert not selectors.thresholds_for_unit(org.eng).source


def test_only_a_pmo_administrator_sets_the_settings(org):
    with pytest.raises(PermissionDenied):
        services.report_config_set(actor=org.pm_north, unit=org.north, slipped_amber=2)


def test_progress_since_the_last_report(org, slipped):
    # Given a submitted report at STATUS_DAY
    first = decide_all(org, draft(org))
    services.report_submit(actor=org.pm_north, report=first, version=first.version)
    # When Build is finished and a risk is raised, and the next week's report is drafted
    build = fresh(slipped["build"])
    from keel.schedule import services as schedule_services

    schedule_services.task_update(
        actor=org.pm_north,
        task=build,
        version=build.version,
        percent_complete=100,
        actual_start=build.start,
        actual_finish=build.finish,
    )
    governance_services.risk_create(
        actor=org.pm_north, project=org.project_north, title="Go-live freeze", probability=1, impact=2
    )
    second = services.report_create(
        actor=org.pm_north,
        project=org.project_north,
        period_end=dt.date(2026, 2, 13),
        status_date=dt.date(2026, 2, 9),
        today=dt.date(2026, 2, 9),
    )
    # Then it counts the work done since the first one and names the new risk (made today)
    assert second.facts["since"] == STATUS_DAY.isoformat()
    assert [t["name"] for t in second.facts["tasks_completed"]] == ["Build"]
    assert second.facts["percent_complete"] == 100
    assert second.facts["percent_complete_change"] == 30
    assert second.facts["previous_id"] == first.pk


# --- deciding and submitting -------------------------------------------------------------------------------


def test_confirming_needs_no_reason_but_an_override_does(org, slipped):
    report = draft(org)
    services.report_update(actor=org.pm_north, report=report, version=report.version, cost_rag=Rag.GREEN)
    version = report.version
    with pytest.raises(ValidationError) as error:
        services.report_update(
            actor=org.pm_north, report=fresh_report(report), version=version, schedule_rag=Rag.AMBER
        )
    assert error.value.message_dict == {
        "schedule_reason": ["Say why schedule is Amber rather than the proposed Red."]
    }
    assert StatusReport.objects.get(pk=report.pk).schedule_rag == ""  # nothing written
    services.report_update(
        actor=org.pm_north,
        report=fresh_report(report),
        version=version,
        schedule_rag=Rag.AMBER,
        schedule_reason="The vendor committed to recover the week",
    )
    stored = StatusReport.objects.get(pk=report.pk)
    assert (stored.schedule_rag, stored.cost_rag) == (Rag.AMBER, Rag.GREEN)
    assert stored.rag("schedule") == Rag.AMBER


def fresh_report(report):
    """The report as stored now."""
    return StatusReport.objects.get(pk=report.pk)


def test_a_bad_rag_is_refused_naming_the_field(org, slipped):
    report = draft(org)
    with pytest.raises(ValidationError) as error:
        services.report_update(actor=org.pm_north, report=report, version=report.version, risk_rag="purple")
    assert "risk_rag" in error.value.message_dict


def test_submit_needs_every_rag_decided_and_the_narrative(org, slipped):
    report = draft(org)
    with pytest.raises(ValidationError) as error:
        services.report_submit(actor=org.pm_north, report=report, version=report.version)
    assert set(error.value.message_dict) == {
        "schedule_rag",
        "cost_rag",
        "scope_rag",
        "risk_rag",
        "overall_rag",
        "accomplishments",
        "next_steps",
    }
    assert fresh_report(report).status == StatusReport.Status.DRAFT


def test_a_submitted_report_is_immutable(org, slipped):
    report = decide_all(org, draft(org))
    services.report_submit(actor=org.pm_north, report=report, version=report.version)
    report = fresh_report(report)
    version = report.version
    for attempt in (
        lambda: services.report_update(
            actor=org.pm_north, report=report, version=version, accomplishments="Rewritten"
        ),
        lambda: services.report_refresh(actor=org.pm_north, report=report, version=version),
        lambda: services.report_submit(actor=org.pm_north, report=report, version=version),
        lambda: services.report_delete(actor=org.pm_north, report=report, version=version),
    ):
        with pytest.raises(ValidationError) as error:
            attempt()
        assert "can no longer change" in error.value.message_dict["status"][0]
    stored = fresh_report(report)
    assert stored.version == version and stored.accomplishments == "Design signed off"


def test_submitting_tells_the_portfolio_managers(org, slipped):
    # Given a portfolio manager over Engineering and the portfolio's owner
    manager = UserFactory(username="pfm")
    MembershipFactory(user=manager, unit=org.eng, role=Role.PORTFOLIO_MANAGER)
    owner = UserFactory(username="owner")
    portfolio = org.project_north.program.portfolio
    portfolio.owner = owner
    portfolio.save()
    report = decide_all(org, draft(org))
    # When the report is submitted
    services.report_submit(actor=org.pm_north, report=report, version=report.version)
    # Then both are told, in the app, with a link to the report
    told = Notification.objects.filter(kind=Kind.REPORT)
    assert {n.recipient.username for n in told} == {"pfm", "owner"}
    assert told[0].url == f"/reports/{report.pk}/"
    assert "N-001" in told[0].title and "Red" in told[0].title
    stored = fresh_report(report)
    assert stored.submitted_by == org.pm_north and stored.submitted_at is not None


def test_a_stale_version_is_refused(org, slipped):
    report = draft(org)
    services.report_update(actor=org.pm_north, report=report, version=1, accomplishments="First")
    with pytest.raises(ConflictError):
        services.report_update(
            actor=org.pm_north, report=fresh_report(report), version=1, accomplishments="Second"
        )


def test_refresh_reads_the_data_again_and_keeps_the_decisions(org, slipped):
    report = draft(org)
    services.report_update(
        actor=org.pm_north, report=report, version=report.version, scope_rag=Rag.GREEN, help_needed="A tester"
    )
    governance_services.risk_create(
        actor=org.pm_north, project=org.project_north, title="Strike", probability=5, impact=5
    )
    report = fresh_report(report)
    services.report_refresh(actor=org.pm_north, report=report, version=report.version, status_date=STATUS_DAY)
    stored = fresh_report(report)
    assert stored.proposed_risk == Rag.AMBER and "Strike" in stored.reasons["risk"][0]
    assert (stored.scope_rag, stored.help_needed) == (Rag.GREEN, "A tester")


def test_another_division_can_neither_draft_nor_change_reports(org, slipped):
    report = draft(org)
    with pytest.raises((NotFound, PermissionDenied)):
        services.report_create(actor=org.pm_south, project=org.project_north, today=STATUS_DAY)
    with pytest.raises((NotFound, PermissionDenied)):
        services.report_update(actor=org.pm_south, report=report, version=report.version, accomplishments="x")
    with pytest.raises(NotFound):
        selectors.report_get_for_user(org.pm_south, report.pk)
    assert fresh_report(report).version == 1


def test_a_period_end_off_the_cadence_or_taken_is_refused(org):
    with pytest.raises(ValidationError) as error:
        draft(org, period_end=dt.date(2026, 2, 5))
    assert "2026-02-06" in error.value.message_dict["period_end"][0]
    draft(org)
    with pytest.raises(ValidationError) as error:
        draft(org)
    assert "already exists" in error.value.message_dict["period_end"][0]


# --- cadence, due dates, overdue reports, reminders ------------------------------------------------------


def test_due_dates_of_each_cadence():
    day = dt.date(2026, 2, 2)
    assert selectors.period_end_on_or_after(Cadence.WEEKLY, day) == dt.date(2026, 2, 6)
    assert selectors.period_end_before(Cadence.WEEKLY, day) == dt.date(2026, 1, 30)
    assert selectors.period_end_before(Cadence.WEEKLY, dt.date(2026, 2, 6)) == dt.date(2026, 1, 30)
    biweekly = selectors.period_ends(Cadence.BIWEEKLY, dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    assert all(b - a == dt.timedelta(days=14) for a, b in zip(biweekly, biweekly[1:], strict=False))
    assert all(d.weekday() == 4 for d in biweekly)
    assert selectors.period_end_before(Cadence.BIWEEKLY, biweekly[1]) == biweekly[0]
    assert selectors.period_end_on_or_after(Cadence.MONTHLY, dt.date(2026, 2, 10)) == dt.date(2026, 2, 28)
    assert selectors.period_end_before(Cadence.MONTHLY, dt.date(2026, 2, 28)) == dt.date(2026, 1, 31)


def test_a_project_cadence_overrides_its_units(org):
    services.report_config_set(actor=org.admin, unit=org.north, cadence=Cadence.MONTHLY)
    assert selectors.cadence_for_project(org.project_north) == Cadence.MONTHLY
    services.project_cadence_set(actor=org.pm_north, project=org.project_north, cadence=Cadence.BIWEEKLY)
    assert selectors.cadence_for_project(org.project_north) == Cadence.BIWEEKLY
    with pytest.raises(ValidationError) as error:
        services.project_cadence_set(
            actor=org.pm_north, project=org.project_north, cadence="daily", version=1
        )
    assert "cadence" in error.value.message_dict
    services.project_cadence_set(actor=org.pm_north, project=org.project_north, cadence=None, version=1)
    assert selectors.cadence_for_project(org.project_north) == Cadence.MONTHLY


def test_overdue_and_latest_reports(org, slipped):
    projects = [org.project_north, org.project_south]
    # On Monday 9 February the reports due Friday 6 February are missing for both
    overdue = selectors.overdue_reports(projects=projects, today=dt.date(2026, 2, 9))
    assert [(o.project.code, o.due) for o in overdue] == [("N-001", FRIDAY), ("S-001", FRIDAY)]
    assert overdue[0].owner == org.pm_north and overdue[0].url == f"/projects/{org.project_north.pk}/reports/"
    # A draft is not enough; a submitted report is
    report = decide_all(org, draft(org))
    assert len(selectors.overdue_reports(projects=projects, today=dt.date(2026, 2, 9))) == 2
    services.report_submit(actor=org.pm_north, report=report, version=report.version)
    overdue = selectors.overdue_reports(projects=projects, today=dt.date(2026, 2, 9))
    assert [o.project.code for o in overdue] == ["S-001"]
    assert selectors.latest_reports(projects=projects) == {org.project_north.pk: fresh_report(report)}
    # The friday itself is not late yet
    assert selectors.overdue_reports(projects=projects, today=FRIDAY)[0].due == dt.date(2026, 1, 30)


def test_reminders_go_once_per_due_period(org):
    monday = dt.date(2026, 2, 9)
    assert services.reminders_send(today=monday) == 2
    assert services.reminders_send(today=monday) == 0
    reminders = Notification.objects.filter(kind=Kind.REMINDER)
    assert {n.recipient for n in reminders} == {org.pm_north, org.pm_south}
    assert "due 06 Feb 2026" in reminders.get(recipient=org.pm_north).title
    assert ReportReminder.objects.count() == 2
    # the next week's missing reports are reminded again
    assert services.reminders_send(today=monday + dt.timedelta(days=7)) == 2


def test_the_reminder_command_and_job(org, settings):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("report-reminders", "--date", "2026-02-09", stdout=out)
    assert out.getvalue().strip() == "2 status-report reminders sent."
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from keel.statusreports.tasks import send_report_reminders

    assert send_report_reminders.enqueue("2026-02-16").return_value == 2


def test_change_requests_awaiting_a_decision_make_scope_amber(org, slipped):
    from keel.changes import services as change_services

    change = change_services.change_create(
        actor=org.pm_north, project=org.project_north, title="Add a second hall", description="More racks"
    )
    change_services.change_submit(actor=org.pm_north, change=change, version=change.version)
    report = draft(org)
    assert report.proposed_scope == Rag.AMBER
    assert report.reasons["scope"] == ["1 change request awaiting a decision: Add a second hall"]
    assert [c["title"] for c in report.facts["changes"]] == ["Add a second hall"]
