"""Admin of the organisation: org units, locations, calendars, people and their roles, scoped."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from keel.core.admin import ScopedModelAdmin, admin_site
from keel.orgs import scoping, services
from keel.orgs import selectors as org_selectors
from keel.orgs.models import Calendar, CalendarException, Location, Membership, OrgUnit, Role, User
from keel.orgs.scoping import Action


def administers_a_root(user: Any) -> bool:
    """Whether the user is a PMO administrator of a top-level unit (or a superuser).

    Locations and calendars are shared by every unit, so only the organisation-wide PMO changes them.
    """
    if scoping.is_global(user):
        return True
    return any(role == Role.PMO_ADMIN and path.count(".") == 1 for path, role in scoping.memberships(user))


@admin.register(OrgUnit, site=admin_site)
class OrgUnitAdmin(ScopedModelAdmin):
    """Org units in the user's scope; created, changed and deleted through the org services."""

    change_action = Action.ADMIN
    service_fields = ("code", "name", "kind", "parent", "location", "calendar", "currency")
    fields = (*service_fields, "keel_version")
    list_display = ("code", "name", "kind", "parent", "location", "currency")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    list_select_related = ("parent", "location")

    def create_record(self, request: HttpRequest, values: dict[str, Any]) -> OrgUnit:
        return services.org_unit_create(actor=request.user, **values)

    def update_record(self, request: HttpRequest, record: Any, version: Any, changes: dict[str, Any]) -> None:
        services.org_unit_update(actor=request.user, unit=record, version=version, **changes)

    def delete_record(self, request: HttpRequest, record: Any) -> None:
        services.org_unit_delete(actor=request.user, unit=record)


class ReferenceDataAdmin(admin.ModelAdmin):
    """Locations and calendars: every PMO administrator reads them, the organisation-wide PMO changes them."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request) and administers_a_root(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request)


@admin.register(Location, site=admin_site)
class LocationAdmin(ReferenceDataAdmin):
    """Places where units work, with their time zones."""

    list_display = ("name", "country", "time_zone")
    search_fields = ("name", "country")


class CalendarExceptionInline(admin.TabularInline):
    """Holidays and changed working times of a calendar."""

    model = CalendarException
    extra = 0

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request) and administers_a_root(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)


@admin.register(Calendar, site=admin_site)
class CalendarAdmin(ReferenceDataAdmin):
    """Working weeks and their exceptions."""

    list_display = ("name", "minutes_per_week")
    search_fields = ("name",)
    inlines = [CalendarExceptionInline]


@admin.register(Membership, site=admin_site)
class MembershipAdmin(ScopedModelAdmin):
    """Role memberships in the units the user administers: added and removed, never edited in place."""

    change_action = Action.ADMIN
    service_fields = ("user", "unit", "role")
    fields = service_fields
    list_display = ("user", "username", "unit", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__code")
    list_select_related = ("user", "unit")

    @admin.display(description="Username", ordering="user__username")
    def username(self, obj: Membership) -> str:
        return obj.user.username

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A membership is only a (person, unit, role) triple: remove it and add another instead.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.admin_site.has_permission(request):
            return False
        if obj is None:
            return scoping.can_anywhere(request.user, Action.ADMIN, Membership)
        return scoping.can(request.user, Action.ADMIN, Membership, obj.unit)

    def create_record(self, request: HttpRequest, values: dict[str, Any]) -> Membership:
        return services.membership_create(actor=request.user, **values)

    def delete_record(self, request: HttpRequest, record: Any) -> None:
        services.membership_delete(actor=request.user, membership=record)


@admin.register(User, site=admin_site)
class UserAdmin(DjangoUserAdmin):
    """People holding a role in the user's scope. New people get their first role on Keel's Users page."""

    list_display = ("username", "first_name", "last_name", "email", "is_active")
    list_filter = ("is_active",)
    limited_fieldsets = (
        (None, {"fields": ("username",)}),
        ("Person", {"fields": ("first_name", "last_name", "email", "time_zone", "is_active")}),
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return org_selectors.user_list_for_user(request.user)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.limited_fieldsets

    def get_list_filter(self, request: HttpRequest) -> Any:
        return super().get_list_filter(request) if request.user.is_superuser else self.list_filter

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.admin_site.has_permission(request):
            return False
        if request.user.is_superuser or obj is None:
            return True
        if obj.is_superuser:
            return False
        return org_selectors.user_list_for_user(request.user, Action.ADMIN).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if request.user.is_superuser or not change:
            super().save_model(request, obj, form, change)
            return
        stored = self.get_queryset(request).get(pk=obj.pk)
        changes = {
            name: form.cleaned_data[name] for name in form.changed_data if name in services.USER_FIELDS
        }
        services.user_update(actor=request.user, user=stored, **changes)
