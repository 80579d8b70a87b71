"""Project services: scope checks, validation, optimistic concurrency, audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from keel.core.errors import ConflictError, PermissionDenied
from keel.core.models import AuditEntry
from keel.portfolio import services
from keel.portfolio.models import Project


def test_create_records_audit_entry_and_defaults_currency(org):
    project = services.project_create(
        actor=org.pm_north, org_unit=org.north, code="N-002", name="Bergen link", manager=org.pm_north
    )
    assert project.currency == "NOK"
    entry = AuditEntry.objects.get(object_id=str(project.pk), action="create")
    assert entry.actor == org.pm_north
    assert entry.project_id == project.pk
    assert entry.changes["name"] == [None, "Bergen link"]
    assert entry.unit_path == org.north.path


def test_create_outside_scope_is_refused_and_writes_nothing(org):
    with pytest.raises(PermissionDenied):
        services.project_create(actor=org.pm_north, org_unit=org.south, code="S-999", name="Nope")
    assert not Project.objects.filter(code="S-999").exists()
    assert not AuditEntry.objects.exists()


def test_invalid_values_name_the_field_and_write_nothing(org):
    with pytest.raises(ValidationError) as err:
        services.project_create(
            actor=org.pm_north,
            org_unit=org.north,
            code="N-003",
            name="Backwards",
            planned_start=dt.date(2026, 5, 1),
            planned_finish=dt.date(2026, 4, 1),
        )
    assert "planned_finish" in err.value.message_dict
    assert not Project.objects.filter(code="N-003").exists()


def test_manager_must_hold_a_role_covering_the_unit(org):
    with pytest.raises(ValidationError) as err:
        services.project_create(
            actor=org.admin, org_unit=org.north, code="N-004", name="Wrong manager", manager=org.pm_south
        )
    assert "manager" in err.value.message_dict


def test_update_diffs_fields_and_bumps_version(org):
    project = org.project_north
    services.project_update(
        actor=org.pm_north, project=project, version=project.version, health="red", budget=Decimal("5")
    )
    project.refresh_from_db()
    assert (project.health, project.version) == ("red", 2)
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes == {"health": ["green", "red"], "budget": ["100000.00", "5"]}


def test_stale_version_is_refused_and_overwrites_nothing(org):
    first = Project.objects.get(pk=org.project_north.pk)
    second = Project.objects.get(pk=org.project_north.pk)
    services.project_update(actor=org.pm_north, project=first, version=1, name="First writer")
    with pytest.raises(ConflictError):
        services.project_update(actor=org.admin, project=second, version=1, name="Second writer")
    stored = Project.objects.get(pk=org.project_north.pk)
    assert (stored.name, stored.version) == ("First writer", 2)
    assert AuditEntry.objects.filter(action="update").count() == 1
