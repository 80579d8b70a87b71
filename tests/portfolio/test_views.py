"""Portfolio pages: dashboard, register (filters, sort, pagination, htmx, export), forms, feed, audit trail."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from keel.core.models import AuditEntry
from keel.orgs.models import Role
from keel.portfolio import services
from keel.portfolio.models import Project
from tests.factories import MembershipFactory, OrgUnitFactory, ProjectFactory, UserFactory

REGISTER = reverse("portfolio:project_list")


def codes_in(response) -> list[str]:
    """The project codes listed in the register table, in order."""
    return [p.code for p in response.context["page"].items]


def xlsx_rows(content: bytes) -> list[tuple]:
    """The rows of the first sheet of an .xlsx file."""
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def valid_project_data(org, **overrides) -> dict:
    """A complete, valid project form submission in Division North."""
    data = {
        "code": "N-100",
        "name": "Tromsø link",
        "description": "Fibre to the north",
        "org_unit": org.north.pk,
        "program": "",
        "manager": org.pm_north.pk,
        "sponsor": "",
        "status": "proposed",
        "health": "green",
        "phase": "initiation",
        "priority": "500",
        "planned_start": "2026-03-02",
        "planned_finish": "2026-09-30",
        "budget": "250000",
        "currency": "",
    }
    data.update(overrides)
    return data


# -- dashboard -------------------------------------------------------------------------------------
def test_dashboard_counts_the_visible_portfolio(client, org):
    # Given a red project finishing soon in North and more projects in South
    soon = timezone.localdate() + dt.timedelta(days=10)
    ProjectFactory(code="N-RED", org_unit=org.north, health="red", planned_finish=soon)
    ProjectFactory(code="S-002", org_unit=org.south)
    # When the North project manager opens Home
    client.force_login(org.pm_north)
    response = client.get(reverse("home"))
    # Then the page counts only North's two projects and lists the one finishing soon
    assert response.status_code == 200
    dash = response.context["dash"]
    assert dash.total == 2
    assert dash.by_health == {"green": 1, "red": 1}
    body = response.content.decode()
    assert "N-RED" in body and "S-001" not in body and "S-002" not in body
    assert 'id="chart-status"' in body and 'data-keel-chart="donut"' in body
    assert "Finishing in the next 30 days" in body


def test_dashboard_tells_a_user_without_roles_what_to_do(client, org):
    client.force_login(org.outsider)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "You have no role in any unit yet" in response.content.decode()
    assert response.context["dash"].total == 0


def _many_projects(org, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        ProjectFactory(
            code=f"N-{i:04d}", org_unit=org.north, manager=org.pm_north, planned_finish=timezone.localdate()
        )


@pytest.mark.parametrize("url", [reverse("home"), REGISTER, REGISTER + "?sort=-budget&status=active"])
def test_page_queries_do_not_grow_with_the_number_of_projects(client, org, django_assert_num_queries, url):
    # Given 40 projects, count the queries of the page
    _many_projects(org, 40)
    client.force_login(org.pm_north)
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    # When there are 240 projects
    _many_projects(org, 200, start=40)
    # Then the page needs exactly as many queries
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


# -- register --------------------------------------------------------------------------------------
@pytest.fixture
def register_org(org):
    """North gets a team below it and a mix of projects."""
    team = OrgUnitFactory(code="NORTH-T1", name="North team 1", parent=org.north, currency="NOK")
    ProjectFactory(code="N-A", name="Alpha cable", org_unit=org.north, status="active", health="amber")
    ProjectFactory(code="N-B", name="Beta", org_unit=team, status="on_hold", health="red", phase="planning")
    ProjectFactory(
        code="N-C",
        name="Gamma",
        description="alpha inside",
        org_unit=team,
        status="closed",
        budget=Decimal("5"),
    )
    return team


def test_register_filters_by_status_and_health_multi(client, org, register_org):
    client.force_login(org.pm_north)
    response = client.get(REGISTER, {"status": ["active", "on_hold"], "health": ["red", "amber"]})
    assert codes_in(response) == ["N-A", "N-B"]


def test_register_unit_filter_includes_the_subtree(client, org, register_org):
    client.force_login(org.admin)
    assert codes_in(client.get(REGISTER, {"unit": org.north.pk})) == ["N-001", "N-A", "N-B", "N-C"]
    assert codes_in(client.get(REGISTER, {"unit": register_org.pk})) == ["N-B", "N-C"]


def test_register_search_matches_code_name_and_description(client, org, register_org):
    client.force_login(org.pm_north)
    assert codes_in(client.get(REGISTER, {"q": "alpha"})) == ["N-A", "N-C"]


def test_register_filters_by_manager_program_and_phase(client, org, register_org):
    client.force_login(org.admin)
    assert codes_in(client.get(REGISTER, {"manager": org.pm_north.pk})) == ["N-001"]
    program = org.project_north.program
    assert codes_in(client.get(REGISTER, {"program": program.pk})) == ["N-001"]
    assert codes_in(client.get(REGISTER, {"phase": "planning"})) == ["N-B"]


def test_register_sorts_by_column_both_ways(client, org, register_org):
    client.force_login(org.pm_north)
    ascending = codes_in(client.get(REGISTER, {"sort": "budget"}))
    descending = codes_in(client.get(REGISTER, {"sort": "-budget"}))
    assert ascending[0] == "N-C"
    assert descending[-1] == "N-C"
    # The header of the sorted column links to the reverse order and says how it is sorted
    body = client.get(REGISTER, {"sort": "budget"}).content.decode()
    assert "?sort=-budget" in body and 'aria-sort="ascending"' in body


def test_register_ignores_an_unknown_sort_key(client, org, register_org):
    client.force_login(org.pm_north)
    response = client.get(REGISTER, {"sort": "password"})
    assert response.status_code == 200
    assert codes_in(response) == ["N-001", "N-A", "N-B", "N-C"]


def test_register_paginates_by_25_and_keeps_filters_in_page_links(client, org):
    _many_projects(org, 30)
    client.force_login(org.pm_north)
    first = client.get(REGISTER, {"status": "active"})
    assert len(codes_in(first)) == 25
    assert "status=active&amp;page=2" in first.content.decode()
    second = client.get(REGISTER, {"status": "active", "page": 2})
    assert len(codes_in(second)) == 6  # 30 + N-001
    assert set(codes_in(first)).isdisjoint(codes_in(second))
    # A page past the end gives the last page, a page that is not a number the first
    assert codes_in(client.get(REGISTER, {"status": "active", "page": 99})) == codes_in(second)
    assert codes_in(client.get(REGISTER, {"status": "active", "page": "x"})) == codes_in(first)


def test_register_answers_htmx_with_the_table_only(client, org, register_org):
    client.force_login(org.pm_north)
    response = client.get(REGISTER, {"status": "active"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<table" in body and "N-A" in body
    assert 'hx-swap-oob="true"' in body  # the form's hidden sort field follows the table
    assert "HX-Request" in response["Vary"]
    full = client.get(REGISTER, {"status": "active"})
    assert "<html" in full.content.decode()


def test_register_refuses_a_filter_on_a_unit_out_of_scope_and_shows_why(client, org):
    client.force_login(org.pm_north)
    response = client.get(REGISTER, {"unit": org.south.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert "not applied" in body
    assert codes_in(response) == ["N-001"]
    assert "S-001" not in body and "Division South" not in body


def test_register_empty_state_offers_the_next_step(client, org):
    client.force_login(org.pm_north)
    body = client.get(REGISTER, {"q": "nothing-like-this"}).content.decode()
    assert "No project matches these filters" in body


# -- Excel export ----------------------------------------------------------------------------------
def test_export_contains_the_filtered_register(client, org, register_org):
    client.force_login(org.pm_north)
    response = client.get(
        reverse("portfolio:project_export"), {"status": ["active", "on_hold"], "sort": "-code"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = xlsx_rows(response.content)
    assert rows[0][:3] == ("Code", "Name", "Org unit")
    assert [r[0] for r in rows[1:]] == ["N-B", "N-A", "N-001"]
    beta = rows[1]
    assert beta[2] == "NORTH-T1" and beta[6] == "On hold" and beta[7] == "Red"


def test_export_is_scoped(client, org):
    client.force_login(org.pm_south)
    rows = xlsx_rows(client.get(reverse("portfolio:project_export")).content)
    assert [r[0] for r in rows[1:]] == ["S-001"]


# -- create ----------------------------------------------------------------------------------------
def test_create_registers_the_project_and_audits_it(client, org):
    client.force_login(org.pm_north)
    response = client.post(reverse("portfolio:project_create"), valid_project_data(org))
    project = Project.objects.get(code="N-100")
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:project_detail", args=[project.pk])
    assert project.currency == "NOK"  # the unit's currency when left empty
    assert project.manager == org.pm_north
    assert AuditEntry.objects.filter(object_id=str(project.pk), action="create", actor=org.pm_north).exists()


def test_create_form_offers_only_units_programs_and_people_in_scope(client, org):
    client.force_login(org.pm_north)
    form = client.get(reverse("portfolio:project_create")).context["form"]
    assert list(form.fields["org_unit"].queryset) == [org.north]
    assert org.project_north.program in form.fields["program"].queryset  # run by an ancestor unit
    people = set(form.fields["manager"].queryset)
    assert org.pm_north in people and org.admin in people
    assert org.pm_south not in people


def test_create_with_invalid_values_shows_field_errors_keeps_input_and_writes_nothing(client, org):
    client.force_login(org.pm_north)
    data = valid_project_data(org, planned_start="2026-09-30", planned_finish="2026-03-02", currency="nok1")
    response = client.post(reverse("portfolio:project_create"), data)
    assert response.status_code == 422
    form = response.context["form"]
    assert "planned_finish" in form.errors and "currency" in form.errors
    body = response.content.decode()
    assert 'id="id_currency_errors"' in body
    assert 'value="Tromsø link"' in body  # what was typed stays
    assert not Project.objects.filter(code="N-100").exists()
    assert not AuditEntry.objects.exists()


def test_create_with_finish_before_start_names_the_finish_field(client, org):
    client.force_login(org.pm_north)
    data = valid_project_data(org, planned_start="2026-09-30", planned_finish="2026-03-02")
    response = client.post(reverse("portfolio:project_create"), data)
    assert response.status_code == 422
    assert "planned_finish" in response.context["form"].errors
    assert 'id="id_planned_finish_errors"' in response.content.decode()
    assert not Project.objects.filter(code="N-100").exists()


def test_create_refuses_a_duplicate_code(client, org):
    client.force_login(org.pm_north)
    response = client.post(reverse("portfolio:project_create"), valid_project_data(org, code="N-001"))
    assert response.status_code == 422
    assert "code" in response.context["form"].errors
    assert Project.objects.filter(code="N-001").count() == 1


def test_create_refuses_a_unit_or_manager_out_of_scope(client, org):
    client.force_login(org.pm_north)
    data = valid_project_data(org, org_unit=org.south.pk, manager=org.pm_south.pk)
    response = client.post(reverse("portfolio:project_create"), data)
    errors = response.context["form"].errors
    assert response.status_code == 422
    assert "org_unit" in errors and "manager" in errors
    assert not Project.objects.filter(code="N-100").exists()


def test_create_maps_a_service_rule_onto_the_field(client, org):
    # Given two teams below North and a person who holds a role only in the second one
    team1 = OrgUnitFactory(code="N-T1", parent=org.north, currency="NOK")
    team2 = OrgUnitFactory(code="N-T2", parent=org.north, currency="NOK")
    person = UserFactory(username="team2lead")
    MembershipFactory(user=person, unit=team2, role=Role.TEAM_MEMBER)
    client.force_login(org.pm_north)
    # When that person is made manager of a project of the first team (the form offers them: they are in scope)
    data = valid_project_data(org, org_unit=team1.pk, manager=person.pk)
    response = client.post(reverse("portfolio:project_create"), data)
    # Then the service's rule is shown next to the manager field and nothing is written
    assert response.status_code == 422
    assert "holds no role covering N-T1" in " ".join(response.context["form"].errors["manager"])
    assert 'id="id_manager_errors"' in response.content.decode()
    assert not Project.objects.filter(code="N-100").exists()


def test_executive_cannot_open_the_create_form(client, org):
    client.force_login(org.exec)
    assert client.get(reverse("portfolio:project_create")).status_code == 403
    assert client.post(reverse("portfolio:project_create"), valid_project_data(org)).status_code == 403


# -- edit ------------------------------------------------------------------------------------------
def _edit_data(project: Project, **overrides) -> dict:
    data = {
        "code": project.code,
        "name": project.name,
        "description": project.description,
        "org_unit": project.org_unit_id,
        "program": project.program_id or "",
        "manager": project.manager_id or "",
        "sponsor": project.sponsor_id or "",
        "status": project.status,
        "health": project.health,
        "phase": project.phase,
        "priority": project.priority,
        "planned_start": project.planned_start.isoformat() if project.planned_start else "",
        "planned_finish": project.planned_finish.isoformat() if project.planned_finish else "",
        "budget": str(project.budget),
        "currency": project.currency,
        "version": project.version,
    }
    data.update(overrides)
    return data


def test_edit_saves_changes_and_the_feed_shows_them(client, org):
    project = org.project_north
    client.force_login(org.pm_north)
    url = reverse("portfolio:project_update", args=[project.pk])
    assert 'name="version"' in client.get(url).content.decode()
    response = client.post(url, _edit_data(project, health="red", manager=org.member_north.pk))
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.health, project.manager, project.version) == ("red", org.member_north, 2)
    # The project page's activity feed says who changed which field from what to what, in words
    page = client.get(reverse("portfolio:project_detail", args=[project.pk]))
    body = page.content.decode()
    update = next(item for item in page.context["feed"] if item.entry.action == "update")
    changes = {c.label: (c.old, c.new) for c in update.changes}
    assert changes["Health"] == ("Green", "Red")
    assert changes["Manager"] == (str(org.pm_north), str(org.member_north))
    assert "Health" in body and "Green" in body and "Red" in body
    assert escape(str(org.member_north)) in body


def test_stale_edit_shows_a_conflict_and_overwrites_nothing(client, org):
    project = org.project_north
    stale = _edit_data(project, name="My edit")
    # Given someone else saved the project after the form was opened
    services.project_update(actor=org.admin, project=project, version=1, name="Their edit")
    # When the form made at version 1 is saved
    client.force_login(org.pm_north)
    response = client.post(reverse("portfolio:project_update", args=[project.pk]), stale)
    # Then nothing is overwritten, the conflict is explained and the typed values are kept
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed this project while you were editing" in body
    assert 'value="My edit"' in body
    project.refresh_from_db()
    assert (project.name, project.version) == ("Their edit", 2)


def test_edit_with_invalid_values_writes_nothing(client, org):
    project = org.project_north
    client.force_login(org.pm_north)
    response = client.post(
        reverse("portfolio:project_update", args=[project.pk]), _edit_data(project, priority="2000", name="")
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "priority" in errors and "name" in errors
    project.refresh_from_db()
    assert project.version == 1 and project.name == "Oslo data centre"


def test_project_page_shows_edit_only_to_who_may_change(client, org):
    url = reverse("portfolio:project_detail", args=[org.project_north.pk])
    edit = reverse("portfolio:project_update", args=[org.project_north.pk])
    client.force_login(org.pm_north)
    assert edit in client.get(url).content.decode()
    client.force_login(org.member_north)
    response = client.get(url)
    assert response.status_code == 200 and edit not in response.content.decode()
    assert client.get(edit).status_code == 403


def test_project_page_shows_all_fields_and_links(client, org):
    client.force_login(org.pm_north)
    body = client.get(reverse("portfolio:project_detail", args=[org.project_north.pk])).content.decode()
    for text in ("N-001", "Oslo data centre", "PG-NET", "PF-ENG", "NORTH", "100,000.00", "NOK", "Green"):
        assert text in body
    assert "bi-check-circle-fill" in body  # the RAG badge carries an icon and a word, not colour alone


# -- delete ----------------------------------------------------------------------------------------
def test_delete_asks_then_deletes(client, org):
    project = org.project_north
    client.force_login(org.pm_north)
    url = reverse("portfolio:project_delete", args=[project.pk])
    assert "Delete project" in client.get(url).content.decode()
    assert Project.objects.filter(pk=project.pk).exists()
    response = client.post(url, {"version": 1})
    assert response.status_code == 302 and response["Location"] == REGISTER
    assert not Project.objects.filter(pk=project.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(project.pk), action="delete").exists()


def test_stale_delete_is_refused(client, org):
    project = org.project_north
    services.project_update(actor=org.admin, project=project, version=1, health="red")
    client.force_login(org.pm_north)
    response = client.post(reverse("portfolio:project_delete", args=[project.pk]), {"version": 1})
    assert response.status_code == 409
    assert Project.objects.filter(pk=project.pk).exists()
    assert 'value="2"' in response.content.decode()  # the confirmation now names the current version


# -- audit trail -----------------------------------------------------------------------------------
def test_audit_trail_lists_and_filters_entries_for_pmo_admins(client, org):
    services.project_update(actor=org.pm_north, project=org.project_north, version=1, health="red")
    services.project_update(actor=org.pm_south, project=org.project_south, version=1, health="amber")
    client.force_login(org.admin)
    url = reverse("portfolio:audit_list")
    assert client.get(url).context["page"].count == 2
    by_unit = client.get(url, {"unit": org.north.pk})
    assert [e.object_repr for e in by_unit.context["page"].items] == [str(org.project_north)]
    by_user = client.get(url, {"actor": org.pm_south.pk})
    assert [e.actor for e in by_user.context["page"].items] == [org.pm_south]
    by_type = client.get(url, {"record_type": "orgs.orgunit"})
    assert by_type.context["page"].count == 0
    by_id = client.get(url, {"record_type": "portfolio.project", "object_id": org.project_south.pk})
    assert by_id.context["page"].count == 1
    today = timezone.localdate()
    assert client.get(url, {"since": today + dt.timedelta(days=1)}).context["page"].count == 0
    assert client.get(url, {"until": today}).context["page"].count == 2


def test_audit_trail_of_a_divisional_admin_is_scoped(client, org):
    services.project_update(actor=org.pm_south, project=org.project_south, version=1, health="amber")
    north_admin = UserFactory(username="north_admin")
    MembershipFactory(user=north_admin, unit=org.north, role=Role.PMO_ADMIN)
    client.force_login(north_admin)
    response = client.get(reverse("portfolio:audit_list"))
    assert response.status_code == 200
    assert response.context["page"].count == 0
    assert "S-001" not in response.content.decode()


def test_audit_trail_is_closed_to_other_roles(client, org):
    client.force_login(org.exec)
    assert client.get(reverse("portfolio:audit_list")).status_code == 403


def test_audit_page_queries_do_not_grow_with_the_number_of_entries(client, org, django_assert_num_queries):
    # Given 40 entries naming managers and programs, count the queries of the page
    url = reverse("portfolio:audit_list")
    client.force_login(org.admin)

    def entries(n: int) -> None:
        for i in range(n):
            services.project_create(
                actor=org.pm_north,
                org_unit=org.north,
                code=f"A-{Project.objects.count()}-{i}",
                name="x",
                manager=org.pm_north,
                program=org.project_north.program,
            )

    entries(40)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    # When there are 200 entries, the page needs exactly as many queries
    entries(160)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert "Manager" in response.content.decode()  # field labels, not column names
