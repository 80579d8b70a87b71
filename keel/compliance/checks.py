"""The registry of compliance checks. Each check looks at a set of projects and yields :class:`Gap`s.

A gap is something the PMO's standards require that is not in place: a criterion of the gate closing
the project's current phase, a baseline, a status report, a decision on a change request, an up-to-date
RAID item. Each has the project, a kind, a title, its owner (who should act), the day it became a gap,
a link to where it is fixed and a key, stable per project, that waivers and reminders refer to.

Checks read through other apps' selectors only. Those over apps that provide the selector later
(gates, status reports, change control) run as soon as the selector exists: :func:`available_checks`
lists the ones that run. The thresholds (days) come from the PMO's settings per org unit, inherited
down the unit tree (:class:`RuleBook`).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from keel.compliance.models import DEFAULT_CHANGE_AGE_DAYS, DEFAULT_STALE_RAID_DAYS, ComplianceConfig
from keel.core.unit_settings import SettingsBook
from keel.governance import selectors as governance_selectors
from keel.orgs.models import OrgUnit
from keel.portfolio.models import Project
from keel.schedule.models import Baseline, Task

# Projects the checks look at: open ones (closed and cancelled projects owe nothing).
CHECKED_STATUSES = (Project.Status.PROPOSED, Project.Status.ACTIVE, Project.Status.ON_HOLD)
# A baseline is owed by running projects past planning, or with work started.
BASELINE_STATUSES = (Project.Status.ACTIVE, Project.Status.ON_HOLD)
BASELINE_PHASES = (Project.Phase.EXECUTION, Project.Phase.CLOSING)


@dataclass(frozen=True)
class Gap:
    """A required item not in place for a project."""

    project: Project
    kind: str
    title: str
    owner: Any
    since: dt.date
    age_days: int
    url: str
    key: str
    detail: str = ""


def make_gap(
    *,
    project: Project,
    kind: str,
    key: str,
    title: str,
    owner: Any,
    since: dt.date,
    today: dt.date,
    url: str,
    detail: str = "",
) -> Gap:
    """A gap with its age counted in days up to `today` (never negative)."""
    return Gap(
        project=project,
        kind=kind,
        title=title,
        owner=owner,
        since=since,
        age_days=max(0, (today - since).days),
        url=url,
        key=key,
        detail=detail,
    )


# --- the PMO's settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """The compliance settings in force for a unit: its own, its nearest ancestor's, or Keel's defaults."""

    stale_raid_days: int = DEFAULT_STALE_RAID_DAYS
    change_age_days: int = DEFAULT_CHANGE_AGE_DAYS
    baseline_required: bool = True
    source: OrgUnit | None = None  # the unit whose settings these are (None: the defaults)


DEFAULT_RULES = Rules()


def rules_of(config: ComplianceConfig) -> Rules:
    """The rules a unit's own settings give."""
    return Rules(
        stale_raid_days=config.stale_raid_days,
        change_age_days=config.change_age_days,
        baseline_required=config.baseline_required,
        source=config.org_unit,
    )


class RuleBook:
    """The rules of many units from one query of the (few) compliance settings."""

    def __init__(self) -> None:
        self._book = SettingsBook(ComplianceConfig)

    def for_path(self, path: str) -> Rules:
        """The rules in force for the unit at `path` (nearest configured ancestor, else the defaults)."""
        config = self._book.for_path(path)
        return DEFAULT_RULES if config is None else rules_of(config)

    def for_project(self, project: Project) -> Rules:
        """The rules of the project's unit."""
        return self.for_path(project.org_unit.path)

    def smallest(self, name: str) -> int:
        """The smallest value of a setting anywhere (the defaults included)."""
        return min([getattr(DEFAULT_RULES, name), *(getattr(c, name) for c in self._book.rows())])


# --- the registry --------------------------------------------------------------------------------------


@dataclass
class Context:
    """What a check runs over: the projects (a scoped queryset and its rows), the day and the rules."""

    queryset: QuerySet[Project]
    projects: dict[int, Project]
    today: dt.date
    rules: RuleBook
    # Per project id: (criteria met, criteria required) of the gate closing its current phase.
    phase: dict[int, tuple[int, int, list[str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """One standard the projects are checked against."""

    kind: str
    label: str
    run: Callable[[Context], Iterable[Gap]]
    available: Callable[[], bool]


REGISTRY: dict[str, Check] = {}


def register(kind: str, label: str, *, needs: tuple[str, str] | None = None) -> Callable[..., Any]:
    """Add a check to the registry; `needs` = (module, function) it reads through, if not always there."""

    def decorate(run: Callable[[Context], Iterable[Gap]]) -> Callable[[Context], Iterable[Gap]]:
        REGISTRY[kind] = Check(
            kind=kind,
            label=label,
            run=run,
            available=(lambda: selector(*needs) is not None) if needs else (lambda: True),
        )
        return run

    return decorate


def selector(module: str, name: str) -> Callable[..., Any] | None:
    """Another app's selector by name, or None while that app does not provide it."""
    try:
        found = importlib.import_module(module)
    except ImportError:
        return None
    return getattr(found, name, None)


def available_checks() -> list[Check]:
    """The checks that run, in registry order."""
    return [c for c in REGISTRY.values() if c.available()]


def kind_labels() -> dict[str, str]:
    """Every registered kind and its label."""
    return {c.kind: c.label for c in REGISTRY.values()}


def run_checks(context: Context) -> list[Gap]:
    """Every gap the available checks find in the context's projects."""
    gaps: list[Gap] = []
    for check in available_checks():
        gaps.extend(check.run(context))
    return gaps


# --- the checks ----------------------------------------------------------------------------------------


def _manager(project: Project) -> Any:
    return project.manager


def _url_of(name: str) -> Callable[[int], str]:
    """A fast maker of the URL named `name` for a record id (one `reverse` for all records)."""
    marker = 2_147_483_647
    prefix, _, suffix = reverse(name, args=[marker]).partition(str(marker))
    return lambda pk: f"{prefix}{pk}{suffix}"


@register("phase_item", "Phase item missing", needs=("keel.gates.selectors", "current_phase_items"))
def phase_items(context: Context) -> Iterable[Gap]:
    """The criteria of the gate closing each project's current phase that are not met."""
    current_phase_items = selector("keel.gates.selectors", "current_phase_items")
    assert current_phase_items is not None
    found = current_phase_items(projects=context.queryset)
    for project_id, items in found.items():
        project = context.projects.get(project_id)
        if project is None:
            continue
        context.phase[project_id] = (
            sum(1 for i in items if i.met),
            len(items),
            [f"phase:{i.key}" for i in items if not i.met],
        )
        for item in items:
            if item.met:
                continue
            yield make_gap(
                project=project,
                kind="phase_item",
                key=f"phase:{item.key}",
                title=item.title,
                owner=item.owner or _manager(project),
                since=item.since,
                today=context.today,
                url=item.url,
                detail="Required for the gate closing the current phase",
            )


@register("status_report", "Status report overdue", needs=("keel.statusreports.selectors", "overdue_reports"))
def status_reports(context: Context) -> Iterable[Gap]:
    """Status reports due and not submitted."""
    overdue_reports = selector("keel.statusreports.selectors", "overdue_reports")
    assert overdue_reports is not None
    for report in overdue_reports(projects=context.queryset, today=context.today):
        project = context.projects.get(report.project.pk)
        if project is None:
            continue
        yield make_gap(
            project=project,
            kind="status_report",
            key=f"report:{report.due.isoformat()}",
            title=f"Status report due {report.due.isoformat()}",
            owner=report.owner or _manager(project),
            since=report.due,
            today=context.today,
            url=report.url,
        )


@register("baseline", "Baseline missing")
def baselines(context: Context) -> Iterable[Gap]:
    """Running projects past their planning phase, or with a task started, that have no baseline."""
    started = Task.objects.filter(project=OuterRef("pk"), actual_start__isnull=False).order_by("actual_start")
    rows = (
        context.queryset.filter(status__in=BASELINE_STATUSES)
        .annotate(
            has_baseline=Exists(Baseline.objects.filter(project=OuterRef("pk"))),
            first_start=Subquery(started.values("actual_start")[:1]),
        )
        .filter(has_baseline=False)
        .values_list("pk", "first_start")
    )
    gantt = _url_of("schedule:gantt")
    for pk, first_start in rows:
        project = context.projects.get(pk)
        if project is None or not context.rules.for_project(project).baseline_required:
            continue
        if first_start is None and project.phase not in BASELINE_PHASES:
            continue
        if first_start is not None:
            since = timezone.localdate(first_start)
            detail = "Work started without a baseline"
        else:
            start = project.planned_start
            since = start if start and start <= context.today else timezone.localdate(project.created_at)
            detail = f"In {project.get_phase_display().lower()} without a baseline"
        yield make_gap(
            project=project,
            kind="baseline",
            key="baseline",
            title="No baseline saved",
            owner=_manager(project),
            since=min(since, context.today),
            today=context.today,
            url=gantt(project.pk),
            detail=detail,
        )


@register("change", "Change undecided", needs=("keel.changes.selectors", "undecided_changes"))
def changes(context: Context) -> Iterable[Gap]:
    """Change requests submitted and awaiting a decision for longer than the unit allows."""
    undecided_changes = selector("keel.changes.selectors", "undecided_changes")
    assert undecided_changes is not None
    for change in undecided_changes(projects=context.queryset):
        project = context.projects.get(change.project.pk)
        if project is None:
            continue
        submitted = timezone.localdate(change.submitted_at)
        limit = context.rules.for_project(project).change_age_days
        if (context.today - submitted).days < limit:
            continue
        yield make_gap(
            project=project,
            kind="change",
            key=f"change:{change.pk}",
            title=f"Change awaiting a decision: {change.title}",
            owner=_manager(project),
            since=submitted,
            today=context.today,
            url=change.get_absolute_url(),
            detail=f"Submitted {submitted.isoformat()}, undecided for over {limit} days",
        )


@register("raid", "RAID item stale")
def stale_raid(context: Context) -> Iterable[Gap]:
    """Open risks, issues and actions not updated for the unit's number of days, or past their date."""
    days = context.rules.smallest("stale_raid_days")
    items = governance_selectors.stale_raid_items(projects=context.queryset, today=context.today, days=days)
    for item in items:
        project = context.projects.get(item.project.pk)
        if project is None:
            continue
        limit = context.rules.for_project(project).stale_raid_days
        idle = (context.today - item.updated).days
        if item.due is not None:
            since, detail = item.due + dt.timedelta(days=1), f"Past its date {item.due.isoformat()}"
        elif idle >= limit:
            since, detail = item.updated + dt.timedelta(days=limit), f"Not updated for {idle} days"
        else:
            continue
        yield make_gap(
            project=project,
            kind="raid",
            key=f"raid:{item.kind}:{item.pk}",
            title=f"{item.reference} {item.title}",
            owner=item.owner or _manager(project),
            since=since,
            today=context.today,
            url=item.url,
            detail=detail,
        )
