"""`keel evm --bac B --pv P --ev E --ac A`: an earned-value calculator for analysts; no database."""

from __future__ import annotations

import argparse
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keel.engines import evm

EXIT_BAD_INPUT = 2
"""Exit status for bad input (as argparse uses for a missing or malformed option)."""

SIX = Decimal("0.000001")

# (metric, label, formula, kind): kind "money", "index" or "percent" decides how the value is printed.
SECTIONS: tuple[tuple[str, tuple[tuple[str, str, str, str], ...]], ...] = (
    (
        "Status",
        (
            ("BAC", "Budget at completion", "", "money"),
            ("PV", "Planned value", "", "money"),
            ("EV", "Earned value", "", "money"),
            ("AC", "Actual cost", "", "money"),
        ),
    ),
    (
        "Variances and indices",
        (
            ("CV", "Cost variance", "EV - AC", "money"),
            ("CV_pct", "Cost variance %", "CV / EV", "percent"),
            ("SV", "Schedule variance", "EV - PV", "money"),
            ("SV_pct", "Schedule variance %", "SV / PV", "percent"),
            ("CPI", "Cost performance index", "EV / AC", "index"),
            ("SPI", "Schedule performance index", "EV / PV", "index"),
        ),
    ),
    (
        "Forecasts",
        (
            ("EAC_cpi", "Estimate at completion", "BAC / CPI", "money"),
            ("ETC_cpi", "Estimate to complete", "EAC_cpi - AC", "money"),
            ("VAC_cpi", "Variance at completion", "BAC - EAC_cpi", "money"),
            ("EAC_atypical", "EAC, remaining work at budget", "AC + (BAC - EV)", "money"),
            ("ETC_atypical", "ETC, remaining work at budget", "BAC - EV", "money"),
            ("VAC_atypical", "VAC, remaining work at budget", "BAC - EAC_atypical", "money"),
            ("EAC_cpi_x_spi", "EAC, cost and schedule", "AC + (BAC - EV) / (CPI × SPI)", "money"),
            ("ETC_cpi_x_spi", "ETC, cost and schedule", "EAC_cpi_x_spi - AC", "money"),
            ("VAC_cpi_x_spi", "VAC, cost and schedule", "BAC - EAC_cpi_x_spi", "money"),
            ("EAC_bottom_up", "EAC, bottom-up", "AC + ETC", "money"),
            ("ETC_bottom_up", "ETC, bottom-up (given)", "--etc", "money"),
            ("VAC_bottom_up", "VAC, bottom-up", "BAC - EAC_bottom_up", "money"),
        ),
    ),
    (
        "To-complete performance",
        (
            ("TCPI_bac", "TCPI to BAC", "(BAC - EV) / (BAC - AC)", "index"),
            ("TCPI_eac", "TCPI to EAC", "(BAC - EV) / (EAC - AC)", "index"),
        ),
    ),
)

BOTTOM_UP = {"EAC_bottom_up", "ETC_bottom_up", "VAC_bottom_up"}

SCHEDULE: tuple[tuple[str, str, str, str], ...] = (
    ("ES", "Earned schedule (periods)", "C + (EV - PV_C) / (PV_C+1 - PV_C)", "periods"),
    ("AT", "Actual time (periods)", "--at", "periods"),
    ("PD", "Planned duration (periods)", "--pd", "periods"),
    ("SV_t", "Schedule variance in time", "ES - AT", "periods"),
    ("SPI_t", "Schedule performance index in time", "ES / AT", "index"),
    ("IEAC_t", "Forecast duration (periods)", "PD / SPI(t)", "periods"),
    ("TSPI", "To-complete schedule performance", "(PD - ES) / (PD - AT)", "index"),
)
"""Earned-schedule rows, printed when --pv-by-period and --at are given."""


def _number(option: str) -> Any:
    """An argparse type that reads a decimal number and names the option when it is not one."""

    def parse(text: str) -> Decimal:
        try:
            return evm.to_decimal(text.replace("_", ""), option)
        except evm.EvmError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None

    parse.__name__ = "number"
    return parse


def _numbers(option: str) -> Any:
    """An argparse type that reads comma-separated decimal numbers."""

    def parse(text: str) -> list[Decimal]:
        values = []
        for part in text.split(","):
            try:
                values.append(evm.to_decimal(part.strip().replace("_", ""), option))
            except evm.EvmError:
                raise argparse.ArgumentTypeError(f"{part.strip()!r} is not a number") from None
        return values

    parse.__name__ = "numbers"
    return parse


def _plain(value: Decimal) -> str:
    """``value`` rounded to 6 decimals, trailing zeros dropped, as a JSON number."""
    text = format(value.quantize(SIX, rounding=ROUND_HALF_UP).normalize(), "f")
    return "0" if text == "-0" else text


def as_json_text(m: evm.Metrics, schedule: evm.EarnedSchedule | None = None) -> str:
    """One JSON object: every metric as a number rounded to 6 decimals, or null when undefined; the
    earned-schedule keys (ES, AT, PD, SV_t, SPI_t, IEAC_t, TSPI) too when ``schedule`` is given."""
    values = [(name, getattr(m, name)) for name in evm.METRIC_NAMES]
    if schedule is not None:
        values += [(name, getattr(schedule, name)) for name, *_ in SCHEDULE]
    lines = [f'  "{name}": {"null" if value is None else _plain(value)}' for name, value in values]
    return "{\n" + ",\n".join(lines) + "\n}"


def _shown(value: Decimal, kind: str) -> str:
    if kind == "index":
        return f"{value.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP):,}"
    if kind == "periods":
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    if kind == "percent":
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,} %"
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def table_lines(m: evm.Metrics, schedule: evm.EarnedSchedule | None = None) -> list[str]:
    """The metrics as an aligned table, section by section; undefined ones say why."""
    rows: list[tuple[str, str, str, str] | str] = []
    sections = [(title, metrics, m) for title, metrics in SECTIONS]
    if schedule is not None:
        sections.append(("Earned schedule", SCHEDULE, schedule))
    for title, metrics, source in sections:
        rows.append(title)
        for name, label, formula, kind in metrics:
            if name in BOTTOM_UP and m.ETC_bottom_up is None:
                continue  # not determined by these inputs: see the note at the end
            value = getattr(source, name)
            shown = f"undefined ({source.reason(name)})" if value is None else _shown(value, kind)
            rows.append((f"{name}:", shown, label, formula))
    name_width = max(len(row[0]) for row in rows if isinstance(row, tuple))
    value_width = max(
        len(row[1]) for row in rows if isinstance(row, tuple) and not row[1].startswith("undefined")
    )
    label_width = max(len(row[2]) for row in rows if isinstance(row, tuple))
    lines = []
    for row in rows:
        if isinstance(row, str):
            lines.append(("" if not lines else "\n") + row)
            continue
        name, shown, label, formula = row
        if shown.startswith("undefined"):
            lines.append(f"  {name:<{name_width}}  {shown}")
            continue
        where = f"  {formula}" if formula else ""
        lines.append(
            f"  {name:<{name_width}}  {shown:>{value_width}}  {label:<{label_width}}{where}".rstrip()
        )
    notes = []
    if m.ETC_bottom_up is None:
        notes.append("Give --etc (a bottom-up estimate to complete) for EAC, ETC and VAC bottom-up.")
    if schedule is None:
        notes.append("Give --pv-by-period and --at for earned schedule: ES, SV(t), SPI(t), IEAC(t), TSPI.")
    if notes:
        lines.append("\n" + "\n".join(notes))
    return lines


class Command(BaseCommand):
    """Compute every earned-value metric from BAC, PV, EV and AC; writes nothing."""

    help = (
        "Earned-value calculator: from the budget at completion and the cumulative planned value, earned "
        "value and actual cost at a status date, print CV, SV, CV%, SV%, CPI, SPI, EAC/ETC/VAC (BAC/CPI, "
        "atypical, CPI×SPI and, with --etc, bottom-up) and TCPI to BAC and to EAC. Undefined metrics (a "
        "division by zero) say why. With --json, one JSON object (numbers rounded to 6 decimals, null when "
        "undefined). With --pv-by-period and --at, earned schedule too: ES, SV(t), SPI(t), IEAC(t), TSPI. "
        "The database is not used."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bac", required=True, type=_number("--bac"), help="Budget at completion.")
        parser.add_argument("--pv", required=True, type=_number("--pv"), help="Cumulative planned value.")
        parser.add_argument("--ev", required=True, type=_number("--ev"), help="Cumulative earned value.")
        parser.add_argument("--ac", required=True, type=_number("--ac"), help="Cumulative actual cost.")
        parser.add_argument(
            "--etc", type=_number("--etc"), help="Bottom-up estimate to complete (gives EAC = AC + ETC)."
        )
        parser.add_argument(
            "--eac", type=_number("--eac"), help="The EAC that TCPI to EAC aims at (default BAC / CPI)."
        )
        parser.add_argument(
            "--pv-by-period",
            type=_numbers("--pv-by-period"),
            help="For earned schedule: the cumulative PV at the end of each period, comma-separated.",
        )
        parser.add_argument(
            "--at", type=_number("--at"), help="For earned schedule: periods elapsed at the status date."
        )
        parser.add_argument(
            "--pd",
            type=_number("--pd"),
            help="For earned schedule: the planned duration in periods (default: the period in which "
            "--pv-by-period reaches its last value).",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        for option in ("bac", "pv", "ev", "ac"):  # call_command may pass values that skipped argparse
            if options.get(option) is None:
                raise CommandError(f"--{option} is required", returncode=EXIT_BAD_INPUT)
        try:
            m = evm.metrics(
                bac=options["bac"],
                pv=options["pv"],
                ev=options["ev"],
                ac=options["ac"],
                etc_bottom_up=options.get("etc"),
                eac_for_tcpi=options.get("eac"),
            )
        except evm.EvmError as error:
            raise CommandError(f"--{error.field.lower()}: {error}", returncode=EXIT_BAD_INPUT) from error
        schedule = self._schedule(m, options)
        if options["json"]:
            self.stdout.write(as_json_text(m, schedule))
            return
        for line in table_lines(m, schedule):
            self.stdout.write(line)

    def _schedule(self, m: evm.Metrics, options: dict[str, Any]) -> evm.EarnedSchedule | None:
        """Earned schedule when --pv-by-period and --at are given (both or neither)."""
        curve, at, pd = options.get("pv_by_period"), options.get("at"), options.get("pd")
        if curve is None and at is None and pd is None:
            return None
        if curve is None or at is None:
            missing = "--pv-by-period" if curve is None else "--at"
            raise CommandError(
                f"{missing} is required for earned schedule (give --pv-by-period and --at together)",
                returncode=EXIT_BAD_INPUT,
            )
        if pd is None and curve:
            pd = curve.index(curve[-1]) + 1
        try:
            return evm.earned_schedule(pv_by_period=curve, ev=m.EV, actual_time=at, planned_duration=pd)
        except evm.EvmError as error:
            option = {"EV": "--ev", "actual_time": "--at", "planned_duration": "--pd"}.get(
                error.field, "--pv-by-period"
            )
            raise CommandError(f"{option}: {error}", returncode=EXIT_BAD_INPUT) from error
