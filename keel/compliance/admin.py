"""Admin of compliance: unit settings, waivers and reminders, read-only.

Settings and waivers change on the compliance pages and through their services (validated,
versioned, audited); reminders are a record of what was sent. The admin shows them, scoped like
every other page.
"""

from __future__ import annotations

from django.contrib import admin

from keel.compliance.models import ComplianceConfig, Reminder, Waiver
from keel.core.admin import ReadOnlyScopedModelAdmin, admin_site


class ComplianceRecordAdmin(ReadOnlyScopedModelAdmin):
    """A compliance record in the user's scope, shown but not edited."""


@admin.register(ComplianceConfig, site=admin_site)
class ComplianceConfigAdmin(ComplianceRecordAdmin):
    """Each unit's compliance thresholds."""

    list_display = ("org_unit", "stale_raid_days", "change_age_days", "baseline_required", "updated_at")
    list_filter = ("baseline_required",)
    search_fields = ("org_unit__code", "org_unit__name")
    list_select_related = ("org_unit",)


@admin.register(Waiver, site=admin_site)
class WaiverAdmin(ComplianceRecordAdmin):
    """Compliance gaps waived, by whom and until when."""

    list_display = ("project", "kind", "title", "waived_by", "waived_at", "expires_on")
    list_filter = ("kind",)
    search_fields = ("project__code", "key", "title", "reason")
    list_select_related = ("project", "waived_by")
    raw_id_fields = ("project", "waived_by")
    date_hierarchy = "waived_at"


@admin.register(Reminder, site=admin_site)
class ReminderAdmin(ComplianceRecordAdmin):
    """Reminders sent about compliance gaps."""

    list_display = ("project", "title", "recipient", "sent_by", "sent_at")
    search_fields = ("project__code", "key", "title", "recipient__username")
    list_select_related = ("project", "recipient", "sent_by")
    raw_id_fields = ("project", "recipient", "sent_by")
    date_hierarchy = "sent_at"
