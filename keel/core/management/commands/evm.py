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


def _number(option: str) -> Any:
    """An argparse type that reads a decimal number and names the option when it is not one."""

    def parse(text: str) -> Decimal:
        try:
            return evm.to_decimal(text.replace("_", ""), option)
        except evm.EvmError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None

    parse.__name__ = "number"
    return parse


def _plain(value: Decimal) -> str:
    """``value`` rounded to 6 decimals, trailing zeros dropped, as a JSON number."""
    text = format(value.quantize(SIX, rounding=ROUND_HALF_UP).normalize(), "f")
    return "0" if text == "-0" else text


def as_json_text(m: evm.Metrics) -> str:
    """One JSON object: every metric as a number rounded to 6 decimals, or null when undefined."""
    lines = []
    for name in evm.METRIC_NAMES:
        value = getattr(m, name)
        lines.append(f'  "{name}": {"null" if value is None else _plain(value)}')
    return "{\n" + ",\n".join(lines) + "\n}"


def _shown(value: Decimal, kind: str) -> str:
    if kind == "index":
        return f"{value.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP):,}"
    if kind == "percent":
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,} %"
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def table_lines(m: evm.Metrics) -> list[str]:
    """The metrics as an aligned table, section by section; undefined ones say why."""
    rows: list[tuple[str, str, str, str] | str] = []
    for title, metrics in SECTIONS:
        rows.append(title)
        for name, label, formula, kind in metrics:
            if name in BOTTOM_UP and m.ETC_bottom_up is None:
                continue  # not determined by these inputs: see the note at the end
            value = getattr(m, name)
            shown = f"undefined ({m.reason(name)})" if value is None else _shown(value, kind)
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
    if m.ETC_bottom_up is None:
        lines.append("\nGive --etc (a bottom-up estimate to complete) for EAC, ETC and VAC bottom-up.")
    return lines


class Command(BaseCommand):
    """Compute every earned-value metric from BAC, PV, EV and AC; writes nothing."""

    help = (
        "Earned-value calculator: from the budget at completion and the cumulative planned value, earned "
        "value and actual cost at a status date, print CV, SV, CV%, SV%, CPI, SPI, EAC/ETC/VAC (BAC/CPI, "
        "atypical, CPI×SPI and, with --etc, bottom-up) and TCPI to BAC and to EAC. Undefined metrics (a "
        "division by zero) say why. With --json, one JSON object (numbers rounded to 6 decimals, null when "
        "undefined). The database is not used."
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
        if options["json"]:
            self.stdout.write(as_json_text(m))
            return
        for line in table_lines(m):
            self.stdout.write(line)
