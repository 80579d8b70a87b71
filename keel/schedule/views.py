"""Schedule pages: a project's Gantt (WBS grid and chart) with its edits, and the portfolio Gantt.

The chart is drawn in the browser by Keel's own renderer (keel/static/keel/gantt.js) from a compact
JSON document embedded in the page: one array per task, times as integer minutes of the project's
wall-clock time since 1970-01-01 (so the browser needs no time zone rules), and only the rows in view
are drawn, so a 2,000-task schedule stays smooth.

Every edit is a small form (GET shows it, POST applies it through keel.schedule.services, which
recomputes the schedule with the CPM engine). The Gantt posts with ``Accept: application/json`` and
gets the message and the recomputed chart back; without script, the forms work as pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from keel.core.errors import ConflictError, NotFound, validation_errors
from keel.core.views import add_domain_error, page, render_page
from keel.orgs import scoping
from keel.orgs.scoping import Action
from keel.portfolio.models import Project
from keel.schedule import selectors, services
from keel.schedule.forms import (
    LinkCreateForm,
    PortfolioGanttFilterForm,
    TaskCreateForm,
    TaskDetailsForm,
    TaskDurationForm,
    TaskStartForm,
    VersionForm,
    format_days,
    format_duration,
    format_lag,
)
from keel.schedule.models import BASELINE_NUMBERS, ConstraintType, Dependency, Task

EPOCH = dt.datetime(1970, 1, 1)  # noqa: DTZ001 - naive on purpose: the origin of wall-clock minutes
ZOOMS = ("day", "week", "month")
PORTFOLIO_PAGE_SIZE = 100
NONWORKING_SPAN = dt.timedelta(days=15 * 366)
"""The longest stretch of calendar the chart shades (its days are sent to the browser one by one)."""

TASK_FIELDS = (
    "id",
    "uid",
    "outline",
    "level",
    "name",
    "flags",
    "start",
    "finish",
    "duration",
    "float",
    "percent",
    "version",
    "baseline_start",
    "baseline_finish",
    "start_variance",
    "finish_variance",
    "violations",
    "constraint",
    "constraint_type",
    "constraint_day",
    "leveling_delay",
    "stretches",
)
"""The meaning of each position of a task's array in the Gantt document."""

SUMMARY, MILESTONE, CRITICAL, VIOLATION = 1, 2, 4, 8
"""Bits of a task's ``flags``."""

# Which field of the Gantt's forms a service error belongs to, by the service's field name.
FORM_FIELD_OF = {
    "duration_minutes": "duration",
    "duration_unit": "duration",
    "is_milestone": "duration",
    "constraint_type": "start",
    "constraint_date": "start",
    "lag_unit": "lag",
    "leveling_delay_minutes": "leveling_delay",
}
# The details form holds the constraint itself: its errors stay on its own fields.
DETAILS_FIELD_OF = {"leveling_delay_minutes": "leveling_delay"}


# --- shared helpers ----------------------------------------------------------------------------------


def _page_number(request: HttpRequest) -> int:
    """The requested page number (1 when missing or not a number)."""
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


def _minute(value: dt.datetime | None, tz: ZoneInfo) -> int | None:
    """An aware datetime as minutes of wall-clock time in `tz` since 1970-01-01 00:00."""
    if value is None:
        return None
    return (value.astimezone(tz).replace(tzinfo=None) - EPOCH) // dt.timedelta(minutes=1)


def _day_minute(day: dt.date) -> int:
    """Midnight starting `day`, as wall-clock minutes since 1970-01-01."""
    return (dt.datetime.combine(day, dt.time.min) - EPOCH) // dt.timedelta(minutes=1)


def _when(value: dt.datetime | None, tz: ZoneInfo) -> str:
    """A datetime as Keel writes it (5 Jan 2026 17:00), in the project's time zone."""
    if value is None:
        return "—"
    local = value.astimezone(tz)
    return f"{local.day} {local:%b %Y %H:%M}"


def _day(value: dt.datetime | None, tz: ZoneInfo) -> str:
    """The date of a datetime in the project's time zone (5 Jan 2026)."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    return f"{local.day} {local:%b %Y}"


def _wants_json(request: HttpRequest) -> bool:
    """Whether the Gantt's script asked (it reads the answer; a form page follows a redirect)."""
    return "application/json" in request.headers.get("Accept", "")


def _gantt_url(project: Project, request: HttpRequest | None = None) -> str:
    """The project's schedule page, keeping the chosen baseline and zoom."""
    url = reverse("schedule:gantt", kwargs={"project_id": project.pk})
    if request is not None:
        kept = {k: request.GET[k] for k in ("baseline", "zoom") if request.GET.get(k)}
        if kept:
            url += "?" + "&".join(f"{k}={v}" for k, v in kept.items())
    return url


# --- the project Gantt -------------------------------------------------------------------------------


def _baseline_number(request: HttpRequest, saved: list[Any]) -> int | None:
    """The baseline chosen in the URL, if it is one of the project's saved baselines."""
    try:
        number = int(request.GET.get("baseline", ""))
    except ValueError:
        return None
    return number if number in BASELINE_NUMBERS and any(b.number == number for b in saved) else None


def _constraint_text(kind: str, date: dt.datetime | None, tz: ZoneInfo) -> str:
    """A task's date constraint in words ("Start no earlier than 12 Jan 2026"), or ""."""
    if kind in (ConstraintType.ASAP, ConstraintType.ALAP) or date is None:
        return ""
    return f"{ConstraintType(kind).label} {_day(date, tz)}"


def _edit_urls(project: Project) -> dict[str, str]:
    """URL templates of the Gantt's edits ("{id}" stands for the task or link)."""
    pid = project.pk

    def template(name: str, key: str) -> str:
        return reverse(f"schedule:{name}", kwargs={"project_id": pid, key: 0}).replace("/0/", "/{id}/")

    return {
        "duration": template("task_duration", "task_id"),
        "edit": template("task_edit", "task_id"),
        "indent": template("task_indent", "task_id"),
        "outdent": template("task_outdent", "task_id"),
        "start": template("task_start", "task_id"),
        "task_delete": template("task_delete", "task_id"),
        "link_delete": template("link_delete", "link_id"),
        "task_create": reverse("schedule:task_create", kwargs={"project_id": pid}),
        "link_create": reverse("schedule:link_create", kwargs={"project_id": pid}),
    }


def gantt_document(user: Any, project: Project, baseline: int | None) -> dict[str, Any]:
    """The Gantt's JSON document of a project the user may see (a fixed number of queries)."""
    view = selectors.schedule_view(project)
    tz = ZoneInfo(view.time_zone)
    per_day, per_week = view.minutes_per_day, view.minutes_per_week
    tasks, links = selectors.gantt_rows_for_project(user, project.pk)
    bars = selectors.baseline_bars_for_project(user, project.pk, baseline) if baseline is not None else {}
    index = {row[0]: n for n, row in enumerate(tasks)}
    stretches = selectors.split_stretches(
        view,
        (
            selectors.SplitTask(row[0], row[8], row[9], row[10], row[13], splits, calendar_id, elapsed)
            for *row, splits, calendar_id, elapsed in tasks
            if splits and not row[5] and row[8] is not None and row[9] is not None
        ),
    )
    task_rows = []
    for (
        pk,
        uid,
        outline,
        level,
        name,
        is_summary,
        is_milestone,
        is_critical,
        start,
        finish,
        duration,
        unit,
        total_float,
        percent,
        version,
        violations,
        constraint_type,
        constraint_date,
        leveling_delay,
        _splits,
        _calendar_id,
        _elapsed,
    ) in tasks:
        flags = (
            (SUMMARY if is_summary else 0)
            | (MILESTONE if is_milestone and not is_summary else 0)
            | (CRITICAL if is_critical else 0)
            | (VIOLATION if violations else 0)
        )
        bar = bars.get(pk)
        task_rows.append(
            [
                pk,
                uid,
                outline,
                level,
                name,
                flags,
                _minute(start, tz),
                _minute(finish, tz),
                format_duration(duration, unit, per_day, per_week),
                format_days(total_float, per_day),
                percent,
                version,
                _minute(bar.start, tz) if bar else None,
                _minute(bar.finish, tz) if bar else None,
                format_days(bar.start_variance_minutes, per_day) if bar else "",
                format_days(bar.finish_variance_minutes, per_day) if bar else "",
                " ".join(violations),
                _constraint_text(constraint_type, constraint_date, tz),
                constraint_type,
                constraint_date.astimezone(tz).date().isoformat() if constraint_date else "",
                format_days(leveling_delay, per_day) if leveling_delay else "",
                [[_minute(begin, tz), _minute(end, tz)] for begin, end in stretches[pk]]
                if pk in stretches
                else None,
            ]
        )
    link_rows = [
        [index[predecessor], index[successor], kind, pk, version, format_lag(lag, lag_unit, per_day)]
        for predecessor, successor, kind, lag, lag_unit, pk, version in links
        if predecessor in index and successor in index
    ]
    schedule = view.schedule
    nonworking: list[int] = []
    starts = [row[8] for row in tasks if row[8] is not None]
    finishes = [row[9] for row in tasks if row[9] is not None]
    if starts and finishes:
        first = min(starts).astimezone(tz).date() - dt.timedelta(days=62)
        last = max(finishes).astimezone(tz).date() + dt.timedelta(days=124)
        last = min(last, first + NONWORKING_SPAN)
        epoch = EPOCH.date()
        nonworking = [(day - epoch).days for day in selectors.nonworking_days(view, first, last)]
    return {
        "mode": "project",
        "fields": TASK_FIELDS,
        "tasks": task_rows,
        "links": link_rows,
        "project": {"id": project.pk, "code": project.code, "name": project.name},
        "start": _minute(schedule.computed_start, tz),
        "finish": _minute(schedule.computed_finish, tz),
        "today": _minute(timezone.now(), tz),
        "status_date": _minute(schedule.status_date, tz),
        "nonworking": nonworking,
        "editable": scoping.can(user, Action.CHANGE, Task, project.org_unit),
        "baseline": baseline,
        "urls": _edit_urls(project),
    }


def _fitting_zoom(schedule: Any) -> str:
    """The zoom that shows a schedule well: days for a few weeks, weeks up to a year, else months."""
    if schedule.computed_start is None or schedule.computed_finish is None:
        return "week"
    days = (schedule.computed_finish - schedule.computed_start).days
    return "day" if days <= 45 else "week" if days <= 400 else "month"


@page
@require_safe
def gantt(request: HttpRequest, project_id: int) -> HttpResponse:
    """A project's schedule: the WBS grid beside the Gantt chart, with baseline and zoom choices."""
    project = selectors.project_for_user(request.user, project_id)
    view = selectors.schedule_view(project)
    baselines = list(selectors.baseline_list_for_project(request.user, project.pk))
    baseline = _baseline_number(request, baselines)
    document = gantt_document(request.user, project, baseline)
    tz = ZoneInfo(view.time_zone)
    schedule = view.schedule
    zoom = request.GET.get("zoom") if request.GET.get("zoom") in ZOOMS else _fitting_zoom(schedule)
    context = {
        "project": project,
        "schedule": schedule,
        "document": document,
        "baselines": baselines,
        "baseline": baseline,
        "zoom": zoom,
        "zooms": ZOOMS,
        "editable": document["editable"],
        "start": _when(schedule.computed_start, tz),
        "finish": _when(schedule.computed_finish, tz),
        "status_date": _when(schedule.status_date, tz) if schedule.status_date else "",
        "time_zone": view.time_zone,
        "task_count": len(document["tasks"]),
        "critical_count": sum(1 for row in document["tasks"] if row[5] & CRITICAL and not row[5] & SUMMARY),
        "violation_count": sum(1 for row in document["tasks"] if row[5] & VIOLATION),
        "add_form": TaskCreateForm(
            minutes_per_day=view.minutes_per_day, minutes_per_week=view.minutes_per_week
        ),
        "duration_help": TaskDurationForm.base_fields["duration"].help_text,
        "link_types": Dependency._meta.get_field("type").choices,
    }
    return render(request, "schedule/gantt.html", context)


# --- edits -------------------------------------------------------------------------------------------


def _finish_message(before: dt.datetime | None, after: dt.datetime | None, tz: ZoneInfo) -> str:
    """The project finish before and after an edit, in words."""
    if before == after:
        return f"Project finish unchanged: {_when(after, tz)}."
    return f"Project finish: {_when(before, tz)} → {_when(after, tz)}."


def _form_errors(form: Any) -> dict[str, list[str]]:
    """The form's errors as {field: [messages]} ("__all__" for the form as a whole)."""
    return {name: [str(m) for m in errors] for name, errors in form.errors.items()}


def _service_error(form: Any, error: ValidationError) -> None:
    """Put a service's refusal next to the form field it is about."""
    mapped: dict[str, list[str]] = {}
    field_of = DETAILS_FIELD_OF if isinstance(form, TaskDetailsForm) else FORM_FIELD_OF
    for name, messages_ in validation_errors(error).items():
        target = field_of.get(name, name)
        mapped.setdefault(target if target in form.fields else "__all__", []).extend(messages_)
    add_domain_error(form, ValidationError(mapped))


def _edit(
    request: HttpRequest,
    project: Project,
    form: Any,
    apply: Callable[[], str],
    *,
    heading: str,
    submit: str,
    intro: str = "",
    danger: bool = False,
) -> HttpResponse:
    """Show an edit form (GET) or apply it (POST) through `apply`, which calls one service.

    `apply` returns what changed in words. The answer says the project finish before and after; a
    stale version is a conflict (409) and a refusal sits next to its field (422), nothing written.
    """
    status = 200
    conflict = False
    if request.method == "POST":
        if form.is_valid():
            tz = ZoneInfo(selectors.schedule_view(project).time_zone)
            before = selectors.schedule_for_project(project).computed_finish
            try:
                what = apply()
            except ConflictError as exc:
                form.add_error(
                    None,
                    "Someone else changed this meanwhile "
                    f"(it is now at version {exc.current_version}; you edited version {exc.given_version}); "
                    "nothing was saved. The schedule now shows their change: apply yours again if it "
                    "still makes sense.",
                )
                status, conflict = 409, True
                # Submitting again applies the change over what is stored now (the person saw it).
                form.data = form.data.copy()
                form.data["version"] = exc.current_version
            except ValidationError as exc:
                _service_error(form, exc)
                status = 422
            else:
                after = selectors.schedule_for_project(project).computed_finish
                message = f"{what} {_finish_message(before, after, tz)}"
                if _wants_json(request):
                    return JsonResponse(
                        {
                            "message": message,
                            "finish_before": _when(before, tz),
                            "finish": _when(after, tz),
                            "gantt": gantt_document(request.user, project, _baseline_of(request, project)),
                        }
                    )
                messages.success(request, message)
                return redirect(_gantt_url(project, request))
        else:
            status = 422
        if _wants_json(request):
            body: dict[str, Any] = {"errors": _form_errors(form), "conflict": conflict}
            if conflict:
                body["gantt"] = gantt_document(request.user, project, _baseline_of(request, project))
            return JsonResponse(body, status=status)
    context = {
        "project": project,
        "form": form,
        "heading": heading,
        "submit": submit,
        "intro": intro,
        "danger": danger,
        "conflict": conflict,
        "back": _gantt_url(project, request),
    }
    return render(request, "schedule/edit_form.html", context, status=status)


def _baseline_of(request: HttpRequest, project: Project) -> int | None:
    """The baseline the Gantt showed when it posted (kept in its answer)."""
    baselines = list(selectors.baseline_list_for_project(request.user, project.pk))
    return _baseline_number(request, baselines)


def _project_task(request: HttpRequest, project_id: int, task_id: int) -> tuple[Project, Task]:
    """The project and one of its tasks, for a change (404 out of scope, 403 for a viewer)."""
    project = selectors.project_for_user(request.user, project_id, Action.CHANGE)
    task = selectors.task_get_for_user(request.user, task_id, Action.CHANGE)
    if task.project_id != project.pk:
        raise NotFound("task")
    return project, task


def _calendar_minutes(project: Project) -> dict[str, int]:
    """The project calendar's working minutes per day and per week, for reading durations."""
    view = selectors.schedule_view(project)
    return {"minutes_per_day": view.minutes_per_day, "minutes_per_week": view.minutes_per_week}


@page
@require_http_methods(["GET", "POST"])
def task_duration(request: HttpRequest, project_id: int, task_id: int) -> HttpResponse:
    """Change a task's duration ("5d", "2w", "3h", ...); the schedule is recomputed."""
    project, task = _project_task(request, project_id, task_id)
    minutes = _calendar_minutes(project)
    initial = {
        "duration": format_duration(
            task.duration_minutes, task.duration_unit, minutes["minutes_per_day"], minutes["minutes_per_week"]
        ),
        "version": task.version,
    }
    form = TaskDurationForm(request.POST or None, initial=initial, task=task, **minutes)

    def apply() -> str:
        services.task_update(
            actor=request.user, task=task, version=form.cleaned_data["version"], **form.changes()
        )
        typed = form.cleaned_data["duration"]
        text = format_duration(
            typed.minutes, typed.unit, minutes["minutes_per_day"], minutes["minutes_per_week"]
        )
        return f"‘{task.name}’ now lasts {text}."

    return _edit(request, project, form, apply, heading=f"Duration of ‘{task.name}’", submit="Save duration")


@page
@require_http_methods(["GET", "POST"])
def task_start(request: HttpRequest, project_id: int, task_id: int) -> HttpResponse:
    """Keep a task from starting before a day (what dragging its bar does); recomputed."""
    project, task = _project_task(request, project_id, task_id)
    tz = ZoneInfo(selectors.schedule_view(project).time_zone)
    current = task.constraint_date or task.start
    initial = {"start": current.astimezone(tz).date() if current else None, "version": task.version}
    form = TaskStartForm(request.POST or None, initial=initial)

    def apply() -> str:
        services.task_update(
            actor=request.user, task=task, version=form.cleaned_data["version"], **form.changes()
        )
        day = form.cleaned_data["start"]
        return f"‘{task.name}’ starts no earlier than {day.day} {day:%b %Y}."

    return _edit(
        request,
        project,
        form,
        apply,
        heading=f"Start of ‘{task.name}’",
        submit="Set start",
        intro="As in MS Project, moving a task sets a “start no earlier than” constraint: its links can "
        "still push it later, never earlier.",
    )


@page
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, project_id: int, task_id: int) -> HttpResponse:
    """Change a task's name, % complete, date constraint or leveling delay; recomputed."""
    project, task = _project_task(request, project_id, task_id)
    minutes = _calendar_minutes(project)
    tz = ZoneInfo(selectors.schedule_view(project).time_zone)
    initial = {
        "name": task.name,
        "percent_complete": task.percent_complete,
        "constraint_type": task.constraint_type,
        "constraint_date": task.constraint_date.astimezone(tz).date() if task.constraint_date else None,
        "leveling_delay": format_days(task.leveling_delay_minutes, minutes["minutes_per_day"]),
        "version": task.version,
    }
    form = TaskDetailsForm(request.POST or None, initial=initial, task=task, **minutes)

    def apply() -> str:
        before = (task.name, task.percent_complete, task.constraint_type, task.leveling_delay_minutes)
        old_name = task.name
        changes = form.changes()
        services.task_update(actor=request.user, task=task, version=form.cleaned_data["version"], **changes)
        said = []
        if task.name != old_name:
            said.append(f"‘{old_name}’ is now called ‘{task.name}’.")
        if task.percent_complete != before[1]:
            said.append(f"‘{task.name}’ is {task.percent_complete}% complete.")
        if task.constraint_type != before[2] or "constraint_date" in changes:
            text = _constraint_text(task.constraint_type, task.constraint_date, tz)
            if text or task.constraint_type != before[2]:
                said.append(f"‘{task.name}’: {text or ConstraintType(task.constraint_type).label.lower()}.")
        if task.leveling_delay_minutes != before[3]:
            delay = format_days(task.leveling_delay_minutes, minutes["minutes_per_day"])
            said.append(f"‘{task.name}’ is held {delay} by leveling.")
        return " ".join(dict.fromkeys(said)) or f"‘{task.name}’ saved."

    return _edit(
        request,
        project,
        form,
        apply,
        heading=f"Details of ‘{task.name}’",
        submit="Save details",
        intro="A constraint date before or after what the links allow is flagged, not silently dropped.",
    )


def _move(request: HttpRequest, project_id: int, task_id: int, outdent: bool) -> HttpResponse:
    """Indent or outdent a task one level (asked first without script); recomputed."""
    project, task = _project_task(request, project_id, task_id)
    form = VersionForm(request.POST or None, initial={"version": task.version})

    def apply() -> str:
        move = services.task_outdent if outdent else services.task_indent
        moved = move(actor=request.user, task=task, version=form.cleaned_data["version"])
        parent = moved.parent
        where = f"under ‘{parent.name}’" if parent is not None else "at the top level"
        return f"‘{task.name}’ is now {moved.outline_number}, {where}."

    verb = "Outdent" if outdent else "Indent"
    return _edit(
        request,
        project,
        form,
        apply,
        heading=f"{verb} ‘{task.name}’",
        submit=verb,
        intro=(
            f"Move ‘{task.name}’ up one level, just after its summary task?"
            if outdent
            else f"Make ‘{task.name}’ a subtask of the task just above it?"
        ),
    )


@page
@require_http_methods(["GET", "POST"])
def task_indent(request: HttpRequest, project_id: int, task_id: int) -> HttpResponse:
    """Make a task the last subtask of the task above it; recomputed."""
    return _move(request, project_id, task_id, outdent=False)


@page
@require_http_methods(["GET", "POST"])
def task_outdent(request: HttpRequest, project_id: int, task_id: int) -> HttpResponse:
    """Move a task up one level, after its summary task; recomputed."""
    return _move(request, project_id, task_id, outdent=True)


@page
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest, project_id: int) -> HttpResponse:
    """Add a task at the end, or just below a chosen task (inside it when it is a summary)."""
    project = selectors.project_for_user(request.user, project_id, Action.CHANGE)
    form = TaskCreateForm(
        request.POST or None, initial={"after": request.GET.get("after")}, **_calendar_minutes(project)
    )

    def apply() -> str:
        data = form.cleaned_data
        parent, position = None, None
        if data.get("after"):
            after = selectors.task_get_for_user(request.user, data["after"], Action.CHANGE)
            if after.project_id != project.pk:
                raise NotFound("task")
            if after.is_summary:
                parent, position = after, 0
            else:
                if after.parent_id is not None:
                    parent = selectors.task_get_for_user(request.user, after.parent_id, Action.CHANGE)
                position = after.position + 1
        typed = data["duration"]
        task = services.task_create(
            actor=request.user,
            project=project,
            name=data["name"],
            parent=parent,
            position=position,
            duration_minutes=typed.minutes,
            duration_unit=typed.unit,
        )
        return f"Task ‘{task.name}’ added."

    return _edit(request, project, form, apply, heading="Add a task", submit="Add task")


@page
@require_http_methods(["GET", "POST"])
def link_create(request: HttpRequest, project_id: int) -> HttpResponse:
    """Make one task follow another (FS, SS, FF or SF, with a lag or lead); recomputed."""
    project = selectors.project_for_user(request.user, project_id, Action.CHANGE)
    tasks = selectors.task_list_for_project(request.user, project.pk)
    initial = {k: request.GET.get(k) for k in ("predecessor", "successor") if request.GET.get(k)}
    minutes = _calendar_minutes(project)
    form = LinkCreateForm(request.POST or None, initial=initial, tasks=tasks, **minutes)

    def apply() -> str:
        data = form.cleaned_data
        lag = form.lag_values()
        services.dependency_create(
            actor=request.user,
            project=project,
            predecessor=data["predecessor"],
            successor=data["successor"],
            type=data["type"],
            **lag,
        )
        how = data["type"] + format_lag(lag["lag"], lag["lag_unit"], minutes["minutes_per_day"])
        return f"‘{data['successor'].name}’ now follows ‘{data['predecessor'].name}’ ({how})."

    return _edit(request, project, form, apply, heading="Add a link", submit="Add link")


@page
@require_http_methods(["GET", "POST"])
def link_delete(request: HttpRequest, project_id: int, link_id: int) -> HttpResponse:
    """Remove a link (asked first without script); recomputed."""
    project = selectors.project_for_user(request.user, project_id, Action.CHANGE)
    link = selectors.dependency_get_for_user(request.user, link_id, Action.CHANGE)
    if link.project_id != project.pk:
        raise NotFound("dependency")
    form = VersionForm(request.POST or None, initial={"version": link.version})
    pair = f"‘{link.successor.name}’ follows ‘{link.predecessor.name}’ ({link.type})"

    def apply() -> str:
        services.dependency_delete(actor=request.user, dependency=link, version=form.cleaned_data["version"])
        return f"Link removed: ‘{link.successor.name}’ no longer follows ‘{link.predecessor.name}’."

    return _edit(
        request,
        project,
        form,
        apply,
        heading="Remove a link",
        submit="Remove link",
        intro=f"Remove the link: {pair}?",
        danger=True,
    )


@page
@require_http_methods(["GET", "POST"])
def task_delete(request: HttpRequest, project_id: int, task_id: int) -> HttpResponse:
    """Delete a task with its subtasks and links (asked first); recomputed."""
    project, task = _project_task(request, project_id, task_id)
    form = VersionForm(request.POST or None, initial={"version": task.version})

    def apply() -> str:
        services.task_delete(actor=request.user, task=task, version=form.cleaned_data["version"])
        return f"Task ‘{task.name}’ deleted."

    below = " with its subtasks" if task.is_summary else ""
    return _edit(
        request,
        project,
        form,
        apply,
        heading=f"Delete ‘{task.name}’",
        submit="Delete task",
        intro=f"Delete ‘{task.name}’{below} and every link to or from it? Saved baselines keep its values.",
        danger=True,
    )


# --- the portfolio Gantt -----------------------------------------------------------------------------


def portfolio_document(rows: list[selectors.PortfolioGanttRow]) -> dict[str, Any]:
    """The portfolio Gantt's JSON document: unit headings and project rows with their milestones."""
    out: list[dict[str, Any]] = []
    unit = None
    for row in rows:
        project = row.project
        if project.org_unit_id != unit:
            unit = project.org_unit_id
            out.append({"kind": "group", "label": f"{project.org_unit.code} — {project.org_unit.name}"})
        tz = ZoneInfo(row.time_zone)
        scheduled = row.scheduled_start is not None and row.scheduled_finish is not None
        if scheduled:
            start, finish = _minute(row.scheduled_start, tz), _minute(row.scheduled_finish, tz)
        else:
            start = _day_minute(project.planned_start) if project.planned_start else None
            finish = (
                _day_minute(project.planned_finish + dt.timedelta(days=1)) if project.planned_finish else None
            )
            if start is None or finish is None:
                start = finish = None
        out.append(
            {
                "kind": "project",
                "id": project.pk,
                "code": project.code,
                "name": project.name,
                "url": reverse("schedule:gantt", kwargs={"project_id": project.pk}),
                "status": project.status,
                "status_label": project.get_status_display(),
                "health": project.health,
                "health_label": project.get_health_display(),
                "start": start,
                "finish": finish,
                "scheduled": scheduled,
                "milestones": [
                    [_minute(m.finish, tz), m.name, bool(m.is_critical)] for m in row.milestones if m.finish
                ],
            }
        )
    return {
        "mode": "portfolio",
        "rows": out,
        "today": _minute(timezone.now(), timezone.get_current_timezone()),
    }


@page
@require_safe
def portfolio(request: HttpRequest) -> HttpResponse:
    """The projects of the user's scope on one timeline, grouped by org unit, with their milestones."""
    form = PortfolioGanttFilterForm(request.GET, user=request.user)
    unit, status = form.values()
    listed, rows = selectors.portfolio_gantt_for_user(
        request.user, unit=unit, status=status, page=_page_number(request), size=PORTFOLIO_PAGE_SIZE
    )
    context = {
        "form": form,
        "page": listed,
        "document": portfolio_document(rows),
        "filtered": bool(unit or status),
        "hx_target": "#portfolio-gantt",
        "zoom": request.GET.get("zoom") if request.GET.get("zoom") in ZOOMS else "month",
        "zooms": ZOOMS,
    }
    return render_page(request, "schedule/portfolio.html", context, partial="schedule/_portfolio_chart.html")
