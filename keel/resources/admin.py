"""Admin of the resource pool: pools, resources and skills, scoped and written through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse

from keel.core.admin import ScopedModelAdmin, admin_site
from keel.orgs.models import OrgUnit
from keel.resources import services
from keel.resources.models import Resource, ResourcePool, Skill


@admin.register(ResourcePool, site=admin_site)
class ResourcePoolAdmin(ScopedModelAdmin):
    """Pools in the user's scope (sharing is set on the pool's page, by PMO administrators)."""

    service_fields = ("code", "name", "description", "org_unit", "manager")
    fields = (*service_fields, "keel_version")
    list_display = ("code", "name", "org_unit", "manager")
    search_fields = ("code", "name")
    list_select_related = ("org_unit", "manager")

    def view_on_site(self, obj: ResourcePool) -> str:
        return reverse("resources:pool_detail", args=[obj.pk])

    def create_record(self, request: HttpRequest, values: dict[str, Any]) -> ResourcePool:
        return services.pool_create(actor=request.user, **values)

    def update_record(self, request: HttpRequest, record: Any, version: Any, changes: dict[str, Any]) -> None:
        services.pool_update(actor=request.user, pool=record, version=version, **changes)

    def delete_record(self, request: HttpRequest, record: Any) -> None:
        services.pool_delete(actor=request.user, pool=record)


@admin.register(Resource, site=admin_site)
class ResourceAdmin(ScopedModelAdmin):
    """Resources of the pools in the user's scope."""

    service_fields = services.RESOURCE_FIELDS
    fields = (*service_fields, "keel_version")
    list_display = ("code", "name", "kind", "pool", "home_unit", "max_units", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "email")
    list_select_related = ("pool", "home_unit")

    def scope_unit(self, obj: Resource) -> OrgUnit:
        return obj.pool.org_unit

    def view_on_site(self, obj: Resource) -> str:
        return reverse("resources:resource_detail", args=[obj.pk])

    def create_record(self, request: HttpRequest, values: dict[str, Any]) -> Resource:
        return services.resource_create(actor=request.user, **values)

    def update_record(self, request: HttpRequest, record: Any, version: Any, changes: dict[str, Any]) -> None:
        services.resource_update(actor=request.user, resource=record, version=version, **changes)

    def delete_record(self, request: HttpRequest, record: Any) -> None:
        services.resource_delete(actor=request.user, resource=record)


@admin.register(Skill, site=admin_site)
class SkillAdmin(ScopedModelAdmin):
    """The skill catalogue the user may use; PMO administrators keep their units' part of it."""

    service_fields = ("name", "category", "org_unit")
    fields = (*service_fields, "keel_version")
    list_display = ("name", "category", "org_unit")
    search_fields = ("name", "category")
    list_select_related = ("org_unit",)

    def create_record(self, request: HttpRequest, values: dict[str, Any]) -> Skill:
        return services.skill_create(actor=request.user, **values)

    def update_record(self, request: HttpRequest, record: Any, version: Any, changes: dict[str, Any]) -> None:
        services.skill_update(actor=request.user, skill=record, version=version, **changes)

    def delete_record(self, request: HttpRequest, record: Any) -> None:
        services.skill_delete(actor=request.user, skill=record)
