"""Reads of the RAID log, always through the scoping layer: the scale in force for a unit, a project's
RAID lists, the probability × impact heat map (per project and across the visible portfolio) and the
PMO's escalation list with the reasons each item is on it and its age.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from keel.core.unit_settings import SettingsBook, settings_in_force, unit_settings_for_user
from keel.governance.models import (
    DEFAULT_CATEGORIES,
    DEFAULT_IMPACT_LABELS,
    DEFAULT_PROBABILITY_LABELS,
    DEFAULT_SCALE,
    DEFAULT_SEVERITY,
    DEFAULT_THRESHOLD,
    Assumption,
    Decision,
    Issue,
    RaidConfig,
    Risk,
    RiskAction,
)
from keel.orgs import scoping
from keel.orgs.models import OrgUnit
from keel.orgs.scoping import Action
from keel.portfolio import selectors as portfolio_selectors
from keel.portfolio.models import Project

KINDS: dict[str, type[Any]] = {"risk": Risk, "issue": Issue, "assumption": Assumption, "decision": Decision}


# --- the scale in force ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RaidScale:
    """The RAID settings in force for a unit: its own, its nearest ancestor's, or Keel's defaults."""

    size: int
    probability_labels: tuple[str, ...]
    impact_labels: tuple[str, ...]
    escalation_threshold: int
    escalation_severity: int
    categories: tuple[str, ...]
    source: OrgUnit | None = None  # the unit whose settings these are (None: the defaults)

    def probability_label(self, value: int | None) -> str:
        """`3 — Medium` for a probability level."""
        return _label(self.probability_labels, value)

    def impact_label(self, value: int | None) -> str:
        """`3 — Medium` for an impact (or severity) level."""
        return _label(self.impact_labels, value)


def _label(labels: tuple[str, ...], value: int | None) -> str:
    if value is None:
        return ""
    if 1 <= value <= len(labels) and labels[value - 1] != str(value):
        return f"{value} — {labels[value - 1]}"
    return str(value)


DEFAULT = RaidScale(
    size=DEFAULT_SCALE,
    probability_labels=tuple(DEFAULT_PROBABILITY_LABELS),
    impact_labels=tuple(DEFAULT_IMPACT_LABELS),
    escalation_threshold=DEFAULT_THRESHOLD,
    escalation_severity=DEFAULT_SEVERITY,
    categories=tuple(DEFAULT_CATEGORIES),
)


def _scale_of(config: RaidConfig) -> RaidScale:
    return RaidScale(
        size=config.scale_size,
        probability_labels=tuple(config.probability_labels),
        impact_labels=tuple(config.impact_labels),
        escalation_threshold=config.escalation_threshold,
        escalation_severity=config.escalation_severity,
        categories=tuple(config.categories),
        source=config.org_unit,
    )


class ScaleBook:
    """The scales of many units from one query of the (few) RAID configurations."""

    def __init__(self) -> None:
        self._book = SettingsBook(RaidConfig)

    def for_path(self, path: str) -> RaidScale:
        """The scale in force for the unit at `path` (nearest configured ancestor, else defaults)."""
        config = self._book.for_path(path)
        return DEFAULT if config is None else _scale_of(config)

    def configs(self) -> list[RaidConfig]:
        """Every unit's own RAID configuration."""
        return self._book.rows()


def scale_for_unit(unit: OrgUnit) -> RaidScale:
    """The RAID scale in force for `unit`."""
    config = settings_in_force(unit, RaidConfig)
    return DEFAULT if config is None else _scale_of(config)


def scale_for_project(project: Project) -> RaidScale:
    """The RAID scale of the project's unit."""
    return scale_for_unit(project.org_unit)


def config_for_unit(
    user: Any, unit_id: Any, action: Action = Action.VIEW
) -> tuple[OrgUnit, RaidConfig | None]:
    """A unit the user sees and its own RAID settings (None when it inherits them)."""
    return unit_settings_for_user(user, unit_id, RaidConfig, action)


def can_configure(user: Any, unit: OrgUnit) -> bool:
    """Whether the user may set the unit's RAID settings (a PMO administrator over it)."""
    return scoping.can(user, Action.CHANGE, RaidConfig, unit)


# --- a project's RAID log ----------------------------------------------------------------------------


def project_for_user(user: Any, project_id: Any, action: Action = Action.VIEW) -> Project:
    """The project whose RAID log is asked for; NotFound out of scope, PermissionDenied for a write."""
    return portfolio_selectors.project_get_for_user(user, project_id, action)


def can_change(user: Any, project: Project) -> bool:
    """Whether the user may change the project's RAID log."""
    return scoping.can(user, Action.CHANGE, Risk, project.org_unit)


def can_resolve(user: Any, project: Project) -> bool:
    """Whether the user may resolve escalations of the project (a PMO administrator over its unit)."""
    return scoping.can(user, Action.CHANGE, RaidConfig, project.org_unit)


@dataclass(frozen=True)
class RaidFilters:
    """Filters of a RAID list; empty values filter nothing."""

    status: str = ""
    owner: int | None = None
    category: str = ""
    q: str = ""
    min_score: int | None = None
    probability: int | None = None
    impact: int | None = None
    escalated: bool | None = None


def _base(kind: str) -> QuerySet[Any]:
    model = KINDS[kind]
    qs = model.objects.select_related("project", "project__org_unit", "owner")
    if kind == "risk":
        qs = qs.prefetch_related("actions")
    if kind == "decision":
        qs = qs.prefetch_related("linked_risks", "linked_issues", "linked_assumptions")
    return qs


def _filtered(kind: str, qs: QuerySet[Any], filters: RaidFilters | None) -> QuerySet[Any]:
    if filters is None:
        return qs
    if filters.status and kind != "decision":
        qs = qs.filter(status=filters.status)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    if kind == "risk":
        if filters.category:
            qs = qs.filter(category=filters.category)
        if filters.min_score:
            qs = qs.filter(score__gte=filters.min_score)
        if filters.probability:
            qs = qs.filter(probability=filters.probability)
        if filters.impact:
            qs = qs.filter(impact=filters.impact)
    if kind in ("risk", "issue") and filters.escalated is not None:
        qs = qs.filter(escalated=filters.escalated)
    return qs


def raid_list_for_project(
    user: Any, project_id: Any, kind: str, filters: RaidFilters | None = None
) -> QuerySet[Any]:
    """The project's items of `kind` ("risk", "issue", "assumption", "decision"), by number."""
    project = project_for_user(user, project_id)
    qs = _base(kind).filter(project=project)
    if kind == "risk":
        qs = qs.order_by("-score", "number") if filters and filters.min_score else qs
    return _filtered(kind, qs, filters)


def raid_item_get_for_user(user: Any, kind: str, pk: Any, action: Action = Action.VIEW) -> Any:
    """One RAID item the user sees; NotFound when missing or out of scope."""
    return scoping.get_for_user(user, _base(kind), action, pk=pk)


def risk_action_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> RiskAction:
    """One risk action the user sees; NotFound when missing or out of scope."""
    qs = RiskAction.objects.select_related("risk", "risk__project", "risk__project__org_unit", "owner")
    return scoping.get_for_user(user, qs, action, pk=pk)


def risk_actions(risk: Risk) -> QuerySet[RiskAction]:
    """A risk's actions by due date."""
    return risk.actions.select_related("owner").order_by("due_date", "id")


def linkable_items(project: Project) -> dict[str, QuerySet[Any]]:
    """The risks, issues and assumptions of the project a decision may link to."""
    return {
        "linked_risks": Risk.objects.filter(project=project),
        "linked_issues": Issue.objects.filter(project=project),
        "linked_assumptions": Assumption.objects.filter(project=project),
    }


def raid_counts(project: Project) -> dict[str, int]:
    """How many items of each kind the project has."""
    return {kind: model.objects.filter(project=project).count() for kind, model in KINDS.items()}


# --- heat map ------------------------------------------------------------------------------------------


@dataclass
class HeatMap:
    """Counts of open risks per (probability, impact) cell on a `size` × `size` grid."""

    size: int
    probability_labels: tuple[str, ...]
    impact_labels: tuple[str, ...]
    threshold: int
    counts: dict[tuple[int, int], int] = field(default_factory=dict)
    total: int = 0
    residual: bool = False

    def count(self, probability: int, impact: int) -> int:
        return self.counts.get((probability, impact), 0)

    @property
    def rows(self) -> list[tuple[int, str, list[tuple[int, int, int]]]]:
        """Table rows, highest probability first: (probability, label, [(impact, count, score)])."""
        return [
            (
                p,
                self.probability_labels[p - 1],
                [(i, self.count(p, i), p * i) for i in range(1, self.size + 1)],
            )
            for p in range(self.size, 0, -1)
        ]


def _open_risks(qs: QuerySet[Risk]) -> QuerySet[Risk]:
    return qs.filter(status=Risk.Status.OPEN)


def _heat_map(risks: QuerySet[Risk], scale: RaidScale, residual: bool) -> HeatMap:
    heat = HeatMap(
        size=scale.size,
        probability_labels=scale.probability_labels,
        impact_labels=scale.impact_labels,
        threshold=scale.escalation_threshold,
        residual=residual,
    )
    p_field, i_field = ("residual_probability", "residual_impact") if residual else ("probability", "impact")
    for p, i in risks.exclude(**{f"{p_field}__isnull": True}).values_list(p_field, i_field):
        heat.counts[(p, i)] = heat.counts.get((p, i), 0) + 1
        heat.total += 1
    biggest = max([heat.size, *(max(k) for k in heat.counts)], default=heat.size)
    if biggest > heat.size:  # values from before the scale was reduced: still shown, labelled by number
        heat.size = biggest
        heat.probability_labels = tuple(str(n) for n in range(1, biggest + 1))
        heat.impact_labels = heat.probability_labels
    return heat


def heat_map_for_project(user: Any, project_id: Any, *, residual: bool = False) -> HeatMap:
    """The heat map of the project's open risks on its unit's scale."""
    project = project_for_user(user, project_id)
    return _heat_map(_open_risks(Risk.objects.filter(project=project)), scale_for_project(project), residual)


def portfolio_risks_for_user(user: Any, unit: OrgUnit | None = None) -> QuerySet[Risk]:
    """The open risks of every project the user sees (optionally of one unit's subtree)."""
    qs = _open_risks(scoping.visible(user, _base("risk")))
    if unit is not None:
        qs = qs.filter(project__org_unit__path__startswith=unit.path)
    return qs


def portfolio_scale(risks: QuerySet[Risk], unit: OrgUnit | None = None) -> RaidScale:
    """The scale of a portfolio heat map: the unit's, else the one scale of the risks' units.

    When the risks' units use different scales, they are drawn on the largest, labelled by number.
    """
    if unit is not None:
        return scale_for_unit(unit)
    book = ScaleBook()
    paths = set(risks.values_list("project__org_unit__path", flat=True).distinct())
    scales = {book.for_path(p) for p in paths}
    if not scales:
        return DEFAULT
    if len(scales) == 1:
        return scales.pop()
    size = max(s.size for s in scales)
    labels = tuple(str(n) for n in range(1, size + 1))
    lowest = min(s.escalation_threshold for s in scales)
    return RaidScale(size, labels, labels, lowest, DEFAULT_SEVERITY, DEFAULT.categories)


def heat_map_for_portfolio(user: Any, unit: OrgUnit | None = None, *, residual: bool = False) -> HeatMap:
    """The heat map of the open risks of every project the user sees."""
    risks = portfolio_risks_for_user(user, unit)
    return _heat_map(risks, portfolio_scale(risks, unit), residual)


def heat_map_cell(
    user: Any,
    *,
    probability: int,
    impact: int,
    project_id: Any = None,
    unit: OrgUnit | None = None,
    residual: bool = False,
) -> QuerySet[Risk]:
    """The open risks behind one heat-map cell (of a project, or across the visible portfolio)."""
    if project_id is not None:
        project = project_for_user(user, project_id)
        qs = _open_risks(_base("risk").filter(project=project))
    else:
        qs = portfolio_risks_for_user(user, unit)
    p_field, i_field = ("residual_probability", "residual_impact") if residual else ("probability", "impact")
    return qs.filter(**{p_field: probability, i_field: impact}).order_by("project__code", "number")


# --- escalations ----------------------------------------------------------------------------------------


class Reason:
    """Why an item is on the escalation list."""

    THRESHOLD = "threshold"
    OVERDUE = "overdue"
    FLAGGED = "flagged"


@dataclass
class Escalation:
    """A risk or issue on the escalation list: why, since when, and how long."""

    kind: str
    item: Any
    reasons: list[str]
    details: list[str]
    since: dt.date
    age_days: int

    @property
    def project(self) -> Project:
        return self.item.project


def _overdue_actions(today: dt.date) -> QuerySet[RiskAction]:
    return RiskAction.objects.filter(risk=OuterRef("pk"), status=RiskAction.Status.OPEN, due_date__lt=today)


def _candidates(qs_risks: QuerySet[Risk], qs_issues: QuerySet[Issue], today: dt.date, book: ScaleBook):
    """Open, unresolved risks and issues that may be on the list (the per-unit thresholds are checked after)."""
    configs = book.configs()
    lowest = min([DEFAULT_THRESHOLD, *(c.escalation_threshold for c in configs)])
    lowest_severity = min([DEFAULT_SEVERITY, *(c.escalation_severity for c in configs)])
    risks = (
        qs_risks.filter(status=Risk.Status.OPEN, resolved_at__isnull=True)
        .annotate(has_overdue=Exists(_overdue_actions(today)))
        .filter(Q(escalated=True) | Q(score__gte=lowest) | Q(has_overdue=True))
        .select_related("project", "project__org_unit", "owner", "project__manager")
        .prefetch_related("actions")
    )
    issues = (
        qs_issues.filter(status__in=[Issue.Status.OPEN, Issue.Status.IN_PROGRESS], resolved_at__isnull=True)
        .filter(Q(escalated=True) | Q(severity__gte=lowest_severity) | Q(due_date__lt=today))
        .select_related("project", "project__org_unit", "owner", "project__manager")
    )
    return risks, issues


def _risk_escalation(risk: Risk, scale: RaidScale, today: dt.date) -> Escalation | None:
    reasons: list[str] = []
    details: list[str] = []
    since: list[dt.date] = []
    if risk.escalated:
        reasons.append(Reason.FLAGGED)
        details.append(f"Flagged by the project manager: {risk.escalation_reason}")
        since.append(timezone.localdate(risk.escalated_at) if risk.escalated_at else today)
    if risk.score >= scale.escalation_threshold:
        reasons.append(Reason.THRESHOLD)
        details.append(f"Score {risk.score} ≥ threshold {scale.escalation_threshold}")
        since.append(timezone.localdate(risk.created_at) if risk.created_at else today)
    late = [a for a in risk.actions.all() if a.status == RiskAction.Status.OPEN and a.due_date < today]
    if late:
        first = min(a.due_date for a in late)
        reasons.append(Reason.OVERDUE)
        details.append(f"{len(late)} action(s) overdue since {first.isoformat()}")
        since.append(first + dt.timedelta(days=1))
    if not reasons:
        return None
    start = min(since)
    return Escalation("risk", risk, reasons, details, start, max(0, (today - start).days))


def _issue_escalation(issue: Issue, scale: RaidScale, today: dt.date) -> Escalation | None:
    reasons: list[str] = []
    details: list[str] = []
    since: list[dt.date] = []
    if issue.escalated:
        reasons.append(Reason.FLAGGED)
        details.append(f"Flagged by the project manager: {issue.escalation_reason}")
        since.append(timezone.localdate(issue.escalated_at) if issue.escalated_at else today)
    if issue.severity >= scale.escalation_severity:
        reasons.append(Reason.THRESHOLD)
        details.append(f"Severity {issue.severity} ≥ threshold {scale.escalation_severity}")
        since.append(timezone.localdate(issue.created_at) if issue.created_at else today)
    if issue.due_date is not None and issue.due_date < today:
        reasons.append(Reason.OVERDUE)
        details.append(f"Due {issue.due_date.isoformat()}")
        since.append(issue.due_date + dt.timedelta(days=1))
    if not reasons:
        return None
    start = min(since)
    return Escalation("issue", issue, reasons, details, start, max(0, (today - start).days))


def _escalations(
    risks: QuerySet[Risk], issues: QuerySet[Issue], today: dt.date, reason: str = ""
) -> list[Escalation]:
    book = ScaleBook()
    risks, issues = _candidates(risks, issues, today, book)
    found: list[Escalation] = []
    for risk in risks:
        esc = _risk_escalation(risk, book.for_path(risk.project.org_unit.path), today)
        if esc is not None:
            found.append(esc)
    for issue in issues:
        esc = _issue_escalation(issue, book.for_path(issue.project.org_unit.path), today)
        if esc is not None:
            found.append(esc)
    if reason:
        found = [e for e in found if reason in e.reasons]
    found.sort(key=lambda e: (-e.age_days, e.project.code, e.kind, e.item.number))
    return found


def escalation_list_for_user(
    user: Any,
    *,
    today: dt.date | None = None,
    project_id: Any = None,
    unit: OrgUnit | None = None,
    reason: str = "",
) -> list[Escalation]:
    """The risks and issues on the escalation list that the user sees, oldest first.

    On the list: open risks scoring at or above their unit's threshold, open issues at or above its
    severity threshold, those overdue (an open action's or the issue's due date past) and those the
    project manager flagged — until the PMO resolves the escalation.
    """
    today = today or timezone.localdate()
    risks = scoping.visible(user, Risk.objects.all())
    issues = scoping.visible(user, Issue.objects.all())
    if project_id is not None:
        project = project_for_user(user, project_id)
        risks, issues = risks.filter(project=project), issues.filter(project=project)
    if unit is not None:
        risks = risks.filter(project__org_unit__path__startswith=unit.path)
        issues = issues.filter(project__org_unit__path__startswith=unit.path)
    return _escalations(risks, issues, today, reason)


def escalation_of(item: Any, today: dt.date | None = None) -> Escalation | None:
    """The item's place on the escalation list (None when it is not on it); unscoped, for services."""
    today = today or timezone.localdate()
    model = type(item)
    if model is Risk:
        found = _escalations(Risk.objects.filter(pk=item.pk), Issue.objects.none(), today)
    elif model is Issue:
        found = _escalations(Risk.objects.none(), Issue.objects.filter(pk=item.pk), today)
    else:
        return None
    return found[0] if found else None


def unnotified_escalations(today: dt.date | None = None) -> list[Escalation]:
    """Every escalation whose people were not yet emailed (unscoped: for the background job)."""
    today = today or timezone.localdate()
    return _escalations(
        Risk.objects.filter(notified_at__isnull=True), Issue.objects.filter(notified_at__isnull=True), today
    )


def escalation_recipients(project: Project) -> list[str]:
    """Emails of the project's manager and of the PMO administrators of the units above it (and its own)."""
    from keel.orgs.models import Membership, Role

    emails: list[str] = []
    if project.manager and project.manager.is_active and project.manager.email:
        emails.append(project.manager.email)
    admins = (
        Membership.objects.filter(
            role=Role.PMO_ADMIN, unit_id__in=project.org_unit.ancestor_ids, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .order_by("user__email")
    )
    for email in admins:
        if email not in emails:
            emails.append(email)
    return emails


def units_for_filter(user: Any) -> Iterable[OrgUnit]:
    """The units the user sees, for a filter."""
    return scoping.visible(user, OrgUnit.objects.all()).order_by("path")


# --- stale items (for compliance) -----------------------------------------------------------------------


@dataclass(frozen=True)
class StaleRaidItem:
    """An open risk, issue or risk action not updated since `updated` or past its date (`due`)."""

    kind: str  # "risk", "issue" or "action"
    pk: int
    project: Project
    reference: str
    title: str
    owner: Any
    updated: dt.date
    due: dt.date | None  # the date it is past (a risk's proximity, an issue's or action's due date)
    url: str


def stale_raid_items(*, projects: QuerySet[Project], today: dt.date, days: int) -> list[StaleRaidItem]:
    """Open risks, issues and risk actions of `projects` (a queryset the caller scoped) that were not
    updated for at least `days` days, or whose proximity or due date is past. Three queries."""
    from django.urls import reverse

    cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min))
    related = ("project", "project__org_unit", "project__manager", "owner")
    found: list[StaleRaidItem] = []
    risks = (
        Risk.objects.filter(project__in=projects, status=Risk.Status.OPEN)
        .filter(Q(updated_at__lt=cutoff) | Q(proximity__lt=today))
        .select_related(*related)
    )
    for risk in risks:
        due = risk.proximity if risk.proximity and risk.proximity < today else None
        url = reverse("governance:risk_update", args=[risk.pk])
        found.append(_stale("risk", risk, risk.reference, risk.title, due, url))
    issues = (
        Issue.objects.filter(project__in=projects, status__in=[Issue.Status.OPEN, Issue.Status.IN_PROGRESS])
        .filter(Q(updated_at__lt=cutoff) | Q(due_date__lt=today))
        .select_related(*related)
    )
    for issue in issues:
        due = issue.due_date if issue.due_date and issue.due_date < today else None
        url = reverse("governance:issue_update", args=[issue.pk])
        found.append(_stale("issue", issue, issue.reference, issue.title, due, url))
    actions = (
        RiskAction.objects.filter(risk__project__in=projects, status=RiskAction.Status.OPEN)
        .filter(Q(updated_at__lt=cutoff) | Q(due_date__lt=today))
        .select_related("risk", *(f"risk__{r}" for r in related[:3]), "owner")
    )
    for action in actions:
        due = action.due_date if action.due_date < today else None
        url = reverse("governance:action_update", args=[action.pk])
        found.append(
            _stale(
                "action", action, f"{action.risk.reference} action", action.description, due, url, action.risk
            )
        )
    return found


def _stale(
    kind: str, item: Any, reference: str, title: str, due: dt.date | None, url: str, parent: Any = None
) -> StaleRaidItem:
    project = (parent or item).project
    return StaleRaidItem(
        kind=kind,
        pk=item.pk,
        project=project,
        reference=reference,
        title=title,
        owner=item.owner,
        updated=timezone.localdate(item.updated_at),
        due=due,
        url=url,
    )


def stale_raid_items_for_user(
    user: Any, *, days: int, today: dt.date | None = None, project_id: Any = None
) -> list[StaleRaidItem]:
    """The stale RAID items of the projects the user sees (or of one of them)."""
    projects = scoping.visible(user, Project.objects.all())
    if project_id is not None:
        projects = projects.filter(pk=project_for_user(user, project_id).pk)
    return stale_raid_items(projects=projects, today=today or timezone.localdate(), days=days)
