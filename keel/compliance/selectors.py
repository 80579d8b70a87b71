"""Reads of compliance, always through the scoping layer: every gap of the projects a user sees (with
the waived ones apart), the per-project summary, the roll-up per org unit, waivers and the settings in
force for a unit.

One call reads a fixed number of queries whatever the number of projects: the projects, the settings,
each check's reads, the waivers, the latest reminders and the units.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import timezone

from keel.compliance import checks
from keel.compliance.checks import Context, Gap, RuleBook, Rules
from keel.compliance.models import ComplianceConfig, Reminder, Waiver
from keel.core.unit_settings import settings_in_force, unit_settings_for_user
from keel.orgs import scoping
from keel.orgs.models import OrgUnit
from keel.orgs.scoping import Action
from keel.portfolio import selectors as portfolio_selectors
from keel.portfolio.models import Project


@dataclass(frozen=True)
class WaivedGap:
    """A gap the PMO waived: it counts as in place until the waiver expires."""

    gap: Gap
    waiver: Waiver


@dataclass
class ProjectCompliance:
    """One project's gaps, waived gaps and share of the current phase's required items in place."""

    project: Project
    gaps: list[Gap] = field(default_factory=list)
    waived: list[WaivedGap] = field(default_factory=list)
    phase_met: int = 0
    phase_total: int = 0

    @property
    def compliant(self) -> bool:
        """No gap left open (waived gaps count as in place)."""
        return not self.gaps

    @property
    def phase_share(self) -> float | None:
        """The share (0–1) of the current phase's required items in place; None without a gate."""
        return self.phase_met / self.phase_total if self.phase_total else None

    @property
    def counts(self) -> dict[str, int]:
        """Open gaps per kind."""
        return dict(Counter(g.kind for g in self.gaps))


@dataclass
class UnitRollup:
    """The compliance of the projects of a unit's subtree."""

    unit: OrgUnit
    projects: int = 0
    compliant: int = 0
    gaps: int = 0
    waived: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    phase_met: int = 0
    phase_total: int = 0

    @property
    def kind_counts(self) -> list[tuple[str, int]]:
        """(kind, open gaps) pairs in the registry's order."""
        return [(k, self.counts[k]) for k in checks.REGISTRY if self.counts.get(k)]

    @property
    def share_compliant(self) -> float | None:
        """The share (0–1) of the projects without an open gap."""
        return self.compliant / self.projects if self.projects else None

    @property
    def phase_share(self) -> float | None:
        """The share (0–1) of the current phases' required items in place across the projects."""
        return self.phase_met / self.phase_total if self.phase_total else None


@dataclass
class Compliance:
    """What the compliance page shows: the gaps (filtered), the waived gaps, projects and the roll-up."""

    today: dt.date
    gaps: list[Gap]
    waived: list[WaivedGap]
    projects: dict[int, ProjectCompliance]
    rollup: list[UnitRollup]
    reminded: dict[tuple[int, str], dt.datetime]
    kinds: dict[str, str]

    def last_reminder(self, gap: Gap) -> dt.datetime | None:
        """When the owner of the gap was last reminded (None: never)."""
        return self.reminded.get((gap.project.pk, gap.key))


@dataclass(frozen=True)
class GapFilters:
    """Filters of the gap list; empty values filter nothing."""

    unit: OrgUnit | None = None
    project: Project | None = None
    kind: str = ""


def _projects(user: Any, filters: GapFilters) -> QuerySet[Project]:
    qs = scoping.visible(user, Project.objects.filter(status__in=checks.CHECKED_STATUSES))
    if filters.unit is not None:
        qs = qs.filter(org_unit__path__startswith=filters.unit.path)
    if filters.project is not None:
        qs = qs.filter(pk=filters.project.pk)
    return qs


def _evaluate(queryset: QuerySet[Project], today: dt.date) -> tuple[dict[int, ProjectCompliance], Context]:
    """Run the checks over the projects and sort each gap in or out by the waivers in force."""
    queryset = queryset.select_related("org_unit", "manager").order_by("code")
    rows = {p.pk: p for p in queryset}
    context = Context(queryset=queryset, projects=rows, today=today, rules=RuleBook())
    found = checks.run_checks(context)
    waivers = {
        (w.project_id, w.key): w
        for w in Waiver.objects.filter(project__in=queryset).select_related("waived_by")
        if w.active_on(today)
    }
    result = {pk: ProjectCompliance(project=p) for pk, p in rows.items()}
    for gap in found:
        summary = result[gap.project.pk]
        waiver = waivers.get((gap.project.pk, gap.key))
        if waiver is None:
            summary.gaps.append(gap)
        else:
            summary.waived.append(WaivedGap(gap, waiver))
    for pk, (met, total, missing) in context.phase.items():
        waived = {w.gap.key for w in result[pk].waived}
        result[pk].phase_met = met + sum(1 for key in missing if key in waived)
        result[pk].phase_total = total
    order = {kind: n for n, kind in enumerate(checks.REGISTRY)}
    for summary in result.values():
        summary.gaps.sort(key=lambda g: (-g.age_days, order.get(g.kind, 99), g.key))
    return result, context


def _rollup(user: Any, projects: dict[int, ProjectCompliance], unit: OrgUnit | None) -> list[UnitRollup]:
    units = scoping.visible(user, OrgUnit.objects.all()).order_by("path")
    if unit is not None:
        units = units.filter(path__startswith=unit.path)
    by_path = {u.path: UnitRollup(unit=u) for u in units}
    for summary in projects.values():
        path = summary.project.org_unit.path
        parts = [p for p in path.split(".") if p]
        for n in range(1, len(parts) + 1):
            row = by_path.get("".join(f"{p}." for p in parts[:n]))
            if row is None:
                continue
            row.projects += 1
            row.compliant += summary.compliant
            row.gaps += len(summary.gaps)
            row.waived += len(summary.waived)
            row.counts.update(g.kind for g in summary.gaps)
            row.phase_met += summary.phase_met
            row.phase_total += summary.phase_total
    return [row for row in by_path.values() if row.projects]


def compliance_for_user(
    user: Any, filters: GapFilters | None = None, *, today: dt.date | None = None
) -> Compliance:
    """Every gap of the open projects the user sees (filtered), the waived ones, and the roll-up per unit.

    The roll-up covers the units the user sees (within the unit filter) and counts every kind; the kind
    filter narrows the lists only.
    """
    filters = filters or GapFilters()
    today = today or timezone.localdate()
    queryset = _projects(user, filters)
    projects, _ = _evaluate(queryset, today)
    gaps = [g for s in projects.values() for g in s.gaps if not filters.kind or g.kind == filters.kind]
    gaps.sort(key=lambda g: (-g.age_days, g.project.code, g.key))
    waived = [
        w for s in projects.values() for w in s.waived if not filters.kind or w.gap.kind == filters.kind
    ]
    waived.sort(key=lambda w: (w.gap.project.code, w.gap.key))
    reminded = {
        (row["project_id"], row["key"]): row["last"]
        for row in Reminder.objects.filter(project__in=queryset)
        .values("project_id", "key")
        .annotate(last=Max("sent_at"))
    }
    return Compliance(
        today=today,
        gaps=gaps,
        waived=waived,
        projects=projects,
        rollup=_rollup(user, projects, filters.unit),
        reminded=reminded,
        kinds=checks.kind_labels(),
    )


def project_for_user(user: Any, project_id: Any, action: Action = Action.VIEW) -> Project:
    """The project asked for; NotFound out of scope, PermissionDenied for a write the role does not allow."""
    return portfolio_selectors.project_get_for_user(user, project_id, action)


def project_compliance(project: Project, *, today: dt.date | None = None) -> ProjectCompliance:
    """The compliance of one project (unscoped: the caller fetched the project through the scoping layer)."""
    today = today or timezone.localdate()
    queryset = Project.objects.filter(pk=project.pk, status__in=checks.CHECKED_STATUSES)
    found, _ = _evaluate(queryset, today)
    return found.get(project.pk) or ProjectCompliance(project=project)


def project_compliance_for_user(
    user: Any, project_id: Any, *, today: dt.date | None = None
) -> ProjectCompliance:
    """The compliance of a project the user sees."""
    return project_compliance(project_for_user(user, project_id), today=today)


def gap_of(project: Project, key: str, *, today: dt.date | None = None) -> tuple[Gap | None, Waiver | None]:
    """The project's current gap with `key` and its waiver in force, if any (unscoped, for services)."""
    summary = project_compliance(project, today=today)
    for gap in summary.gaps:
        if gap.key == key:
            return gap, None
    for waived in summary.waived:
        if waived.gap.key == key:
            return waived.gap, waived.waiver
    return None, None


def is_checked(project: Project) -> bool:
    """Whether the project is checked at all (closed and cancelled projects are not)."""
    return project.status in checks.CHECKED_STATUSES


# --- waivers ---------------------------------------------------------------------------------------------


def waiver_list_for_user(
    user: Any, *, project: Project | None = None, unit: OrgUnit | None = None
) -> QuerySet[Waiver]:
    """The waivers of the projects the user sees, newest first."""
    qs = scoping.visible(
        user, Waiver.objects.select_related("project", "project__org_unit", "waived_by")
    ).order_by("-waived_at", "-id")
    if project is not None:
        qs = qs.filter(project=project)
    if unit is not None:
        qs = qs.filter(project__org_unit__path__startswith=unit.path)
    return qs


def waiver_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Waiver:
    """One waiver the user sees; NotFound when missing or out of scope."""
    qs = Waiver.objects.select_related("project", "project__org_unit", "waived_by")
    return scoping.get_for_user(user, qs, action, pk=pk)


def can_waive(user: Any, project: Project) -> bool:
    """Whether the user may waive the project's gaps (a PMO administrator over its unit)."""
    return scoping.can(user, Action.CHANGE, Waiver, project.org_unit)


def can_remind(user: Any, project: Project) -> bool:
    """Whether the user may remind owners of the project's gaps (PMO, portfolio or project manager)."""
    return scoping.can(user, Action.CHANGE, Reminder, project.org_unit)


# --- settings --------------------------------------------------------------------------------------------


def rules_for_unit(unit: OrgUnit) -> Rules:
    """The compliance rules in force for `unit` (its own, the nearest ancestor's, or the defaults)."""
    config = settings_in_force(unit, ComplianceConfig)
    return checks.DEFAULT_RULES if config is None else checks.rules_of(config)


def config_for_unit(
    user: Any, unit_id: Any, action: Action = Action.VIEW
) -> tuple[OrgUnit, ComplianceConfig | None]:
    """A unit the user sees and its own compliance settings (None when it inherits them)."""
    return unit_settings_for_user(user, unit_id, ComplianceConfig, action)


def can_configure(user: Any, unit: OrgUnit) -> bool:
    """Whether the user may set the unit's compliance settings (a PMO administrator over it)."""
    return scoping.can(user, Action.CHANGE, ComplianceConfig, unit)


def units_for_filter(user: Any) -> QuerySet[OrgUnit]:
    """The units the user sees, for a filter."""
    return scoping.visible(user, OrgUnit.objects.all()).order_by("path")
