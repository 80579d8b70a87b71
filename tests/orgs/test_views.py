"""Organisation pages: personal API tokens, org units, people and roles, sign-in and the layout."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keel.core.models import AuditEntry
from keel.orgs import services
from keel.orgs.models import ApiToken, Membership, OrgUnit, Role, User
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def north_admin(org) -> User:
    """A divisional PMO administrator of Division North."""
    user = UserFactory(username="north_admin")
    MembershipFactory(user=user, unit=org.north, role=Role.PMO_ADMIN)
    return user


# -- sign-in and layout ----------------------------------------------------------------------------
def test_sign_in_and_out(client, org):
    response = client.post(reverse("login"), {"username": "pm_north", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    body = home.content.decode()
    assert "NORTH" in body and "Project manager" in body  # the user's scope in the top bar
    assert 'hx-headers=\'{"X-CSRFToken": "' in body
    assert client.get(reverse("logout")).status_code == 405  # signing out needs a POST
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_says_so_and_keeps_the_user_out(client, org):
    response = client.post(reverse("login"), {"username": "pm_north", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_admin_area_is_in_the_navigation_only_for_pmo_admins(client, org):
    client.force_login(org.admin)
    assert reverse("orgs:unit_list") in client.get(reverse("home")).content.decode()
    client.force_login(org.pm_north)
    assert reverse("orgs:unit_list") not in client.get(reverse("home")).content.decode()


def test_not_found_page_uses_the_layout(client, org):
    client.force_login(org.pm_north)
    response = client.get(reverse("portfolio:project_detail", args=[org.project_south.pk]))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and "S-001" not in body and "Madrid" not in body


# -- API tokens ------------------------------------------------------------------------------------
def test_token_is_shown_once_then_only_its_prefix(client, org):
    client.force_login(org.pm_north)
    url = reverse("orgs:token_list")
    response = client.post(url, {"name": "Reporting script"})
    assert response.status_code == 201
    plaintext = response.context["plaintext"]
    assert plaintext.startswith("keel_") and plaintext in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=org.pm_north)
    assert token.name == "Reporting script"
    listing = client.get(url).content.decode()
    assert plaintext not in listing and token.prefix in listing
    assert services.api_token_authenticate(plaintext) == org.pm_north


def test_token_needs_a_name(client, org):
    client.force_login(org.pm_north)
    response = client.post(reverse("orgs:token_list"), {"name": ""})
    assert response.status_code == 422
    assert "name" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_token_revoke_asks_then_revokes(client, org):
    token, plaintext = services.api_token_create(user=org.pm_north, name="old")
    client.force_login(org.pm_north)
    url = reverse("orgs:token_revoke", args=[token.pk])
    assert "Revoke token" in client.get(url).content.decode()
    assert services.api_token_authenticate(plaintext) == org.pm_north
    assert client.post(url).status_code == 302
    assert services.api_token_authenticate(plaintext) is None


def test_someone_elses_token_is_not_found(client, org):
    token, plaintext = services.api_token_create(user=org.pm_south, name="theirs")
    client.force_login(org.pm_north)
    url = reverse("orgs:token_revoke", args=[token.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert services.api_token_authenticate(plaintext) == org.pm_south


# -- org units -------------------------------------------------------------------------------------
def test_unit_tree_lists_only_administered_units(client, org, north_admin):
    client.force_login(north_admin)
    units = list(client.get(reverse("orgs:unit_list")).context["units"])
    assert units == [org.north]
    client.force_login(org.admin)
    codes = [u.code for u in client.get(reverse("orgs:unit_list")).context["units"]]
    assert codes == ["CPMO", "ENG", "NORTH", "SOUTH"]


def test_create_unit_under_an_administered_parent(client, org, north_admin):
    client.force_login(north_admin)
    data = {"code": "N-OPS", "name": "North operations", "kind": "team", "parent": org.north.pk}
    response = client.post(reverse("orgs:unit_create"), data)
    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="N-OPS")
    assert unit.parent == org.north and unit.currency == "NOK" and unit.path.startswith(org.north.path)
    assert AuditEntry.objects.filter(object_id=str(unit.pk), action="create").exists()


def test_create_unit_with_bad_values_shows_field_errors_and_writes_nothing(client, org, north_admin):
    client.force_login(north_admin)
    data = {"code": "bad code!", "name": "", "kind": "team", "parent": org.south.pk, "currency": "kroner"}
    response = client.post(reverse("orgs:unit_create"), data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert {"code", "name", "parent", "currency"} <= set(errors)
    assert 'value="bad code!"' in response.content.decode()
    assert not OrgUnit.objects.filter(code="bad code!").exists()


def test_top_level_unit_needs_a_superuser(client, org):
    client.force_login(org.admin)
    response = client.post(
        reverse("orgs:unit_create"), {"code": "ROOT2", "name": "Another root", "kind": "team"}
    )
    assert response.status_code == 422
    assert "superuser" in " ".join(response.context["form"].errors["parent"])
    assert not OrgUnit.objects.filter(code="ROOT2").exists()


def test_edit_unit_and_refuse_a_stale_save(client, org, north_admin):
    client.force_login(north_admin)
    url = reverse("orgs:unit_update", args=[org.north.pk])
    form = client.get(url).context["form"]
    assert org.south not in form.fields["parent"].queryset
    data = {"code": "NORTH", "name": "Division Nord", "kind": "division", "currency": "NOK", "version": 1}
    assert client.post(url, {**data, "parent": ""}).status_code == 422  # out of scope to move it to the top
    # A PMO admin of NORTH cannot move NORTH itself (its parent is outside their scope), but can rename it
    north = OrgUnit.objects.get(pk=org.north.pk)
    services.org_unit_update(actor=org.admin, unit=north, version=1, name="Renamed meanwhile")
    response = client.post(url, {**data, "parent": org.eng.pk})
    assert response.status_code == 409
    assert OrgUnit.objects.get(pk=org.north.pk).name == "Renamed meanwhile"


def test_unit_pages_are_closed_to_other_roles(client, org):
    client.force_login(org.pm_north)
    assert client.get(reverse("orgs:unit_list")).status_code == 403
    assert client.get(reverse("orgs:unit_update", args=[org.north.pk])).status_code == 403
    assert client.get(reverse("orgs:unit_update", args=[org.south.pk])).status_code == 404


# -- people and roles ------------------------------------------------------------------------------
def test_user_list_shows_people_of_administered_units_with_their_roles(client, org, north_admin):
    client.force_login(north_admin)
    response = client.get(reverse("orgs:user_list"))
    people = {p.username for p in response.context["page"].items}
    assert people == {"pm_north", "member_north", "north_admin"}
    body = response.content.decode()
    assert "pm_south" not in body and "SOUTH" not in body
    found = client.get(reverse("orgs:user_list"), {"q": "member"}, HTTP_HX_REQUEST="true")
    assert [p.username for p in found.context["page"].items] == ["member_north"]
    assert "<html" not in found.content.decode()


def test_create_user_with_a_first_role(client, org, north_admin):
    client.force_login(north_admin)
    data = {
        "username": "newbie",
        "email": "newbie@example.org",
        "first_name": "New",
        "last_name": "Person",
        "password": "a-long-enough-passphrase-42",
        "unit": org.north.pk,
        "role": Role.TEAM_MEMBER,
    }
    response = client.post(reverse("orgs:user_create"), data)
    user = User.objects.get(username="newbie")
    assert response.status_code == 302 and response["Location"] == reverse("orgs:user_detail", args=[user.pk])
    assert user.check_password("a-long-enough-passphrase-42")
    assert list(user.memberships.values_list("unit__code", "role")) == [("NORTH", Role.TEAM_MEMBER)]


def test_create_user_errors_name_the_fields(client, org, north_admin):
    client.force_login(north_admin)
    data = {
        "username": "pm_north",
        "email": "not-an-email",
        "password": "123",
        "unit": org.south.pk,
        "role": "boss",
    }
    response = client.post(reverse("orgs:user_create"), data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert {"email", "password", "unit", "role"} <= set(errors)
    assert User.objects.filter(username="pm_north").count() == 1


def test_create_user_with_a_taken_username_is_refused_by_the_service(client, org, north_admin):
    client.force_login(north_admin)
    data = {"username": "pm_north", "email": "x@example.org", "unit": org.north.pk, "role": Role.TEAM_MEMBER}
    response = client.post(reverse("orgs:user_create"), data)
    assert response.status_code == 422
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username="pm_north").count() == 1


def test_add_and_remove_a_role(client, org, north_admin):
    client.force_login(north_admin)
    url = reverse("orgs:user_detail", args=[org.member_north.pk])
    response = client.post(url, {"unit": org.north.pk, "role": Role.PROJECT_MANAGER})
    assert response.status_code == 302
    membership = Membership.objects.get(user=org.member_north, role=Role.PROJECT_MANAGER)
    # The same role twice is refused, next to the role field
    again = client.post(url, {"unit": org.north.pk, "role": Role.PROJECT_MANAGER})
    assert again.status_code == 422 and "role" in again.context["form"].errors
    delete = reverse("orgs:membership_delete", args=[membership.pk])
    assert "Remove role" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(membership.pk), action="delete").exists()


def test_people_and_roles_of_a_sibling_division_are_not_found(client, org, north_admin):
    client.force_login(north_admin)
    south_membership = Membership.objects.get(user=org.pm_south)
    assert client.get(reverse("orgs:user_detail", args=[org.pm_south.pk])).status_code == 404
    assert client.post(reverse("orgs:user_detail", args=[org.pm_south.pk]), {}).status_code == 404
    assert client.post(reverse("orgs:membership_delete", args=[south_membership.pk])).status_code == 404
    assert Membership.objects.filter(pk=south_membership.pk).exists()
