"""Admin of notifications: comments (scoped by their project), notifications and preferences, read-only.

Notifications and e-mail preferences are personal and belong to no org unit: only superusers see
them here. Comments are scoped like their project's pages. Everything changes through the pages and
services (each person reads, settles and chooses their own), so the admin only shows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from keel.core.admin import ReadOnlyScopedModelAdmin, admin_site
from keel.notifications.models import Comment, Notification, Preference


class NotificationRecordAdmin(ReadOnlyScopedModelAdmin):
    """A notifications record, shown but not edited."""


class PersonalRecordAdmin(NotificationRecordAdmin):
    """Someone's own record (no org unit): superusers only."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        queryset = self.model._default_manager.all()
        return queryset if request.user.is_superuser else queryset.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


@admin.register(Comment, site=admin_site)
class CommentAdmin(NotificationRecordAdmin):
    """Comments on the projects and tasks in scope."""

    list_display = ("project", "task", "author", "created_at", "text")
    search_fields = ("project__code", "task__name", "author__username", "text")
    list_select_related = ("project", "task", "author")
    raw_id_fields = ("project", "task", "reply_to", "author")
    date_hierarchy = "created_at"


@admin.register(Notification, site=admin_site)
class NotificationAdmin(PersonalRecordAdmin):
    """Notifications sent to people, and whether they were read or e-mailed."""

    list_display = ("recipient", "kind", "title", "project", "created_at", "read_at", "emailed_at")
    list_filter = ("kind", "email")
    search_fields = ("recipient__username", "title", "key")
    list_select_related = ("recipient", "project")
    raw_id_fields = ("recipient", "project")
    date_hierarchy = "created_at"


@admin.register(Preference, site=admin_site)
class PreferenceAdmin(PersonalRecordAdmin):
    """How each person wants each kind of notification delivered."""

    list_display = ("user", "kind", "delivery", "updated_at")
    list_filter = ("kind", "delivery")
    search_fields = ("user__username",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
