"""factory_boy factories for Keel's models (raw rows; services are tested through their own calls)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from keel.orgs.models import (
    Calendar,
    CalendarException,
    Location,
    Membership,
    OrgUnit,
    Role,
    User,
    unit_path_segment,
)
from keel.portfolio.models import Portfolio, Program, Project


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Location {n}")
    country = "DE"
    time_zone = "Europe/Berlin"


class OrgUnitFactory(factory.django.DjangoModelFactory):
    """An org unit with its materialised path set after insert."""

    class Meta:
        model = OrgUnit
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"U{n}")
    name = factory.LazyAttribute(lambda o: f"Unit {o.code}")
    kind = OrgUnit.Kind.DIVISION
    parent = None
    currency = "EUR"
    path = factory.Sequence(lambda n: f"tmp{n}.")

    @factory.post_generation
    def fix_path(obj, create, extracted, **kwargs):  # noqa: N805
        obj.path = (obj.parent.path if obj.parent else "") + unit_path_segment(obj.pk)
        OrgUnit.objects.filter(pk=obj.pk).update(path=obj.path)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("pw-for-tests-1")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(OrgUnitFactory)
    role = Role.TEAM_MEMBER


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    code = factory.Sequence(lambda n: f"PF{n}")
    name = factory.Sequence(lambda n: f"Portfolio {n}")
    org_unit = factory.SubFactory(OrgUnitFactory)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    code = factory.Sequence(lambda n: f"PG{n}")
    name = factory.Sequence(lambda n: f"Program {n}")
    portfolio = factory.SubFactory(PortfolioFactory)
    org_unit = factory.SelfAttribute("portfolio.org_unit")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"P-{n:04d}")
    name = factory.Sequence(lambda n: f"Project {n}")
    org_unit = factory.SubFactory(OrgUnitFactory)
    status = Project.Status.ACTIVE
    health = Project.Health.GREEN
    planned_start = dt.date(2026, 1, 5)
    planned_finish = dt.date(2026, 12, 18)
    budget = Decimal("100000.00")
    currency = factory.SelfAttribute("org_unit.currency")


class CalendarFactory(factory.django.DjangoModelFactory):
    """A working calendar: Monday to Friday, 08:00–12:00 and 13:00–17:00 unless told otherwise."""

    class Meta:
        model = Calendar
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Calendar {n}")
    working_week = factory.LazyFunction(lambda: [[["08:00", "12:00"], ["13:00", "17:00"]]] * 5 + [[], []])


class CalendarExceptionFactory(factory.django.DjangoModelFactory):
    """A non-working day (a holiday) of a calendar unless working times are given."""

    class Meta:
        model = CalendarException

    calendar = factory.SubFactory(CalendarFactory)
    name = "Holiday"
    start_date = dt.date(2026, 1, 6)
    end_date = factory.SelfAttribute("start_date")
    working_times = factory.LazyFunction(list)
