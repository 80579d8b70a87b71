"""Audit trail helpers: snapshot a record, diff two snapshots, write an entry.

Services call these explicitly (no signals) inside their transaction, so the entry and the
change commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from keel.core.models import AuditEntry


def _plain(value: Any) -> Any:
    """Return a JSON-friendly form of a field value."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """Return the audited field values of a record, foreign keys as ids."""
    excluded = set(getattr(instance, "audit_exclude", ()))
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in excluded or field.primary_key:
            continue
        values[field.name] = _plain(getattr(instance, field.attname))
    return values


def creation_changes(values: dict[str, Any]) -> dict[str, list[Any]]:
    """The changes of a newly created record: {field: [None, value]} for the fields that are set."""
    return {name: [None, value] for name, value in values.items() if value not in (None, "")}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for the fields whose values differ."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after.keys() | before.keys()
        if before.get(name) != after.get(name)
    }


def audit_record(
    *,
    actor: Any,
    instance: models.Model,
    action: str,
    unit_path: str,
    changes: dict[str, list[Any]],
    project_id: int | None = None,
) -> AuditEntry:
    """Write one audit entry for a create, update or delete."""
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        unit_path=unit_path,
        project_id=project_id,
        changes=changes,
    )
