"""Reads of the portfolio register, always through the scoping layer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from keel.core.errors import NotFound
from keel.core.models import AuditEntry
from keel.orgs import scoping
from keel.orgs.models import OrgUnit, Role
from keel.orgs.scoping import Action
from keel.portfolio.models import Portfolio, Program, Project

PROJECT_ORDERINGS = {
    "code": "code",
    "name": "name",
    "unit": "org_unit__code",
    "status": "status",
    "health": "health",
    "phase": "phase",
    "priority": "priority",
    "manager": "manager__last_name",
    "start": "planned_start",
    "finish": "planned_finish",
    "budget": "budget",
    "updated": "updated_at",
}


@dataclass(frozen=True)
class ProjectFilters:
    """Filters of the project register; every field optional."""

    q: str = ""
    unit: int | None = None  # includes the unit's subtree
    status: tuple[str, ...] = ()
    health: tuple[str, ...] = ()
    manager: int | None = None
    program: int | None = None
    portfolio: int | None = None
    phase: tuple[str, ...] = ()
    finish_before: dt.date | None = None
    finish_after: dt.date | None = None


def project_list_for_user(
    user: Any, filters: ProjectFilters | None = None, ordering: str = "code"
) -> QuerySet[Project]:
    """The projects the user may see, filtered and ordered (prefix '-' for descending)."""
    filters = filters or ProjectFilters()
    qs = scoping.visible(
        user, Project.objects.select_related("org_unit", "program", "manager", "sponsor"), Action.VIEW
    )
    if filters.q:
        qs = qs.filter(
            Q(code__icontains=filters.q) | Q(name__icontains=filters.q) | Q(description__icontains=filters.q)
        )
    if filters.unit is not None:
        unit_path = (
            scoping.visible(user, _units()).filter(pk=filters.unit).values_list("path", flat=True).first()
        )
        qs = qs.filter(org_unit__path__startswith=unit_path) if unit_path else qs.none()
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.health:
        qs = qs.filter(health__in=filters.health)
    if filters.phase:
        qs = qs.filter(phase__in=filters.phase)
    if filters.manager is not None:
        qs = qs.filter(manager_id=filters.manager)
    if filters.program is not None:
        qs = qs.filter(program_id=filters.program)
    if filters.portfolio is not None:
        qs = qs.filter(program__portfolio_id=filters.portfolio)
    if filters.finish_before is not None:
        qs = qs.filter(planned_finish__lte=filters.finish_before)
    if filters.finish_after is not None:
        qs = qs.filter(planned_finish__gte=filters.finish_after)
    descending = ordering.startswith("-")
    key = PROJECT_ORDERINGS.get(ordering.lstrip("-"), "code")
    return qs.order_by(f"-{key}" if descending else key, "pk")


def _units() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.all()


def project_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Project:
    """One project; NotFound when missing or out of scope, PermissionDenied for a write the role lacks."""
    return scoping.get_for_user(
        user,
        Project.objects.select_related("org_unit", "program__portfolio", "manager", "sponsor"),
        action,
        pk=pk,
    )


def project_get_by_code(user: Any, code: str, action: Action = Action.VIEW) -> Project:
    """One project by code; NotFound when missing or out of scope."""
    return scoping.get_for_user(user, Project.objects.select_related("org_unit"), action, code=code)


def portfolio_list_for_user(user: Any, action: Action = Action.VIEW) -> QuerySet[Portfolio]:
    """The portfolios the user may see."""
    return scoping.visible(user, Portfolio.objects.select_related("org_unit", "owner"), action)


def portfolio_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Portfolio:
    """One portfolio; NotFound when missing or out of scope."""
    return scoping.get_for_user(user, Portfolio.objects.select_related("org_unit"), action, pk=pk)


def program_list_for_user(user: Any, action: Action = Action.VIEW) -> QuerySet[Program]:
    """The programs the user may see."""
    return scoping.visible(user, Program.objects.select_related("org_unit", "portfolio", "manager"), action)


def program_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Program:
    """One program; NotFound when missing or out of scope."""
    return scoping.get_for_user(user, Program.objects.select_related("org_unit", "portfolio"), action, pk=pk)


def activity_for_project(user: Any, project: Project, limit: int = 50) -> list[AuditEntry]:
    """The audit entries of a project and its records, newest first (the project page's feed)."""
    qs = scoping.visible(user, AuditEntry.objects.select_related("actor", "content_type"))
    return list(qs.filter(project_id=project.pk)[:limit])


@dataclass(frozen=True)
class AuditFilters:
    """Filters of the audit trail."""

    unit: int | None = None
    actor: int | None = None
    content_type: str = ""  # "app_label.model"
    object_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def audit_list_for_user(user: Any, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """The audit trail the user may see (PMO administrators of the units), filtered."""
    filters = filters or AuditFilters()
    if scoping.is_global(user):
        qs = AuditEntry.objects.all()
    else:
        paths = scoping.scope_paths(user, {Role.PMO_ADMIN})
        qs = (
            AuditEntry.objects.filter(scoping.path_q("unit_path", paths))
            if paths
            else AuditEntry.objects.none()
        )
    qs = qs.select_related("actor", "content_type")
    if filters.unit is not None:
        unit_path = (
            scoping.visible(user, _units()).filter(pk=filters.unit).values_list("path", flat=True).first()
        )
        qs = qs.filter(unit_path__startswith=unit_path) if unit_path else qs.none()
    if filters.actor is not None:
        qs = qs.filter(actor_id=filters.actor)
    if filters.content_type:
        app_label, _, model = filters.content_type.partition(".")
        qs = qs.filter(content_type__app_label=app_label, content_type__model=model)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.since is not None:
        qs = qs.filter(at__date__gte=filters.since)
    if filters.until is not None:
        qs = qs.filter(at__date__lte=filters.until)
    return qs


@dataclass
class Dashboard:
    """What the home page shows: counts by status and health, by unit, and upcoming finishes."""

    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_health: dict[str, int] = field(default_factory=dict)
    by_unit: list[tuple[str, str, int]] = field(default_factory=list)  # (code, name, count)
    finishing: dict[int, int] = field(default_factory=dict)  # days ahead -> count
    finishing_soon: list[Project] = field(default_factory=list)


def dashboard_for_user(user: Any, today: dt.date | None = None) -> Dashboard:
    """Aggregates of the user's visible portfolio, in a fixed number of queries."""
    today = today or timezone.localdate()
    projects = scoping.visible(user, Project.objects.all())
    dash = Dashboard()
    for row in projects.values("status", "health").annotate(n=Count("id")).order_by():
        dash.by_status[row["status"]] = dash.by_status.get(row["status"], 0) + row["n"]
        dash.by_health[row["health"]] = dash.by_health.get(row["health"], 0) + row["n"]
        dash.total += row["n"]
    dash.by_unit = [
        (row["org_unit__code"], row["org_unit__name"], row["n"])
        for row in projects.values("org_unit__code", "org_unit__name")
        .annotate(n=Count("id"))
        .order_by("org_unit__code")
    ]
    open_projects = projects.exclude(status__in=[Project.Status.CLOSED, Project.Status.CANCELLED])
    horizons = (30, 60, 90)
    counts = open_projects.aggregate(
        **{
            f"d{days}": Count(
                "id", filter=Q(planned_finish__gte=today, planned_finish__lte=today + dt.timedelta(days))
            )
            for days in horizons
        }
    )
    dash.finishing = {days: counts[f"d{days}"] for days in horizons}
    dash.finishing_soon = list(
        open_projects.filter(planned_finish__gte=today, planned_finish__lte=today + dt.timedelta(30))
        .select_related("org_unit", "manager")
        .order_by("planned_finish", "code")[:10]
    )
    return dash


def program_get_for_project(user: Any, pk: Any, org_unit: OrgUnit) -> Program:
    """A program a project of `org_unit` may join: one the user can see or one run by an ancestor unit.

    NotFound otherwise, so that a program out of scope reads like a missing one.
    """
    programs = Program.objects.select_related("org_unit", "portfolio")
    allowed = scoping.visible(user, programs) | programs.filter(org_unit_id__in=org_unit.ancestor_ids)
    try:
        return allowed.get(pk=pk)
    except (Program.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("program") from exc


def program_choices_for_user(user: Any, units: QuerySet[OrgUnit]) -> QuerySet[Program]:
    """Programs a project of one of `units` may join: visible ones and those run by the units' ancestors."""
    ancestor_ids: set[int] = set()
    for path in units.values_list("path", flat=True):
        ancestor_ids.update(int(part) for part in path.split(".") if part)
    programs = Program.objects.select_related("org_unit", "portfolio")
    return (scoping.visible(user, programs) | programs.filter(org_unit_id__in=ancestor_ids)).distinct()


@dataclass(frozen=True)
class FieldChange:
    """One changed field of an audit entry, in words: its label and its old and new values."""

    name: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ActivityItem:
    """One audit entry of a project's activity feed with its changes made readable."""

    entry: AuditEntry
    changes: list[FieldChange]


def _readable(value: Any, field: Any, names: dict[tuple[Any, str], str]) -> str:
    """A stored audit value as a person reads it (choice labels, names of related records, dates)."""
    if value is None or value == "":
        return "—"
    if field is None:
        return str(value)
    if field.is_relation:
        return names.get((field.related_model, str(value)), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field.get_internal_type() == "DateField":
        try:
            day = dt.date.fromisoformat(value)
            return f"{day.day} {day:%b %Y}"
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def activity_feed_for_project(user: Any, project: Project, limit: int = 50) -> list[ActivityItem]:
    """The project's activity feed: who changed which fields from what to what, with field labels."""
    return readable_entries(user, activity_for_project(user, project, limit))


def readable_entries(user: Any, entries: list[AuditEntry]) -> list[ActivityItem]:
    """Audit entries with their changes in words: field labels, choice labels, names of related records.

    Related records are named only when the user may see them (else shown by id), in one query per
    related model, so a page of entries costs a fixed number of queries.
    """
    fields_of: dict[int, dict[str, Any]] = {}
    wanted: dict[Any, set[str]] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        fields = {}
        if model is not None:
            for name in entry.changes:
                try:
                    fields[name] = model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                if fields[name].is_relation:
                    for value in entry.changes[name]:
                        if value not in (None, ""):
                            wanted.setdefault(fields[name].related_model, set()).add(str(value))
        fields_of[entry.pk] = fields
    names: dict[tuple[Any, str], str] = {}
    for related, ids in wanted.items():
        qs = related._default_manager.filter(pk__in=ids)
        if hasattr(related, "scope_path"):
            qs = scoping.visible(user, qs)
        names.update({(related, str(obj.pk)): str(obj) for obj in qs})
    items = []
    for entry in entries:
        fields = fields_of[entry.pk]
        model = entry.content_type.model_class()
        order = {f.name: i for i, f in enumerate(model._meta.fields)} if model is not None else {}
        changes = []
        for name in sorted(entry.changes, key=lambda n: (order.get(n, len(order)), n)):
            old, new = (list(entry.changes[name]) + [None, None])[:2]
            field = fields.get(name)
            label = str(field.verbose_name).capitalize() if field is not None else name.replace("_", " ")
            changes.append(
                FieldChange(
                    name=name,
                    label=label,
                    old=_readable(old, field, names),
                    new=_readable(new, field, names),
                )
            )
        items.append(ActivityItem(entry=entry, changes=changes))
    return items
