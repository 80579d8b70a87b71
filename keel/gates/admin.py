"""Admin of gates: methodologies, phases, criteria, lifecycles, deliverables and gate reviews, read-only.

They change through the gates pages and services, which check each transition (a review is requested,
decided criterion by criterion, the lifecycle moves on) and record it in the audit trail; the admin
shows them, scoped like every other page.
"""

from __future__ import annotations

from django.contrib import admin

from keel.core.admin import ReadOnlyScopedModelAdmin, admin_site
from keel.gates.models import (
    Criterion,
    Deliverable,
    GateDecision,
    GateReview,
    LifecycleEvent,
    Methodology,
    Phase,
    ProjectLifecycle,
)


class GateRecordAdmin(ReadOnlyScopedModelAdmin):
    """A gates record in the user's scope, shown but not edited."""


@admin.register(Methodology, site=admin_site)
class MethodologyAdmin(GateRecordAdmin):
    """Methodologies of the units in scope."""

    list_display = ("name", "org_unit", "approach", "min_budget", "max_budget", "active")
    list_filter = ("approach", "active")
    search_fields = ("name", "org_unit__code")
    list_select_related = ("org_unit",)


@admin.register(Phase, site=admin_site)
class PhaseAdmin(GateRecordAdmin):
    """Phases of the methodologies in scope, in order."""

    list_display = ("methodology", "order", "name", "gate_name")
    search_fields = ("name", "gate_name", "methodology__name")
    list_select_related = ("methodology",)
    ordering = ("methodology__name", "order")


@admin.register(Criterion, site=admin_site)
class CriterionAdmin(GateRecordAdmin):
    """The criteria each gate is reviewed against."""

    list_display = ("phase", "order", "kind", "title", "check_name", "role")
    list_filter = ("kind", "role")
    search_fields = ("title", "phase__name", "phase__methodology__name")
    list_select_related = ("phase", "phase__methodology")
    ordering = ("phase__methodology__name", "phase__order", "order")


@admin.register(ProjectLifecycle, site=admin_site)
class ProjectLifecycleAdmin(GateRecordAdmin):
    """Where each project stands in its methodology."""

    list_display = ("project", "methodology", "phase", "phase_started_on", "closed_on")
    search_fields = ("project__code", "project__name")
    list_select_related = ("project", "methodology", "phase")
    raw_id_fields = ("project",)


@admin.register(Deliverable, site=admin_site)
class DeliverableAdmin(GateRecordAdmin):
    """Deliverables provided for gate criteria."""

    list_display = ("project", "criterion", "file_name", "link", "provided_by", "updated_at")
    search_fields = ("project__code", "criterion__title", "file_name", "note")
    list_select_related = ("project", "criterion", "provided_by")
    raw_id_fields = ("project", "criterion", "provided_by")


@admin.register(GateReview, site=admin_site)
class GateReviewAdmin(GateRecordAdmin):
    """Gate reviews: requested, then decided."""

    list_display = ("project", "phase", "status", "requested_by", "requested_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("project__code", "phase__gate_name")
    list_select_related = ("project", "phase", "requested_by")
    raw_id_fields = ("project", "phase", "requested_by")
    date_hierarchy = "requested_at"


@admin.register(GateDecision, site=admin_site)
class GateDecisionAdmin(GateRecordAdmin):
    """Each reviewer's outcome on each criterion of a review."""

    list_display = ("review", "criterion", "outcome", "reviewer", "created_at")
    list_filter = ("outcome",)
    search_fields = ("review__project__code", "criterion__title", "comment")
    list_select_related = ("review", "review__project", "review__phase", "criterion", "reviewer")
    raw_id_fields = ("review", "criterion", "reviewer")


@admin.register(LifecycleEvent, site=admin_site)
class LifecycleEventAdmin(GateRecordAdmin):
    """The history of each project's lifecycle."""

    list_display = ("project", "kind", "at", "actor", "text")
    list_filter = ("kind",)
    search_fields = ("project__code", "text", "reason")
    list_select_related = ("project", "actor")
    raw_id_fields = ("project", "actor", "review")
    date_hierarchy = "at"
