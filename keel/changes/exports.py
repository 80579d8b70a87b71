"""Excel export of a project's change log (openpyxl, write-only so memory stays flat)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from keel.changes.models import ChangeRequest

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _person(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else ""


COLUMNS: list[tuple[str, Any]] = [
    ("Ref", lambda c: c.reference),
    ("Title", lambda c: c.title),
    ("Category", lambda c: c.get_category_display()),
    ("Status", lambda c: c.get_status_display()),
    ("Requested by", lambda c: _person(c.requested_by)),
    ("Reason", lambda c: c.reason),
    ("Scope impact", lambda c: c.scope_impact),
    ("Slip (working days)", lambda c: c.impact.get("slip_days") or c.schedule_days),
    ("Cost", lambda c: c.impact.get("cost")),
    ("Risk impact", lambda c: c.risk_impact),
    ("Linked risk", lambda c: c.risk.reference if c.risk else ""),
    ("Submitted", lambda c: c.submitted_at.replace(tzinfo=None) if c.submitted_at else None),
    ("Approver role", lambda c: c.get_approver_role_display() if c.approver_role else ""),
    ("Decided", lambda c: c.decided_at.replace(tzinfo=None) if c.decided_at else None),
    ("Decided by", lambda c: _person(c.decided_by)),
    ("Decision note", lambda c: c.decision_note),
]


def _workbook(title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def change_log_xlsx(changes: Iterable[ChangeRequest]) -> bytes:
    """A change log (already scoped and filtered) as an .xlsx file."""
    rows = ([value(change) for _, value in COLUMNS] for change in changes)
    return _workbook("Change log", [name for name, _ in COLUMNS], rows)


def attachment(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx download."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
