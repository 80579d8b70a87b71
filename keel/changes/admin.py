"""Admin of change requests: approval authorities, requests and their proposed edits, read-only.

Change requests move through their workflow (draft, submitted, decided, applied) on their pages and
through their services, which check each step and record it in the audit trail; the admin shows them,
scoped like every other page.
"""

from __future__ import annotations

from django.contrib import admin

from keel.changes.models import BudgetEdit, ChangeAuthority, ChangeRequest, TaskEdit
from keel.core.admin import ReadOnlyScopedModelAdmin, admin_site


class ChangeRecordAdmin(ReadOnlyScopedModelAdmin):
    """A change-control record in the user's scope, shown but not edited."""


@admin.register(ChangeAuthority, site=admin_site)
class ChangeAuthorityAdmin(ChangeRecordAdmin):
    """Who approves which changes, per org unit."""

    list_display = ("org_unit", "levels", "updated_at")
    search_fields = ("org_unit__code", "org_unit__name")
    list_select_related = ("org_unit",)


@admin.register(ChangeRequest, site=admin_site)
class ChangeRequestAdmin(ChangeRecordAdmin):
    """Change requests of the projects in scope."""

    list_display = (
        "project",
        "number",
        "title",
        "category",
        "status",
        "requested_by",
        "submitted_at",
        "decided_at",
    )
    list_filter = ("status", "category", "approver_role")
    search_fields = ("title", "project__code", "description")
    list_select_related = ("project", "requested_by")
    raw_id_fields = ("project", "requested_by", "decided_by", "risk")
    ordering = ("project__code", "-number")


@admin.register(TaskEdit, site=admin_site)
class TaskEditAdmin(ChangeRecordAdmin):
    """The schedule edits a change request proposes."""

    list_display = ("change", "kind", "task", "name", "duration_days", "predecessor")
    list_filter = ("kind",)
    search_fields = ("change__title", "change__project__code", "task__name", "name")
    list_select_related = ("change", "change__project", "task", "predecessor")
    raw_id_fields = ("change", "task", "predecessor")


@admin.register(BudgetEdit, site=admin_site)
class BudgetEditAdmin(ChangeRecordAdmin):
    """The budget edits a change request proposes."""

    list_display = ("change", "category", "period_start", "amount")
    search_fields = ("change__title", "change__project__code", "category__name")
    list_select_related = ("change", "change__project", "category")
    raw_id_fields = ("change",)
