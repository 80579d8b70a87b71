"""Excel exports of RAID lists and the escalation list (openpyxl, write-only so memory stays flat)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from keel.governance.selectors import Escalation, RaidScale

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _person(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _columns(kind: str, scale: RaidScale) -> list[tuple[str, Any]]:
    common = [
        ("Ref", lambda i: i.reference),
        ("Title", lambda i: i.title),
        ("Owner", lambda i: _person(i.owner)),
    ]
    if kind == "risk":
        return [
            *common,
            ("Category", lambda i: i.category),
            ("Cause", lambda i: i.cause),
            ("Event", lambda i: i.event),
            ("Effect", lambda i: i.effect),
            ("Probability", lambda i: i.probability),
            ("Probability label", lambda i: scale.probability_label(i.probability)),
            ("Impact", lambda i: i.impact),
            ("Impact label", lambda i: scale.impact_label(i.impact)),
            ("Score", lambda i: i.score),
            ("Proximity", lambda i: i.proximity),
            ("Response", lambda i: i.get_response_strategy_display()),
            ("Trigger", lambda i: i.trigger),
            ("Status", lambda i: i.get_status_display()),
            ("Residual score", lambda i: i.residual_score),
            ("Open actions", lambda i: sum(1 for a in i.actions.all() if a.status == "open")),
            ("Escalated", lambda i: "yes" if i.escalated else ""),
            ("Resolution", lambda i: i.resolution),
        ]
    if kind == "issue":
        return [
            *common,
            ("Severity", lambda i: i.severity),
            ("Due", lambda i: i.due_date),
            ("Status", lambda i: i.get_status_display()),
            ("Resolution", lambda i: i.resolution_note),
            ("Resolved on", lambda i: i.resolved_on),
            ("Escalated", lambda i: "yes" if i.escalated else ""),
        ]
    if kind == "assumption":
        return [
            *common,
            ("Validate by", lambda i: i.validation_date),
            ("Status", lambda i: i.get_status_display()),
            ("Validation note", lambda i: i.validation_note),
        ]
    return [
        *common,
        ("Decided by", lambda i: i.decided_by),
        ("Decided on", lambda i: i.decided_on),
        ("Rationale", lambda i: i.rationale),
        ("Options considered", lambda i: i.options_considered),
        (
            "Linked items",
            lambda i: ", ".join(
                x.reference
                for x in [*i.linked_risks.all(), *i.linked_issues.all(), *i.linked_assumptions.all()]
            ),
        ),
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


def raid_xlsx(kind: str, items: list[Any], scale: RaidScale) -> bytes:
    """A project's RAID items of one kind (already scoped and filtered) as an .xlsx file."""
    columns = _columns(kind, scale)
    rows = ([value(item) for _, value in columns] for item in items)
    return _workbook(f"{kind.capitalize()}s", [name for name, _ in columns], rows)


def escalations_xlsx(escalations: list[Escalation]) -> bytes:
    """The escalation list (already scoped) as an .xlsx file."""
    headers = ["Project", "Ref", "Kind", "Title", "Owner", "Reasons", "Details", "Since", "Age (days)"]
    rows = (
        [
            e.project.code,
            e.item.reference,
            e.kind,
            e.item.title,
            _person(e.item.owner),
            ", ".join(e.reasons),
            "; ".join(e.details),
            e.since,
            e.age_days,
        ]
        for e in escalations
    )
    return _workbook("Escalations", headers, rows)


def attachment(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx download."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
