"""The Django admin: open to PMO administrators only, scoped like the pages, writing through services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keel.core.models import AuditEntry
from keel.orgs.models import Membership, OrgUnit, Role, User
from keel.portfolio import services as portfolio_services
from keel.portfolio.models import Project
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def north_admin(org) -> User:
    """A divisional PMO administrator of Division North (no is_staff flag)."""
    user = UserFactory(username="north_admin")
    MembershipFactory(user=user, unit=org.north, role=Role.PMO_ADMIN)
    return user


def changelist(model: str) -> str:
    return reverse(f"admin:{model.replace('.', '_')}_changelist")


def change(model: str, pk: int) -> str:
    return reverse(f"admin:{model.replace('.', '_')}_change", args=[pk])


def test_pmo_admins_get_in_without_the_staff_flag_and_others_do_not(client, org, north_admin):
    assert not north_admin.is_staff
    client.force_login(north_admin)
    assert client.get(reverse("admin:index")).status_code == 200
    for persona in (org.pm_north, org.exec, org.outsider):
        client.force_login(persona)
        response = client.get(reverse("admin:index"), follow=True)
        assert response.status_code == 403
    client.logout()
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("model", "visible", "hidden"),
    [
        ("portfolio.project", "N-001", "S-001"),
        ("orgs.orgunit", "Division North", "Division South"),
        ("orgs.membership", "pm_north", "pm_south"),
        ("orgs.user", "pm_north", "pm_south"),
    ],
)
def test_divisional_admin_changelists_hide_the_sibling_division(
    client, org, north_admin, model, visible, hidden
):
    client.force_login(north_admin)
    response = client.get(changelist(model))
    body = response.content.decode()
    assert response.status_code == 200
    assert visible in body and hidden not in body


def test_divisional_admin_audit_trail_hides_the_sibling_division(client, org, north_admin):
    portfolio_services.project_update(actor=org.pm_north, project=org.project_north, version=1, health="red")
    portfolio_services.project_update(actor=org.pm_south, project=org.project_south, version=1, health="red")
    client.force_login(north_admin)
    body = client.get(changelist("core.auditentry")).content.decode()
    assert "N-001" in body and "S-001" not in body


@pytest.mark.parametrize(
    ("model", "attr"),
    [
        ("portfolio.project", "project_south"),
        ("orgs.orgunit", "south"),
        ("orgs.user", "pm_south"),
    ],
)
def test_out_of_scope_change_view_is_not_reachable_nor_editable(client, org, north_admin, model, attr):
    record = getattr(org, attr)
    client.force_login(north_admin)
    response = client.get(change(model, record.pk))
    # Django's admin answers a missing object with a redirect to the index and a message
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    posted = client.post(change(model, record.pk), {"name": "Hijacked", "first_name": "Hijacked"})
    assert posted.status_code == 302
    record.refresh_from_db()
    assert getattr(record, "name", getattr(record, "first_name", None)) != "Hijacked"


def test_sibling_membership_cannot_be_deleted(client, org, north_admin):
    membership = Membership.objects.get(user=org.pm_south)
    client.force_login(north_admin)
    url = reverse("admin:orgs_membership_delete", args=[membership.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert Membership.objects.filter(pk=membership.pk).exists()


def _project_form(project: Project, **overrides) -> dict:
    data = {
        "code": project.code,
        "name": project.name,
        "description": project.description,
        "org_unit": project.org_unit_id,
        "program": project.program_id or "",
        "manager": project.manager_id or "",
        "sponsor": project.sponsor_id or "",
        "phase": project.phase,
        "status": project.status,
        "priority": project.priority,
        "planned_start": project.planned_start.isoformat(),
        "planned_finish": project.planned_finish.isoformat(),
        "budget": str(project.budget),
        "currency": project.currency,
        "health": project.health,
        "keel_version": project.version,
    }
    data.update(overrides)
    return data


def test_admin_change_goes_through_the_service_and_is_audited(client, org, north_admin):
    project = org.project_north
    client.force_login(north_admin)
    form = client.get(change("portfolio.project", project.pk)).context["adminform"].form
    # Choices are scoped: only North's subtree, only people covering it
    assert list(form.fields["org_unit"].queryset) == [org.north]
    assert org.pm_south not in form.fields["manager"].queryset
    response = client.post(change("portfolio.project", project.pk), _project_form(project, health="red"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.health, project.version) == ("red", 2)
    entry = AuditEntry.objects.get(action="update", object_id=str(project.pk))
    assert entry.actor == north_admin and entry.changes == {"health": ["green", "red"]}


def test_admin_stale_change_is_refused(client, org, north_admin):
    project = org.project_north
    stale = _project_form(project, name="Admin edit")
    portfolio_services.project_update(actor=org.pm_north, project=project, version=1, name="PM edit")
    client.force_login(north_admin)
    response = client.post(change("portfolio.project", project.pk), stale, follow=True)
    assert "Nothing was saved" in response.content.decode()
    project.refresh_from_db()
    assert (project.name, project.version) == ("PM edit", 2)


def test_admin_cannot_move_a_project_to_a_sibling_division(client, org, north_admin):
    project = org.project_north
    client.force_login(north_admin)
    response = client.post(
        change("portfolio.project", project.pk), _project_form(project, org_unit=org.south.pk)
    )
    assert response.status_code == 200  # the form shows the invalid choice
    assert "org_unit" in response.context["adminform"].form.errors
    project.refresh_from_db()
    assert project.org_unit == org.north


def test_admin_adds_a_unit_through_the_service(client, org, north_admin):
    client.force_login(north_admin)
    data = {"code": "N-LAB", "name": "North lab", "kind": "team", "parent": org.north.pk, "currency": "NOK"}
    response = client.post(reverse("admin:orgs_orgunit_add"), data)
    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="N-LAB")
    assert unit.path == org.north.path + f"{unit.pk:06d}."
    assert AuditEntry.objects.filter(object_id=str(unit.pk), action="create", actor=north_admin).exists()


def test_admin_user_form_of_a_pmo_admin_offers_no_privileges(client, org, north_admin):
    client.force_login(north_admin)
    form = client.get(change("orgs.user", org.pm_north.pk)).context["adminform"].form
    assert "is_superuser" not in form.fields and "is_staff" not in form.fields
    response = client.post(
        change("orgs.user", org.pm_north.pk),
        {
            "username": "pm_north",
            "first_name": "Pam",
            "last_name": "North",
            "email": "pam@example.org",
            "is_active": "on",
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302
    org.pm_north.refresh_from_db()
    assert org.pm_north.first_name == "Pam"
    assert not org.pm_north.is_superuser and not org.pm_north.is_staff


def test_a_superuser_cannot_be_changed_by_a_pmo_admin(client, org, north_admin):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    MembershipFactory(user=root, unit=org.north, role=Role.TEAM_MEMBER)
    client.force_login(north_admin)
    response = client.post(
        change("orgs.user", root.pk),
        {"username": "root", "first_name": "x", "last_name": "y", "email": "r@example.org", "is_active": ""},
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active


def test_superuser_sees_every_division(client, org):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    body = client.get(changelist("portfolio.project")).content.decode()
    assert "N-001" in body and "S-001" in body


def test_bulk_delete_is_not_offered(client, org, north_admin):
    client.force_login(north_admin)
    response = client.get(changelist("portfolio.project"))
    assert "delete_selected" not in response.content.decode()
