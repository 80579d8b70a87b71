"""Files of status reports: the PDF of a report (WeasyPrint) and the Excel export of the portfolio view
(openpyxl, write-only)."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from keel.statusreports.models import DIMENSIONS, Rag, StatusReport
from keel.statusreports.selectors import PortfolioRow, rag_rows

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"


def _label(rag: str) -> str:
    return Rag(rag).label if rag else ""


def portfolio_xlsx(rows: list[PortfolioRow]) -> bytes:
    """The portfolio view as a workbook: one row per project with its latest RAGs, trend and overdue report."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Status reports")
    headers = [
        "Project",
        "Name",
        "Unit",
        "Manager",
        "Last report",
        *[d.title() for d in DIMENSIONS],
        "Trend",
        "Overdue since",
    ]
    bold = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        bold.append(cell)
    sheet.append(bold)
    for row in rows:
        manager = row.project.manager
        sheet.append(
            [
                row.project.code,
                row.project.name,
                row.project.org_unit.code,
                (manager.get_full_name() or manager.username) if manager else "",
                row.latest.period_end if row.latest else None,
                *[_label(row.rag(d)) for d in DIMENSIONS],
                " → ".join(_label(r) for r in row.trend),
                row.overdue,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_pdf(report: StatusReport) -> bytes:
    """The report as a PDF document: RAG with reasons, narrative, progress, milestones, changes, risks."""
    from weasyprint import HTML

    context = {
        "report": report,
        "project": report.project,
        "facts": report.facts or {},
        "rows": rag_rows(report),
    }
    html = render_to_string("statusreports/report_pdf.html", context)
    return HTML(string=html).write_pdf()


def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A download answer."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
