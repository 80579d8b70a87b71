"""Excel export of the resource list (openpyxl, write-only so memory stays flat)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from keel.resources.models import Resource

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESOURCE_COLUMNS = [
    ("Code", 14),
    ("Name", 32),
    ("Kind", 14),
    ("Pool", 14),
    ("Home unit", 14),
    ("Generic role", 24),
    ("Availability %", 14),
    ("Keel user", 18),
    ("E-mail", 28),
    ("Active", 8),
]


def resource_list_xlsx(resources: Iterable[Resource]) -> bytes:
    """The given resources (already scoped and filtered by the caller's selector) as an .xlsx file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Resources")
    sheet.freeze_panes = "A2"
    for index, (_, width) in enumerate(RESOURCE_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for title, _ in RESOURCE_COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    rows = resources.iterator(chunk_size=2000) if hasattr(resources, "iterator") else resources
    for r in rows:
        sheet.append(
            [
                r.code,
                r.name,
                r.get_kind_display(),
                r.pool.code,
                r.home_unit.code,
                r.role.name if r.role else "",
                r.max_units,
                r.user.username if r.user else "",
                r.email,
                "yes" if r.is_active else "no",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
