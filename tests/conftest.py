"""Shared fixtures: an organisation with two sibling divisions and a named persona per role.

CPMO (central PMO)            admin: PMO administrator; exec: executive viewer
└── ENG (department)
    ├── NORTH (division, Oslo, NOK)   pm_north: project manager; member_north: team member
    └── SOUTH (division, Madrid, EUR) pm_south: project manager
outsider: no role anywhere
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from keel.orgs.models import OrgUnit, Role, User
from keel.portfolio.models import Project
from tests.factories import (
    LocationFactory,
    MembershipFactory,
    OrgUnitFactory,
    PortfolioFactory,
    ProgramFactory,
    ProjectFactory,
    UserFactory,
)

PASSWORD = "pw-for-tests-1"


@dataclass
class Org:
    """The test organisation: units, personas and one project per division."""

    central: OrgUnit
    eng: OrgUnit
    north: OrgUnit
    south: OrgUnit
    admin: User
    exec: User
    pm_north: User
    pm_south: User
    member_north: User
    outsider: User
    project_north: Project
    project_south: Project


@pytest.fixture
def org(db) -> Org:
    """Build the test organisation."""
    brussels = LocationFactory(name="Brussels", country="BE", time_zone="Europe/Brussels")
    oslo = LocationFactory(name="Oslo", country="NO", time_zone="Europe/Oslo")
    madrid = LocationFactory(name="Madrid", country="ES", time_zone="Europe/Madrid")
    central = OrgUnitFactory(
        code="CPMO", name="Central PMO", kind=OrgUnit.Kind.CENTRAL_PMO, location=brussels
    )
    eng = OrgUnitFactory(code="ENG", name="Engineering", kind=OrgUnit.Kind.DEPARTMENT, parent=central)
    north = OrgUnitFactory(code="NORTH", name="Division North", parent=eng, location=oslo, currency="NOK")
    south = OrgUnitFactory(code="SOUTH", name="Division South", parent=eng, location=madrid)

    def person(username: str, unit: OrgUnit | None, role: str | None) -> User:
        user = UserFactory(username=username)
        if unit is not None:
            MembershipFactory(user=user, unit=unit, role=role)
        return user

    admin = person("admin", central, Role.PMO_ADMIN)
    executive = person("exec", central, Role.EXECUTIVE)
    pm_north = person("pm_north", north, Role.PROJECT_MANAGER)
    pm_south = person("pm_south", south, Role.PROJECT_MANAGER)
    member_north = person("member_north", north, Role.TEAM_MEMBER)
    outsider = person("outsider", None, None)
    portfolio = PortfolioFactory(code="PF-ENG", name="Engineering portfolio", org_unit=eng)
    program = ProgramFactory(code="PG-NET", name="Network renewal", portfolio=portfolio, org_unit=eng)
    return Org(
        central=central,
        eng=eng,
        north=north,
        south=south,
        admin=admin,
        exec=executive,
        pm_north=pm_north,
        pm_south=pm_south,
        member_north=member_north,
        outsider=outsider,
        project_north=ProjectFactory(
            code="N-001", name="Oslo data centre", org_unit=north, manager=pm_north, program=program
        ),
        project_south=ProjectFactory(
            code="S-001", name="Madrid office move", org_unit=south, manager=pm_south
        ),
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests do not need a slow password hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
