"""Excel export of the benefits register (openpyxl, write-only so memory stays flat)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from keel.benefits.selectors import BenefitState

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = [
    ("Code", 14),
    ("Name", 40),
    ("Org unit", 12),
    ("Lead project", 14),
    ("Owner", 24),
    ("Status", 14),
    ("Financial", 10),
    ("Currency", 10),
    ("Measure", 30),
    ("Unit of measure", 14),
    ("Baseline value", 16),
    ("Baseline date", 14),
    ("Target value", 16),
    ("Target date", 14),
    ("Planned today", 16),
    ("Latest measured on", 16),
    ("Latest value", 16),
    ("Behind plan (%)", 14),
    ("Realized of target (%)", 18),
    ("At risk", 10),
    ("Next measurement due", 18),
    ("Overdue", 10),
]


def benefit_register_xlsx(states: Iterable[BenefitState]) -> bytes:
    """The given benefits' states (already scoped and filtered by the caller's selector) as an .xlsx file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Benefits")
    sheet.freeze_panes = "A2"
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for title, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for s in states:
        b = s.benefit
        sheet.append(
            [
                b.code,
                b.name,
                b.org_unit.code,
                b.lead_project.code if b.lead_project else "",
                str(b.owner),
                b.get_status_display(),
                "yes" if b.financial else "no",
                b.currency,
                b.measure,
                b.measure_unit,
                b.baseline_value,
                b.baseline_date,
                b.target_value,
                b.target_date,
                s.planned_today,
                s.latest.measured_on if s.latest else None,
                s.latest.value if s.latest else None,
                s.shortfall_percent,
                s.realized_percent,
                "yes" if s.at_risk else "no",
                s.next_due if s.tracked else None,
                "yes" if s.overdue else "no",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
