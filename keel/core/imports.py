"""Reading imported CSV and Excel files, and reporting their refused cells.

An import reads a file's rows with :func:`read_rows`, checks every row, and either saves all of them
or raises :class:`ImportRefused` whose :class:`ImportReport` lists every refusal (line, column, reason).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

MAX_IMPORT_ROWS = 10_000


@dataclass(frozen=True)
class RowError:
    """Why one cell of an imported file was refused: line number (1 is the header), column, reason."""

    line: int
    column: str
    reason: str


@dataclass
class ImportReport:
    """The outcome of an import: how many rows were saved, or every refusal (then none saved)."""

    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether no row was refused."""
        return not self.errors


class ImportRefused(ValidationError):
    """An import with at least one bad row: nothing was saved; `report` lists every refusal."""

    def __init__(self, report: ImportReport) -> None:
        first = report.errors[0]
        super().__init__(
            {
                "file": f"{len(report.errors)} problem(s); nothing was imported. Line {first.line}, {first.column}: {first.reason}"
            }
        )
        self.report = report


def read_rows(
    name: str, content: bytes, *, required: Sequence[str] = (), max_rows: int = MAX_IMPORT_ROWS
) -> list[tuple[int, dict[str, str]]]:
    """The data rows of a CSV or Excel (.xlsx) file as (line number, {column: text}); header names lowercased.

    The first line names the columns; each of `required` must be among them. Blank lines are skipped;
    a CSV separated by semicolons is recognised. Refusals name the field `file`.
    """
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            raise ValidationError({"file": "The file is not a readable Excel (.xlsx) workbook."}) from exc
        sheet = book.worksheets[0]
        raw = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    elif lowered.endswith(".csv") or lowered.endswith(".txt"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError({"file": "The CSV file is not UTF-8 text."}) from exc
        sample = text[:2048]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        raw = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    else:
        raise ValidationError({"file": "Upload a .csv or .xlsx file."})
    if not raw:
        raise ValidationError({"file": "The file is empty: the first line names the columns."})
    header = [(h or "").strip().lower() for h in raw[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationError({"file": f"Line 1 lacks the column(s) {', '.join(missing)}."})
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if not any((v or "").strip() for v in values):
            continue
        rows.append(
            (number, {h: (values[i] if i < len(values) else "") or "" for i, h in enumerate(header) if h})
        )
    if len(rows) > max_rows:
        raise ValidationError({"file": f"At most {max_rows} rows per file."})
    return rows


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: dates as YYYY-MM-DD, empty cells as ''."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
