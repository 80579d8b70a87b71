"""The planned curve of a benefit and how far its realization is behind it. Pure Python, no Django.

Conventions: values are `Decimal`, dates are `datetime.date`; the planned curve runs through the
baseline, the optional milestones and the target, linear between neighbouring points (by calendar
days), flat at the baseline value before the baseline date and at the target value after the target
date. Planned values are rounded half up to 4 decimal places; percentages to 2.

The "gain" of a value is how far it moved from the baseline toward the target; a benefit whose target
is below its baseline (a cost reduction) gains by going down, so every comparison works on gains.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

Point = tuple[dt.date, Decimal]
PLACES = Decimal("0.0001")
PERCENT_PLACES = Decimal("0.01")
HUNDRED = Decimal("100")


def planned_value(points: Sequence[Point], day: dt.date) -> Decimal:
    """The planned value on `day` (points ordered by date, the baseline first and the target last)."""
    if not points:
        raise ValueError("A planned curve needs at least a baseline and a target.")
    if day <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in zip(points, points[1:], strict=False):
        if day <= d1:
            elapsed = Decimal((day - d0).days)
            span = Decimal((d1 - d0).days)
            return (v0 + (v1 - v0) * elapsed / span).quantize(PLACES, rounding=ROUND_HALF_UP)
    return points[-1][1]


def shortfall_percent(baseline: Decimal, planned: Decimal, realized: Decimal) -> Decimal | None:
    """How far `realized` is behind `planned`, as a percentage of the gain planned by then.

    0 on plan, 100 when nothing of the planned gain was realized, negative when ahead of plan;
    None when no gain was planned yet (on or before the baseline date).
    """
    planned_gain = planned - baseline
    if planned_gain == 0:
        return None
    realized_gain = realized - baseline
    return ((planned_gain - realized_gain) / planned_gain * HUNDRED).quantize(
        PERCENT_PLACES, rounding=ROUND_HALF_UP
    )


def realized_percent(baseline: Decimal, goal: Decimal, realized: Decimal) -> Decimal | None:
    """The share of the gain from `baseline` to `goal` that `realized` achieved, in percent."""
    gain = goal - baseline
    if gain == 0:
        return None
    return ((realized - baseline) / gain * HUNDRED).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, kept inside the month (31 Jan + 1 month = 28 or 29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def next_due(baseline_date: dt.date, last_measured: dt.date | None, months: int) -> dt.date:
    """When the next measurement is due: one period after the last one (or after the baseline date)."""
    return add_months(last_measured or baseline_date, months)


def overdue_period_start(due: dt.date, months: int, today: dt.date) -> dt.date | None:
    """The start of the overdue period `today` lies in (`due` + k periods, k ≥ 0), or None if not overdue.

    A measurement is overdue the day after it was due; each further period starts a new reminder period.
    """
    if today <= due:
        return None
    k = 0
    while add_months(due, (k + 1) * months) < today:
        k += 1
    return add_months(due, k * months)


def month_starts(first: dt.date, last: dt.date, limit: int = 240) -> list[dt.date]:
    """The first day of every month from `first`'s month to `last`'s month (at most `limit` months)."""
    day = first.replace(day=1)
    result = []
    while day <= last and len(result) < limit:
        result.append(day)
        day = add_months(day, 1)
    return result
