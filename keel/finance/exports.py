"""Excel exports of every finance table (openpyxl, write-only)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from keel.engines import evm
from keel.finance import selectors

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(book: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append(list(row))


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def metric_rows(m: evm.Metrics) -> list[tuple[str, Any, str]]:
    """(metric, value, why undefined) in reading order."""
    return [(name, getattr(m, name), m.reason(name) or "") for name in evm.METRIC_NAMES]


def project_xlsx(
    tab: selectors.FinanceTab,
    lines: Iterable[Any],
    changes: Iterable[Any],
    expenses: Iterable[Any],
    forecasts: Iterable[Any],
) -> bytes:
    """The project's finance tab and records: EVM, S-curve, periods, trend, budget, changes, expenses, forecasts."""
    book = Workbook(write_only=True)
    result = tab.evm
    info = [
        ("Project", result.project.code),
        ("Currency", result.currency),
        ("Status date", result.status_date),
        ("Forecast finish", result.forecast_finish),
        ("EAC", result.eac),
    ]
    es = result.schedule
    schedule = (
        []
        if es is None
        else [
            (
                f"{n} (weeks)" if n in ("ES", "AT", "PD", "SV_t", "IEAC_t") else n,
                getattr(es, n),
                es.reason(n) or "",
            )
            for n in ("ES", "AT", "PD", "SV_t", "SPI_t", "IEAC_t", "TSPI")
        ]
    )
    _sheet(
        book,
        "EVM",
        ("Metric", "Value", "Why undefined"),
        [(k, v, "") for k, v in info] + metric_rows(result.metrics) + schedule,
    )
    _sheet(book, "S-curve", ("Date", "PV", "EV", "AC"), [(p.day, p.pv, p.ev, p.ac) for p in tab.curve])
    _sheet(
        book,
        "By period",
        ("Period", "Category", "Approved", "Current", "Actual", "Forecast (entered)", "Forecast (computed)"),
        [
            (r.period, r.category, r.approved, r.current, r.actual, r.forecast, r.computed_forecast)
            for r in tab.periods
        ],
    )
    _sheet(
        book,
        "Trend",
        ("Status date", "BAC", "PV", "EV", "AC", "CPI", "SPI", "SPI(t)", "EAC"),
        [(s.status_date, s.bac, s.pv, s.ev, s.ac, s.cpi, s.spi, s.spi_t, s.eac) for s in tab.trend],
    )
    _sheet(
        book,
        "Budget",
        ("Period", "Category", "Approved", "Current"),
        [(b.period_start, b.category.code, b.approved_amount, b.current_amount) for b in lines],
    )
    _sheet(
        book,
        "Budget changes",
        ("When", "Who", "What", "Category", "Period", "From", "To", "Reason", "Change request"),
        [
            (
                c.changed_at.replace(tzinfo=None),
                str(c.changed_by or ""),
                c.get_field_display(),
                c.category.code if c.category else "",
                c.period_start,
                c.old_amount,
                c.new_amount,
                c.reason,
                c.change_request,
            )
            for c in changes
        ],
    )
    _sheet(
        book,
        "Expenses",
        ("Date", "Category", "Amount", "Currency", "Supplier", "Description"),
        [(e.date, e.category.code, e.amount, e.currency, e.supplier, e.description) for e in expenses],
    )
    _sheet(
        book,
        "Forecasts",
        ("Period", "Category", "Estimate to complete", "Note"),
        [(f.period_start, f.category.code, f.amount, f.note) for f in forecasts],
    )
    return _save(book)


def _group_rows(groups: Iterable[selectors.GroupRow]) -> list[tuple[Any, ...]]:
    return [
        (
            g.label,
            g.projects,
            g.budget,
            g.metrics.BAC,
            g.metrics.PV,
            g.metrics.EV,
            g.metrics.AC,
            g.forecast,
            g.metrics.CPI,
            g.metrics.SPI,
        )
        for g in groups
    ]


GROUP_HEADER = ("Name", "Projects", "Budget", "BAC", "PV", "EV", "AC", "Forecast (EAC)", "CPI", "SPI")


def rollup_xlsx(result: selectors.Rollup) -> bytes:
    """The dashboard's tables: projects, org units, programs, portfolios, flagged projects."""
    book = Workbook(write_only=True)
    projects = [
        (
            r.project.code,
            r.project.name,
            r.budget,
            r.metrics.BAC,
            r.metrics.PV,
            r.metrics.EV,
            r.metrics.AC,
            r.forecast,
            r.metrics.CPI,
            r.metrics.SPI,
            "; ".join(r.flags),
        )
        for r in result.projects
    ]
    _sheet(
        book,
        "Projects",
        (
            "Code",
            "Name",
            "Budget",
            "BAC",
            "PV",
            "EV",
            "AC",
            "Forecast (EAC)",
            "CPI",
            "SPI",
            "Outside thresholds",
        ),
        projects,
    )
    _sheet(book, "Org units", GROUP_HEADER, _group_rows(result.units))
    _sheet(book, "Programs", GROUP_HEADER, _group_rows(result.programs))
    _sheet(book, "Portfolios", GROUP_HEADER, _group_rows(result.portfolios))
    _sheet(book, "About", ("Status date", "Currency"), [(result.status_date, result.currency)])
    return _save(book)
