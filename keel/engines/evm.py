"""Earned value management (EVM) and earned schedule, in exact decimals.

Conventions
-----------
* Every amount and index is a :class:`~decimal.Decimal`; a value that a division by zero leaves
  undefined is ``None`` and :meth:`Metrics.reason` says why (``"AC is 0"``). Nothing is a float and
  nothing is rounded here: callers round for display.
* PV, EV and AC are *cumulative* values at a status date, in one currency. BAC is the budget at
  completion (the performance measurement baseline, without management reserve).
* Percentages (``CV_pct``, ``SV_pct``, ``percent_complete``, milestone weights) are on a 0..100 scale.
* Bad input raises :class:`EvmError` (a ``ValueError``) whose ``field`` names the input and whose
  message says why.

Formulas (the key names are those of the worked examples file and of ``keel evm --json``)::

    CV  = EV - AC            CV_pct = CV / EV * 100        CPI = EV / AC
    SV  = EV - PV            SV_pct = SV / PV * 100        SPI = EV / PV
    EAC_atypical  = AC + (BAC - EV)                    ETC_atypical  = BAC - EV
    EAC_cpi       = BAC / CPI                          ETC_cpi       = EAC_cpi - AC
    EAC_cpi_x_spi = AC + (BAC - EV) / (CPI * SPI)      ETC_cpi_x_spi = EAC_cpi_x_spi - AC
    EAC_bottom_up = AC + ETC_bottom_up (a forecast)    VAC_x         = BAC - EAC_x
    TCPI_bac = (BAC - EV) / (BAC - AC)                 TCPI_eac      = (BAC - EV) / (EAC - AC)

``TCPI_eac`` uses ``EAC_cpi`` unless another EAC is given. Divisions are computed from the raw
inputs (``BAC / CPI`` as ``BAC * AC / EV``) so that exact results stay exact.

Earned schedule (Lipke, "Schedule is Different", The Measurable News, March 2003)::

    ES = C + (EV - PV_C) / (PV_C+1 - PV_C)   C = the last period whose cumulative PV is <= EV
    SV(t) = ES - AT     SPI(t) = ES / AT     IEAC(t) = PD / SPI(t)     TSPI = (PD - ES) / (PD - AT)
"""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal, InvalidOperation

ZERO = Decimal(0)
HUNDRED = Decimal(100)

METHODS = ("physical", "0/100", "50/50", "milestones")
"""The rules that turn a task's progress into earned value."""

WORKWEEK = frozenset({0, 1, 2, 3, 4})
"""Monday to Friday (Python weekdays: Monday = 0 … Sunday = 6)."""


class EvmError(ValueError):
    """Bad input to the EVM engine; ``field`` names the input, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


Number = Decimal | int | float | str


def to_decimal(value: object, field: str, where: str = "") -> Decimal:
    """``value`` as a finite Decimal (ints, Decimals, numeric strings; floats via their repr), or raise.

    ``where`` prefixes the message (``"task 'A': "``).
    """
    if isinstance(value, bool) or value is None:
        raise EvmError(field, f"{where}{field} must be a number, not {value!r}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise EvmError(field, f"{where}{field} must be a number, not {value!r}") from None
    else:
        raise EvmError(field, f"{where}{field} must be a number, not {value!r}")
    if not number.is_finite():
        raise EvmError(field, f"{where}{field} must be a finite number, not {value!r}")
    return number


def _non_negative(value: object, field: str) -> Decimal:
    number = to_decimal(value, field)
    if number < 0:
        raise EvmError(field, f"{field} must not be negative (got {number})")
    return number.copy_abs()  # -0 is 0


# --- Metrics at a status date -----------------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    """Every earned-value metric at one status date; ``None`` where undefined (see :meth:`reason`)."""

    BAC: Decimal
    PV: Decimal
    EV: Decimal
    AC: Decimal
    CV: Decimal
    SV: Decimal
    CV_pct: Decimal | None
    SV_pct: Decimal | None
    CPI: Decimal | None
    SPI: Decimal | None
    EAC_atypical: Decimal
    EAC_cpi: Decimal | None
    EAC_cpi_x_spi: Decimal | None
    EAC_bottom_up: Decimal | None
    ETC_atypical: Decimal
    ETC_cpi: Decimal | None
    ETC_cpi_x_spi: Decimal | None
    ETC_bottom_up: Decimal | None
    VAC_cpi: Decimal | None
    VAC_atypical: Decimal
    VAC_cpi_x_spi: Decimal | None
    VAC_bottom_up: Decimal | None
    TCPI_bac: Decimal | None
    TCPI_eac: Decimal | None
    EAC_tcpi: Decimal | None
    """The EAC that ``TCPI_eac`` aims at: the one given to :func:`metrics`, else ``EAC_cpi``."""
    EAC_tcpi_given: bool = False
    undefined: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    """(metric, why) for every metric that is ``None``."""

    def reason(self, name: str) -> str | None:
        """Why metric ``name`` is undefined (``"AC is 0"``), or ``None`` when it has a value."""
        return dict(self.undefined).get(name)


METRIC_NAMES: tuple[str, ...] = (
    "BAC",
    "PV",
    "EV",
    "AC",
    "CV",
    "SV",
    "CV_pct",
    "SV_pct",
    "CPI",
    "SPI",
    "EAC_cpi",
    "ETC_cpi",
    "VAC_cpi",
    "EAC_atypical",
    "ETC_atypical",
    "VAC_atypical",
    "EAC_cpi_x_spi",
    "ETC_cpi_x_spi",
    "VAC_cpi_x_spi",
    "EAC_bottom_up",
    "ETC_bottom_up",
    "VAC_bottom_up",
    "TCPI_bac",
    "TCPI_eac",
)
"""The metrics in reading order (inputs, variances, indices, forecasts, to-complete indices)."""


def metrics(
    *,
    bac: Number,
    pv: Number,
    ev: Number,
    ac: Number,
    etc_bottom_up: Number | None = None,
    eac_for_tcpi: Number | None = None,
) -> Metrics:
    """All metrics from cumulative PV, EV and AC at a status date and the budget at completion.

    ``etc_bottom_up`` is a forecast of the cost still to come (gives ``EAC_bottom_up = AC + ETC``);
    ``eac_for_tcpi`` the EAC that ``TCPI_eac`` should aim at (default ``EAC_cpi``).
    Raises :class:`EvmError` for a negative value, or PV or EV above BAC.
    """
    BAC = _non_negative(bac, "BAC")
    PV = _non_negative(pv, "PV")
    EV = _non_negative(ev, "EV")
    AC = _non_negative(ac, "AC")
    if PV > BAC:
        raise EvmError("PV", f"PV ({PV}) cannot exceed BAC ({BAC}): the plan spends at most the budget")
    if EV > BAC:
        raise EvmError("EV", f"EV ({EV}) cannot exceed BAC ({BAC}): at most the whole budget is earned")
    etc = None if etc_bottom_up is None else _non_negative(etc_bottom_up, "ETC")
    eac_given = None if eac_for_tcpi is None else _non_negative(eac_for_tcpi, "EAC")

    why: dict[str, str] = {}
    CV = EV - AC
    SV = EV - PV
    remaining = BAC - EV

    def ratio(name: str, top: Decimal, bottom: Decimal, reason: str) -> Decimal | None:
        if bottom == 0:
            why[name] = reason
            return None
        return top / bottom

    CV_pct = ratio("CV_pct", CV * HUNDRED, EV, "EV is 0")
    SV_pct = ratio("SV_pct", SV * HUNDRED, PV, "PV is 0")
    CPI = ratio("CPI", EV, AC, "AC is 0")
    SPI = ratio("SPI", EV, PV, "PV is 0")

    EAC_atypical = AC + remaining
    ETC_atypical = remaining
    VAC_atypical = BAC - EAC_atypical

    # BAC / CPI = BAC * AC / EV; undefined when CPI is undefined (AC = 0) or zero (EV = 0).
    if AC == 0:
        EAC_cpi = None
        why["EAC_cpi"] = "CPI is undefined: AC is 0"
    else:
        EAC_cpi = ratio("EAC_cpi", BAC * AC, EV, "CPI is 0: EV is 0")
    # AC + (BAC - EV) / (CPI * SPI) = AC + (BAC - EV) * AC * PV / EV²
    if AC == 0 or PV == 0:
        EAC_cpi_x_spi = None
        why["EAC_cpi_x_spi"] = "CPI is undefined: AC is 0" if AC == 0 else "SPI is undefined: PV is 0"
    elif EV == 0:
        EAC_cpi_x_spi = None
        why["EAC_cpi_x_spi"] = "CPI × SPI is 0: EV is 0"
    else:
        EAC_cpi_x_spi = AC + remaining * AC * PV / (EV * EV)

    def minus(name: str, value: Decimal | None, base: Decimal, source: str) -> Decimal | None:
        if value is None:
            why[name] = why[source]  # the same root cause
            return None
        return value - base

    ETC_cpi = minus("ETC_cpi", EAC_cpi, AC, "EAC_cpi")
    ETC_cpi_x_spi = minus("ETC_cpi_x_spi", EAC_cpi_x_spi, AC, "EAC_cpi_x_spi")
    VAC_cpi = None if EAC_cpi is None else BAC - EAC_cpi
    if VAC_cpi is None:
        why["VAC_cpi"] = why["EAC_cpi"]
    VAC_cpi_x_spi = None if EAC_cpi_x_spi is None else BAC - EAC_cpi_x_spi
    if VAC_cpi_x_spi is None:
        why["VAC_cpi_x_spi"] = why["EAC_cpi_x_spi"]

    if etc is None:
        EAC_bottom_up = ETC_bottom_up = VAC_bottom_up = None
        for name in ("EAC_bottom_up", "ETC_bottom_up", "VAC_bottom_up"):
            why[name] = "no bottom-up ETC given"
    else:
        ETC_bottom_up = etc
        EAC_bottom_up = AC + etc
        VAC_bottom_up = BAC - EAC_bottom_up

    TCPI_bac = ratio("TCPI_bac", remaining, BAC - AC, "BAC - AC is 0 (the budget is spent)")
    EAC_tcpi = eac_given if eac_given is not None else EAC_cpi
    if EAC_tcpi is None:
        TCPI_eac = None
        why["TCPI_eac"] = why["EAC_cpi"]
    else:
        TCPI_eac = ratio("TCPI_eac", remaining, EAC_tcpi - AC, "EAC - AC is 0")

    return Metrics(
        BAC=BAC,
        PV=PV,
        EV=EV,
        AC=AC,
        CV=CV,
        SV=SV,
        CV_pct=CV_pct,
        SV_pct=SV_pct,
        CPI=CPI,
        SPI=SPI,
        EAC_atypical=EAC_atypical,
        EAC_cpi=EAC_cpi,
        EAC_cpi_x_spi=EAC_cpi_x_spi,
        EAC_bottom_up=EAC_bottom_up,
        ETC_atypical=ETC_atypical,
        ETC_cpi=ETC_cpi,
        ETC_cpi_x_spi=ETC_cpi_x_spi,
        ETC_bottom_up=ETC_bottom_up,
        VAC_cpi=VAC_cpi,
        VAC_atypical=VAC_atypical,
        VAC_cpi_x_spi=VAC_cpi_x_spi,
        VAC_bottom_up=VAC_bottom_up,
        TCPI_bac=TCPI_bac,
        TCPI_eac=TCPI_eac,
        EAC_tcpi=EAC_tcpi,
        EAC_tcpi_given=eac_given is not None,
        undefined=tuple(sorted(why.items())),
    )


def _plain(value: Decimal) -> str:
    """A Decimal as plain positional notation (never ``1E+5``)."""
    return format(value.copy_abs() if value.is_zero() else value, "f")  # no "-0.00"


def as_json(m: Metrics) -> dict[str, str | None]:
    """The metrics as ``{name: decimal string or None}``, keyed as in :data:`METRIC_NAMES`."""
    out: dict[str, str | None] = {}
    for name in METRIC_NAMES:
        value = getattr(m, name)
        out[name] = None if value is None else _plain(value)
    return out


def rollup(items: Iterable[Metrics]) -> Metrics:
    """The metrics of a group (program, portfolio, unit): BAC, PV, EV and AC summed, indices from the sums.

    The bottom-up ETC is summed when every item has one; an EAC given for TCPI likewise. All items
    must be in the same currency. An empty group gives all-zero inputs.
    """
    items = list(items)
    bac = sum((item.BAC for item in items), ZERO)
    pv = sum((item.PV for item in items), ZERO)
    ev = sum((item.EV for item in items), ZERO)
    ac = sum((item.AC for item in items), ZERO)
    etcs = [item.ETC_bottom_up for item in items if item.ETC_bottom_up is not None]
    etc = sum(etcs, ZERO) if items and len(etcs) == len(items) else None
    eacs = [item.EAC_tcpi for item in items if item.EAC_tcpi_given and item.EAC_tcpi is not None]
    eac = sum(eacs, ZERO) if items and len(eacs) == len(items) else None
    return metrics(bac=bac, pv=pv, ev=ev, ac=ac, etc_bottom_up=etc, eac_for_tcpi=eac)


# --- Time-phased values from tasks ------------------------------------------------------------------


@dataclass(frozen=True)
class TaskValue:
    """One task's budget, baseline dates and progress, as the EV engine needs them.

    The budget is spread linearly over the working days (``working_days``, Monday = 0) between
    ``start`` and ``finish`` inclusive; a task with no working day in its span (a milestone on a
    Saturday) is spread over its calendar days instead, so a milestone's whole budget is planned on
    its day. Values are checked and turned into Decimals on creation (:class:`EvmError` otherwise).
    """

    id: str
    budget: Decimal
    start: date
    finish: date
    percent_complete: Decimal = ZERO
    method: str = "physical"
    milestones: tuple[tuple[Decimal, bool], ...] = ()
    working_days: frozenset[int] = WORKWEEK
    spread_days: int = field(init=False, repr=False, compare=False, default=0)
    """Working days from start to finish (0: none, the budget is spread over calendar days)."""

    def __post_init__(self) -> None:
        where = f"task {self.id!r}"
        set_ = object.__setattr__
        budget = to_decimal(self.budget, "budget", f"{where}: ")
        if budget < 0:
            raise EvmError("budget", f"{where}: budget must not be negative (got {budget})")
        set_(self, "budget", budget)
        if not isinstance(self.start, date) or not isinstance(self.finish, date):
            raise EvmError("start", f"{where}: start and finish must be dates")
        if self.finish < self.start:
            raise EvmError("finish", f"{where}: finish {self.finish} is before start {self.start}")
        pct = to_decimal(self.percent_complete, "percent_complete", f"{where}: ")
        if pct < 0 or pct > HUNDRED:
            raise EvmError(
                "percent_complete", f"{where}: percent_complete must be between 0 and 100 (got {pct})"
            )
        set_(self, "percent_complete", pct)
        if self.method not in METHODS:
            raise EvmError(
                "method", f"{where}: method must be one of {', '.join(METHODS)} (got {self.method!r})"
            )
        milestones = tuple(
            (to_decimal(weight, "milestones", f"{where}: "), bool(reached))
            for weight, reached in self.milestones
        )
        if self.method == "milestones":
            if not milestones:
                raise EvmError(
                    "milestones", f"{where}: the milestones method needs at least one milestone weight"
                )
            if any(weight <= 0 for weight, _ in milestones):
                raise EvmError("milestones", f"{where}: every milestone weight must be positive")
            total = sum((weight for weight, _ in milestones), ZERO)
            if total != HUNDRED:
                raise EvmError(
                    "milestones", f"{where}: milestone weights must sum to 100 (they sum to {total})"
                )
        set_(self, "milestones", milestones)
        days = frozenset(self.working_days)
        if not days or not days <= frozenset(range(7)):
            raise EvmError("working_days", f"{where}: working_days must be weekdays 0 (Monday) to 6 (Sunday)")
        set_(self, "working_days", days)
        set_(self, "spread_days", _count_days(self.start, self.finish, days))

    @property
    def earned(self) -> Decimal:
        """This task's earned value under its method."""
        return earned_amount(self.budget, self.method, self.percent_complete, self.milestones)

    def planned(self, on: date) -> Decimal:
        """Cumulative planned value of this task at the end of day ``on``."""
        return planned_amount(self.budget, self.start, self.finish, on, self.working_days, self.spread_days)


def earned_amount(
    budget: Decimal, method: str, percent: Decimal | int, milestones: Sequence[tuple[Decimal, bool]] = ()
) -> Decimal:
    """The earned value of a budget under ``method`` at ``percent`` complete (inputs already checked).

    physical: budget × % complete; 0/100: the budget once complete; 50/50: half once begun, all once
    complete; milestones: budget × the weights (of 100) of the milestones reached.
    """
    if method == "physical":
        return budget * percent / HUNDRED
    if method == "0/100":
        return budget if percent == HUNDRED else ZERO
    if method == "50/50":
        if percent == 0:
            return ZERO
        return budget if percent == HUNDRED else budget / 2
    reached = sum((weight for weight, done in milestones if done), ZERO)
    return budget * reached / HUNDRED


def planned_amount(
    budget: Decimal,
    start: date,
    finish: date,
    on: date,
    working_days: frozenset[int] = WORKWEEK,
    spread_days: int | None = None,
) -> Decimal:
    """Cumulative planned value at the end of day ``on`` of a budget spread from ``start`` to ``finish``.

    Linear over the working days of the span (over its calendar days when it has none);
    ``spread_days`` is the span's working days when already known. Inputs are not checked here (see
    :class:`TaskValue`): this is the inner loop of large roll-ups.
    """
    if on < start:
        return ZERO
    if on >= finish:
        return budget
    days = _count_days(start, finish, working_days) if spread_days is None else spread_days
    if days:
        return budget * _count_days(start, on, working_days) / days
    return budget * ((on - start).days + 1) / ((finish - start).days + 1)


def milestone_weights(weights: Iterable[tuple[Number, bool]]) -> tuple[tuple[Decimal, bool], ...]:
    """Positive milestone weights scaled to sum to 100 (as the milestones method needs), with reached flags.

    Raises :class:`EvmError` when there is no positive weight.
    """
    pairs = [(to_decimal(weight, "milestones"), bool(done)) for weight, done in weights]
    pairs = [(weight, done) for weight, done in pairs if weight > 0]
    total = sum((weight for weight, _ in pairs), ZERO)
    if not pairs:
        raise EvmError("milestones", "the milestones method needs at least one positive milestone weight")
    if total == HUNDRED:
        return tuple(pairs)
    scaled = [(weight * HUNDRED / total, done) for weight, done in pairs]
    # The last weight takes the rounding remainder, so the weights sum to exactly 100.
    rest = HUNDRED - sum((weight for weight, _ in scaled[:-1]), ZERO)
    return (*scaled[:-1], (rest, scaled[-1][1]))


def _count_days(first: date, last: date, weekdays: frozenset[int]) -> int:
    """How many days from ``first`` to ``last`` (inclusive) fall on ``weekdays``."""
    span = (last - first).days + 1
    if span <= 0:
        return 0
    weeks, rest = divmod(span, 7)
    count = weeks * len(weekdays)
    weekday = first.weekday()
    for offset in range(rest):
        if (weekday + offset) % 7 in weekdays:
            count += 1
    return count


def planned_value(tasks: Iterable[TaskValue], on: date) -> Decimal:
    """Cumulative planned value of ``tasks`` at the end of day ``on``."""
    return sum((task.planned(on) for task in tasks), ZERO)


def pv_curve(tasks: Iterable[TaskValue], dates: Sequence[date]) -> list[Decimal]:
    """Cumulative planned value at the end of each of ``dates`` (the S-curve)."""
    tasks = list(tasks)
    return [planned_value(tasks, on) for on in dates]


def earned_value(tasks: Iterable[TaskValue]) -> Decimal:
    """Earned value of ``tasks``, each by its own method (physical %, 0/100, 50/50, milestones)."""
    return sum((task.earned for task in tasks), ZERO)


def budget_at_completion(tasks: Iterable[TaskValue]) -> Decimal:
    """The sum of the tasks' budgets."""
    return sum((task.budget for task in tasks), ZERO)


def project_start(tasks: Iterable[TaskValue]) -> date | None:
    """The earliest baseline start, or ``None`` without tasks."""
    return min((task.start for task in tasks), default=None)


def metrics_at(
    tasks: Iterable[TaskValue],
    on: date,
    *,
    ac: Number,
    bac: Number | None = None,
    etc_bottom_up: Number | None = None,
    eac_for_tcpi: Number | None = None,
) -> Metrics:
    """The metrics of a project at status date ``on`` from its tasks and its actual cost to date.

    BAC defaults to the tasks' budgets. Raises :class:`EvmError` when the status date is before the
    project starts.
    """
    tasks = list(tasks)
    first = project_start(tasks)
    if first is not None and on < first:
        raise EvmError("status_date", f"status date {on} is before the project starts ({first})")
    return metrics(
        bac=budget_at_completion(tasks) if bac is None else bac,
        pv=planned_value(tasks, on),
        ev=earned_value(tasks),
        ac=ac,
        etc_bottom_up=etc_bottom_up,
        eac_for_tcpi=eac_for_tcpi,
    )


# --- Earned schedule ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EarnedSchedule:
    """Earned-schedule metrics, in periods (the periods of ``pv_by_period``)."""

    ES: Decimal
    """Earned schedule: when the plan expected today's EV, in periods from the start."""
    AT: Decimal
    """Actual time: periods elapsed at the status date."""
    PD: Decimal
    """Planned duration in periods."""
    C: int
    """Whole periods whose planned value the EV covers."""
    SV_t: Decimal
    SPI_t: Decimal | None
    IEAC_t: Decimal | None
    """Independent estimate of the duration at completion, in periods (PD / SPI(t))."""
    TSPI: Decimal | None
    """To-complete schedule performance index (PD − ES) / (PD − AT); undefined once AT ≥ PD."""
    undefined: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def reason(self, name: str) -> str | None:
        """Why ``name`` is undefined, or ``None`` when it has a value."""
        return dict(self.undefined).get(name)


def earned_schedule(
    *,
    pv_by_period: Sequence[Number],
    ev: Number,
    actual_time: Number,
    planned_duration: Number,
    period_times: Sequence[Number] | None = None,
) -> EarnedSchedule:
    """Earned schedule by Lipke's method.

    ``pv_by_period[i]`` is the cumulative planned value at the END of period ``i + 1`` (the PV at
    time 0 is 0), non-decreasing; ``ev`` the cumulative earned value at the status date;
    ``actual_time`` the periods elapsed (AT > 0); ``planned_duration`` the planned duration (PD > 0).
    Periods after the first one whose PV reaches the final value are ignored (the series may go on
    past the planned finish at BAC), so ES is at most the planned duration. Within a flat stretch of
    PV before that, C counts the flat periods (Lipke's rule: periods whose PV the EV covers).

    ``period_times`` (optional, increasing, in periods) says when each PV was taken when that is not
    the end of period 1, 2, …; e.g. ``[1, 2, 2.4]`` for a plan ending 0.4 period into its third.
    """
    pvs = [_non_negative(value, f"pv_by_period[{index}]") for index, value in enumerate(pv_by_period)]
    if not pvs:
        raise EvmError("pv_by_period", "pv_by_period needs at least one period")
    for index in range(1, len(pvs)):
        if pvs[index] < pvs[index - 1]:
            raise EvmError(
                "pv_by_period",
                f"pv_by_period must not decrease (period {index + 1}: {pvs[index]} < {pvs[index - 1]})",
            )
    earned = _non_negative(ev, "EV")
    if earned > pvs[-1]:
        raise EvmError("EV", f"EV ({earned}) cannot exceed the planned value at completion ({pvs[-1]})")
    at = to_decimal(actual_time, "actual_time")
    if at <= 0:
        raise EvmError(
            "actual_time", f"actual_time must be positive: the status date is not after the start (got {at})"
        )
    pd = to_decimal(planned_duration, "planned_duration")
    if pd <= 0:
        raise EvmError("planned_duration", f"planned_duration must be positive (got {pd})")

    if period_times is None:
        times = [Decimal(k) for k in range(1, len(pvs) + 1)]
    else:
        times = [to_decimal(value, "period_times") for value in period_times]
        if len(times) != len(pvs):
            raise EvmError(
                "period_times", f"period_times needs one time per PV ({len(pvs)}), got {len(times)}"
            )
        if any(later <= earlier for earlier, later in zip([ZERO, *times], times, strict=False)):
            raise EvmError("period_times", "period_times must be positive and increasing")

    # The baseline ends in the first period that reaches the final PV: a flat tail after it (periods
    # the project ran late) is not planned work, so ES never passes the planned finish.
    planned_periods = pvs.index(pvs[-1]) + 1
    cumulative = [ZERO, *pvs[:planned_periods]]  # cumulative[k] = PV at the end of period k
    moments = [ZERO, *times[:planned_periods]]  # moments[k] = when cumulative[k] was planned
    whole = max(k for k in range(len(cumulative)) if cumulative[k] <= earned)
    if whole == planned_periods:  # everything earned: the whole planned schedule is earned
        es = moments[whole]
    else:
        fraction = (earned - cumulative[whole]) / (cumulative[whole + 1] - cumulative[whole])
        es = moments[whole] + fraction * (moments[whole + 1] - moments[whole])
    why: dict[str, str] = {}
    if es == 0:
        ieac_t = None
        why["IEAC_t"] = "SPI(t) is 0 (nothing earned)"
    else:
        ieac_t = pd * at / es
    if at >= pd:
        tspi = None
        why["TSPI"] = "the planned duration has elapsed (AT >= PD): no time is left to plan against"
    else:
        tspi = (pd - es) / (pd - at)
    return EarnedSchedule(
        ES=es,
        AT=at,
        PD=pd,
        C=whole,
        SV_t=es - at,
        SPI_t=es / at,
        IEAC_t=ieac_t,
        TSPI=tspi,
        undefined=tuple(sorted(why.items())),
    )


PERIODS = ("day", "week", "month")


def _add_months(day: date, months: int) -> date:
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    last = _stdcal.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def period_end(*, start: date, periods: Number, period: str = "month") -> date:
    """The date on which a span of ``periods`` periods that begins on the morning of ``start`` ends.

    Periods are calendar days, weeks or months (a month counted from ``start``'s day of month); a
    fraction of a period is a fraction of that period's days. ``period_end(start=2024-01-01,
    periods=12)`` is 2024-12-31. Use it to turn ES or IEAC(t) into a date (the forecast finish).
    """
    if period not in PERIODS:
        raise EvmError("period", f"period must be one of {', '.join(PERIODS)} (got {period!r})")
    span = to_decimal(periods, "periods")
    if span <= 0:
        raise EvmError("periods", f"periods must be positive (got {span})")
    whole = int(span)  # floor, span > 0
    fraction = span - whole
    if period == "month":
        base = _add_months(start, whole)
        days_in = (_add_months(start, whole + 1) - base).days
        offset = Decimal((base - start).days) + fraction * days_in
    else:
        offset = span * (7 if period == "week" else 1)
    # Ignore the last digits of a repeating fraction (a third of a 30-day month is 10 days, not 10.000…1).
    days = int(offset.quantize(Decimal("1e-12")).to_integral_value(rounding=ROUND_CEILING))
    return start + timedelta(days=days - 1)


def period_ends(*, start: date, count: int, period: str = "month") -> list[date]:
    """The last day of each of ``count`` periods from the morning of ``start`` (for ``pv_by_period``)."""
    if count < 1:
        raise EvmError("count", f"count must be at least 1 (got {count})")
    return [period_end(start=start, periods=index, period=period) for index in range(1, count + 1)]


def elapsed_periods(*, start: date, on: date, period: str = "month") -> Decimal:
    """Periods elapsed from the morning of ``start`` to the end of day ``on`` (AT for a status date).

    The inverse of :func:`period_end`: ``elapsed_periods(start=2024-01-01, on=2024-12-31)`` is 12.
    Raises :class:`EvmError` when ``on`` is before ``start``.
    """
    if period not in PERIODS:
        raise EvmError("period", f"period must be one of {', '.join(PERIODS)} (got {period!r})")
    if on < start:
        raise EvmError("status_date", f"status date {on} is before the project starts ({start})")
    days = (on - start).days + 1
    if period == "day":
        return Decimal(days)
    if period == "week":
        return Decimal(days) / 7
    end = on + timedelta(days=1)
    whole = (end.year - start.year) * 12 + end.month - start.month
    while _add_months(start, whole) > end:
        whole -= 1
    base = _add_months(start, whole)
    days_in = (_add_months(start, whole + 1) - base).days
    return whole + Decimal((end - base).days) / days_in


@dataclass(frozen=True)
class ScheduleStatus:
    """Earned schedule of a set of tasks at a status date, with its dates."""

    schedule: EarnedSchedule
    period: str
    start: date
    """The earliest baseline start (time 0)."""
    planned_finish: date
    """The latest baseline finish (PD periods after the start)."""
    earned_date: date | None
    """The day by which the plan expected today's EV (ES after the start); None when ES is 0."""
    forecast_finish: date | None
    """The independent forecast finish (IEAC(t) after the start); None when nothing is earned."""


def schedule_at(tasks: Iterable[TaskValue], on: date, *, period: str = "week") -> ScheduleStatus:
    """Earned schedule of ``tasks`` at the end of day ``on``, in ``period`` units (day, week, month).

    PV is sampled at the end of each period from the earliest start and at the planned finish (so a
    plan ending mid-period ends at PD exactly); AT is the periods elapsed to the end of ``on``.
    Raises :class:`EvmError` without tasks, with a BAC of 0, or for a status date before the start.
    """
    tasks = list(tasks)
    start = project_start(tasks)
    if start is None:
        raise EvmError("tasks", "earned schedule needs at least one task")
    if budget_at_completion(tasks) == 0:
        raise EvmError("tasks", "earned schedule needs a budget to spread (BAC is 0)")
    if on < start:
        raise EvmError("status_date", f"status date {on} is before the project starts ({start})")
    planned_finish = max(task.finish for task in tasks)
    pd = elapsed_periods(start=start, on=planned_finish, period=period)
    whole = int(pd)
    ends = period_ends(start=start, count=whole, period=period) if whole else []
    times: list[Decimal] = [Decimal(k) for k in range(1, whole + 1)]
    if pd > whole:
        ends.append(planned_finish)
        times.append(pd)
    schedule = earned_schedule(
        pv_by_period=pv_curve(tasks, ends),
        ev=earned_value(tasks),
        actual_time=elapsed_periods(start=start, on=on, period=period),
        planned_duration=pd,
        period_times=times,
    )
    return ScheduleStatus(
        schedule=schedule,
        period=period,
        start=start,
        planned_finish=planned_finish,
        earned_date=period_end(start=start, periods=schedule.ES, period=period) if schedule.ES > 0 else None,
        forecast_finish=(
            None
            if schedule.IEAC_t is None
            else period_end(start=start, periods=schedule.IEAC_t, period=period)
        ),
    )
