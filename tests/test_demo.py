"""`keel demo`: the demo organisation is realistic, deterministic, audited and loads only where it should."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from keel.core.demo import (
    DEMO_LOADER,
    DEMO_USERNAMES,
    PEOPLE,
    SERVICE_PROJECTS,
    demo_load,
    demo_reset,
    easter_sunday,
    nth_weekday,
    spread,
)
from keel.core.models import AuditEntry
from keel.orgs import selectors as org_selectors
from keel.orgs.models import Calendar, Location, Membership, OrgUnit, Role, User
from keel.portfolio import selectors as portfolio_selectors
from keel.portfolio.models import Project

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="class")
def demo_output(django_db_setup, django_db_blocker):
    """Load the default demo once for a class of read-only tests, rolled back afterwards."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        transaction.atomic(),
    ):
        out = StringIO()
        call_command("demo", stdout=out, verbosity=0)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db):
    """The default demo organisation; each test's changes are rolled back."""
    return demo_output


def register() -> list[tuple]:
    """The project register as comparable rows."""
    return list(
        Project.objects.order_by("code").values_list(
            "code",
            "name",
            "org_unit__code",
            "program__code",
            "manager__username",
            "sponsor__username",
            "status",
            "phase",
            "health",
            "priority",
            "planned_start",
            "planned_finish",
            "budget",
            "currency",
        )
    )


class TestDefaultDemo:
    """`keel demo` with its defaults: 40 projects, seed 42."""

    def test_units_span_departments_divisions_time_zones_and_currencies(self, demo):
        units = list(OrgUnit.objects.select_related("location"))
        kinds = [unit.kind for unit in units]
        assert kinds.count(OrgUnit.Kind.CENTRAL_PMO) == 1
        assert kinds.count(OrgUnit.Kind.DEPARTMENT) >= 2
        # Three different UTC offsets on the same instant, not just three names for one zone.
        instant = dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC)
        offsets = {
            instant.astimezone(zoneinfo.ZoneInfo(unit.location.time_zone)).utcoffset() for unit in units
        }
        assert len(offsets) >= 3
        assert len({unit.currency for unit in units}) >= 3
        assert len({unit.location.country for unit in units}) >= 3

    def test_every_unit_has_a_holiday_calendar_for_this_and_next_year(self, demo):
        year = timezone.localdate().year
        for unit in OrgUnit.objects.all():
            calendar = org_selectors.effective_calendar(unit)
            assert calendar is not None, unit.code
            exceptions = list(calendar.exceptions.all())
            assert any(e.recurs_yearly and not e.working_times for e in exceptions), calendar.name
            moving = [e for e in exceptions if not e.recurs_yearly]
            assert {e.start_date.year for e in moving} == {year, year + 1}, calendar.name
        norway = Calendar.objects.get(name="Norway")
        constitution_day = norway.exceptions.get(name="Constitution Day")
        assert (constitution_day.start_date, constitution_day.recurs_yearly) == (dt.date(year, 5, 17), True)
        assert norway.exceptions.filter(
            name="Easter Monday", start_date=easter_sunday(year + 1) + dt.timedelta(1)
        )

    def test_every_role_is_held_and_every_demo_login_works(self, demo):
        assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
        assert Membership.objects.filter(role=Role.PMO_ADMIN, unit__kind=OrgUnit.Kind.DIVISION).exists()
        for person in PEOPLE:
            user = authenticate(username=person.username, password=settings.KEEL_DEMO_PASSWORD)
            assert user is not None and user.username == person.username
            assert Membership.objects.filter(user=user, unit__code=person.unit, role=person.role).exists()
        assert authenticate(username="dana", password="wrong password") is None
        loader = User.objects.get(username=DEMO_LOADER)
        assert not loader.is_active and not loader.has_usable_password()

    def test_the_output_lists_every_login_and_the_password(self, demo):
        for username in DEMO_USERNAMES:
            assert f"\n  {username} " in demo
        assert settings.KEEL_DEMO_PASSWORD in demo

    def test_the_register_is_varied_and_consistent(self, demo):
        projects = list(Project.objects.select_related("org_unit", "manager", "sponsor"))
        today = timezone.localdate()
        assert len(projects) == 40
        assert {p.status for p in projects} == set(Project.Status.values)
        assert {p.health for p in projects} == set(Project.Health.values)
        assert len({p.phase for p in projects}) >= 3
        assert len({p.org_unit.code for p in projects}) >= 5
        assert len({p.currency for p in projects}) >= 3
        assert len({p.priority for p in projects}) >= 10
        assert Project.objects.filter(program__isnull=False).exists()
        assert Project.objects.filter(program__isnull=True).exists()
        for days in (30, 60, 90):
            window = (today + dt.timedelta(days=days - 29), today + dt.timedelta(days=days))
            assert Project.objects.filter(status="active", planned_finish__range=window).exists(), days
        for project in projects:
            assert project.currency == project.org_unit.currency
            assert project.planned_start <= project.planned_finish
            covering = org_selectors.people_for_unit(project.org_unit)
            for person in (project.manager, project.sponsor):
                assert person is None or covering.filter(pk=person.pk).exists(), project.code

    def test_roles_scope_what_each_person_sees(self, demo):
        dana, omar, lena = (User.objects.get(username=name) for name in ("dana", "omar", "lena"))
        assert portfolio_selectors.project_list_for_user(dana).count() == 40
        north = set(Project.objects.filter(org_unit__code="NORTH").values_list("code", flat=True))
        assert north
        assert set(portfolio_selectors.project_list_for_user(omar).values_list("code", flat=True)) == north
        assert set(portfolio_selectors.project_list_for_user(lena).values_list("code", flat=True)) == north

    def test_the_audit_trail_holds_the_demo_as_real_entries(self, demo):
        created = AuditEntry.objects.filter(content_type__model="project", action="create")
        assert set(created.values_list("project_id", flat=True)) == set(
            Project.objects.values_list("pk", flat=True)
        )
        # Projects that are not green were moved by their managers, so the activity feed names people.
        # (Other updates follow gate reviews: the register's phase moves with the project's lifecycle.)
        updates = AuditEntry.objects.filter(content_type__model="project", action="update")
        moved = [entry for entry in updates if "health" in entry.changes]
        assert len(moved) == Project.objects.exclude(health="green").count()
        assert all(set(entry.changes) == {"phase"} for entry in updates if "health" not in entry.changes)
        assert any(entry.actor.username == "omar" for entry in moved)
        assert all(entry.changes["health"][0] == "green" for entry in moved)
        assert AuditEntry.objects.filter(content_type__model="orgunit").count() == OrgUnit.objects.count()
        assert (
            AuditEntry.objects.filter(content_type__model="membership").count() == Membership.objects.count()
        )


def test_a_database_with_an_organisation_is_refused(org):
    before = (OrgUnit.objects.count(), Project.objects.count(), User.objects.count())
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", stdout=StringIO())
    assert (OrgUnit.objects.count(), Project.objects.count(), User.objects.count()) == before


def test_reset_keeps_an_organisation_the_demo_did_not_make(org):
    with pytest.raises(CommandError, match="did not create"):
        call_command("demo", "--reset", stdout=StringIO())
    assert OrgUnit.objects.filter(code__in=["CPMO", "NORTH", "SOUTH"]).count() == 3
    assert Project.objects.filter(code="N-001").exists()


def test_a_project_count_out_of_range_is_refused(db):
    with pytest.raises(CommandError, match="--projects"):
        call_command("demo", "--projects", "-1", stdout=StringIO())
    assert not OrgUnit.objects.exists()


def test_the_same_seed_builds_the_same_register_and_reset_reloads_cleanly(db):
    # given a demo larger than the audited part, so bulk-inserted projects are compared too
    count = SERVICE_PROJECTS + 15
    demo_load(projects=count, seed=7)
    first = register()
    people = User.objects.count()
    # when it is reset and loaded again with the same seed
    call_command("demo", "--reset", "--projects", str(count), "--seed", "7", stdout=StringIO(), verbosity=0)
    # then the register is identical and nothing is duplicated
    assert register() == first
    assert len(first) == count
    assert User.objects.count() == people
    assert Calendar.objects.count() == Location.objects.count() == 5
    call_command("demo", "--reset", "--projects", str(count), "--seed", "8", stdout=StringIO(), verbosity=0)
    assert register() != first


def test_bulk_inserted_projects_carry_their_audit_entries(db):
    demo_load(projects=SERVICE_PROJECTS + 25, seed=3)
    loader = User.objects.get(username=DEMO_LOADER)
    for project in Project.objects.select_related("org_unit"):
        entry = AuditEntry.objects.get(
            content_type__model="project", action="create", object_id=str(project.pk)
        )
        assert entry.project_id == project.pk
        assert entry.unit_path == project.org_unit.path
        assert entry.changes["code"] == [None, project.code]
    bulk = AuditEntry.objects.filter(content_type__model="project", action="create", actor=loader)
    assert bulk.count() == SERVICE_PROJECTS + 25


def test_reset_removes_the_whole_demo_and_keeps_other_accounts(db):
    demo_load(projects=5, seed=1)
    admin = User.objects.create_superuser("root", "root@example.org", "a long admin password")
    assert demo_reset() is True
    assert User.objects.filter(pk=admin.pk).exists()
    assert not OrgUnit.objects.exists() and not Project.objects.exists()
    assert not AuditEntry.objects.exists()
    assert not User.objects.filter(username__in=(*DEMO_USERNAMES, DEMO_LOADER)).exists()
    assert not Calendar.objects.exists() and not Location.objects.exists()
    assert demo_reset() is False


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, dt.date(2024, 3, 31)), (2025, dt.date(2025, 4, 20)), (2026, dt.date(2026, 4, 5))],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_nth_weekday_finds_us_holidays():
    assert nth_weekday(2026, 11, 3, 4) == dt.date(2026, 11, 26)  # Thanksgiving
    assert nth_weekday(2026, 5, 0, -1) == dt.date(2026, 5, 25)  # Memorial Day
    assert nth_weekday(2026, 12, 0, -1) == dt.date(2026, 12, 28)


def test_spread_keeps_proportions_and_count():
    import random

    keys = spread({"a": 55, "b": 30, "c": 15}, 40, random.Random(1))
    assert len(keys) == 40
    assert (keys.count("a"), keys.count("b"), keys.count("c")) == (22, 12, 6)


def test_the_readme_lists_every_demo_login_with_its_role_and_unit():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    rows = {line.split("|")[1].strip(" `"): line for line in readme.splitlines() if line.startswith("| `")}
    for person in PEOPLE:
        assert person.username in rows, person.username
        assert Role(person.role).label in rows[person.username]
        assert f"| {person.unit} — " in rows[person.username]
    assert settings.KEEL_DEMO_PASSWORD in readme


def test_a_database_whose_accounts_use_demo_usernames_is_refused(db):
    User.objects.create_user("omar", "omar@example.org", "someone else's password")
    with pytest.raises(CommandError, match="usernames omar"):
        call_command("demo", stdout=StringIO())
    assert not OrgUnit.objects.exists()
    assert User.objects.get(username="omar").email == "omar@example.org"
