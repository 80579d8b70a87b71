"""Timesheet pages: "My week" (a grid of lines × days saved as you type), approvals, one week's detail.

"My week" is the signed-in person's own page: every POST acts on their own timesheet of the week
shown. The grid posts all its cells on each change (htmx, answered with the new totals and version);
without script the same form saves and comes back to the page.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from keel.core.errors import ConflictError, NotFound, PermissionDenied, validation_errors
from keel.core.imports import ImportRefused
from keel.core.views import add_domain_error, is_partial, page, render_page
from keel.timesheets import selectors, services
from keel.timesheets.forms import AddLineForm, DecisionForm, ImportForm, parse_week, read_hours, task_choices
from keel.timesheets.models import Timesheet, monday

ROW_KEY = re.compile(r"l(?P<line>\d{1,18})|p(?P<project>\d{1,18})-t(?P<task>\d{1,18})")


def week_url(week: dt.date) -> str:
    """The "My week" page of the week containing `week` (this week's page has no date)."""
    start = monday(week)
    base = reverse("timesheets:my_week")
    return base if start == monday(timezone.localdate()) else f"{base}{start.isoformat()}/"


def _messages_of(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return [m for messages_ in validation_errors(error).values() for m in messages_]
    return [str(error)]


def _context(request: HttpRequest, week: dt.date, form: AddLineForm | None = None) -> dict[str, Any]:
    view = selectors.my_week(request.user, week)
    today = timezone.localdate()
    return {
        "my": view,
        "today": today,
        "this_week": monday(today),
        "previous_url": week_url(view.week - dt.timedelta(days=7)),
        "next_url": week_url(view.week + dt.timedelta(days=7)),
        "this_week_url": week_url(today),
        "post_url": week_url(view.week),
        "form": form or AddLineForm(user=request.user),
        "is_approver": selectors.is_approver_anywhere(request.user),
    }


@page
@require_http_methods(["GET", "POST"])
def my_week(request: HttpRequest, week: str | None = None) -> HttpResponse:
    """The signed-in person's week: lines × days, totals, add a line, copy last week, submit."""
    if week is not None:
        day = parse_week(week)
        if day is None:
            raise NotFound("week")
    elif request.GET.get("week"):
        chosen = parse_week(request.GET["week"])
        if chosen is not None:
            return redirect(week_url(chosen))
        day = timezone.localdate()
    else:
        day = parse_week(request.POST.get("week")) if request.method == "POST" else None
        day = day or timezone.localdate()
    if request.method == "GET" and is_partial(request) and "project" in request.GET:
        # The task picker of the "add a line" form follows the chosen project.
        choices = task_choices(request.user, request.GET.get("project"))
        return render(request, "timesheets/_task_options.html", {"choices": choices})
    if request.method == "POST":
        return _act(request, monday(day))
    return render_page(request, "timesheets/my_week.html", _context(request, monday(day)))


def _current(request: HttpRequest, week: dt.date) -> Timesheet:
    """The person's timesheet being worked on for the week (created as a draft the first time)."""
    return services.timesheet_get_or_create_week(actor=request.user, week=week)


def _version(request: HttpRequest, sheet: Timesheet) -> int:
    """The version the page was showing; a new timesheet (no version on the page yet) is at its first."""
    try:
        return int(request.POST.get("version") or sheet.version)
    except ValueError:
        return 0


def _act(request: HttpRequest, week: dt.date) -> HttpResponse:
    """Apply one action of the page to the person's own week."""
    action = "delete_line" if request.POST.get("remove") else request.POST.get("action", "")
    form = None
    try:
        if action == "add_line":
            form = AddLineForm(request.POST, user=request.user)
            if not form.is_valid():
                return _page_with_errors(request, week, form)
            sheet = _current(request, week)
            data = form.cleaned_data
            services.line_add(
                actor=request.user,
                timesheet=sheet,
                version=_version(request, sheet),
                project=data["project"],
                task=data["task"],
                note=data["note"],
            )
            messages.success(request, "Line added.")
        elif action == "save":
            return _save(request, week)
        elif action in ("copy", "copy_line"):
            sheet = _current(request, week)
            line = None
            if action == "copy_line":
                line = (
                    selectors.last_week_lines(request.user, week)
                    .filter(pk=_int(request.POST.get("line")))
                    .first()
                )
                if line is None:
                    raise ValidationError({"line": "Choose a line of your timesheet of last week."})
            copied = services.line_copy_from_last_week(
                actor=request.user, timesheet=sheet, version=_version(request, sheet), line=line
            )
            messages.success(
                request, f"Copied {len(copied)} line{'s' if len(copied) != 1 else ''} from last week."
            )
        elif action == "delete_line":
            sheet = _current(request, week)
            line = sheet.lines.filter(pk=_int(request.POST.get("remove"))).first()
            if line is None:
                raise ValidationError({"line": "That line is not on this week's timesheet."})
            services.line_delete(
                actor=request.user, timesheet=sheet, version=_version(request, sheet), line=line
            )
            messages.success(request, "Line removed.")
        elif action == "submit":
            sheet = _current(request, week)
            _save_cells(request, sheet)
            sheet.refresh_from_db()
            services.timesheet_submit(actor=request.user, timesheet=sheet, version=sheet.version)
            messages.success(request, "Week submitted for approval.")
        elif action == "correct":
            sheet = _current(request, week)
            services.timesheet_correct(actor=request.user, timesheet=sheet)
            messages.success(
                request, "Correction opened: enter the hours to add (or, negative, to take back)."
            )
        else:
            raise ValidationError({"action": "Choose what to do: save, add a line, copy, submit or correct."})
    except (ValidationError, ConflictError, PermissionDenied) as error:
        if form is not None:
            add_domain_error(form, error)
            return _page_with_errors(request, week, form)
        for text in _messages_of(error):
            messages.error(request, text)
        return render_page(request, "timesheets/my_week.html", _context(request, week), status=422)
    return redirect(week_url(week))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _page_with_errors(request: HttpRequest, week: dt.date, form: AddLineForm) -> HttpResponse:
    return render_page(request, "timesheets/my_week.html", _context(request, week, form), status=422)


def _cells(request: HttpRequest, sheet: Timesheet) -> list[services.EntryInput]:
    """The grid's cells as entries: rows named by their line ("l12"), or by project and task ("p3-t7").

    A row of a task assigned this week has no line until hours are first entered in it; its cells
    keep naming the project and task, which find the line once it exists.
    """
    lines = {line.pk: line for line in sheet.lines.select_related("project", "task")}
    by_key = {(line.project_id, line.task_id): line for line in lines.values()}
    suggestions = {
        (row.project.pk, row.task.pk if row.task else None): row
        for row in selectors.my_week(request.user, sheet.week).suggestions
    }
    entries = []
    for (key, index), hours in read_hours(request.POST).items():
        day = sheet.week + dt.timedelta(days=index)
        match = ROW_KEY.fullmatch(key)
        if match is None:
            continue
        if match["line"]:
            line = lines.get(int(match["line"]))
            if line is not None:
                entries.append(services.EntryInput(line, day, hours))
            continue
        pair = (int(match["project"]), int(match["task"]) or None)
        if pair in by_key:
            entries.append(services.EntryInput(by_key[pair], day, hours))
        elif pair in suggestions and hours is not None:
            row = suggestions[pair]
            entries.append(services.EntryInput(None, day, hours, project=row.project, task=row.task))
    return entries


def _save_cells(request: HttpRequest, sheet: Timesheet) -> Timesheet:
    entries = _cells(request, sheet)
    if not entries:
        return sheet
    return services.entry_set(
        actor=request.user, timesheet=sheet, version=_version(request, sheet), entries=entries
    )


def _save(request: HttpRequest, week: dt.date) -> HttpResponse:
    """Save the grid: htmx gets the totals and version back; a plain form comes back to the page."""
    sheet = _current(request, week)
    try:
        _save_cells(request, sheet)
    except (ValidationError, ConflictError, PermissionDenied) as error:
        if is_partial(request):
            context = {**_context(request, week), "errors": _messages_of(error)}
            # htmx swaps only successful answers: the message says that nothing was saved.
            return render(request, "timesheets/_saved.html", context)
        raise
    if is_partial(request):
        return render(
            request, "timesheets/_saved.html", {**_context(request, week), "saved_at": timezone.localtime()}
        )
    messages.success(request, "Hours saved.")
    return redirect(week_url(week))


# --- approvals -----------------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "HEAD", "POST"])
def lines_import(request: HttpRequest) -> HttpResponse:
    """Upload hours from a CSV or Excel file for the signed-in person, or for a person whose weeks they
    approve ("For"); all rows or none, every refusal listed and the person named."""
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    report = None
    person = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        person = form.cleaned_data["person"]
        try:
            result = services.timesheet_lines_import(
                actor=request.user, name=upload.name, content=upload.read(), person=person
            )
        except ImportRefused as refused:
            report = refused.report
            form.add_error("file", f"{len(report.errors)} problem(s) found; nothing was imported.")
        except (ValidationError, PermissionDenied) as error:
            add_domain_error(form, error)
        else:
            if person.pk == request.user.pk:
                messages.success(request, f"{result.created} row(s) of hours imported into your timesheets.")
                return redirect("timesheets:my_week")
            name = person.get_full_name() or person.username
            messages.success(
                request,
                f"{result.created} row(s) of hours imported into the timesheets of {name}, "
                "as drafts for them to submit.",
            )
            return redirect("timesheets:import")
    status = 422 if request.method == "POST" else 200
    context = {
        "form": form,
        "report": report,
        "person": person,
        "is_self": person is None or person.pk == request.user.pk,
    }
    return render(request, "timesheets/import.html", context, status=status)


@page
@require_safe
def approvals(request: HttpRequest) -> HttpResponse:
    """Submitted weeks waiting for the signed-in approver."""
    if not selectors.is_approver_anywhere(request.user):
        raise PermissionDenied(
            "Approvals are for project managers, resource managers and PMO administrators."
        )
    waiting = list(selectors.approvals_waiting_for(request.user)[:200])
    return render(request, "timesheets/approvals.html", {"waiting": waiting})


@page
@require_http_methods(["GET", "POST"])
def sheet_detail(request: HttpRequest, timesheet_id: int) -> HttpResponse:
    """One week as its owner, a viewer or an approver sees it; approvers approve or reject it here."""
    view = selectors.sheet_view_for_user(request.user, timesheet_id)
    sheet = view.timesheet
    may_decide = sheet.status == Timesheet.Status.SUBMITTED and selectors.can_approve(request.user, sheet)
    form = DecisionForm(initial={"version": sheet.version})
    status = 200
    if request.method == "POST":
        if not selectors.can_approve(request.user, sheet):
            raise PermissionDenied("You may view this week but not approve or reject it.")
        form = DecisionForm(request.POST)
        decide = {"approve": services.timesheet_approve, "reject": services.timesheet_reject}.get(
            request.POST.get("action", "")
        )
        if decide is None:
            form.add_error(None, "Choose approve or reject.")
        elif form.is_valid():
            try:
                decide(
                    actor=request.user,
                    timesheet=sheet,
                    version=form.cleaned_data["version"],
                    comment=form.cleaned_data["comment"],
                )
            except (ValidationError, ConflictError) as error:
                add_domain_error(form, error)
            else:
                done = "approved" if decide is services.timesheet_approve else "rejected"
                messages.success(
                    request, f"{sheet.user.get_full_name() or sheet.user.username}'s {sheet} {done}."
                )
                return redirect("timesheets:approvals")
        status = 422
    context = {
        "view": view,
        "sheet": sheet,
        "form": form,
        "may_decide": may_decide,
        "own": sheet.user_id == request.user.pk,
    }
    if sheet.user_id == request.user.pk:
        context["my_week_url"] = week_url(sheet.week)
    return render(request, "timesheets/sheet_detail.html", context, status=status)
