"""Reads of the benefits register, always scoped.

Who sees a benefit (docs/benefits.md): anyone holding a role (any role) in a unit whose subtree holds
the benefit's org unit, anyone who sees one of its contributing projects, and its owner. Who changes
it: PMO administrators, portfolio managers and project managers whose roles cover the benefit's org
unit. Who records (and deletes) measurements: those, plus the benefit's owner.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from keel.benefits import curve
from keel.benefits.models import AtRiskThreshold, Benefit, Contribution, Measurement
from keel.core.errors import NotFound, PermissionDenied
from keel.finance import selectors as finance_selectors
from keel.finance.rates import MissingRate, RateTable, round_money
from keel.orgs import scoping
from keel.orgs.models import OrgUnit
from keel.orgs.scoping import Action
from keel.portfolio.models import Project

DEFAULT_AT_RISK_PERCENT = Decimal("10")
ORDERINGS = {
    "code": "code",
    "name": "name",
    "unit": "org_unit__code",
    "owner": "owner__last_name",
    "status": "status",
    "target": "target_date",
    "updated": "updated_at",
}


def _visible(user: Any, queryset: QuerySet[Benefit]) -> QuerySet[Benefit]:
    """Benefits of the user's units, of projects the user sees, or owned by the user."""
    if scoping.is_global(user):
        return queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    own = scoping.visible(user, Benefit.objects.all()).values("pk")
    projects = scoping.visible(user, Project.objects.all()).values("pk")
    through_projects = Contribution.objects.filter(project__in=projects).values("benefit")
    return queryset.filter(Q(pk__in=own) | Q(pk__in=through_projects) | Q(owner=user))


def can_change(user: Any, benefit: Benefit) -> bool:
    """Whether the user may change the benefit, its projects and its measurements."""
    return scoping.can(user, Action.CHANGE, Benefit, benefit.org_unit)


def can_record(user: Any, benefit: Benefit) -> bool:
    """Whether the user may record a measurement of the benefit (its owner, or who may change it)."""
    return benefit.owner_id == getattr(user, "pk", None) or can_change(user, benefit)


@dataclass(frozen=True)
class BenefitFilters:
    """Filters of the benefits register; every field optional."""

    q: str = ""
    unit: int | None = None  # includes the unit's subtree
    status: tuple[str, ...] = ()
    project: int | None = None
    owner: int | None = None
    financial: bool | None = None


def _base() -> QuerySet[Benefit]:
    return Benefit.objects.select_related("org_unit", "owner", "lead_project")


def benefit_list_for_user(
    user: Any, filters: BenefitFilters | None = None, ordering: str = "code"
) -> QuerySet[Benefit]:
    """The benefits the user may see, filtered and ordered (prefix '-' for descending)."""
    filters = filters or BenefitFilters()
    qs = _visible(user, _base())
    if filters.q:
        qs = qs.filter(
            Q(code__icontains=filters.q) | Q(name__icontains=filters.q) | Q(measure__icontains=filters.q)
        )
    if filters.unit is not None:
        path = scoping.visible(user, OrgUnit.objects.filter(pk=filters.unit)).values_list("path", flat=True)
        unit_path = path.first()
        qs = qs.filter(org_unit__path__startswith=unit_path) if unit_path else qs.none()
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.project is not None:
        qs = qs.filter(pk__in=Contribution.objects.filter(project_id=filters.project).values("benefit"))
    if filters.owner is not None:
        qs = qs.filter(owner_id=filters.owner)
    if filters.financial is not None:
        qs = qs.filter(financial=filters.financial)
    descending = ordering.startswith("-")
    key = ORDERINGS.get(ordering.lstrip("-"), "code")
    return qs.order_by(f"-{key}" if descending else key, "pk")


def benefit_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Benefit:
    """One benefit; NotFound when missing or out of scope, PermissionDenied for a change the role lacks."""
    try:
        benefit = _visible(user, _base()).get(pk=pk)
    except (Benefit.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("benefit") from exc
    if action != Action.VIEW and not can_change(user, benefit):
        raise PermissionDenied("You may view this benefit but not change it.")
    return benefit


def benefits_for_project(user: Any, project: Project) -> QuerySet[Benefit]:
    """The benefits a (visible) project contributes to, that the user may see."""
    return benefit_list_for_user(user, BenefitFilters(project=project.pk))


def contributions_of(benefit: Benefit) -> QuerySet[Contribution]:
    """The projects contributing to a benefit the caller already holds (from a scoped getter)."""
    return benefit.contributions.select_related("project__org_unit", "project__manager")


def contribution_get(benefit: Benefit, pk: Any) -> Contribution:
    """One contribution of a benefit the caller already holds; NotFound otherwise."""
    try:
        return contributions_of(benefit).get(pk=pk)
    except (Contribution.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("contribution") from exc


def measurements_of(benefit: Benefit) -> QuerySet[Measurement]:
    """A benefit's measurements, oldest first (the benefit comes from a scoped getter)."""
    return benefit.measurements.select_related("recorded_by").order_by("measured_on")


def measurement_get(benefit: Benefit, pk: Any) -> Measurement:
    """One measurement of a benefit the caller already holds; NotFound otherwise."""
    try:
        return measurements_of(benefit).get(pk=pk)
    except (Measurement.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("measurement") from exc


def visible_projects(user: Any, action: Action = Action.VIEW) -> QuerySet[Project]:
    """Projects the user may see (to offer as contributors)."""
    return scoping.visible(user, Project.objects.select_related("org_unit"), action).order_by("code")


# --- planned curve, realization, at risk, overdue ------------------------------------------------


def planned_value(benefit: Benefit, day: dt.date) -> Decimal:
    """The benefit's planned value on `day` (linear between baseline, milestones and target)."""
    return curve.planned_value(benefit.planned_points, day)


def threshold_for_unit(unit: OrgUnit, thresholds: dict[int, Decimal] | None = None) -> Decimal:
    """The at-risk threshold (percent) of the nearest unit at or above `unit` that has one."""
    if thresholds is None:
        thresholds = dict(
            AtRiskThreshold.objects.filter(org_unit_id__in=unit.ancestor_ids).values_list(
                "org_unit_id", "percent"
            )
        )
    for unit_id in reversed(unit.ancestor_ids):
        if unit_id in thresholds:
            return thresholds[unit_id]
    return threshold_for_unit_default()


def threshold_for_unit_default() -> Decimal:
    """The threshold where no unit has one: the KEEL_BENEFITS_AT_RISK_PERCENT setting, else 10 %."""
    return Decimal(str(getattr(settings, "KEEL_BENEFITS_AT_RISK_PERCENT", DEFAULT_AT_RISK_PERCENT)))


def threshold_list_for_user(user: Any) -> QuerySet[AtRiskThreshold]:
    """The at-risk thresholds of the units the user sees, in tree order."""
    return scoping.visible(user, AtRiskThreshold.objects.select_related("org_unit")).order_by(
        "org_unit__path"
    )


def can_set_thresholds(user: Any) -> bool:
    """Whether the user may set an at-risk threshold somewhere (PMO administrators)."""
    return scoping.can_anywhere(user, Action.CHANGE, AtRiskThreshold)


@dataclass(frozen=True)
class SeriesRow:
    """One date of a benefit's realized-vs-planned series."""

    day: dt.date
    planned: Decimal
    realized: Decimal | None  # measured on that day, else None
    kind: str  # "baseline", "milestone", "target", "measurement", "today"


@dataclass
class BenefitState:
    """Where a benefit stands today: planned now, latest measurement, shortfall, due dates."""

    benefit: Benefit
    today: dt.date
    planned_today: Decimal
    latest: Measurement | None
    planned_at_latest: Decimal | None
    shortfall_percent: Decimal | None  # behind plan at the latest measurement (negative: ahead)
    realized_percent: Decimal | None  # of the gain planned at the target
    threshold: Decimal
    next_due: dt.date
    overdue_since: dt.date | None
    series: list[SeriesRow] = field(default_factory=list)

    @property
    def at_risk(self) -> bool:
        """Behind the planned curve by more than the threshold at the latest measurement."""
        return self.shortfall_percent is not None and self.shortfall_percent > self.threshold

    @property
    def overdue(self) -> bool:
        """No measurement within its period (only benefits being realized are expected to be measured)."""
        return self.overdue_since is not None

    @property
    def planned_percent(self) -> Decimal | None:
        """The share of the gain (baseline to target) planned by today, in percent."""
        b = self.benefit
        return curve.realized_percent(b.baseline_value, b.target_value, self.planned_today)

    @property
    def tracked(self) -> bool:
        """Whether at-risk and overdue apply (benefits being realized)."""
        return self.benefit.status == Benefit.Status.ACTIVE


def _state(
    benefit: Benefit, measurements: list[Measurement], today: dt.date, threshold: Decimal
) -> BenefitState:
    points = benefit.planned_points
    latest = measurements[-1] if measurements else None
    planned_at_latest = curve.planned_value(points, latest.measured_on) if latest else None
    shortfall = (
        curve.shortfall_percent(benefit.baseline_value, planned_at_latest, latest.value)
        if latest is not None and planned_at_latest is not None
        else None
    )
    realized = (
        curve.realized_percent(benefit.baseline_value, benefit.target_value, latest.value) if latest else None
    )
    months = benefit.months_between_measurements
    due = curve.next_due(benefit.baseline_date, latest.measured_on if latest else None, months)
    tracked = benefit.status == Benefit.Status.ACTIVE
    overdue_since = curve.overdue_period_start(due, months, today) if tracked else None
    rows: dict[dt.date, SeriesRow] = {}
    kinds = ["baseline"] + ["milestone"] * (len(points) - 2) + ["target"]
    for (day, value), kind in zip(points, kinds, strict=True):
        rows[day] = SeriesRow(day, value, None, kind)
    for m in measurements:
        rows[m.measured_on] = SeriesRow(
            m.measured_on, curve.planned_value(points, m.measured_on), m.value, "measurement"
        )
    if today not in rows:
        rows[today] = SeriesRow(today, curve.planned_value(points, today), None, "today")
    return BenefitState(
        benefit=benefit,
        today=today,
        planned_today=curve.planned_value(points, today),
        latest=latest,
        planned_at_latest=planned_at_latest,
        shortfall_percent=shortfall if tracked else None,
        realized_percent=realized,
        threshold=threshold,
        next_due=due,
        overdue_since=overdue_since,
        series=[rows[d] for d in sorted(rows)],
    )


def benefit_state(benefit: Benefit, today: dt.date | None = None) -> BenefitState:
    """The realized-vs-planned state and series of one benefit (already fetched through a scoped getter)."""
    today = today or timezone.localdate()
    return _state(benefit, list(measurements_of(benefit)), today, threshold_for_unit(benefit.org_unit))


def states_for(
    benefits: QuerySet[Benefit] | list[Benefit], today: dt.date | None = None
) -> list[BenefitState]:
    """The state of each benefit of a scoped queryset (or of a page of it), in a fixed number of queries."""
    today = today or timezone.localdate()
    rows = list(benefits)
    if not rows:
        return []
    thresholds = dict(AtRiskThreshold.objects.values_list("org_unit_id", "percent"))
    prefetch_related_objects(
        rows,
        Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on"), to_attr="ordered"),
    )
    return [_state(b, b.ordered, today, threshold_for_unit(b.org_unit, thresholds)) for b in rows]


def at_risk_for_user(
    user: Any, today: dt.date | None = None, filters: BenefitFilters | None = None
) -> list[BenefitState]:
    """Benefits being realized whose latest measurement is behind plan by more than their threshold."""
    base = benefit_list_for_user(user, filters).filter(status=Benefit.Status.ACTIVE)
    states = [s for s in states_for(base, today) if s.at_risk]
    return sorted(states, key=lambda s: (-(s.shortfall_percent or 0), s.benefit.code))


def overdue_for_user(
    user: Any, today: dt.date | None = None, filters: BenefitFilters | None = None
) -> list[BenefitState]:
    """Benefits being realized with no measurement within their period, the longest overdue first."""
    base = benefit_list_for_user(user, filters).filter(status=Benefit.Status.ACTIVE)
    states = [s for s in states_for(base, today) if s.overdue]
    return sorted(states, key=lambda s: (s.next_due, s.benefit.code))


def overdue_everywhere(today: dt.date) -> list[BenefitState]:
    """Every overdue benefit in the organisation (for the reminder job, which acts for no user)."""
    base = _base().filter(status=Benefit.Status.ACTIVE)
    return [s for s in states_for(base, today) if s.overdue]


@dataclass(frozen=True)
class CurrencySeries:
    """Financial benefits of one currency summed per month (named by its first day, valued at its end):
    planned gain and realized gain over the baselines."""

    currency: str
    months: list[dt.date]
    planned_gain: list[Decimal]
    realized_gain: list[Decimal]
    benefits: int


@dataclass
class PortfolioBenefits:
    """The benefits page of the portfolio: every benefit's state, sums per currency, at risk, overdue."""

    today: dt.date
    states: list[BenefitState]
    currencies: list[CurrencySeries]
    reporting_currency: str = ""
    total: CurrencySeries | None = None
    """Every financial benefit converted into `reporting_currency` (None when a rate is missing)."""
    total_error: str = ""

    @property
    def at_risk(self) -> list[BenefitState]:
        """Benefits behind plan by more than their threshold, the furthest behind first."""
        rows = [s for s in self.states if s.at_risk]
        return sorted(rows, key=lambda s: (-(s.shortfall_percent or 0), s.benefit.code))

    @property
    def overdue(self) -> list[BenefitState]:
        """Benefits overdue for measurement, the longest overdue first."""
        return sorted((s for s in self.states if s.overdue), key=lambda s: (s.next_due, s.benefit.code))


def _currency_series(
    currency: str,
    states: list[BenefitState],
    today: dt.date,
    rates: RateTable | None = None,
) -> CurrencySeries:
    """Sums of planned and realized gain at the end of each month (realized: the latest measurement by
    then, for months up to the current one), in `currency`.

    With `rates`, each benefit's gains are converted from its own currency at the rate of the month's end
    (today's for months still to come); a missing rate raises MissingRate naming the pair and the date.
    """
    first = min(s.benefit.baseline_date for s in states)
    last = max(max(s.benefit.target_date for s in states), today)
    months = curve.month_starts(first, last)
    planned = []
    realized = []
    for month in months:
        end = curve.add_months(month, 1) - dt.timedelta(days=1)
        on = min(end, today)
        p = r = Decimal("0")
        for s in states:
            b = s.benefit
            factor = Decimal(1) if rates is None else rates.rate(b.currency, currency, on, "currency")
            p += (curve.planned_value(b.planned_points, end) - b.baseline_value) * factor
            measured = [row.realized for row in s.series if row.realized is not None and row.day <= end]
            if measured and month <= today:
                r += (measured[-1] - b.baseline_value) * factor
        planned.append(round_money(p) if rates is not None else p)
        realized.append(round_money(r) if rates is not None else r)
    return CurrencySeries(currency, months, planned, realized, len(states))


def portfolio_benefits_for_user(
    user: Any, filters: BenefitFilters | None = None, today: dt.date | None = None
) -> PortfolioBenefits:
    """Every visible benefit's state, the financial ones summed per currency, and all of them converted
    into the user's reporting currency at the PMO's dated exchange rates (when a rate is missing, the
    total is left out and `total_error` names the currency pair and date)."""
    today = today or timezone.localdate()
    states = states_for(benefit_list_for_user(user, filters), today)
    by_currency: dict[str, list[BenefitState]] = defaultdict(list)
    for s in states:
        if s.benefit.financial and s.benefit.status != Benefit.Status.CANCELLED:
            by_currency[s.benefit.currency].append(s)
    currencies = [_currency_series(c, rows, today) for c, rows in sorted(by_currency.items())]
    target = finance_selectors.reporting_currency(user)
    total: CurrencySeries | None = None
    total_error = ""
    if by_currency:
        financial = [s for rows in by_currency.values() for s in rows]
        rates = RateTable.load([*by_currency, target], until=today)
        try:
            total = _currency_series(target, financial, today, rates)
        except MissingRate as exc:
            total_error = exc.messages[0]
    return PortfolioBenefits(
        today=today,
        states=states,
        currencies=currencies,
        reporting_currency=target,
        total=total,
        total_error=total_error,
    )
