"""The admin shows schedules read-only, scoped like every other page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keel.orgs.models import Role
from keel.schedule import services
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def north_admin(org):
    """A divisional PMO administrator of Division North."""
    user = UserFactory(username="north_admin")
    MembershipFactory(user=user, unit=org.north, role=Role.PMO_ADMIN)
    return user


@pytest.mark.parametrize("model", ["task", "dependency", "baseline", "projectschedule"])
def test_schedule_records_are_listed_in_scope_and_read_only(client, org, north_admin, model):
    """Given a schedule in each division, then NORTH's administrator lists NORTH's records only and can
    neither add nor change them."""
    for project, pm, code in (
        (org.project_north, org.pm_north, "NORTH"),
        (org.project_south, org.pm_south, "SOUTH"),
    ):
        first = services.task_create(actor=pm, project=project, name=f"{code} first", duration_minutes=480)
        second = services.task_create(actor=pm, project=project, name=f"{code} second", duration_minutes=480)
        services.dependency_create(actor=pm, project=project, predecessor=first, successor=second)
        services.baseline_save(actor=pm, project=project, number=0)
    client.force_login(north_admin)

    listed = client.get(reverse(f"admin:schedule_{model}_changelist"))
    added = client.get(reverse(f"admin:schedule_{model}_add"))

    body = listed.content.decode()
    assert listed.status_code == 200
    assert "N-001" in body and "S-001" not in body
    assert added.status_code == 403
