"""Reads of status reports, always through the scoping layer: the settings in force for a unit, a
project's cadence and due dates, the draft Keel proposes from data (RAG with reasons, progress,
milestones, changes, new risks and issues), a project's reports, the portfolio view, and the two
reads other parts of Keel rely on: :func:`overdue_reports` and :func:`latest_reports`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from keel.core.unit_settings import SettingsBook, settings_in_force, unit_settings_for_user
from keel.governance import selectors as governance_selectors
from keel.governance.models import Issue, Risk
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.models import Membership, OrgUnit, Role, User
from keel.orgs.scoping import Action
from keel.portfolio import selectors as portfolio_selectors
from keel.portfolio.models import Project
from keel.schedule.models import Baseline, BaselineTask, ProjectSchedule, Task
from keel.statusreports.models import (
    DEFAULTS,
    DIMENSIONS,
    RAG_ORDER,
    Cadence,
    ProjectReporting,
    Rag,
    ReportConfig,
    StatusReport,
)

BIWEEKLY_ANCHOR = dt.date(2024, 1, 5)  # a Friday: bi-weekly periods end on it and every 14 days after
FRIDAY = 4
UPCOMING_DAYS = 28
TREND_LENGTH = 6
CADENCE_DAYS = {Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14, Cadence.MONTHLY: 30}


# --- settings in force --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """The status-report settings in force for a unit: its own, its nearest ancestor's, or the defaults."""

    cadence: str
    spi_amber: Decimal
    spi_red: Decimal
    cpi_amber: Decimal
    cpi_red: Decimal
    slipped_amber: int
    slipped_red: int
    overdue_amber: int
    overdue_red: int
    high_risks_amber: int
    high_risks_red: int
    source: OrgUnit | None = None


DEFAULT = Thresholds(**DEFAULTS)


def _thresholds_of(config: ReportConfig) -> Thresholds:
    return Thresholds(**{name: getattr(config, name) for name in DEFAULTS}, source=config.org_unit)


class ThresholdBook:
    """The settings of many units from one query of the (few) configurations."""

    def __init__(self) -> None:
        self._book = SettingsBook(ReportConfig)

    def for_path(self, path: str) -> Thresholds:
        """The settings in force for the unit at `path`."""
        config = self._book.for_path(path)
        return DEFAULT if config is None else _thresholds_of(config)


def thresholds_for_unit(unit: OrgUnit) -> Thresholds:
    """The status-report settings in force for `unit`."""
    config = settings_in_force(unit, ReportConfig)
    return DEFAULT if config is None else _thresholds_of(config)


def config_for_unit(
    user: Any, unit_id: Any, action: Action = Action.VIEW
) -> tuple[OrgUnit, ReportConfig | None]:
    """A unit the user sees and its own settings (None when it inherits them)."""
    return unit_settings_for_user(user, unit_id, ReportConfig, action)


def can_configure(user: Any, unit: OrgUnit) -> bool:
    """Whether the user may set the unit's status-report settings (a PMO administrator over it)."""
    return scoping.can(user, Action.CHANGE, ReportConfig, unit)


def configurable_units(user: Any) -> QuerySet[OrgUnit]:
    """The units whose settings the user may set."""
    return org_selectors.org_unit_list_where(user, ReportConfig, Action.CHANGE)


# --- cadence and due dates ----------------------------------------------------------------------------------


def own_cadence(project: Project) -> ProjectReporting | None:
    """The project's own cadence record (None when it follows its unit)."""
    return ProjectReporting.objects.filter(project=project).first()


def cadence_for_project(project: Project, book: ThresholdBook | None = None) -> str:
    """The project's own cadence, else its unit's."""
    own = ProjectReporting.objects.filter(project=project).values_list("cadence", flat=True).first()
    if own:
        return own
    return (book.for_path(project.org_unit.path) if book else thresholds_for_unit(project.org_unit)).cadence


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_end_on_or_after(cadence: str, day: dt.date) -> dt.date:
    """The due date of the period holding `day`."""
    if cadence == Cadence.MONTHLY:
        return _month_end(day)
    friday = day + dt.timedelta(days=(FRIDAY - day.weekday()) % 7)
    if cadence == Cadence.BIWEEKLY and ((friday - BIWEEKLY_ANCHOR).days // 7) % 2:
        friday += dt.timedelta(days=7)
    return friday


def period_end_before(cadence: str, day: dt.date) -> dt.date:
    """The latest due date strictly before `day`."""
    if cadence == Cadence.MONTHLY:
        return day.replace(day=1) - dt.timedelta(days=1)
    friday = day - dt.timedelta(days=((day.weekday() - FRIDAY) % 7) or 7)
    if cadence == Cadence.BIWEEKLY and ((friday - BIWEEKLY_ANCHOR).days // 7) % 2:
        friday -= dt.timedelta(days=7)
    return friday


def period_ends(cadence: str, first: dt.date, last: dt.date) -> list[dt.date]:
    """The due dates from `first` to `last`, inclusive."""
    ends = []
    day = period_end_on_or_after(cadence, first)
    while day <= last:
        ends.append(day)
        day = period_end_on_or_after(cadence, day + dt.timedelta(days=1))
    return ends


def _reports_due(project: Project, due: dt.date) -> bool:
    return project.status == Project.Status.ACTIVE and (
        project.planned_start is None or project.planned_start <= due
    )


def next_period(project: Project, today: dt.date | None = None) -> dt.date:
    """The period a new report of the project is for: the last one past due if not submitted yet, else
    the current one."""
    today = today or timezone.localdate()
    cadence = cadence_for_project(project)
    past = period_end_before(cadence, today)
    taken = set(StatusReport.objects.filter(project=project).values_list("period_end", flat=True))
    if _reports_due(project, past) and past not in taken:
        return past
    current = period_end_on_or_after(cadence, today)
    while current in taken:
        current = period_end_on_or_after(cadence, current + dt.timedelta(days=1))
    return current


# --- what other parts of Keel read ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueReport:
    """A report due and not submitted: the project, its due date, who owes it and where to write it."""

    project: Project
    due: dt.date
    owner: Any
    url: str


def overdue_reports(*, projects: Iterable[Project], today: dt.date | None = None) -> list[OverdueReport]:
    """Per active project (of those given, already scoped by the caller), the report of the last period
    that ended before `today` when it was not submitted; by due date, then project code."""
    today = today or timezone.localdate()
    projects = [p for p in projects]
    if not projects:
        return []
    ids = [p.pk for p in projects]
    book = ThresholdBook()
    own = dict(ProjectReporting.objects.filter(project__in=ids).values_list("project_id", "cadence"))
    paths = dict(Project.objects.filter(pk__in=ids).values_list("pk", "org_unit__path"))
    dues: dict[int, dt.date] = {}
    for project in projects:
        cadence = own.get(project.pk) or book.for_path(paths.get(project.pk, "")).cadence
        due = period_end_before(cadence, today)
        if _reports_due(project, due):
            dues[project.pk] = due
    submitted = set(
        StatusReport.objects.filter(
            project_id__in=list(dues), status=StatusReport.Status.SUBMITTED, period_end__in=set(dues.values())
        ).values_list("project_id", "period_end")
    )
    wanted = {p.manager_id for p in projects if p.pk in dues and p.manager_id}
    managers = {u.pk: u for u in User.objects.filter(pk__in=wanted)} if wanted else {}
    answer = [
        OverdueReport(
            project=project,
            due=dues[project.pk],
            owner=managers.get(project.manager_id),
            url=reverse("statusreports:project", args=[project.pk]),
        )
        for project in projects
        if project.pk in dues and (project.pk, dues[project.pk]) not in submitted
    ]
    return sorted(answer, key=lambda o: (o.due, o.project.code))


def latest_reports(*, projects: Iterable[Project]) -> dict[int, StatusReport]:
    """Per project id (of those given, already scoped by the caller), its latest submitted report."""
    ids = [p.pk if isinstance(p, Project) else p for p in projects]
    rows = StatusReport.objects.filter(project_id__in=ids, status=StatusReport.Status.SUBMITTED).values_list(
        "pk", "project_id", "period_end"
    )
    best: dict[int, tuple[dt.date, int]] = {}
    for pk, project_id, period_end in rows:
        if project_id not in best or period_end > best[project_id][0]:
            best[project_id] = (period_end, pk)
    reports = StatusReport.objects.select_related("project", "project__org_unit").filter(
        pk__in=[pk for _, pk in best.values()]
    )
    return {r.project_id: r for r in reports}


# --- the draft ----------------------------------------------------------------------------------------------


@dataclass
class Draft:
    """What Keel proposes for a report: a RAG and its reasons per dimension, and the facts behind them."""

    proposed: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)


def _worst(*rags: str) -> str:
    return max(rags, key=lambda r: RAG_ORDER[Rag(r)])


def _zone(project: Project) -> ZoneInfo:
    name = ProjectSchedule.objects.filter(project=project).values_list("time_zone", flat=True).first()
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _day(value: dt.datetime | None, zone: ZoneInfo) -> dt.date | None:
    return timezone.localtime(value, zone).date() if value is not None else None


def _names(items: list[dict[str, Any]], limit: int = 3) -> str:
    shown = ", ".join(i["label"] for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _count_rag(count: int, amber: int, red: int) -> str:
    if count >= red:
        return Rag.RED
    if count >= amber:
        return Rag.AMBER
    return Rag.GREEN


def _ratio_rag(value: Decimal, amber: Decimal, red: Decimal) -> tuple[str, str]:
    if value < red:
        return Rag.RED, f"< {red}"
    if value < amber:
        return Rag.AMBER, f"< {amber}"
    return Rag.GREEN, f"≥ {amber}"


def _evm(project: Project, status_date: dt.date) -> tuple[Decimal | None, Decimal | None]:
    """(SPI, CPI) of the project at the status date, None where undefined."""
    from keel.finance import selectors as finance_selectors

    try:
        result = finance_selectors.project_evm(project, status_date)
    except ValidationError:
        return None, None
    if not result.has_baseline:
        return None, None
    return result.metrics.SPI, result.metrics.CPI


def _schedule_facts(project: Project, status_date: dt.date, since: dt.date) -> dict[str, Any]:
    zone = _zone(project)
    tasks = list(
        Task.objects.filter(project=project, is_summary=False).only(
            "pk",
            "name",
            "is_milestone",
            "finish",
            "percent_complete",
            "actual_finish",
            "duration_minutes",
        )
    )
    baseline = Baseline.objects.filter(project=project).order_by("number").first()
    planned = {}
    if baseline is not None:
        planned = {
            t: f
            for t, f in BaselineTask.objects.filter(baseline=baseline, task__isnull=False).values_list(
                "task_id", "finish"
            )
        }
    weight = sum(t.duration_minutes for t in tasks)
    if tasks:
        if weight:
            percent = round(sum(t.percent_complete * t.duration_minutes for t in tasks) / weight)
        else:
            percent = round(sum(t.percent_complete for t in tasks) / len(tasks))
    else:
        percent = None
    slipped, overdue, upcoming, completed = [], [], [], []
    horizon = status_date + dt.timedelta(days=UPCOMING_DAYS)
    for task in sorted(tasks, key=lambda t: (t.finish or timezone.now(), t.pk)):
        finish = _day(task.finish, zone)
        done = task.percent_complete >= 100
        if task.is_milestone and task.pk in planned and finish is not None and planned[task.pk] is not None:
            base = _day(planned[task.pk], zone)
            if base is not None and finish > base:
                days = (finish - base).days
                slipped.append(
                    {
                        "label": f"{task.name} (+{days} d)",
                        "name": task.name,
                        "baseline": base.isoformat(),
                        "finish": finish.isoformat(),
                        "days": days,
                    }
                )
        if not done and finish is not None and finish < status_date:
            overdue.append(
                {
                    "label": task.name,
                    "name": task.name,
                    "finish": finish.isoformat(),
                    "percent": task.percent_complete,
                }
            )
        if task.is_milestone and not done and finish is not None and status_date <= finish <= horizon:
            upcoming.append({"label": task.name, "name": task.name, "finish": finish.isoformat()})
        actual = _day(task.actual_finish, zone)
        if done and actual is not None and since < actual <= status_date:
            completed.append({"label": task.name, "name": task.name, "finish": actual.isoformat()})
    return {
        "percent_complete": percent,
        "tasks_completed": completed,
        "slipped_milestones": slipped,
        "overdue_tasks": overdue,
        "upcoming_milestones": upcoming,
        "has_baseline": baseline is not None,
        "task_count": len(tasks),
    }


def _risk_facts(project: Project, since: dt.date, status_date: dt.date) -> dict[str, Any]:
    scale = governance_selectors.scale_for_project(project)
    high = [
        {
            "label": f"{r.reference} {r.title}",
            "ref": r.reference,
            "title": r.title,
            "score": r.score,
        }
        for r in Risk.objects.filter(
            project=project, status=Risk.Status.OPEN, score__gte=scale.escalation_threshold
        ).order_by("-score", "number")
    ]
    severe = [
        {
            "label": f"{i.reference} {i.title}",
            "ref": i.reference,
            "title": i.title,
            "severity": i.severity,
        }
        for i in Issue.objects.filter(
            project=project,
            status__in=(Issue.Status.OPEN, Issue.Status.IN_PROGRESS),
            severity__gte=scale.escalation_severity,
        ).order_by("-severity", "number")
    ]
    new = []
    for model, kind in ((Risk, "risk"), (Issue, "issue")):
        for item in model.objects.filter(project=project).order_by("number"):
            created = timezone.localdate(item.created_at)
            if since < created <= status_date:
                new.append({"label": f"{item.reference} {item.title}", "kind": kind, "ref": item.reference})
    return {
        "high_risks": high,
        "severe_issues": severe,
        "new_risks": new,
        "risk_threshold": scale.escalation_threshold,
        "issue_threshold": scale.escalation_severity,
    }


def _change_facts(project: Project, since: dt.date) -> list[dict[str, Any]] | None:
    """Change requests awaiting a decision submitted since `since` (None when change control is absent)."""
    try:
        from keel.changes import selectors as change_selectors

        undecided = change_selectors.undecided_changes  # type: ignore[attr-defined]
    except (ImportError, AttributeError):
        return None
    answer = []
    for change in undecided(projects=[project]):
        submitted = change.submitted_at
        day = timezone.localdate(submitted) if isinstance(submitted, dt.datetime) else submitted
        answer.append(
            {
                "label": change.title,
                "title": change.title,
                "submitted": day.isoformat() if day else "",
                "new": bool(day and day > since),
            }
        )
    return answer


def draft_for(
    project: Project,
    *,
    status_date: dt.date,
    previous: StatusReport | None = None,
    cadence: str | None = None,
) -> Draft:
    """Keel's proposal for a report of `project` at `status_date`, `previous` being the last submitted."""
    limits = thresholds_for_unit(project.org_unit)
    cadence = cadence or cadence_for_project(project)
    since = (
        previous.status_date if previous else status_date - dt.timedelta(days=CADENCE_DAYS[Cadence(cadence)])
    )
    draft = Draft()
    facts: dict[str, Any] = {"since": since.isoformat(), "previous_id": previous.pk if previous else None}
    facts.update(_schedule_facts(project, status_date, since))
    facts.update(_risk_facts(project, since, status_date))
    spi, cpi = _evm(project, status_date)
    facts["spi"] = f"{spi:.2f}" if spi is not None else None
    facts["cpi"] = f"{cpi:.2f}" if cpi is not None else None
    before = (previous.facts or {}).get("percent_complete") if previous else None
    now = facts["percent_complete"]
    facts["percent_complete_change"] = now - before if now is not None and before is not None else None
    changes = _change_facts(project, since)
    facts["changes"] = changes

    # schedule: SPI, slipped milestones, overdue tasks
    rags, reasons = [], []
    if spi is not None:
        rag, text = _ratio_rag(spi, limits.spi_amber, limits.spi_red)
        rags.append(rag)
        reasons.append(f"SPI {spi:.2f} {text}")
    else:
        reasons.append("No SPI yet (no baselined budget to earn value against)")
    slipped = facts["slipped_milestones"]
    rags.append(_count_rag(len(slipped), limits.slipped_amber, limits.slipped_red))
    reasons.append(
        f"{_plural(len(slipped), 'milestone')} slipped: {_names(slipped)}"
        if slipped
        else ("No milestone slipped" if facts["has_baseline"] else "No baseline to measure slips against")
    )
    overdue = facts["overdue_tasks"]
    rags.append(_count_rag(len(overdue), limits.overdue_amber, limits.overdue_red))
    reasons.append(
        f"{_plural(len(overdue), 'overdue task')}: {_names(overdue)}" if overdue else "No overdue task"
    )
    draft.proposed["schedule"] = _worst(*rags)
    draft.reasons["schedule"] = reasons

    # cost: CPI
    if cpi is not None:
        rag, text = _ratio_rag(cpi, limits.cpi_amber, limits.cpi_red)
        draft.proposed["cost"] = rag
        draft.reasons["cost"] = [f"CPI {cpi:.2f} {text}"]
    else:
        draft.proposed["cost"] = Rag.GREEN
        draft.reasons["cost"] = ["No CPI yet (no baselined budget or no actual cost)"]

    # scope: change requests awaiting a decision
    if changes is None:
        draft.proposed["scope"] = Rag.GREEN
        draft.reasons["scope"] = ["No change requests recorded"]
    elif changes:
        draft.proposed["scope"] = Rag.AMBER
        draft.reasons["scope"] = [
            f"{_plural(len(changes), 'change request')} awaiting a decision: {_names(changes)}"
        ]
    else:
        draft.proposed["scope"] = Rag.GREEN
        draft.reasons["scope"] = ["No change request awaiting a decision"]

    # risk: open high risks and severe issues
    high, severe = facts["high_risks"], facts["severe_issues"]
    draft.proposed["risk"] = _count_rag(
        len(high) + len(severe), limits.high_risks_amber, limits.high_risks_red
    )
    reasons = []
    if high:
        scores = ", ".join(str(h["score"]) for h in high[:3])
        reasons.append(f"{_plural(len(high), 'open risk')} scoring {scores}: {_names(high)}")
    if severe:
        reasons.append(
            f"{_plural(len(severe), 'open issue')} of severity ≥ {facts['issue_threshold']}: {_names(severe)}"
        )
    if not reasons:
        reasons.append(
            f"No open risk scoring {facts['risk_threshold']} or more, no open issue of severity "
            f"{facts['issue_threshold']} or more"
        )
    draft.reasons["risk"] = reasons

    # overall: the worst of the four
    worst = _worst(*(draft.proposed[d] for d in DIMENSIONS[:-1]))
    draft.proposed["overall"] = worst
    named = [d for d in DIMENSIONS[:-1] if draft.proposed[d] == worst]
    draft.reasons["overall"] = [
        f"{Rag(worst).label} as {' and '.join(named)}: overall is the worst of schedule, cost, scope and risk"
    ]
    draft.facts = facts
    return draft


# --- a project's reports ------------------------------------------------------------------------------------


def project_for_user(user: Any, project_id: Any, action: Action = Action.VIEW) -> Project:
    """The project whose reports are asked for; NotFound out of scope, PermissionDenied for a write."""
    return portfolio_selectors.project_get_for_user(user, project_id, action)


def can_change(user: Any, project: Project) -> bool:
    """Whether the user may write the project's reports."""
    return scoping.can(user, Action.CHANGE, StatusReport, project.org_unit)


def report_list_for_project(user: Any, project_id: Any) -> QuerySet[StatusReport]:
    """The project's reports, latest period first."""
    project = project_for_user(user, project_id)
    return (
        StatusReport.objects.filter(project=project)
        .select_related("project", "submitted_by")
        .order_by("-period_end", "-pk")
    )


def report_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> StatusReport:
    """One report; NotFound when missing or out of scope, PermissionDenied for a write the role lacks."""
    return scoping.get_for_user(
        user,
        StatusReport.objects.select_related(
            "project", "project__org_unit", "project__manager", "submitted_by", "created_by"
        ),
        action,
        pk=pk,
    )


def previous_report(report_or_project: Any, before: dt.date | None = None) -> StatusReport | None:
    """The latest submitted report of the project before the period `before` (or any)."""
    project = report_or_project.project if isinstance(report_or_project, StatusReport) else report_or_project
    if isinstance(report_or_project, StatusReport) and before is None:
        before = report_or_project.period_end
    qs = StatusReport.objects.filter(project=project, status=StatusReport.Status.SUBMITTED)
    if before is not None:
        qs = qs.filter(period_end__lt=before)
    return qs.order_by("-period_end").first()


def trend_for_project(project: Project, limit: int = 26) -> list[StatusReport]:
    """The project's submitted reports, oldest first (the last `limit`)."""
    reports = StatusReport.objects.filter(project=project, status=StatusReport.Status.SUBMITTED).order_by(
        "-period_end"
    )[:limit]
    return list(reversed(list(reports)))


def portfolio_managers(project: Project) -> list[Any]:
    """The people to tell about the project's reports: its portfolio's owner and the portfolio managers
    over its unit."""
    people = {
        m.user.pk: m.user
        for m in Membership.objects.select_related("user").filter(
            role=Role.PORTFOLIO_MANAGER, unit_id__in=project.org_unit.ancestor_ids, user__is_active=True
        )
    }
    program = project.program
    if program is not None and program.portfolio.owner is not None:
        people.setdefault(program.portfolio.owner.pk, program.portfolio.owner)
    return list(people.values())


# --- the portfolio view -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioRow:
    """One project of the portfolio view: its latest report, its overall RAG trend, and its overdue report."""

    project: Project
    latest: StatusReport | None
    trend: tuple[str, ...]
    overdue: dt.date | None

    def rag(self, dimension: str) -> str:
        """The latest report's RAG of a dimension ('' without a report)."""
        return self.latest.rag(dimension) if self.latest else ""

    @property
    def rags(self) -> list[str]:
        """The latest report's RAG per dimension, schedule to overall."""
        return [self.rag(d) for d in DIMENSIONS]


def portfolio_for_user(
    user: Any, today: dt.date | None = None, unit: int | None = None, q: str = ""
) -> list[PortfolioRow]:
    """Every active or on-hold project the user sees with its latest report, its trend and its overdue
    report, red first."""
    filters = portfolio_selectors.ProjectFilters(
        status=(Project.Status.ACTIVE, Project.Status.ON_HOLD), unit=unit, q=q
    )
    projects = list(portfolio_selectors.project_list_for_user(user, filters))
    latest = latest_reports(projects=projects)
    overdue = {o.project.pk: o.due for o in overdue_reports(projects=projects, today=today)}
    trends: dict[int, list[str]] = {}
    rows = StatusReport.objects.filter(
        project_id__in=[p.pk for p in projects], status=StatusReport.Status.SUBMITTED
    ).values_list("project_id", "period_end", "overall_rag", "proposed_overall")
    for project_id, _day, decided, proposed in sorted(rows, key=lambda r: (r[0], r[1])):
        trends.setdefault(project_id, []).append(decided or proposed)
    answer = [
        PortfolioRow(
            project=p,
            latest=latest.get(p.pk),
            trend=tuple(trends.get(p.pk, [])[-TREND_LENGTH:]),
            overdue=overdue.get(p.pk),
        )
        for p in projects
    ]

    def key(row: PortfolioRow) -> tuple[int, int, str]:
        rag = row.rag("overall")
        return (-(RAG_ORDER[Rag(rag)] if rag else -1), 0 if row.overdue else 1, row.project.code)

    return sorted(answer, key=key)


# --- what a report page shows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RagRow:
    """One dimension of a report as shown: proposal, reasons, decision, the RAG shown, override reason."""

    dimension: str
    proposed: str
    reasons: tuple[str, ...]
    decided: str
    rag: str
    reason: str

    @property
    def label(self) -> str:
        return self.dimension.title()

    @property
    def overridden(self) -> bool:
        return bool(self.decided) and self.decided != self.proposed


def rag_rows(report: StatusReport) -> list[RagRow]:
    """The five dimensions of a report, schedule to overall."""
    return [
        RagRow(
            dimension=d,
            proposed=report.proposed(d),
            reasons=tuple((report.reasons or {}).get(d, [])),
            decided=report.decided(d),
            rag=report.rag(d),
            reason=getattr(report, f"{d}_reason"),
        )
        for d in DIMENSIONS
    ]
