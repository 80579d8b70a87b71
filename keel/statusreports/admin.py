"""Admin of status reports: unit settings, project cadences, reports and reminders, read-only.

A submitted report is a record of what was said at the time and never changes; drafts and settings
change on their pages and through their services (validated, versioned, audited). The admin shows
them all, scoped like every other page.
"""

from __future__ import annotations

from django.contrib import admin

from keel.core.admin import ReadOnlyScopedModelAdmin, admin_site
from keel.statusreports.models import ProjectReporting, ReportConfig, ReportReminder, StatusReport


class StatusReportRecordAdmin(ReadOnlyScopedModelAdmin):
    """A status-reporting record in the user's scope, shown but not edited."""


@admin.register(ReportConfig, site=admin_site)
class ReportConfigAdmin(StatusReportRecordAdmin):
    """Each unit's reporting cadence and RAG thresholds."""

    list_display = ("org_unit", "cadence", "spi_amber", "spi_red", "cpi_amber", "cpi_red", "updated_at")
    list_filter = ("cadence",)
    search_fields = ("org_unit__code", "org_unit__name")
    list_select_related = ("org_unit",)


@admin.register(ProjectReporting, site=admin_site)
class ProjectReportingAdmin(StatusReportRecordAdmin):
    """Projects reporting at a cadence of their own."""

    list_display = ("project", "cadence", "updated_at")
    list_filter = ("cadence",)
    search_fields = ("project__code", "project__name")
    list_select_related = ("project",)
    raw_id_fields = ("project",)


@admin.register(StatusReport, site=admin_site)
class StatusReportAdmin(StatusReportRecordAdmin):
    """Status reports of the projects in scope, newest period first."""

    list_display = (
        "project",
        "period_end",
        "status",
        "overall_rag",
        "schedule_rag",
        "cost_rag",
        "scope_rag",
        "risk_rag",
        "submitted_at",
        "submitted_by",
    )
    list_filter = ("status", "overall_rag")
    search_fields = ("project__code", "project__name")
    list_select_related = ("project", "submitted_by")
    raw_id_fields = ("project", "created_by", "submitted_by")
    date_hierarchy = "period_end"
    ordering = ("-period_end", "project__code")


@admin.register(ReportReminder, site=admin_site)
class ReportReminderAdmin(StatusReportRecordAdmin):
    """Reminders sent for reports not submitted on time."""

    list_display = ("project", "period_end", "sent_at")
    search_fields = ("project__code",)
    list_select_related = ("project",)
    raw_id_fields = ("project",)
    date_hierarchy = "sent_at"
