"""Every admin page answers: each registered model's changelist (plain and searched) and each row's page.

The governance apps (gates, changes, status reports, compliance) and notifications are shown
read-only; their comments are scoped like the pages, notifications and preferences are personal and
reach superusers only.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from keel.changes.models import ChangeAuthority
from keel.compliance.models import ComplianceConfig
from keel.core.admin import admin_site
from keel.gates.models import Methodology
from keel.notifications import services as notification_services
from keel.notifications.models import Kind, Notification, Preference
from keel.orgs.models import Role
from keel.schedule import services as schedule_services
from keel.statusreports.models import ReportConfig
from tests.factories import MembershipFactory, UserFactory

READ_ONLY_APPS = ("gates", "changes", "statusreports", "compliance", "notifications")


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def records(org):
    """A row in several of the five apps' tables, in NORTH and in SOUTH."""
    for unit in (org.north, org.south):
        Methodology.objects.create(org_unit=unit, name=f"Waterfall {unit.code}")
        ChangeAuthority.objects.create(org_unit=unit, levels=[])
        ReportConfig.objects.create(org_unit=unit)
        ComplianceConfig.objects.create(org_unit=unit)
    task = schedule_services.task_create(
        actor=org.pm_north, project=org.project_north, name="Dig", duration_minutes=480
    )
    notification_services.comment_create(
        actor=org.pm_north, project=org.project_north, task=task, text="North note"
    )
    notification_services.comment_create(actor=org.pm_south, project=org.project_south, text="South note")
    Notification.objects.create(recipient=org.pm_north, kind=Kind.MENTION, title="You were mentioned")
    Preference.objects.create(user=org.pm_north, kind=Kind.MENTION, delivery="email")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_every_registered_changelist_and_row_answers_200_for_a_superuser(client, org, records, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200
    for model, model_admin in admin_site._registry.items():
        listed = client.get(_url(model, "changelist"))
        assert listed.status_code == 200, model
        if model_admin.search_fields:
            assert client.get(_url(model, "changelist"), {"q": "north"}).status_code == 200, model
        row = model_admin.get_queryset(listed.wsgi_request).first()
        if row is not None:
            assert client.get(_url(model, "change", row.pk)).status_code == 200, model


@pytest.mark.parametrize("app", READ_ONLY_APPS)
def test_the_governance_and_notification_records_are_registered_read_only(
    client, org, records, superuser, app
):
    registered = [
        (model, admin) for model, admin in admin_site._registry.items() if model._meta.app_label == app
    ]
    assert registered
    client.force_login(superuser)
    request = client.get(reverse("admin:index")).wsgi_request
    for model, model_admin in registered:
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
        assert client.get(_url(model, "add")).status_code == 403, model


def test_a_divisional_admin_sees_the_divisions_records_and_no_ones_notifications(client, org, records):
    north_admin = UserFactory(username="north_admin")
    MembershipFactory(user=north_admin, unit=org.north, role=Role.PMO_ADMIN)
    client.force_login(north_admin)

    comments = client.get(reverse("admin:notifications_comment_changelist")).content.decode()
    methodologies = client.get(reverse("admin:gates_methodology_changelist")).content.decode()

    assert "North note" in comments and "South note" not in comments
    assert "Waterfall NORTH" in methodologies and "Waterfall SOUTH" not in methodologies
    assert client.get(reverse("admin:notifications_notification_changelist")).status_code == 403
    assert client.get(reverse("admin:notifications_preference_changelist")).status_code == 403
    assert "Preferences" not in client.get(reverse("admin:index")).content.decode()
