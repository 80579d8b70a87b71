"""Base models and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class TimeStampedModel(models.Model):
    """A record with creation and modification times."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """An editable record with a row version for optimistic concurrency.

    Services update it with `keel.core.services.versioned_update`, which refuses a write made
    against a version other than the stored one.
    """

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    # Fields the audit trail leaves out of diffs.
    audit_exclude: tuple[str, ...] = ("created_at", "updated_at", "version")


class AuditEntry(models.Model):
    """One create, update or delete of a governed record: who, when, which fields from what to what."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    # Materialised path of the org unit the record belonged to, so the trail is scoped like the record.
    unit_path = models.CharField(max_length=255, db_index=True)
    # The project the record belongs to (the project itself or a child record), for its activity feed.
    project_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)

    # Scoped like the record it describes: by the unit path stored with the entry.
    scope_path = "unit_path"

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"
