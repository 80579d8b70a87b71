"""The schedule pages: a project's Gantt and its edits through the engine, and the portfolio Gantt.

N-001 starts on Monday 5 January 2026 on an eight-hour calendar (tests/schedule/conftest.py):
Design (2d) → Build (3d) is the critical path, finishing on Friday 9 January at 17:00; Permits (1d)
runs beside them with float.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.schedule import services
from keel.schedule.forms import format_duration, parse_duration
from keel.schedule.models import ConstraintType, Dependency, LagUnit, Task
from keel.schedule.services import DependencyData, TaskData
from tests.factories import CalendarFactory, ProjectFactory
from tests.schedule.conftest import DAY, OSLO, Plan, at, local

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def built(plan):
    """N-001: Design → Build on the critical path, Permits beside them."""
    plan.task("Design", 2)
    plan.task("Build", 3)
    plan.task("Permits", 1)
    plan.link("Design", "Build")
    return plan


def gantt_url(project) -> str:
    return reverse("schedule:gantt", kwargs={"project_id": project.pk})


def edit_url(name: str, project, **ids) -> str:
    return reverse(f"schedule:{name}", kwargs={"project_id": project.pk, **ids})


def document(response) -> dict:
    """The Gantt's JSON document embedded in the page."""
    match = re.search(
        r'<script id="(?:gantt|portfolio)-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page embeds no chart data"
    return json.loads(match.group(1))


def tasks_by_name(doc: dict) -> dict[str, dict]:
    """The document's task arrays as dicts, by task name."""
    fields = doc["fields"]
    return {row[fields.index("name")]: dict(zip(fields, row, strict=True)) for row in doc["tasks"]}


# --- durations typed as in MS Project ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes", "unit"),
    [
        ("5d", 5 * 480, "d"),
        ("2w", 2 * 2400, "w"),
        ("3h", 180, "h"),
        ("30m", 30, "m"),
        ("1mo", 20 * 480, "mo"),
        ("2ed", 2 * 1440, "ed"),
        ("1.5d", 720, "d"),
        ("1,5 days", 720, "d"),
        ("4", 4 * 480, "d"),
        (" 2 W ", 4800, "w"),
        ("1ew", 7 * 1440, "ew"),
        ("0d", 0, "d"),
    ],
)
def test_durations_read_as_ms_project_reads_them(text, minutes, unit):
    """Given text typed in a duration cell on an eight-hour, five-day calendar, then it means these minutes."""
    typed = parse_duration(text, minutes_per_day=480, minutes_per_week=2400)
    assert (typed.minutes, typed.unit) == (minutes, unit)


def test_durations_follow_the_calendars_working_day():
    """Given a calendar of 7.5-hour days, then a day is 450 minutes and a week 2,250; elapsed days stay 24h."""
    assert parse_duration("2d", minutes_per_day=450, minutes_per_week=2250).minutes == 900
    assert parse_duration("1w", minutes_per_day=450, minutes_per_week=2250).minutes == 2250
    assert parse_duration("1ed", minutes_per_day=450, minutes_per_week=2250).minutes == 1440
    assert format_duration(900, "d", 450, 2250) == "2d"
    assert format_duration(1125, "w", 450, 2250) == "0.5w"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("3x", "“3x” is not a duration"),
        ("", "Type a duration"),
        ("-2d", "cannot be negative"),
        ("d5", "is not a duration"),
        ("50%", "cannot be a percentage"),
        ("99999999w", "at most fifty years"),
    ],
)
def test_bad_duration_text_is_refused_saying_why(text, says):
    """Given text that is no duration, then reading it fails with a message saying what to type."""
    with pytest.raises(Exception) as refused:
        parse_duration(text, minutes_per_day=480, minutes_per_week=2400)
    assert says in " ".join(refused.value.messages)


# --- the project's Gantt -----------------------------------------------------------------------------


def test_the_gantt_shows_the_wbs_the_critical_path_and_the_finish(client, org, built):
    """Given N-001's plan, when its manager opens the schedule, then the grid's data marks the critical
    path, carries dates, durations in the task's unit and floats, and the header shows the finish."""
    client.force_login(org.pm_north)

    response = client.get(gantt_url(org.project_north))

    assert response.status_code == 200
    doc = document(response)
    tasks = tasks_by_name(doc)
    assert [t["outline"] for t in tasks.values()] == ["1", "2", "3"]
    assert tasks["Design"]["flags"] & 4 and tasks["Build"]["flags"] & 4
    assert not tasks["Permits"]["flags"] & 4
    assert tasks["Build"]["duration"] == "3d" and tasks["Permits"]["float"] == "4d"
    assert doc["links"] == [[0, 1, "FS", built["Design"].successor_links.get().pk, 1, ""]]
    assert doc["editable"] is True
    page = response.content.decode()
    assert "9 Jan 2026 17:00" in page  # the project finish
    assert 'id="gantt-add-task"' in page and "Drag a bar sideways" in page
    # minutes of wall-clock time: Build finishes on 9 January at 17:00 Oslo time
    assert tasks["Build"]["finish"] == int((at(9, 17) - at(1, 0)).total_seconds() // 60) + _minutes_to_2026()


def _minutes_to_2026() -> int:
    """Minutes from 1 Jan 1970 to 1 Jan 2026 00:00 (wall clock)."""
    return (dt.date(2026, 1, 1) - dt.date(1970, 1, 1)).days * 1440


def test_an_empty_schedule_says_what_to_do(client, org, calendar8):
    """Given a project without tasks, then its manager is asked to add one (the form is open)."""
    client.force_login(org.pm_north)

    page = client.get(gantt_url(org.project_north)).content.decode()

    assert "No tasks yet — add one, or import an MS Project or Primavera file." in page
    assert f'href="{reverse("schedule:import")}"' in page
    assert 'class="collapse show card' in page
    assert 'id="gantt-data"' not in page


def test_the_first_task_is_added_from_the_empty_page(client, org, calendar8):
    """Given an empty schedule, when its manager posts the add-task form (a plain form post), then the
    Gantt opens with the task and says the project now finishes when it does."""
    client.force_login(org.pm_north)

    response = client.post(
        edit_url("task_create", org.project_north), {"name": "Kick-off", "duration": "2d"}, follow=True
    )

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == gantt_url(org.project_north)
    assert "Task ‘Kick-off’ added. Project finish: — → 6 Jan 2026 17:00." in page
    assert tasks_by_name(document(response))["Kick-off"]["duration"] == "2d"


def test_the_project_page_links_to_its_schedule(client, org):
    """Given a project page, then it offers the project's schedule."""
    client.force_login(org.exec)

    page = client.get(reverse("portfolio:project_detail", args=[org.project_north.pk])).content.decode()

    assert gantt_url(org.project_north) in page


def test_a_chosen_baseline_adds_bars_and_variances(client, org, built):
    """Given a saved baseline and then a longer Build, when the Gantt shows that baseline, then each task
    carries its baseline dates and the finish variance in days; a baseline never saved is ignored."""
    services.baseline_save(actor=org.pm_north, project=org.project_north, number=0)
    built.update("Build", duration_minutes=5 * DAY)
    client.force_login(org.pm_north)

    doc = document(client.get(gantt_url(org.project_north) + "?baseline=0"))

    build = tasks_by_name(doc)["Build"]
    assert doc["baseline"] == 0
    assert build["finish_variance"] == "2d" and build["start_variance"] == "0d"
    assert build["baseline_finish"] < build["finish"]
    assert document(client.get(gantt_url(org.project_north) + "?baseline=7"))["baseline"] is None


def test_the_page_costs_the_same_queries_for_20_and_200_tasks(client, org, calendar8):
    """Given 20 and then 200 tasks with links, then rendering the Gantt costs the same number of queries."""
    client.force_login(org.pm_north)

    def build(size: int) -> int:
        tasks = [
            TaskData(
                uid=n,
                name=f"Task {n}",
                parent_uid=None if n % 10 == 1 else n - (n - 1) % 10,
                duration_minutes=0 if n % 10 == 1 else DAY,
            )
            for n in range(1, size + 1)
        ]
        links = [DependencyData(n - 1, n) for n in range(3, size + 1) if n % 10 not in (1, 2)]
        services.schedule_replace(
            actor=org.pm_north, project=org.project_north, tasks=tasks, dependencies=links
        )
        services.baseline_save(actor=org.pm_north, project=org.project_north, number=0)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(gantt_url(org.project_north) + "?baseline=0")
        assert response.status_code == 200 and len(document(response)["tasks"]) == size
        return len(queries)

    assert build(20) == build(200)


# --- scoping and roles -------------------------------------------------------------------------------


@pytest.fixture
def south(org, calendar8):
    """S-001's schedule: two linked tasks, planned by its manager."""
    plan = Plan(org.pm_south, org.project_south)
    plan.task("Survey", 2)
    plan.task("Move", 1)
    plan.link("Survey", "Move")
    return plan


def south_urls(org, south) -> list[str]:
    """The schedule page and every edit of S-001's schedule."""
    project, task = org.project_south, south["Survey"]
    link = Dependency.objects.get(project=project)
    return [
        gantt_url(project),
        edit_url("task_duration", project, task_id=task.pk),
        edit_url("task_start", project, task_id=task.pk),
        edit_url("task_delete", project, task_id=task.pk),
        edit_url("task_create", project),
        edit_url("link_create", project),
        edit_url("link_delete", project, link_id=link.pk),
    ]


def test_a_sibling_divisions_manager_finds_no_schedule_and_no_edit(client, org, south):
    """Given S-001's schedule, when pm_north opens it or posts any edit, then each answers 404, also as
    JSON, and nothing changes."""
    client.force_login(org.pm_north)
    before = list(
        Task.objects.filter(project=org.project_south).values_list("pk", "version", "duration_minutes")
    )

    page, *edits = south_urls(org, south)
    assert client.get(page).status_code == 404
    for url in edits:
        assert client.get(url).status_code == 404, url
        posted = client.post(
            url, {"duration": "9d", "version": 1, "name": "x", "start": "2026-02-02"}, **JSON
        )
        assert posted.status_code == 404, url

    after = list(
        Task.objects.filter(project=org.project_south).values_list("pk", "version", "duration_minutes")
    )
    assert after == before and Dependency.objects.filter(project=org.project_south).count() == 1


def test_a_north_task_cannot_be_edited_through_the_south_project(client, org, built, south):
    """Given pm_south, when an edit names S-001 in the address but a N-001 task, then it is not found."""
    client.force_login(org.pm_south)

    url = edit_url("task_duration", org.project_south, task_id=built["Design"].pk)

    assert client.post(url, {"duration": "9d", "version": 1}, **JSON).status_code == 404
    assert built["Design"].duration_minutes == 2 * DAY


def test_an_executive_sees_the_gantt_read_only_and_cannot_edit(client, org, south):
    """Given the executive viewer, then S-001's Gantt opens without editing controls, and every edit is
    refused with 403 (GET and POST) and writes nothing."""
    client.force_login(org.exec)

    response = client.get(gantt_url(org.project_south))

    assert response.status_code == 200
    assert document(response)["editable"] is False
    page = response.content.decode()
    assert 'id="gantt-add-task"' not in page and "Drag a bar sideways" not in page
    for url in south_urls(org, south)[1:]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"duration": "9d", "version": 1, "name": "x"}, **JSON).status_code == 403, url
    assert south["Survey"].duration_minutes == 2 * DAY and south["Survey"].version == 1
    assert Task.objects.filter(project=org.project_south).count() == 2


def test_a_team_member_sees_the_gantt_read_only(client, org, built):
    """Given a team member of NORTH, then N-001's Gantt is shown and its edits are refused."""
    client.force_login(org.member_north)

    assert document(client.get(gantt_url(org.project_north)))["editable"] is False
    url = edit_url("task_duration", org.project_north, task_id=built["Build"].pk)
    assert client.post(url, {"duration": "9d", "version": 1}, **JSON).status_code == 403


# --- edits through the engine ------------------------------------------------------------------------


def test_a_longer_duration_moves_the_finish_and_says_so(client, org, built):
    """Given Build (3d) on the critical path, when its manager types 5d, then the task is stored with
    2,400 minutes in days, the schedule is recomputed and the answer gives the finish before and after
    and the recomputed chart."""
    client.force_login(org.pm_north)
    build = built["Build"]

    response = client.post(
        edit_url("task_duration", org.project_north, task_id=build.pk),
        {"duration": "5d", "version": 1},
        **JSON,
    )

    assert response.status_code == 200
    body = response.json()
    assert body["message"] == ("‘Build’ now lasts 5d. Project finish: 9 Jan 2026 17:00 → 13 Jan 2026 17:00.")
    assert body["finish"] == "13 Jan 2026 17:00"
    assert tasks_by_name(body["gantt"])["Build"]["duration"] == "5d"
    stored = built["Build"]
    assert (stored.duration_minutes, stored.duration_unit, stored.version) == (5 * DAY, "d", 2)
    assert local(stored.finish) == at(13, 17)


def test_without_script_an_edit_returns_to_the_gantt_with_the_message(client, org, built):
    """Given the duration form as a page, when it is posted, then the Gantt opens showing the change."""
    client.force_login(org.pm_north)
    url = edit_url("task_duration", org.project_north, task_id=built["Build"].pk)
    assert 'value="3d"' in client.get(url).content.decode()

    response = client.post(url, {"duration": "1w", "version": 1}, follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == gantt_url(org.project_north)
    assert "‘Build’ now lasts 1w. Project finish: 9 Jan 2026 17:00 → 13 Jan 2026 17:00." in page
    assert '<dd id="gantt-finish">13 Jan 2026 17:00</dd>' in page


def test_a_bad_duration_is_shown_beside_the_field_and_writes_nothing(client, org, built):
    """Given "3x" typed as a duration, then the answer is 422 naming the field and the reason, as JSON and
    as a form page (the typed text kept), and the task is unchanged."""
    client.force_login(org.pm_north)
    url = edit_url("task_duration", org.project_north, task_id=built["Build"].pk)

    as_json = client.post(url, {"duration": "3x", "version": 1}, **JSON)
    as_page = client.post(url, {"duration": "3x", "version": 1})

    assert as_json.status_code == 422
    assert "“3x” is not a duration" in as_json.json()["errors"]["duration"][0]
    assert as_page.status_code == 422
    page = as_page.content.decode()
    assert 'id="id_duration_errors"' in page and "“3x” is not a duration" in page and 'value="3x"' in page
    build = built["Build"]
    assert (build.duration_minutes, build.version) == (3 * DAY, 1)


def test_a_duration_on_a_summary_task_is_refused_beside_the_field(client, org, plan):
    """Given a summary task, when a duration is typed on it, then the service's refusal is shown on the
    duration field."""
    plan.task("Phase", 0)
    plan.task("Work", 2, parent="Phase")
    client.force_login(org.pm_north)
    phase = plan["Phase"]

    response = client.post(
        edit_url("task_duration", org.project_north, task_id=phase.pk),
        {"duration": "9d", "version": phase.version},
        **JSON,
    )

    assert response.status_code == 422
    assert "summary task takes this from its subtasks" in response.json()["errors"]["duration"][0]


def test_a_stale_edit_is_a_conflict_and_writes_nothing(client, org, built):
    """Given Build changed by someone else since the page was loaded, when the old version is posted, then
    the answer is 409 with a clear message and the chart as it is now; the other change stays."""
    built.update("Build", duration_minutes=4 * DAY)
    client.force_login(org.pm_north)

    response = client.post(
        edit_url("task_duration", org.project_north, task_id=built["Build"].pk),
        {"duration": "9d", "version": 1},
        **JSON,
    )

    assert response.status_code == 409
    body = response.json()
    assert body["conflict"] is True
    assert "Someone else changed this meanwhile" in body["errors"]["__all__"][0]
    assert "version 2; you edited version 1" in body["errors"]["__all__"][0]
    assert tasks_by_name(body["gantt"])["Build"]["duration"] == "4d"
    assert built["Build"].duration_minutes == 4 * DAY


def test_a_stale_form_page_offers_to_apply_again(client, org, built):
    """Given a stale version posted from the form page, then it answers 409 and carries the current
    version, so posting again applies the change."""
    built.update("Build", duration_minutes=4 * DAY)
    client.force_login(org.pm_north)
    url = edit_url("task_duration", org.project_north, task_id=built["Build"].pk)

    response = client.post(url, {"duration": "6d", "version": 1})

    assert response.status_code == 409
    assert 'name="version" value="2"' in response.content.decode()
    assert client.post(url, {"duration": "6d", "version": 2}).status_code == 302
    assert built["Build"].duration_minutes == 6 * DAY


def test_dragging_a_bar_sets_start_no_earlier_than(client, org, built):
    """Given Permits, when its bar is dropped on Wednesday 14 January, then it gets a start-no-earlier-than
    constraint on that day and starts then; the project finish moves to its finish."""
    client.force_login(org.pm_north)

    response = client.post(
        edit_url("task_start", org.project_north, task_id=built["Permits"].pk),
        {"start": "2026-01-14", "version": 1},
        **JSON,
    )

    assert response.status_code == 200
    assert response.json()["message"] == (
        "‘Permits’ starts no earlier than 14 Jan 2026. Project finish: 9 Jan 2026 17:00 → 14 Jan 2026 17:00."
    )
    permits = built["Permits"]
    assert permits.constraint_type == ConstraintType.SNET
    assert local(permits.constraint_date) == at(14, 0) and local(permits.start) == at(14, 8)
    assert (
        tasks_by_name(response.json()["gantt"])["Permits"]["constraint"]
        == "Start no earlier than 14 Jan 2026"
    )


def test_links_are_added_with_lags_and_removed(client, org, built):
    """Given Build and Permits, when Permits is made to follow Build with a 2-day lag, then it starts two
    working days after Build; a lead and a percentage are read too; removing the link frees it again."""
    client.force_login(org.pm_north)
    url = edit_url("link_create", org.project_north)

    response = client.post(
        url,
        {"predecessor": built["Build"].pk, "successor": built["Permits"].pk, "type": "FS", "lag": "2d"},
        **JSON,
    )

    assert response.status_code == 200
    assert response.json()["message"].startswith("‘Permits’ now follows ‘Build’ (FS+2d). Project finish:")
    link = Dependency.objects.get(successor=built["Permits"])
    assert (link.lag, link.lag_unit) == (2 * DAY, LagUnit.WORKING)
    assert local(built["Permits"].start) == at(14, 8)

    link_delete = edit_url("link_delete", org.project_north, link_id=link.pk)
    assert client.post(link_delete, {"version": link.version}, **JSON).status_code == 200
    assert local(built["Permits"].start) == at(5, 8)

    client.post(
        url,
        {"predecessor": built["Design"].pk, "successor": built["Permits"].pk, "type": "SS", "lag": "50%"},
        **JSON,
    )
    assert Dependency.objects.filter(successor=built["Permits"], lag=50, lag_unit=LagUnit.PERCENT).exists()


def test_a_link_that_closes_a_loop_is_refused_naming_it(client, org, built):
    """Given Design → Build, when Build is made the predecessor of Design, then the answer names the loop
    Design → Build → Design next to the predecessor, and no link is added."""
    client.force_login(org.pm_north)

    response = client.post(
        edit_url("link_create", org.project_north),
        {"predecessor": built["Build"].pk, "successor": built["Design"].pk, "type": "FS", "lag": ""},
        **JSON,
    )

    assert response.status_code == 422
    message = response.json()["errors"]["predecessor"][0]
    assert "loop" in message and "Design" in message and "Build" in message
    assert Dependency.objects.filter(project=org.project_north).count() == 1


def test_a_bad_lag_and_a_task_following_itself_are_refused(client, org, built):
    """Given a lag of "2q" and a task linked to itself, then each is refused beside its field."""
    client.force_login(org.pm_north)
    url = edit_url("link_create", org.project_north)
    design = built["Design"].pk

    bad_lag = client.post(
        url, {"predecessor": design, "successor": built["Permits"].pk, "lag": "2q", "type": "FS"}, **JSON
    )
    itself = client.post(url, {"predecessor": design, "successor": design, "type": "FS"}, **JSON)

    assert bad_lag.status_code == 422 and "“2q” is not a duration" in bad_lag.json()["errors"]["lag"][0]
    assert itself.status_code == 422 and itself.json()["errors"]["successor"] == [
        "A task cannot follow itself."
    ]
    assert Dependency.objects.filter(project=org.project_north).count() == 1


def test_a_task_is_added_below_the_selected_row(client, org, built):
    """Given Design selected, when a task is added, then it comes right below Design at its level, with
    its typed duration; a zero duration makes a milestone."""
    client.force_login(org.pm_north)
    url = edit_url("task_create", org.project_north)

    response = client.post(url, {"name": "Review", "duration": "4h", "after": built["Design"].pk}, **JSON)
    client.post(url, {"name": "Handover", "duration": "0d"}, **JSON)

    assert response.status_code == 200
    assert response.json()["message"].startswith("Task ‘Review’ added. Project finish unchanged:")
    order = list(
        Task.objects.filter(project=org.project_north).order_by("sort_index").values_list("name", flat=True)
    )
    assert order == ["Design", "Review", "Build", "Permits", "Handover"]
    review = Task.objects.get(name="Review")
    assert (review.duration_minutes, review.duration_unit) == (240, "h")
    assert Task.objects.get(name="Handover").is_milestone


def test_a_task_is_deleted_with_its_links(client, org, built):
    """Given Design → Build, when Design is deleted, then its link goes with it and Build starts first."""
    client.force_login(org.pm_north)
    design = built["Design"]

    response = client.post(
        edit_url("task_delete", org.project_north, task_id=design.pk), {"version": design.version}, **JSON
    )

    assert response.status_code == 200
    assert "Project finish: 9 Jan 2026 17:00 → 7 Jan 2026 17:00." in response.json()["message"]
    assert not Dependency.objects.filter(project=org.project_north).exists()


def test_durations_follow_the_project_calendar(client, org, calendar8):
    """Given N-001 on a calendar of 7.5-hour days, when 2d is typed, then the task lasts 900 minutes."""
    short = CalendarFactory(
        name="Short days", working_week=[[["08:00", "12:00"], ["12:30", "16:00"]]] * 5 + [[], []]
    )
    org.north.calendar = short
    org.north.save(update_fields=["calendar"])
    plan = Plan(org.pm_north, org.project_north)
    plan.task("Pour", duration_minutes=450)
    client.force_login(org.pm_north)

    response = client.post(
        edit_url("task_duration", org.project_north, task_id=plan["Pour"].pk),
        {"duration": "2d", "version": 1},
        **JSON,
    )

    assert response.status_code == 200
    assert plan["Pour"].duration_minutes == 900
    assert tasks_by_name(response.json()["gantt"])["Pour"]["duration"] == "2d"


# --- the portfolio Gantt -----------------------------------------------------------------------------


def test_the_portfolio_gantt_shows_the_scope_grouped_by_unit_with_milestones(client, org, built):
    """Given N-001 scheduled with a milestone and S-001 with only planned dates, then the executive sees
    both under their units, N-001 from its schedule with its milestone, S-001 as planned; each row
    leads to the project's schedule."""
    built.task("Go live", 0)
    built.link("Build", "Go live")
    client.force_login(org.exec)

    response = client.get(reverse("schedule:portfolio"))

    assert response.status_code == 200
    rows = document(response)["rows"]
    groups = [r["label"] for r in rows if r["kind"] == "group"]
    assert groups == ["NORTH — Division North", "SOUTH — Division South"]
    north, south = (r for r in rows if r["kind"] == "project")
    assert north["code"] == "N-001" and north["scheduled"] is True
    assert [m[1] for m in north["milestones"]] == ["Go live"] and north["milestones"][0][2] is True
    assert south["code"] == "S-001" and south["scheduled"] is False and south["start"] is not None
    assert north["url"] == gantt_url(org.project_north)


def test_the_portfolio_gantt_keeps_to_the_users_scope_and_filters(client, org, built):
    """Given pm_north, then only NORTH's projects appear; filtering by unit and status narrows the rows
    and an htmx request gets only the chart."""
    ProjectFactory(code="N-002", name="Bergen depot", org_unit=org.north, status="proposed")
    client.force_login(org.pm_north)

    page = client.get(reverse("schedule:portfolio")).content.decode()
    proposed = document(client.get(reverse("schedule:portfolio") + "?status=proposed"))
    fragment = client.get(reverse("schedule:portfolio") + f"?unit={org.north.pk}", HTTP_HX_REQUEST="true")

    assert "S-001" not in page and "Madrid office move" not in page and "N-001" in page
    assert [r["code"] for r in proposed["rows"] if r["kind"] == "project"] == ["N-002"]
    assert "<html" not in fragment.content.decode() and "N-002" in fragment.content.decode()


def test_the_portfolio_gantt_says_when_nothing_matches(client, org):
    """Given filters nothing matches, then the page says so and offers to clear them."""
    client.force_login(org.pm_north)

    page = client.get(reverse("schedule:portfolio") + "?status=cancelled").content.decode()

    assert "No project matches these filters" in page


def test_the_schedule_area_is_in_the_navigation(client, org):
    """Given any signed-in person, then the navigation offers the Schedule area, marked on its pages."""
    client.force_login(org.member_north)

    page = client.get(reverse("schedule:portfolio")).content.decode()

    assert re.search(r'class="nav-link active" href="/schedule/" aria-current="true"', page)


def test_wall_clock_minutes_are_in_the_projects_zone(client, org, built):
    """Given N-001 in Oslo, then a task's start in the document is its Oslo wall-clock time."""
    client.force_login(org.pm_north)

    design = tasks_by_name(document(client.get(gantt_url(org.project_north))))["Design"]

    start = built["Design"].start.astimezone(OSLO)
    assert design["start"] == _minutes_to_2026() + (start.day - 1) * 1440 + start.hour * 60
