"""Excel export of the compliance page: the open gaps, the waived gaps and the roll-up per unit."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from keel.compliance.selectors import Compliance

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _person(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _sheet(book: Workbook, title: str, headers: list[str], rows: Any) -> None:
    sheet = book.create_sheet(title)
    bold = Font(bold=True)
    header = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(row)


def compliance_xlsx(found: Compliance) -> bytes:
    """The gaps, waived gaps and unit roll-up (already scoped and filtered) as an .xlsx file."""
    import io

    book = Workbook(write_only=True)
    kinds = found.kinds
    _sheet(
        book,
        "Gaps",
        ["Project", "Unit", "Kind", "Gap", "Detail", "Owner", "Since", "Age (days)", "Last reminded", "Key"],
        (
            [
                g.project.code,
                g.project.org_unit.code,
                kinds.get(g.kind, g.kind),
                g.title,
                g.detail,
                _person(g.owner),
                g.since,
                g.age_days,
                found.last_reminder(g).replace(tzinfo=None) if found.last_reminder(g) else None,
                g.key,
            ]
            for g in found.gaps
        ),
    )
    _sheet(
        book,
        "Waived",
        [
            "Project",
            "Kind",
            "Gap",
            "Owner",
            "Age (days)",
            "Reason",
            "Waived by",
            "Waived on",
            "Expires on",
            "Key",
        ],
        (
            [
                w.gap.project.code,
                kinds.get(w.gap.kind, w.gap.kind),
                w.gap.title,
                _person(w.gap.owner),
                w.gap.age_days,
                w.waiver.reason,
                _person(w.waiver.waived_by),
                w.waiver.waived_at.date(),
                w.waiver.expires_on,
                w.gap.key,
            ]
            for w in found.waived
        ),
    )
    _sheet(
        book,
        "Units",
        ["Unit", "Name", "Projects", "Compliant", "Share compliant", "Open gaps", "Waived", *kinds.values()],
        (
            [
                r.unit.code,
                r.unit.name,
                r.projects,
                r.compliant,
                round(r.share_compliant, 4) if r.share_compliant is not None else None,
                r.gaps,
                r.waived,
                *(r.counts.get(k, 0) for k in kinds),
            ]
            for r in found.rollup
        ),
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def attachment(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx download."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
