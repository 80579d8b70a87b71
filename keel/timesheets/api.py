"""JSON endpoints of timesheets: my weeks, a week, hours, copy, submit, approvals, corrections.

The owner's endpoints (tagged "account" too) act only on the caller's own timesheets: anyone else's
answers 404. Approvers read and decide the timesheets of projects they manage or of people in pools
they manage (see keel.timesheets.selectors).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Status, UploadedFile

from keel.core.api import (
    IF_MATCH,
    LIST_ERRORS,
    OPTIONAL_VERSION_BODY,
    WRITE_ERRORS,
    Id,
    PageParams,
    VersionIn,
    etag_documented,
    expected_version,
    page_of,
    page_response,
    resolve_refs,
    responses,
    set_etag,
)
from keel.core.errors import NotFound, PermissionDenied
from keel.core.imports import ImportRefused
from keel.schedule import selectors as schedule_selectors
from keel.timesheets import selectors, services
from keel.timesheets.schemas import (
    ActionIn,
    ApprovalOut,
    CopyIn,
    DecisionIn,
    EntriesIn,
    TimesheetDetailOut,
    TimesheetImportOut,
    TimesheetOut,
    WeekOpenIn,
    lines_answer,
)

timesheets = Router(tags=["timesheets"])
OWN = ["timesheets", "account"]  # the caller's own timesheets only
MAX_IMPORT_BYTES = 10 * 1024 * 1024


def _detail(view: selectors.SheetView) -> dict[str, Any]:
    """A timesheet with its lines as answered."""
    sheet = view.timesheet
    return {
        "id": sheet.pk,
        "user": sheet.user,
        "week": sheet.week,
        "revision": sheet.revision,
        "status": sheet.status,
        "submitted_at": sheet.submitted_at,
        "decided_by": sheet.decided_by,
        "decided_at": sheet.decided_at,
        "comment": sheet.comment,
        "version": sheet.version,
        "lines": lines_answer(view),
        "day_totals": view.day_totals,
        "total": view.total,
        "hidden_lines": view.hidden_lines,
        "entered_by": view.entered_by,
    }


def _answer(request: HttpRequest, response: HttpResponse, pk: int) -> dict[str, Any]:
    view = selectors.sheet_view_for_user(request.auth, pk)
    set_etag(response, view.timesheet.version)
    return _detail(view)


# --- the caller's weeks ----------------------------------------------------------------------------------


@timesheets.get(
    "/timesheets/weeks",
    response=responses({200: page_of(TimesheetOut)}, LIST_ERRORS),
    summary="My timesheets",
    tags=OWN,
)
def week_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """Your timesheets, latest week first (corrections after the week they correct)."""
    return page_response(
        selectors.timesheet_list_own(request.auth).select_related("user", "decided_by"), paging
    )


@timesheets.post(
    "/timesheets/weeks",
    response=responses({200: TimesheetDetailOut}, (401, 403, 422)),
    summary="Open my week",
    tags=OWN,
    openapi_extra=etag_documented(200),
)
def week_open(request: HttpRequest, response: HttpResponse, payload: WeekOpenIn) -> Any:
    """Your timesheet of the week containing `week` (today by default), created as a draft if needed."""
    sheet = services.timesheet_get_or_create_week(
        actor=request.auth, week=payload.week or timezone.localdate()
    )
    return _answer(request, response, sheet.pk)


@timesheets.post(
    "/timesheets/people/{person_id}/import",
    response=responses({201: TimesheetImportOut}, (401, 403, 404, 422)),
    summary="Import a person's hours from a CSV or Excel file (all or nothing)",
)
def lines_import(request: HttpRequest, person_id: Id, file: UploadedFile = File(None)) -> Any:  # noqa: B008
    """Upload a .csv or .xlsx file (multipart `file`) with columns date, project (code), task (UID, WBS
    code or name; empty books on the project), hours, note, into the timesheets of `person_id`: your
    own id, or a person whose weeks you approve as their resource manager or PMO administrator over
    their resource pool's unit (someone else whose timesheets you see: 403; anyone else: 404). Each
    row's hours are added to the person's draft timesheet of its week, checked against what the person
    may book on; the weeks stay drafts for the person to submit, and you cannot approve a week holding
    hours you entered. One bad row and nothing is saved: the 422 lists every bad cell, its `loc` being
    ["body", "file", line (1 is the header), column], with the reason."""
    person = selectors.people_entered_for(request.auth).filter(pk=person_id).first()
    if person is None:
        if selectors.timesheet_list_visible(request.auth).filter(user_id=person_id).exists():
            raise PermissionDenied(
                "person: you import hours only for yourself and the people whose weeks you approve."
            )
        raise NotFound("person")
    if file is None:
        raise ValidationError({"file": "Choose a .csv or .xlsx file (send it as multipart/form-data)."})
    if file.size and file.size > MAX_IMPORT_BYTES:
        raise ValidationError({"file": "The file is over 10 MB."})
    try:
        report = services.timesheet_lines_import(
            actor=request.auth, name=file.name or "", content=file.read(), person=person
        )
    except ImportRefused as refused:
        items = [
            {
                "loc": ["body", "file", e.line, e.column],
                "msg": f"Line {e.line}, {e.column}: {e.reason}",
                "type": "value_error",
            }
            for e in refused.report.errors
        ]
        return Status(422, {"detail": items})
    return Status(201, {"created": report.created})


@timesheets.get(
    "/timesheets/approvals",
    response=responses({200: page_of(ApprovalOut)}, LIST_ERRORS),
    summary="Timesheets waiting for my approval",
)
def approval_list(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """Submitted timesheets of projects you manage or of people in pools you manage, oldest week first."""
    return page_response(selectors.approvals_waiting_for(request.auth), paging)


@timesheets.get(
    "/timesheets/{timesheet_id}",
    response=responses({200: TimesheetDetailOut}),
    summary="A timesheet",
    openapi_extra=etag_documented(200),
)
def timesheet_detail(request: HttpRequest, response: HttpResponse, timesheet_id: Id) -> Any:
    """A timesheet with the lines you may see (yours, or as a viewer or approver), its version as ETag."""
    return _answer(request, response, timesheet_id)


def _project(user: Any, pk: int) -> Any:
    return selectors.bookable_project_get(user, pk)


def _task(user: Any, pk: int) -> Any:
    return schedule_selectors.task_get_for_user(user, pk)


@timesheets.put(
    "/timesheets/{timesheet_id}/entries",
    response=responses({200: TimesheetDetailOut}, WRITE_ERRORS),
    summary="Set hours on my timesheet",
    tags=OWN,
    openapi_extra=etag_documented(200),
)
def entries_set(
    request: HttpRequest,
    response: HttpResponse,
    timesheet_id: Id,
    payload: EntriesIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Set hours per line and day, all or nothing; a `project` (and `task`) without `line` adds the line."""
    sheet = selectors.timesheet_get_own(request.auth, timesheet_id)
    version = expected_version(request, current=sheet.version, body_version=payload.version)
    own_lines = {line.pk: line for line in sheet.lines.all()}
    items = []
    for n, entry in enumerate(payload.entries):
        line = None
        if entry.line is not None:
            line = own_lines.get(entry.line)
            if line is None:
                raise ValidationError(
                    {"line": f"entries[{n}]: there is no line {entry.line} on this timesheet."}
                )
        refs = resolve_refs(request.auth, {"project": (_project, entry.project), "task": (_task, entry.task)})
        items.append(
            services.EntryInput(
                line=line,
                date=entry.date,
                hours=entry.hours,
                note=entry.note,
                project=refs["project"],
                task=refs["task"],
            )
        )
    services.entry_set(actor=request.auth, timesheet=sheet, version=version, entries=items)
    return _answer(request, response, sheet.pk)


@timesheets.delete(
    "/timesheets/{timesheet_id}/lines/{line_id}",
    response=responses({200: TimesheetDetailOut}, WRITE_ERRORS),
    summary="Remove a line from my timesheet",
    tags=OWN,
    openapi_extra=etag_documented(200),
)
def line_delete(
    request: HttpRequest,
    response: HttpResponse,
    timesheet_id: Id,
    line_id: Id,
    payload: VersionIn | None = OPTIONAL_VERSION_BODY,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Remove a line and its hours (a draft or rejected timesheet only); answers the timesheet."""
    sheet = selectors.timesheet_get_own(request.auth, timesheet_id)
    line = selectors.line_get_own(sheet, line_id)
    version = expected_version(request, current=sheet.version, body_version=payload and payload.version)
    services.line_delete(actor=request.auth, timesheet=sheet, version=version, line=line)
    return _answer(request, response, sheet.pk)


@timesheets.post(
    "/timesheets/{timesheet_id}/copy",
    response=responses({200: TimesheetDetailOut}, WRITE_ERRORS),
    summary="Copy last week's lines into my timesheet",
    tags=OWN,
    openapi_extra=etag_documented(200),
)
def copy_last_week(
    request: HttpRequest,
    response: HttpResponse,
    timesheet_id: Id,
    payload: CopyIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Copy every line of last week, or the one named by `line`, with its hours per weekday."""
    sheet = selectors.timesheet_get_own(request.auth, timesheet_id)
    version = expected_version(request, current=sheet.version, body_version=payload.version)
    line = None
    if payload.line is not None:
        line = selectors.last_week_lines(request.auth, sheet.week).filter(pk=payload.line).first()
        if line is None:
            raise ValidationError(
                {"line": f"There is no line {payload.line} on your timesheet of last week."}
            )
    services.line_copy_from_last_week(actor=request.auth, timesheet=sheet, version=version, line=line)
    return _answer(request, response, sheet.pk)


@timesheets.post(
    "/timesheets/{timesheet_id}/submit",
    response=responses({200: TimesheetDetailOut}, WRITE_ERRORS),
    summary="Submit my timesheet",
    tags=OWN,
    openapi_extra=etag_documented(200),
)
def submit(
    request: HttpRequest,
    response: HttpResponse,
    timesheet_id: Id,
    payload: ActionIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Send the week for approval; it must hold some hours."""
    sheet = selectors.timesheet_get_own(request.auth, timesheet_id)
    version = expected_version(request, current=sheet.version, body_version=payload.version)
    services.timesheet_submit(actor=request.auth, timesheet=sheet, version=version)
    return _answer(request, response, sheet.pk)


@timesheets.post(
    "/timesheets/{timesheet_id}/corrections",
    response=responses({200: TimesheetDetailOut}, (401, 404, 422)),
    summary="Open a correction of my approved week",
    tags=OWN,
    openapi_extra=etag_documented(200),
)
def correct(request: HttpRequest, response: HttpResponse, timesheet_id: Id) -> Any:
    """A new draft revision of the approved week for adjustment lines (the open one if there is one)."""
    sheet = selectors.timesheet_get_own(request.auth, timesheet_id)
    correction = services.timesheet_correct(actor=request.auth, timesheet=sheet)
    return _answer(request, response, correction.pk)


# --- approvals --------------------------------------------------------------------------------------------


def _decide(
    request: HttpRequest, response: HttpResponse, timesheet_id: int, payload: DecisionIn, decide: Any
) -> Any:
    sheet = selectors.timesheet_get_for_user(request.auth, timesheet_id)
    version = expected_version(request, current=sheet.version, body_version=payload.version)
    decide(actor=request.auth, timesheet=sheet, version=version, comment=payload.comment)
    return _answer(request, response, sheet.pk)


@timesheets.post(
    "/timesheets/{timesheet_id}/approve",
    response=responses({200: TimesheetDetailOut}, WRITE_ERRORS),
    summary="Approve a timesheet",
    openapi_extra=etag_documented(200),
)
def approve(
    request: HttpRequest,
    response: HttpResponse,
    timesheet_id: Id,
    payload: DecisionIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Approve a submitted week: it locks, and its hours on tasks become actual work."""
    return _decide(request, response, timesheet_id, payload, services.timesheet_approve)


@timesheets.post(
    "/timesheets/{timesheet_id}/reject",
    response=responses({200: TimesheetDetailOut}, WRITE_ERRORS),
    summary="Reject a timesheet",
    openapi_extra=etag_documented(200),
)
def reject(
    request: HttpRequest,
    response: HttpResponse,
    timesheet_id: Id,
    payload: DecisionIn,
    if_match: str | None = IF_MATCH,
) -> Any:
    """Send a submitted week back to its owner; `comment` says why (required)."""
    return _decide(request, response, timesheet_id, payload, services.timesheet_reject)
