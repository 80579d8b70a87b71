"""The organisation through the API: org units, people, role memberships, reference data."""

from __future__ import annotations

from keel.core.models import AuditEntry
from keel.orgs.models import Calendar, Membership, OrgUnit, User
from tests.api.conftest import field_errors


def test_me_lists_own_roles(org, as_user):
    """Given the central administrator, then /me shows who they are and their roles."""
    answer = as_user(org.admin).get("/me")
    assert answer.status == 200
    assert answer.body["username"] == "admin"
    assert answer.body["memberships"] == [
        {
            "id": answer.body["memberships"][0]["id"],
            "unit": {"id": org.central.pk, "code": "CPMO", "name": "Central PMO"},
            "role": "pmo_admin",
        }
    ]


def test_org_unit_lifecycle(org, as_user):
    """Given the central administrator, when a team is created under NORTH, renamed, moved under SOUTH and
    deleted, then each step is stored and audited, and the move carries the unit's path."""
    client = as_user(org.admin)

    created = client.post(
        "/org-units", {"code": "N-OPS", "name": "Operations", "kind": "team", "parent": org.north.pk}
    )
    assert created.status == 201, created.body
    assert (created.body["parent"]["code"], created.body["currency"], created.body["location"]["name"]) == (
        "NORTH",
        "NOK",
        "Oslo",
    )
    assert created.body["depth"] == 3
    path = f"/org-units/{created.body['id']}"

    renamed = client.patch(path, {"name": "Network operations"}, headers={"If-Match": created.etag})
    assert renamed.status == 200 and renamed.body["name"] == "Network operations"

    moved = client.patch(path, {"parent": org.south.pk, "version": renamed.body["version"]})
    assert moved.status == 200, moved.body
    unit = OrgUnit.objects.get(pk=created.body["id"])
    assert unit.path.startswith(org.south.path)

    deleted = client.delete(path, headers={"If-Match": moved.etag})
    assert deleted.status == 204
    assert not OrgUnit.objects.filter(pk=unit.pk).exists()
    actions = list(
        AuditEntry.objects.filter(content_type__model="orgunit", object_id=str(unit.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "update", "delete"]


def test_org_unit_with_content_cannot_be_deleted(org, as_user):
    """Given NORTH, which has a project and memberships, then deleting it is 422 saying what is left."""
    answer = as_user(org.admin).delete(f"/org-units/{org.north.pk}", headers={"If-Match": '"1"'})
    message = field_errors(answer)["unit"]
    assert "projects" in message and "memberships" in message
    assert OrgUnit.objects.filter(pk=org.north.pk).exists()
    parent = as_user(org.admin).delete(f"/org-units/{org.eng.pk}", headers={"If-Match": '"1"'})
    assert "child units" in field_errors(parent)["unit"]


def test_org_unit_rules_are_422_on_the_field(org, as_user):
    """Given a move under its own child, a root unit by a non-superuser and bad values, then 422 per field."""
    client = as_user(org.admin)
    cycle = client.patch(f"/org-units/{org.eng.pk}", {"parent": org.north.pk, "version": 1})
    assert "under itself" in field_errors(cycle)["parent"]
    root = client.post("/org-units", {"code": "ROOT2", "name": "Another root", "kind": "central_pmo"})
    assert "superuser" in field_errors(root)["parent"]
    bad = client.post(
        "/org-units", {"code": "X", "name": "X", "kind": "tribe", "parent": org.north.pk, "currency": "euro"}
    )
    assert set(field_errors(bad)) == {"kind", "currency"}
    taken = client.post(
        "/org-units", {"code": "NORTH", "name": "Again", "kind": "team", "parent": org.north.pk}
    )
    assert "already exists" in field_errors(taken)["code"]
    unknown = client.post(
        "/org-units",
        {"code": "X1", "name": "X", "kind": "team", "parent": org.north.pk, "location": 999, "calendar": 999},
    )
    assert set(field_errors(unknown)) == {"location", "calendar"}


def test_only_administrators_change_units(org, as_user):
    """Given pm_north (who sees NORTH) and the executive, then changing NORTH is 403 and creating under it too."""
    for user in (org.pm_north, org.exec):
        client = as_user(user)
        changed = client.patch(f"/org-units/{org.north.pk}", {"name": "Mine"}, headers={"If-Match": '"1"'})
        created = client.post(
            "/org-units", {"code": "T1", "name": "T", "kind": "team", "parent": org.north.pk}
        )
        assert (changed.status, created.status) == (403, 403)
    assert OrgUnit.objects.get(pk=org.north.pk).name == "Division North"


def test_create_user_with_first_role(org, as_user):
    """Given the central administrator, when a person is created with a role in NORTH, then they can be
    listed, read, and hold that role; the membership is audited."""
    client = as_user(org.admin)
    answer = client.post(
        "/users",
        {
            "username": "lena",
            "email": "lena@example.org",
            "first_name": "Lena",
            "last_name": "Berg",
            "unit": org.north.pk,
            "role": "team_member",
            "password": "a-long-unusual-passphrase-42",
        },
    )
    assert answer.status == 201, answer.body
    assert answer.body["name"] == "Lena Berg"
    lena = User.objects.get(username="lena")
    assert lena.check_password("a-long-unusual-passphrase-42")
    assert list(lena.memberships.values_list("unit__code", "role")) == [("NORTH", "team_member")]
    assert client.get(f"/users/{lena.pk}").body["username"] == "lena"
    assert as_user(org.pm_north).get(f"/users/{lena.pk}").status == 200
    assert as_user(org.pm_south).get(f"/users/{lena.pk}").status == 404
    assert AuditEntry.objects.filter(content_type__model="membership", action="create").count() == 1


def test_create_user_refusals(org, as_user):
    """Given a weak password, a taken username or a bad e-mail, then 422 names the field; a project
    manager may not create people at all."""
    client = as_user(org.admin)
    base = {"username": "new", "email": "new@example.org", "unit": org.north.pk, "role": "team_member"}
    weak = client.post("/users", {**base, "password": "123"})
    assert "password" in field_errors(weak)
    taken = client.post("/users", {**base, "username": "pm_north"})
    assert "already exists" in field_errors(taken)["username"]
    email = client.post("/users", {**base, "email": "not-an-address"})
    assert "email" in field_errors(email)
    forbidden = as_user(org.pm_north).post("/users", base)
    assert forbidden.status == 403
    assert not User.objects.filter(username="new").exists()


def test_memberships_grant_and_remove(org, as_user):
    """Given the administrator, when pm_north is made PMO admin of NORTH and the role is removed again, then
    pm_north's rights follow, and both steps are audited."""
    client = as_user(org.admin)
    granted = client.post(
        "/memberships", {"user": org.pm_north.pk, "unit": org.north.pk, "role": "pmo_admin"}
    )
    assert granted.status == 201, granted.body
    assert (granted.body["user"]["username"], granted.body["unit"]["code"]) == ("pm_north", "NORTH")
    assert as_user(org.pm_north).get("/audit").status == 200

    again = client.post("/memberships", {"user": org.pm_north.pk, "unit": org.north.pk, "role": "pmo_admin"})
    assert "already holds" in field_errors(again)["role"]

    removed = client.delete(f"/memberships/{granted.body['id']}")
    assert removed.status == 204
    assert not Membership.objects.filter(pk=granted.body["id"]).exists()
    assert list(
        AuditEntry.objects.filter(content_type__model="membership")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["create", "delete"]


def test_memberships_are_scoped(org, as_user):
    """Given pm_north, then the membership list holds NORTH's roles only, and removing one is 403."""
    client = as_user(org.pm_north)
    listed = client.get("/memberships").body["items"]
    assert {(m["user"]["username"], m["unit"]["code"]) for m in listed} == {
        ("pm_north", "NORTH"),
        ("member_north", "NORTH"),
    }
    own = Membership.objects.get(user=org.pm_north)
    assert client.delete(f"/memberships/{own.pk}").status == 403
    south = Membership.objects.get(user=org.pm_south)
    assert client.delete(f"/memberships/{south.pk}").status == 404
    assert Membership.objects.filter(pk__in=[own.pk, south.pk]).count() == 2


def test_unit_and_people_lists_are_scoped(org, as_user):
    """Given pm_north, then units and people are those of NORTH; the administrator sees the whole tree."""
    north = as_user(org.pm_north)
    assert [u["code"] for u in north.get("/org-units").body["items"]] == ["NORTH"]
    assert {u["username"] for u in north.get("/users").body["items"]} == {"pm_north", "member_north"}
    admin = as_user(org.admin)
    assert [u["code"] for u in admin.get("/org-units").body["items"]] == ["CPMO", "ENG", "NORTH", "SOUTH"]


def test_reference_data(org, as_user):
    """Given locations and a calendar, then every signed-in person reads them."""
    Calendar.objects.create(name="Standard week")
    client = as_user(org.outsider)
    locations = client.get("/locations").body
    calendars = client.get("/calendars").body
    assert [loc["name"] for loc in locations["items"]] == ["Brussels", "Madrid", "Oslo"]
    assert calendars["items"][0]["name"] == "Standard week"
    assert calendars["items"][0]["minutes_per_week"] == 5 * 7 * 60
