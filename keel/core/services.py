"""Write helpers shared by every app's services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models, transaction
from django.db.models import F

from keel.core.audit import audit_record, creation_changes, diff, snapshot
from keel.core.errors import ConflictError
from keel.core.models import AuditEntry


def versioned_update(instance: models.Model, *, expected_version: int, fields: list[str]) -> None:
    """Save `fields` of `instance` only if the stored version is still `expected_version`.

    The check and the write are one conditional UPDATE, so two writers holding the same
    version cannot both succeed on any database. Raises ConflictError and writes nothing
    when the version moved on.
    """
    model = type(instance)
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if getattr(field, "auto_now", False):
            field.pre_save(instance, add=False)
        values[field.attname] = getattr(instance, field.attname)
    if "updated_at" not in fields and hasattr(instance, "updated_at"):
        field = instance._meta.get_field("updated_at")
        values["updated_at"] = field.pre_save(instance, add=False)
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if updated != 1:
        current = model._default_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
        raise ConflictError(current_version=current or 0, given_version=expected_version)
    instance.version = expected_version + 1  # type: ignore[attr-defined]


def _audit(actor: Any, instance: models.Model, action: str, changes: dict[str, list[Any]]) -> None:
    """Write the audit entry of `instance`, scoped by its `audit_scope()` (unit path, project id)."""
    unit_path, project_id = instance.audit_scope()  # type: ignore[attr-defined]
    audit_record(
        actor=actor,
        instance=instance,
        action=action,
        unit_path=unit_path,
        project_id=project_id,
        changes=changes,
    )


def audited_create(*, actor: Any, instance: models.Model) -> None:
    """Validate and insert `instance`, recording the creation in the audit trail."""
    instance.full_clean()
    instance.save()
    after = snapshot(instance)
    _audit(
        actor,
        instance,
        AuditEntry.Action.CREATE,
        creation_changes(after),
    )


def audited_update(
    *,
    actor: Any,
    instance: models.Model,
    version: int,
    changes: dict[str, Any],
    check: Callable[[Any], None] | None = None,
) -> dict[str, list[Any]]:
    """Apply `changes` to `instance` if it is still at `version`; audit and return the diff.

    `check`, when given, validates the changed instance (cross-record rules) before it is saved.

    Raises ValidationError (nothing written) for invalid values and ConflictError for a stale
    version. An update that changes nothing still checks the version.
    """
    before = snapshot(instance)
    for name, value in changes.items():
        field = instance._meta.get_field(name)
        setattr(instance, field.name, value)
    if check is not None:
        check(instance)
    instance.full_clean()
    after = snapshot(instance)
    changed = diff(before, after)
    if not changed:
        if getattr(instance, "version", version) != version:
            raise ConflictError(current_version=instance.version, given_version=version)  # type: ignore[attr-defined]
        return {}
    fields = [instance._meta.get_field(name).name for name in changed]
    versioned_update(instance, expected_version=version, fields=fields)
    _audit(actor, instance, AuditEntry.Action.UPDATE, changed)
    return changed


@transaction.atomic
def audited_delete(*, actor: Any, instance: models.Model, version: int | None) -> None:
    """Delete `instance` (refused if `version` is given and stale), recording it in the audit trail."""
    model = type(instance)
    if version is not None and hasattr(instance, "version"):
        # The row lock keeps a concurrent update from landing between this check and the delete.
        rows = model._default_manager.select_for_update().filter(pk=instance.pk)
        current = rows.values_list("version", flat=True).first()
        if current != version:
            raise ConflictError(current_version=current or 0, given_version=version)
    before = snapshot(instance)
    _audit(
        actor,
        instance,
        AuditEntry.Action.DELETE,
        {name: [value, None] for name, value in before.items() if value not in (None, "")},
    )
    instance.delete()
