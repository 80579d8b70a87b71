"""Admin of schedules: read-only and scoped. Schedules change through their services (the API and pages),
which recompute the whole schedule on every change; a row edited alone would leave its dates stale."""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from keel.core.admin import ReadOnlyScopedModelAdmin, admin_site
from keel.orgs.models import OrgUnit
from keel.schedule.models import Baseline, Dependency, ProjectSchedule, Task


class ScheduleRecordAdmin(ReadOnlyScopedModelAdmin):
    """A schedule record in the user's scope, shown but not edited."""

    def scope_unit(self, obj: models.Model) -> OrgUnit | None:
        """Schedule records belong to their project's org unit."""
        return obj.project.org_unit  # type: ignore[attr-defined, no-any-return]


@admin.register(ProjectSchedule, site=admin_site)
class ProjectScheduleAdmin(ScheduleRecordAdmin):
    """Schedule settings and the last computation of each project."""

    list_display = (
        "project",
        "calendar",
        "start",
        "status_date",
        "computed_finish",
        "task_count",
        "computed_at",
    )
    search_fields = ("project__code", "project__name")
    list_select_related = ("project", "calendar")


@admin.register(Task, site=admin_site)
class TaskAdmin(ScheduleRecordAdmin):
    """Tasks of the projects in scope, in WBS order."""

    list_display = ("project", "outline_number", "name", "duration_minutes", "start", "finish", "is_critical")
    list_filter = ("is_critical", "is_milestone", "is_summary")
    search_fields = ("name", "project__code")
    list_select_related = ("project",)
    ordering = ("project__code", "sort_index")


@admin.register(Dependency, site=admin_site)
class DependencyAdmin(ScheduleRecordAdmin):
    """Links between tasks of the projects in scope."""

    list_display = ("project", "predecessor", "successor", "type", "lag", "lag_unit")
    search_fields = ("project__code", "predecessor__name", "successor__name")
    list_select_related = ("project", "predecessor", "successor")


@admin.register(Baseline, site=admin_site)
class BaselineAdmin(ScheduleRecordAdmin):
    """Saved baselines of the projects in scope."""

    list_display = ("project", "number", "name", "saved_at", "saved_by")
    search_fields = ("project__code", "name")
    list_select_related = ("project", "saved_by")
