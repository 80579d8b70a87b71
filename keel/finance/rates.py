"""Currency conversion at the PMO's dated exchange rates.

A conversion uses the latest rate on or before the date, of the pair itself or, failing that, the
inverse of the opposite pair. A missing rate is an error naming the pair and the date; there is no
silent 1.0.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q

from keel.finance.models import ExchangeRate

CENT = Decimal("0.01")


class MissingRate(ValidationError):
    """No exchange rate converts `from_currency` into `to_currency` on or before `on` (a 422 naming `field`)."""

    def __init__(self, from_currency: str, to_currency: str, on: dt.date, field: str = "currency") -> None:
        message = (
            f"No exchange rate from {from_currency} to {to_currency} on or before {on.isoformat()}: "
            f"ask the PMO to add the {from_currency}/{to_currency} rate."
        )
        super().__init__({field: message})
        self.from_currency = from_currency
        self.to_currency = to_currency
        self.on = on


class RateTable:
    """The rates of some currency pairs, read in one query, converting any number of amounts."""

    def __init__(self, rows: Iterable[tuple[str, str, dt.date, Decimal]]) -> None:
        series: dict[tuple[str, str], list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for source, target, day, rate in rows:
            series[(source, target)].append((day, rate))
        self._dates: dict[tuple[str, str], list[dt.date]] = {}
        self._rates: dict[tuple[str, str], list[Decimal]] = {}
        for pair, points in series.items():
            points.sort()
            self._dates[pair] = [d for d, _ in points]
            self._rates[pair] = [r for _, r in points]

    @classmethod
    def load(cls, currencies: Iterable[str], until: dt.date | None = None) -> RateTable:
        """The rates between any two of `currencies` (dated up to `until` when given), in one query."""
        wanted = sorted(set(currencies))
        if len(wanted) < 2:
            return cls([])
        rows = ExchangeRate.objects.filter(Q(from_currency__in=wanted) & Q(to_currency__in=wanted))
        if until is not None:
            rows = rows.filter(date__lte=until)
        return cls(rows.values_list("from_currency", "to_currency", "date", "rate"))

    def dates(self) -> set[dt.date]:
        """Every day on which one of the rates takes effect."""
        return {day for days in self._dates.values() for day in days}

    def _latest(self, pair: tuple[str, str], on: dt.date) -> tuple[dt.date, Decimal] | None:
        dates = self._dates.get(pair)
        if not dates:
            return None
        index = bisect.bisect_right(dates, on) - 1
        if index < 0:
            return None
        return dates[index], self._rates[pair][index]

    def rate(self, from_currency: str, to_currency: str, on: dt.date, field: str = "currency") -> Decimal:
        """Units of `to_currency` per unit of `from_currency` on `on`; MissingRate when there is none."""
        if from_currency == to_currency:
            return Decimal(1)
        direct = self._latest((from_currency, to_currency), on)
        inverse = self._latest((to_currency, from_currency), on)
        if direct is not None and (inverse is None or direct[0] >= inverse[0]):
            return direct[1]
        if inverse is not None:
            return Decimal(1) / inverse[1]
        raise MissingRate(from_currency, to_currency, on, field)

    def convert(
        self, amount: Decimal, from_currency: str, to_currency: str, on: dt.date, field: str = "currency"
    ) -> Decimal:
        """`amount` in `to_currency` at the rate of `on` (unrounded; round sums, not terms)."""
        if from_currency == to_currency or not amount:
            return amount
        return amount * self.rate(from_currency, to_currency, on, field)


def convert(
    amount: Decimal, from_currency: str, to_currency: str, on: dt.date, field: str = "currency"
) -> Decimal:
    """`amount` converted at the latest rate on or before `on`, rounded to cents; MissingRate if none."""
    if from_currency == to_currency:
        return amount
    table = RateTable.load([from_currency, to_currency], until=on)
    return table.convert(amount, from_currency, to_currency, on, field).quantize(CENT, ROUND_HALF_UP)


def round_money(amount: Decimal) -> Decimal:
    """Round an amount to cents, half up."""
    return amount.quantize(CENT, ROUND_HALF_UP)
