"""Excel exports of the portfolio register (openpyxl, write-only so memory stays flat)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from keel.portfolio.models import Project

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROJECT_COLUMNS = [
    ("Code", 14),
    ("Name", 40),
    ("Org unit", 14),
    ("Program", 14),
    ("Manager", 24),
    ("Sponsor", 24),
    ("Status", 12),
    ("Health", 10),
    ("Phase", 12),
    ("Priority", 10),
    ("Planned start", 14),
    ("Planned finish", 14),
    ("Budget", 16),
    ("Currency", 10),
]


def _person(user: object) -> str:
    return str(user) if user is not None else ""


def project_register_xlsx(projects: Iterable[Project]) -> bytes:
    """The given projects (already scoped and filtered by the caller's selector) as an .xlsx file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Projects")
    sheet.freeze_panes = "A2"
    for index, (_, width) in enumerate(PROJECT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for title, _ in PROJECT_COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    rows = projects.iterator(chunk_size=2000) if hasattr(projects, "iterator") else projects
    for p in rows:
        sheet.append(
            [
                p.code,
                p.name,
                p.org_unit.code,
                p.program.code if p.program else "",
                _person(p.manager),
                _person(p.sponsor),
                p.get_status_display(),
                p.get_health_display(),
                p.get_phase_display(),
                p.priority,
                p.planned_start,
                p.planned_finish,
                p.budget,
                p.currency,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
