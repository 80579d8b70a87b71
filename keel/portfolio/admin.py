"""Admin of the portfolio register: portfolios, programs and projects, scoped and written through services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.urls import reverse

from keel.core.admin import ScopedModelAdmin, admin_site
from keel.orgs import selectors as org_selectors
from keel.orgs.models import User
from keel.orgs.scoping import Action
from keel.portfolio import selectors, services
from keel.portfolio.models import Portfolio, Program, Project


@admin.register(Portfolio, site=admin_site)
class PortfolioAdmin(ScopedModelAdmin):
    """Portfolios in the user's scope."""

    service_fields = ("code", "name", "description", "org_unit", "owner")
    fields = (*service_fields, "keel_version")
    list_display = ("code", "name", "org_unit", "owner")
    search_fields = ("code", "name")
    list_select_related = ("org_unit", "owner")

    def create_record(self, request: HttpRequest, values: dict[str, Any]) -> Portfolio:
        return services.portfolio_create(actor=request.user, **values)

    def update_record(self, request: HttpRequest, record: Any, version: Any, changes: dict[str, Any]) -> None:
        services.portfolio_update(actor=request.user, portfolio=record, version=version, **changes)

    def delete_record(self, request: HttpRequest, record: Any) -> None:
        services.portfolio_delete(actor=request.user, portfolio=record)


@admin.register(Program, site=admin_site)
class ProgramAdmin(ScopedModelAdmin):
    """Programs in the user's scope."""

    service_fields = ("code", "name", "description", "portfolio", "org_unit", "manager")
    fields = (*service_fields, "keel_version")
    list_display = ("code", "name", "portfolio", "org_unit", "manager")
    search_fields = ("code", "name")
    list_select_related = ("portfolio", "org_unit", "manager")

    def create_record(self, request: HttpRequest, values: dict[str, Any]) -> Program:
        return services.program_create(actor=request.user, **values)

    def update_record(self, request: HttpRequest, record: Any, version: Any, changes: dict[str, Any]) -> None:
        services.program_update(actor=request.user, program=record, version=version, **changes)

    def delete_record(self, request: HttpRequest, record: Any) -> None:
        services.program_delete(actor=request.user, program=record)


@admin.register(Project, site=admin_site)
class ProjectAdmin(ScopedModelAdmin):
    """Projects in the user's scope; the same services as the project pages."""

    service_fields = services.PROJECT_FIELDS
    fields = (*service_fields, "keel_version")
    list_display = ("code", "name", "org_unit", "status", "health", "phase", "manager", "planned_finish")
    list_filter = ("status", "health", "phase")
    search_fields = ("code", "name")
    list_select_related = ("org_unit", "manager")

    def view_on_site(self, obj: Project) -> str:
        return reverse("portfolio:project_detail", args=[obj.pk])

    def scoped_choices(self, request: HttpRequest, related: type[models.Model]) -> Any:
        units = org_selectors.org_unit_list_where(request.user, Project, Action.CHANGE)
        if related is Program:
            return selectors.program_choices_for_user(request.user, units)
        if related is User:
            return org_selectors.people_for_units(units)
        return super().scoped_choices(request, related)

    def create_record(self, request: HttpRequest, values: dict[str, Any]) -> Project:
        return services.project_create(actor=request.user, **values)

    def update_record(self, request: HttpRequest, record: Any, version: Any, changes: dict[str, Any]) -> None:
        services.project_update(actor=request.user, project=record, version=version, **changes)

    def delete_record(self, request: HttpRequest, record: Any) -> None:
        services.project_delete(actor=request.user, project=record)
