"""Earned value per task: each task's method, a summary's weighted milestones, the progress history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from keel.finance import selectors
from keel.schedule import services as schedule_services
from keel.schedule.models import EvMethod, Task, TaskProgress
from keel.schedule.services import TaskData
from tests.api.conftest import field_errors
from tests.finance.helpers import planned_project

pytestmark = pytest.mark.django_db

STATUS = "2026-01-23"


def _redate(project, day: dt.date) -> None:
    """Date the progress recorded today on `day`, as if it had been reported then."""
    TaskProgress.objects.filter(project=project, day__gt=dt.date(2026, 6, 30)).update(day=day)


def _ev(api, project, status_date: str = STATUS) -> str:
    answer = api.get(f"/projects/{project.pk}/evm", status_date=status_date)
    assert answer.status == 200, answer.body
    return answer.body["metrics"]["EV"]


def _rolled(project, day: str) -> str:
    """The project's EV in the roll-up at `day` (in its own currency)."""
    rolled = selectors.rollup_projects([project], dt.date.fromisoformat(day), project.currency)
    return f"{rolled.projects[0].metrics.EV:.2f}"


def _patch(api, task: Task, **body):
    version = api.get(f"/tasks/{task.pk}").body["version"]
    return api.patch(f"/tasks/{task.pk}", {**body, "version": version})


def phased_project(org):
    """A summary "Phase" (Work 20,000 at 40 %, milestones Specs weight 1 reached, Accepted weight 3 not)
    and a top-level task Other (10,000 at 50 %), baselined; the progress dated 2026-01-23."""
    pm, project = org.pm_north, org.project_north
    phase = schedule_services.task_create(actor=pm, project=project, name="Phase", duration_minutes=4200)
    work = schedule_services.task_create(
        actor=pm, project=project, name="Work", parent=phase, duration_minutes=4200, cost=Decimal("20000")
    )
    specs = schedule_services.task_create(
        actor=pm, project=project, name="Specs", parent=phase, ev_weight=Decimal("1")
    )
    accepted = schedule_services.task_create(
        actor=pm, project=project, name="Accepted", parent=phase, ev_weight=Decimal("3")
    )
    other = schedule_services.task_create(
        actor=pm, project=project, name="Other", duration_minutes=4200, cost=Decimal("10000")
    )
    schedule_services.baseline_save(actor=pm, project=project, number=0)
    for task, percent in ((work, 40), (specs, 100), (other, 50)):
        task.refresh_from_db()
        schedule_services.task_update(actor=pm, task=task, version=task.version, percent_complete=percent)
    _redate(project, dt.date(2026, 1, 23))
    phase.refresh_from_db()
    return phase, work, specs, accepted, other


def test_ev_differs_by_the_method_of_each_task(org, as_user):
    design, build = planned_project(org)
    pm = as_user(org.pm_north)
    project = org.project_north
    assert _ev(pm, project) == "20000.00"  # physical: 10,000 + 20,000 × 50 %
    assert _patch(pm, build, ev_method="0/100").status == 200
    assert _ev(pm, project) == "10000.00"  # Build earns nothing until complete
    assert _rolled(project, STATUS) == _rolled(project, "2026-02-02") == "10000.00"
    assert _patch(pm, build, ev_method="50/50").status == 200
    assert _ev(pm, project) == "20000.00"  # half of Build once begun
    assert _patch(pm, design, ev_method="0/100").body["ev_method"] == "0/100"
    assert _ev(pm, project) == "20000.00"  # Design is complete: all of it


def test_a_summary_earns_by_its_weighted_milestones_and_counts_each_budget_once(org, as_user):
    phase, work, specs, accepted, other = phased_project(org)
    pm = as_user(org.pm_north)
    project = org.project_north
    assert _ev(pm, project) == "13000.00"  # physical: Work 40 % of 20,000 + Other 50 % of 10,000
    answer = _patch(pm, phase, ev_method="milestones")
    assert answer.status == 200, answer.body
    # The phase's 20,000 by its milestones: Specs reached, 1 of 1 + 3 weights = 5,000; Other 5,000.
    evm = pm.get(f"/projects/{project.pk}/evm", status_date=STATUS).body["metrics"]
    assert (evm["BAC"], evm["EV"]) == ("30000.00", "10000.00")
    accepted.refresh_from_db()
    schedule_services.task_update(
        actor=org.pm_north, task=accepted, version=accepted.version, percent_complete=100
    )
    _redate(project, dt.date(2026, 1, 26))
    assert _ev(pm, project) == "10000.00"  # Accepted was reached later
    assert _ev(pm, project, "2026-01-26") == "25000.00"  # the whole phase, and Other's half
    assert (_rolled(project, STATUS), _rolled(project, "2026-01-26")) == ("10000.00", "25000.00")


def test_earned_value_settings_that_cannot_apply_are_refused_naming_the_field(org, as_user):
    phase, work, specs, accepted, other = phased_project(org)
    pm = as_user(org.pm_north)
    assert "not a milestone" in field_errors(_patch(pm, work, ev_weight="2"))["ev_weight"]
    assert "has no subtasks" in field_errors(_patch(pm, work, ev_method="milestones"))["ev_method"]
    assert "summary task" in field_errors(_patch(pm, phase, ev_method="0/100"))["ev_method"]
    assert "greater than 0" in field_errors(_patch(pm, specs, ev_weight="0"))["ev_weight"]
    unweighted = schedule_services.task_create(
        actor=org.pm_north, project=org.project_north, name="Unweighted", duration_minutes=480
    )
    schedule_services.task_create(
        actor=org.pm_north, project=org.project_north, name="Gate", parent=unweighted
    )
    assert (
        "no milestone with a weight"
        in field_errors(_patch(pm, unweighted, ev_method="milestones"))["ev_method"]
    )
    assert _patch(pm, phase, ev_method="milestones").status == 200
    assert _patch(pm, specs, ev_weight=None).status == 200  # Accepted still carries a weight
    refused = _patch(pm, accepted, ev_weight=None)
    assert "last one" in field_errors(refused)["ev_weight"]
    accepted.refresh_from_db()
    assert accepted.ev_weight == Decimal("3") and accepted.version == 1  # nothing written
    phase.refresh_from_db()
    assert phase.ev_method == EvMethod.MILESTONES


def test_another_division_can_neither_see_nor_change_the_methods(org, as_user):
    design, _ = planned_project(org)
    south = as_user(org.pm_south)
    assert south.get(f"/tasks/{design.pk}").status == 404
    assert south.patch(f"/tasks/{design.pk}", {"ev_method": "0/100", "version": 1}).status == 404
    assert south.get(f"/projects/{org.project_north.pk}/evm", status_date=STATUS).status == 404
    design.refresh_from_db()
    assert design.ev_method == EvMethod.PHYSICAL


def test_ev_at_a_past_status_date_uses_the_progress_then(org, as_user):
    design, build = planned_project(org)  # Design 100 %, Build 50 %, reported 2026-01-23
    build.refresh_from_db()
    schedule_services.task_update(actor=org.pm_north, task=build, version=build.version, percent_complete=80)
    _redate(org.project_north, dt.date(2026, 1, 28))
    api = as_user(org.exec)
    project = org.project_north
    assert _ev(api, project, "2026-01-22") == "0.00"  # nothing reported yet
    assert _ev(api, project, "2026-01-27") == "20000.00"
    assert _ev(api, project, "2026-01-28") == "26000.00"
    # The roll-up reads the history for its status date alone: the same figures
    # (tasks wholly planned or not yet are added up in the database: the same figures again).
    checks = (
        ("2026-01-06", "0.00"),
        ("2026-01-22", "0.00"),
        ("2026-01-27", "20000.00"),
        ("2026-02-02", "26000.00"),
    )
    for text, expected in checks:
        day = dt.date.fromisoformat(text)
        rolled = selectors.rollup_projects([project], day, project.currency)
        assert f"{rolled.projects[0].metrics.EV:.2f}" == expected
        assert Decimal(expected) == selectors.project_evm(project, day).metrics.EV
    tab = selectors.finance_tab(project, dt.date(2026, 1, 28))
    earned = {point.day: point.ev for point in tab.curve}
    assert earned[dt.date(2026, 1, 28)] == Decimal("26000.00")
    before = [point.ev for point in tab.curve if point.day < dt.date(2026, 1, 23) and point.ev is not None]
    assert before and set(before) == {Decimal("0.00")}
    assert any(point.cpi is None and point.spi is not None for point in tab.trend)


def test_progress_is_kept_per_day_and_by_imports(org):
    design, build = planned_project(org)
    project = org.project_north
    rows = list(TaskProgress.objects.filter(project=project).values_list("uid", "percent_complete"))
    assert sorted(rows) == [(design.uid, 100), (build.uid, 50)]
    build.refresh_from_db()
    schedule_services.task_update(actor=org.pm_north, task=build, version=build.version, percent_complete=60)
    build.refresh_from_db()
    schedule_services.task_update(actor=org.pm_north, task=build, version=build.version, percent_complete=70)
    today = timezone.localdate()
    row = TaskProgress.objects.get(project=project, uid=build.uid, day__gt=dt.date(2026, 6, 30))
    assert (row.percent_complete, row.previous_percent) == (70, 50)  # one row a day
    assert abs((row.day - today).days) <= 1
    schedule_services.schedule_replace(
        actor=org.pm_north,
        project=project,
        tasks=[
            TaskData(uid=design.uid, name="Design", duration_minutes=4200, percent_complete=100),
            TaskData(uid=build.uid, name="Build", duration_minutes=4200, percent_complete=90),
            TaskData(uid=99, name="New", duration_minutes=480, percent_complete=10),
        ],
    )
    row = TaskProgress.objects.get(project=project, uid=build.uid, day=row.day)
    assert (row.percent_complete, row.previous_percent) == (90, 50)
    new = TaskProgress.objects.get(project=project, uid=99)
    assert (new.percent_complete, new.previous_percent) == (10, 0)
    assert TaskProgress.objects.filter(project=project, uid=design.uid).count() == 1  # unchanged


def test_the_task_edit_page_picks_the_method(client, org):
    design, build = planned_project(org)
    client.force_login(org.pm_north)
    url = reverse("schedule:task_edit", args=[org.project_north.pk, build.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Earned value method" in text and "0/100 (earned at finish)" in text
    assert "Weighted milestones" not in text  # not offered for a task without subtasks
    build.refresh_from_db()
    data = {
        "name": "Build",
        "percent_complete": "50",
        "constraint_type": "ASAP",
        "constraint_date": "",
        "leveling_delay": "",
        "version": build.version,
    }
    saved = client.post(url, {**data, "ev_method": "0/100"})
    assert saved.status_code == 302
    build.refresh_from_db()
    assert build.ev_method == "0/100"
    # The Gantt panel posts without the earned value fields: the method stays.
    assert client.post(url, {**data, "name": "Build it", "version": build.version}).status_code == 302
    build.refresh_from_db()
    assert (build.name, build.ev_method) == ("Build it", "0/100")
    refused = client.post(url, {**data, "ev_method": "milestones", "version": build.version})
    assert refused.status_code == 422
    assert "ev_method" in refused.context["form"].errors
    build.refresh_from_db()
    assert build.ev_method == "0/100"


def test_a_milestone_weight_is_refused_on_the_page_next_to_its_field(client, org):
    phase, work, specs, accepted, other = phased_project(org)
    client.force_login(org.pm_north)
    phase_url = reverse("schedule:task_edit", args=[org.project_north.pk, phase.pk])
    page = client.get(phase_url).content.decode()
    assert "Weighted milestones" in page
    url = reverse("schedule:task_edit", args=[org.project_north.pk, specs.pk])
    specs.refresh_from_db()
    data = {
        "name": "Specs",
        "percent_complete": "100",
        "constraint_type": "ASAP",
        "leveling_delay": "",
        "ev_method": "physical",
        "ev_weight": "-1",
        "version": specs.version,
    }
    refused = client.post(url, data)
    assert refused.status_code == 422 and "ev_weight" in refused.context["form"].errors
    assert client.post(url, {**data, "ev_weight": "2.5"}).status_code == 302
    specs.refresh_from_db()
    assert specs.ev_weight == Decimal("2.5")


def test_the_demo_reports_progress_weekly_from_the_actual_start(org):
    from keel.finance.demo import progress_history

    design, build = planned_project(org)
    project = org.project_north
    for task, start, finish in (
        (design, dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC), dt.datetime(2026, 1, 16, 16, tzinfo=dt.UTC)),
        (build, dt.datetime(2026, 1, 19, 8, tzinfo=dt.UTC), None),
    ):
        task.refresh_from_db()
        schedule_services.task_update(
            actor=org.pm_north, task=task, version=task.version, actual_start=start, actual_finish=finish
        )
    assert progress_history(project, dt.date(2026, 1, 30)) == 6  # Design 5, 12, 16; Build 19, 26, 30
    build_rows = TaskProgress.objects.filter(project=project, uid=build.uid)
    assert list(build_rows.values_list("day", "percent_complete")) == [
        (dt.date(2026, 1, 19), 16),
        (dt.date(2026, 1, 26), 33),
        (dt.date(2026, 1, 30), 50),
    ]
    early = selectors.project_evm(project, dt.date(2026, 1, 9)).metrics.EV
    assert Decimal(0) < early < Decimal(10000)
    assert Decimal(10000) == selectors.project_evm(project, dt.date(2026, 1, 16)).metrics.EV


def test_the_rollup_prices_hours_like_the_project_across_rate_changes(org):
    from keel.resources import services as resource_services
    from keel.timesheets import services as timesheet_services
    from tests.finance.helpers import nok_eur

    planned_project(org)
    nok_eur(org)  # 0.085 from 1 January
    nok_eur(org, "0.1", dt.date(2026, 1, 15))
    pool = resource_services.pool_create(actor=org.admin, org_unit=org.north, code="POOL-N", name="North")
    person = resource_services.resource_create(
        actor=org.admin, pool=pool, code="R-MEMBER", name="Member", user=org.member_north
    )
    for since, rate in ((dt.date(2026, 1, 1), "85"), (dt.date(2026, 1, 14), "90")):
        resource_services.cost_rate_create(
            actor=org.admin,
            resource=person,
            effective_from=since,
            standard_rate=Decimal(rate),
            currency="EUR",
        )
    week = dt.date(2026, 1, 12)
    sheet = timesheet_services.timesheet_get_or_create_week(actor=org.member_north, week=week)
    entries = [
        timesheet_services.EntryInput(
            None, week + dt.timedelta(days=d), Decimal(4 + d), project=org.project_north
        )
        for d in range(5)
    ]
    sheet = timesheet_services.entry_set(
        actor=org.member_north, timesheet=sheet, version=sheet.version, entries=entries
    )
    sheet = timesheet_services.timesheet_submit(
        actor=org.member_north, timesheet=sheet, version=sheet.version
    )
    timesheet_services.timesheet_approve(actor=org.pm_north, timesheet=sheet, version=sheet.version)
    project = org.project_north
    for day in (dt.date(2026, 1, 14), dt.date(2026, 1, 23)):
        page = selectors.project_evm(project, day)
        rolled = selectors.rollup_projects([project], day, "NOK").projects[0].metrics
        assert (rolled.AC, rolled.EV) == (page.metrics.AC, page.metrics.EV)
    # 12-13 Jan: 4 + 5 h × 85 EUR at 0.085; 14 Jan: 6 h × 90 at 0.085; 15-16 Jan: 7 + 8 h × 90 at 0.1.
    expected = (
        Decimal(9 * 85) / Decimal("0.085")
        + Decimal(6 * 90) / Decimal("0.085")
        + Decimal(15 * 90) / Decimal("0.1")
    )
    assert expected.quantize(Decimal("0.01")) == page.metrics.AC
