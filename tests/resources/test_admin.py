"""The Django admin of pools, resources and skills: scoped like the pages, writing through the services."""

from __future__ import annotations

from django.urls import reverse

from keel.core.models import AuditEntry
from keel.orgs.models import Role
from keel.resources.models import Resource
from tests.factories import MembershipFactory, UserFactory


def test_divisional_admin_sees_and_changes_only_its_pools(client, org, pools):
    north_admin = UserFactory(username="north_admin")
    MembershipFactory(user=north_admin, unit=org.north, role=Role.PMO_ADMIN)
    client.force_login(north_admin)
    for model, mine, theirs in (
        ("resourcepool", "POOL-N", "POOL-SOUTH"),
        ("resource", "Ana Berg", "SOUTH Sofia"),
        ("skill", "Python", "SOUTH flamenco"),
    ):
        text = client.get(reverse(f"admin:resources_{model}_changelist")).content.decode()
        assert mine in text and theirs not in text, model
    assert client.get(reverse("admin:resources_resource_change", args=[pools.sofia.pk])).status_code in (
        302,
        404,
    )
    url = reverse("admin:resources_resource_change", args=[pools.crane.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = {
        "pool": pools.north.pk,
        "code": "R-CRANE",
        "name": "Tower crane",
        "kind": "equipment",
        "home_unit": org.north.pk,
        "max_units": 100,
        "email": "",
        "notes": "",
        "is_active": "on",
        "keel_version": 1,
    }
    assert client.post(url, form).status_code == 302
    assert Resource.objects.get(pk=pools.crane.pk).name == "Tower crane"
    assert AuditEntry.objects.filter(
        content_type__model="resource", object_id=str(pools.crane.pk), action="update", actor=north_admin
    ).exists()
