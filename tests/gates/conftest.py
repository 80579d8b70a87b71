"""Gate test helpers: a portfolio manager of ENG, and a two-phase methodology of the central PMO.

"Test lifecycle" (CPMO): Initiation, closed by "Gate 1" (deliverable "Charter", checks manager_set and
sponsor_set, approval by a portfolio manager), then Delivery, closed by "Gate 2" (approval by a PMO
administrator).
"""

from __future__ import annotations

import pytest

from keel.gates import services
from keel.gates.models import Criterion
from keel.orgs.models import Role
from tests.api.conftest import as_user  # noqa: F401 - the personas' API clients, for the API tests here
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def pfm(org):
    """A portfolio manager of ENG (covers NORTH and SOUTH)."""
    user = UserFactory(username="pfm_eng")
    MembershipFactory(user=user, unit=org.eng, role=Role.PORTFOLIO_MANAGER)
    return user


def make_methodology(actor, unit, name="Test lifecycle"):
    """The two-phase methodology described above, made through the services."""
    methodology = services.methodology_create(actor=actor, org_unit=unit, name=name)
    first = services.phase_create(actor=actor, methodology=methodology, name="Initiation", gate_name="Gate 1")
    services.criterion_create(actor=actor, phase=first, kind=Criterion.Kind.DELIVERABLE, title="Charter")
    services.criterion_create(
        actor=actor, phase=first, kind=Criterion.Kind.CHECK, title="Manager set", check_name="manager_set"
    )
    services.criterion_create(
        actor=actor, phase=first, kind=Criterion.Kind.CHECK, title="Sponsor set", check_name="sponsor_set"
    )
    services.criterion_create(
        actor=actor,
        phase=first,
        kind=Criterion.Kind.APPROVAL,
        title="Portfolio OK",
        role=Role.PORTFOLIO_MANAGER,
    )
    second = services.phase_create(actor=actor, methodology=methodology, name="Delivery", gate_name="Gate 2")
    services.criterion_create(
        actor=actor, phase=second, kind=Criterion.Kind.APPROVAL, title="PMO OK", role=Role.PMO_ADMIN
    )
    return methodology


@pytest.fixture
def methodology(org):
    """The central PMO's test lifecycle."""
    return make_methodology(org.admin, org.central)


def criterion(methodology, title):
    """The criterion of `methodology` titled `title`."""
    return Criterion.objects.get(phase__methodology=methodology, title=title)
