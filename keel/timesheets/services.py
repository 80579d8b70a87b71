"""Writes to timesheets: the owner's week (lines, hours, copy, submit), approval, corrections.

Rules (each refusal is a ValidationError naming the field, or PermissionDenied / NotFound):

- only the owner writes their timesheet, and only while it is a draft or rejected: a submitted one
  waits for its approver, an approved one is locked for good; the one exception is the import, by
  which the people who approve a person's weeks (their resource manager, PMO administrators) enter
  hours for the person under the person's own rules, into drafts the person submits;
- hours are 0 < h ≤ 24 on a week's timesheet (0 or empty removes the entry); on a correction an entry
  may be negative (hours taken back) but never more than was approved on that project, task and day;
  over all of a person's timesheets of the week a day holds at most 24 hours;
- a rejection needs a comment; the owner never approves their own week unless PMO administrator,
  and nobody approves a week holding hours they entered for its owner (``entered_by``);
- approving adds the hours booked on tasks to the actual work of the owner's assignment to each task.

Every write bumps the timesheet's version (optimistic concurrency: a stale version is refused) and is
audited: the timesheet's status changes on the timesheet, hours and lines on the line (so they show
in the project's activity).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Sum
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from keel.core.audit import audit_record
from keel.core.errors import ConflictError, PermissionDenied
from keel.core.imports import ImportRefused, ImportReport, RowError, read_rows
from keel.core.models import AuditEntry
from keel.core.services import audited_create, audited_update, versioned_update
from keel.notifications.models import Kind
from keel.notifications.services import notify
from keel.orgs import scoping
from keel.orgs.models import Role
from keel.portfolio.models import Project
from keel.resources.models import Assignment
from keel.schedule import services as schedule_services
from keel.schedule.models import Task
from keel.timesheets import selectors
from keel.timesheets.models import MAX_DAY_HOURS, Timesheet, TimesheetEntry, TimesheetLine, monday

ZERO = Decimal("0")


@dataclass
class EntryInput:
    """Hours of one line on one day; `hours` None or 0 removes the entry.

    Name the line, or its `project` (and `task`): the week's line for them is used, or added.
    """

    line: TimesheetLine | None
    date: dt.date
    hours: Decimal | None
    note: str | None = None
    project: Project | None = None
    task: Task | None = None


# --- helpers -------------------------------------------------------------------------------------------


def _locked_message(timesheet: Timesheet) -> str:
    if timesheet.status == Timesheet.Status.APPROVED:
        when = timesheet.decided_at.date().isoformat() if timesheet.decided_at else "earlier"
        return f"This week was approved ({when}) and is locked: open a correction to change its hours."
    return "This week is submitted and waits for approval: it can be changed again if it is rejected."


def _own_editable(actor: Any, timesheet: Timesheet, version: int, owner: Any = None) -> Timesheet:
    """Lock the timesheet row of `owner` (the actor by default); refuse it unless it is a draft or
    rejected at `version`."""
    if timesheet.user_id != getattr(owner or actor, "pk", None):
        raise PermissionDenied("timesheet: only its owner changes a timesheet.")
    locked = Timesheet.objects.select_for_update().get(pk=timesheet.pk)
    if not locked.is_editable:
        raise ValidationError({"timesheet": _locked_message(locked)})
    if locked.version != version:
        raise ConflictError(current_version=locked.version, given_version=version)
    return locked


def _bump(actor: Any, timesheet: Timesheet, version: int) -> None:
    """Move the timesheet's version on (refusing a stale one) after a change of its lines or hours."""
    versioned_update(timesheet, expected_version=version, fields=["updated_at"])


def _hours(value: Any, field: str) -> Decimal | None:
    """Read hours as a Decimal with at most two places (None for empty)."""
    if value is None or value == "":
        return None
    try:
        hours = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: f"'{value}' is not a number of hours."}) from exc
    if not hours.is_finite():
        raise ValidationError({field: f"'{value}' is not a number of hours."})
    if hours != hours.quantize(Decimal("0.01")):
        raise ValidationError({field: "Give hours with at most two decimals (e.g. 1.25)."})
    return hours


def _audit_line(actor: Any, line: TimesheetLine, action: str, changes: dict[str, list[Any]]) -> None:
    unit_path, project_id = line.audit_scope()
    audit_record(
        actor=actor, instance=line, action=action, unit_path=unit_path, project_id=project_id, changes=changes
    )


def _check_bookable(actor: Any, project: Project, task: Task | None) -> None:
    """Refuse a project the owner may not book on, or a task of another project or a summary task."""
    if not selectors.bookable_projects(actor).filter(pk=project.pk).exists():
        raise ValidationError({"project": f"There is no project with id {project.pk} you can book on."})
    if task is not None:
        if task.project_id != project.pk:
            raise ValidationError({"task": "The task belongs to another project."})
        if task.is_summary:
            raise ValidationError({"task": "Book on a task, not on a summary task."})


# --- the owner's week -------------------------------------------------------------------------------------


@transaction.atomic
def timesheet_get_or_create_week(*, actor: Any, week: dt.date) -> Timesheet:
    """The actor's timesheet of the week containing `week`: the latest revision, created (draft) if none."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to keep a timesheet.")
    return _week_get_or_create(actor, actor, week)


def _week_get_or_create(actor: Any, owner: Any, week: dt.date) -> Timesheet:
    """`owner`'s latest timesheet of the week, created (draft, audited as `actor`'s doing) if none."""
    start = monday(week)
    existing = Timesheet.objects.filter(user=owner, week=start).order_by("-revision").first()
    if existing is not None:
        return existing
    timesheet = Timesheet(user=owner, week=start)
    audited_create(actor=actor, instance=timesheet)
    return timesheet


def _line_create(
    actor: Any, timesheet: Timesheet, project: Project, task: Task | None, note: str, owner: Any = None
) -> TimesheetLine:
    """Add a line to the (locked, editable) timesheet, refusing a project or task the owner may not book."""
    _check_bookable(owner or actor, project, task)
    if TimesheetLine.objects.filter(timesheet=timesheet, project=project, task=task).exists():
        what = f"task '{task.name}'" if task else f"project {project.code}"
        raise ValidationError({"task" if task else "project": f"The week already has a line for {what}."})
    position = (TimesheetLine.objects.filter(timesheet=timesheet).aggregate(m=Max("position"))["m"] or 0) + 1
    line = TimesheetLine(timesheet=timesheet, project=project, task=task, note=note, position=position)
    audited_create(actor=actor, instance=line)
    return line


@transaction.atomic
def line_add(
    *,
    actor: Any,
    timesheet: Timesheet,
    version: int,
    project: Project,
    task: Task | None = None,
    note: str = "",
) -> TimesheetLine:
    """Add a line (a project, optionally one of its tasks) to the actor's editable timesheet."""
    locked = _own_editable(actor, timesheet, version)
    line = _line_create(actor, locked, project, task, note)
    _bump(actor, locked, version)
    timesheet.version = locked.version
    return line


@transaction.atomic
def line_delete(*, actor: Any, timesheet: Timesheet, version: int, line: TimesheetLine) -> None:
    """Remove a line and its hours from the actor's editable timesheet."""
    locked = _own_editable(actor, timesheet, version)
    if line.timesheet_id != locked.pk:
        raise ValidationError({"line": "The line belongs to another timesheet."})
    _audit_line(actor, line, AuditEntry.Action.DELETE, {"line": [str(line), None]})
    line.delete()
    _bump(actor, locked, version)
    timesheet.version = locked.version


@transaction.atomic
def line_update(
    *, actor: Any, timesheet: Timesheet, version: int, line: TimesheetLine, note: str
) -> TimesheetLine:
    """Change a line's note."""
    locked = _own_editable(actor, timesheet, version)
    if line.timesheet_id != locked.pk:
        raise ValidationError({"line": "The line belongs to another timesheet."})
    audited_update(actor=actor, instance=line, version=line.version, changes={"note": note})
    _bump(actor, locked, version)
    timesheet.version = locked.version
    return line


def _check_day_totals(actor: Any, timesheet: Timesheet) -> None:
    """Refuse a day over 24 hours (over all the week's timesheets) or, on a correction, below zero."""
    totals = selectors.week_hours(actor, timesheet.week)
    errors = []
    for day in timesheet.days:
        total = totals.get(day, ZERO)
        if total > MAX_DAY_HOURS:
            errors.append(f"{day:%A} {day.isoformat()} would hold {total} hours; a day holds at most 24.")
        elif total < ZERO:
            errors.append(f"{day:%A} {day.isoformat()} would hold {total} hours; hours cannot go below zero.")
    if errors:
        raise ValidationError({"hours": errors})


def _check_corrections(actor: Any, timesheet: Timesheet) -> None:
    """On a correction: never take back more than was approved on a project, task and day."""
    approved = selectors.approved_by_line_key(actor, timesheet.week)
    rows = TimesheetEntry.objects.filter(line__timesheet=timesheet, hours__lt=0).select_related(
        "line__project", "line__task"
    )
    for entry in rows:
        key = (entry.line.project_id, entry.line.task_id, entry.date)
        if approved.get(key, ZERO) + entry.hours < 0:
            raise ValidationError(
                {
                    "hours": f"{entry.line} on {entry.date.isoformat()}: a correction takes back at most "
                    f"the {approved.get(key, ZERO)} hours approved."
                }
            )


@transaction.atomic
def entry_set(*, actor: Any, timesheet: Timesheet, version: int, entries: Sequence[EntryInput]) -> Timesheet:
    """Set the hours of lines on days of the actor's editable timesheet, all or nothing.

    An entry of None or 0 hours is removed. Hours are 0 < h ≤ 24 (negative allowed on a correction),
    with at most two decimals; a day holds at most 24 hours over all the week's timesheets.
    """
    return _entry_set(actor, actor, timesheet, version, entries)


def _entry_set(
    actor: Any, owner: Any, timesheet: Timesheet, version: int, entries: Sequence[EntryInput]
) -> Timesheet:
    """entry_set on `owner`'s timesheet, written by `actor` (the owner, or someone entering hours for
    them, who is then kept as the entries' `entered_by`): the owner's rules apply either way."""
    locked = _own_editable(actor, timesheet, version, owner)
    entered_by = None if actor.pk == owner.pk else actor
    days = set(locked.days)
    errors: dict[str, list[str]] = {}
    existing = {
        (e.line_id, e.date): e
        for e in TimesheetEntry.objects.filter(line__timesheet=locked).select_related("line")
    }
    changes: dict[int, dict[str, list[Any]]] = {}
    lines: dict[int, TimesheetLine] = {}
    by_key = {(ln.project_id, ln.task_id): ln for ln in TimesheetLine.objects.filter(timesheet=locked)}
    resolved: list[EntryInput] = []
    for item in entries:
        if item.line is None:
            if item.project is None:
                raise ValidationError({"line": "Name the line, or the project (and task) to book on."})
            key = (item.project.pk, item.task.pk if item.task else None)
            if key not in by_key:
                by_key[key] = _line_create(actor, locked, item.project, item.task, "", owner)
            item = EntryInput(by_key[key], item.date, item.hours, item.note)
        resolved.append(item)
    for item in resolved:
        if item.line is None:  # resolved above; keeps type checkers informed
            continue
        label = f"{item.line} on {item.date.isoformat()}"
        if item.line.timesheet_id != locked.pk:
            errors.setdefault("line", []).append(f"{item.line}: the line belongs to another timesheet.")
            continue
        if item.date not in days:
            errors.setdefault("date", []).append(
                f"{item.date.isoformat()} is not in the week of {locked.week.isoformat()}."
            )
            continue
        hours = item.hours
        if hours is not None and hours != 0:
            if hours < 0 and not locked.is_correction:
                errors.setdefault("hours", []).append(f"{label}: hours cannot be negative.")
                continue
            if abs(hours) > MAX_DAY_HOURS:
                errors.setdefault("hours", []).append(f"{label}: {hours} hours is more than a day's 24.")
                continue
            if hours != hours.quantize(Decimal("0.01")):
                errors.setdefault("hours", []).append(f"{label}: give hours with at most two decimals.")
                continue
        current = existing.get((item.line.pk, item.date))
        old = current.hours if current else None
        if hours is None or hours == 0:
            if current is not None:
                current.delete()
                changes.setdefault(item.line.pk, {})[item.date.isoformat()] = [str(old), None]
        elif current is None:
            entry = TimesheetEntry(
                line=item.line, date=item.date, hours=hours, note=item.note or "", entered_by=entered_by
            )
            entry.full_clean()
            entry.save()
            changes.setdefault(item.line.pk, {})[item.date.isoformat()] = [None, str(hours)]
        else:
            fields = []
            if current.hours != hours:
                current.hours = hours
                fields.append("hours")
            if item.note is not None and current.note != item.note:
                current.note = item.note
                fields.append("note")
            if fields:
                if current.entered_by_id != getattr(entered_by, "pk", None):
                    current.entered_by = entered_by
                    fields.append("entered_by")
                current.full_clean()
                current.save(update_fields=[*fields, "updated_at"])
                changes.setdefault(item.line.pk, {})[item.date.isoformat()] = [str(old), str(hours)]
        lines[item.line.pk] = item.line
    if errors:
        raise ValidationError(errors)
    _check_day_totals(owner, locked)
    if locked.is_correction:
        _check_corrections(owner, locked)
    for line_id, changed in changes.items():
        _audit_line(actor, lines[line_id], AuditEntry.Action.UPDATE, changed)
    _bump(actor, locked, version)
    return locked


@transaction.atomic
def line_copy_from_last_week(
    *, actor: Any, timesheet: Timesheet, version: int, line: TimesheetLine | None = None
) -> list[TimesheetLine]:
    """Copy last week's lines (all, or `line`) with their hours per weekday into the actor's week.

    A line already on the week only gets the hours of days still empty. Lines on projects the actor
    may no longer book on are skipped. Returns the lines of this week that received something.
    """
    locked = _own_editable(actor, timesheet, version)
    source = selectors.last_week_lines(actor, locked.week)
    if line is not None:
        if not source.filter(pk=line.pk).exists():
            raise ValidationError({"line": "Choose a line of your timesheet of last week."})
        source = source.filter(pk=line.pk)
    source_lines = list(source)
    if not source_lines:
        raise ValidationError({"line": "Your timesheet of last week has no lines to copy."})
    bookable = set(selectors.bookable_projects(actor).values_list("pk", flat=True))
    current = {(ln.project_id, ln.task_id): ln for ln in TimesheetLine.objects.filter(timesheet=locked)}
    taken = {(e.line_id, e.date) for e in TimesheetEntry.objects.filter(line__timesheet=locked)}
    position = max([ln.position for ln in current.values()], default=0)
    touched: list[TimesheetLine] = []
    for old in source_lines:
        if old.project_id not in bookable:
            continue
        key = (old.project_id, old.task_id)
        target = current.get(key)
        if target is None:
            position += 1
            target = TimesheetLine(
                timesheet=locked, project=old.project, task=old.task, note=old.note, position=position
            )
            audited_create(actor=actor, instance=target)
            current[key] = target
        copied = {}
        for entry in old.entries.all():
            day = locked.week + dt.timedelta(days=entry.date.weekday())
            if (target.pk, day) in taken or entry.hours <= 0:
                continue
            TimesheetEntry.objects.create(line=target, date=day, hours=entry.hours, note=entry.note)
            taken.add((target.pk, day))
            copied[day.isoformat()] = [None, str(entry.hours)]
        if copied:
            _audit_line(actor, target, AuditEntry.Action.UPDATE, copied)
        if target not in touched:
            touched.append(target)
    if not touched:
        raise ValidationError({"line": "None of last week's lines is on a project you can still book on."})
    _check_day_totals(actor, locked)
    _bump(actor, locked, version)
    timesheet.version = locked.version
    return touched


@transaction.atomic
def timesheet_submit(*, actor: Any, timesheet: Timesheet, version: int) -> Timesheet:
    """Submit the actor's draft or rejected timesheet for approval; it must hold some hours."""
    locked = _own_editable(actor, timesheet, version)
    if not TimesheetEntry.objects.filter(line__timesheet=locked).exists():
        raise ValidationError({"hours": "Enter some hours before you submit the week."})
    _check_day_totals(actor, locked)
    audited_update(
        actor=actor,
        instance=locked,
        version=version,
        changes={
            "status": Timesheet.Status.SUBMITTED,
            "submitted_at": timezone.now(),
            "decided_by": None,
            "decided_at": None,
        },
    )
    return locked


# --- approval -------------------------------------------------------------------------------------------------


def _decidable(actor: Any, timesheet: Timesheet, *, approving: bool = False) -> Timesheet:
    """Lock the timesheet and refuse anyone but an approver, the owner (unless PMO admin), or a wrong
    status; an approval also refuses whoever entered some of the week's hours for its owner."""
    if not selectors.can_approve(actor, timesheet):
        raise PermissionDenied(
            "timesheet: you approve timesheets of projects you manage or of people in pools you manage; "
            "this week books on projects outside them."
        )
    if timesheet.user_id == actor.pk and not (
        scoping.is_global(actor) or scoping.scope_paths(actor, {Role.PMO_ADMIN})
    ):
        raise PermissionDenied("timesheet: you cannot approve or reject your own timesheet.")
    locked = Timesheet.objects.select_for_update().get(pk=timesheet.pk)
    if approving and TimesheetEntry.objects.filter(line__timesheet=locked, entered_by=actor).exists():
        raise ValidationError(
            {
                "timesheet": "You entered hours on this week for its owner, so another approver approves it "
                "(you can still reject it)."
            }
        )
    if locked.status != Timesheet.Status.SUBMITTED:
        raise ValidationError(
            {
                "status": f"Only a submitted timesheet is approved or rejected; this one is {locked.get_status_display().lower()}."
            }
        )
    return locked


def assignment_add_actual_work(*, task_id: int, resource_id: int, minutes: int) -> bool:
    """Add approved minutes to the actual work of the resource's assignment to the task, if one exists.

    A small write owned by timesheets on purpose: the resources services own assignments, but actual
    work is fed only by approved timesheets (a correction's negative minutes take work back, never
    below zero). One conditional UPDATE, so concurrent approvals add up; no version bump, so the
    assignment's editors are not made stale by a timesheet approval. Returns whether one was found.
    """
    updated = Assignment.objects.filter(task_id=task_id, resource_id=resource_id).update(
        actual_work_minutes=Greatest(F("actual_work_minutes") + minutes, 0)
    )
    return bool(updated)


@transaction.atomic
def timesheet_approve(*, actor: Any, timesheet: Timesheet, version: int, comment: str = "") -> Timesheet:
    """Approve a submitted timesheet: it locks, and its hours on tasks become the owner's actual work."""
    locked = _decidable(actor, timesheet, approving=True)
    audited_update(
        actor=actor,
        instance=locked,
        version=version,
        changes={
            "status": Timesheet.Status.APPROVED,
            "decided_by": actor,
            "decided_at": timezone.now(),
            "comment": comment.strip(),
        },
    )
    resource = selectors.person_resource(locked.user)
    if resource is not None:
        touched = [
            task_id
            for task_id, minutes in selectors.approved_minutes_by_task(locked).items()
            if assignment_add_actual_work(task_id=task_id, resource_id=resource.pk, minutes=minutes)
        ]
        _progress_from_actuals(actor, touched)
    return locked


def _progress_from_actuals(actor: Any, task_ids: Sequence[int]) -> None:
    """Bring the progress of the tasks whose actual work changed in line with it (per project)."""
    if not task_ids:
        return
    totals: dict[int, dict[int, int]] = {}
    for project_id, task_id, minutes in (
        Assignment.objects.filter(task_id__in=task_ids)
        .values("task__project_id", "task_id")
        .annotate(minutes=Sum("actual_work_minutes"))
        .values_list("task__project_id", "task_id", "minutes")
        .order_by()
    ):
        totals.setdefault(project_id, {})[task_id] = int(minutes or 0)
    for project in Project.objects.filter(pk__in=list(totals)).select_related("org_unit"):
        schedule_services.task_progress_from_actuals(
            actor=actor, project=project, actual_minutes=totals[project.pk]
        )


@transaction.atomic
def timesheet_reject(*, actor: Any, timesheet: Timesheet, version: int, comment: str = "") -> Timesheet:
    """Send a submitted timesheet back to its owner with a comment saying why."""
    locked = _decidable(actor, timesheet)
    if not (comment or "").strip():
        raise ValidationError({"comment": "Say why the week is rejected, so its owner can fix it."})
    audited_update(
        actor=actor,
        instance=locked,
        version=version,
        changes={
            "status": Timesheet.Status.REJECTED,
            "decided_by": actor,
            "decided_at": timezone.now(),
            "comment": comment.strip(),
        },
    )
    return locked


@transaction.atomic
def timesheet_correct(*, actor: Any, timesheet: Timesheet) -> Timesheet:
    """Open a correction of the actor's approved week: a new draft revision for adjustment lines.

    The approved timesheet stays as it is. The correction's entries (negative to take hours back)
    count once it is approved too. If a correction of the week is already open it is returned.
    """
    if timesheet.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("timesheet: only its owner corrects a timesheet.")
    latest = (
        Timesheet.objects.select_for_update()
        .filter(user_id=timesheet.user_id, week=timesheet.week)
        .order_by("-revision")
        .first()
    )
    if latest is None:
        raise ValidationError({"timesheet": "There is no timesheet of this week to correct."})
    if latest.status != Timesheet.Status.APPROVED:
        if latest.revision > 0 and latest.is_editable:
            return latest
        if latest.revision > 0:
            raise ValidationError({"timesheet": "A correction of this week is already waiting for approval."})
        raise ValidationError(
            {
                "timesheet": "Only an approved week is corrected; change its hours directly while it is a draft or rejected."
            }
        )
    correction = Timesheet(user=latest.user, week=latest.week, revision=latest.revision + 1)
    audited_create(actor=actor, instance=correction)
    return correction


# --- import -------------------------------------------------------------------------------------------------

IMPORT_COLUMNS = ("date", "project", "task", "hours", "note")
IMPORT_REQUIRED = ("date", "project", "hours")


def _import_task(tasks: Sequence[Task], text: str) -> tuple[Task | None, str]:
    """The task a cell names among a project's tasks: its UID, else its WBS code, else its name."""
    if text.isdigit():
        found = [t for t in tasks if t.uid == int(text)]
        if found:
            return found[0], ""
    for key in (lambda t: t.wbs.strip().lower(), lambda t: t.name.strip().lower()):
        found = [t for t in tasks if key(t) == text.lower()]
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            return None, f"'{text}' names {len(found)} tasks of the project: give its UID."
    return None, f"The project has no task with UID, WBS code or name '{text}'."


@dataclass
class _ImportCell:
    project: Project
    task: Task | None
    date: dt.date
    hours: Decimal
    notes: list[str]


@transaction.atomic
def timesheet_lines_import(*, actor: Any, name: str, content: bytes, person: Any = None) -> ImportReport:
    """Import the hours of `person` (the actor by default) from a CSV or .xlsx file into the draft
    timesheets of the person's weeks.

    The actor imports for someone else only if they approve that person's weeks (see
    selectors.people_entered_for), else PermissionDenied; the rows are checked against what the
    *person* may book on and has booked, exactly as the person's own import, the weeks stay drafts for
    the person to submit, and the hours keep the actor as `entered_by`.

    Columns: date (YYYY-MM-DD), project (code), task (UID, WBS code or name; empty books on the
    project), hours, note. Each row's hours are added to those already on its project, task and day.
    Refused, naming the line and column: a bad date or number, hours not above 0 or over 24, a project
    or task unknown or outside what the actor may book on, a summary task, a week submitted or approved
    (locked), a day that would hold over 24 hours counting the hours already booked. Any refusal raises
    ImportRefused listing every one, and nothing is imported.
    """
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to import your hours.")
    person = person or actor
    if person.pk != actor.pk and not selectors.can_enter_for(actor, person):
        raise PermissionDenied(
            "person: you import hours only for yourself and the people whose weeks you approve."
        )
    rows = read_rows(name, content, required=IMPORT_REQUIRED)
    if not rows:
        raise ValidationError({"file": "The file has no rows below its header."})
    codes = {row.get("project", "").strip() for _, row in rows}
    codes |= {code.upper() for code in codes}
    projects = {p.code.upper(): p for p in selectors.bookable_projects(person).filter(code__in=codes)}
    tasks: dict[int, list[Task]] = {}
    for task in Task.objects.filter(project__in=list(projects.values())).only(
        "pk", "project_id", "uid", "wbs", "name", "is_summary"
    ):
        tasks.setdefault(task.project_id, []).append(task)
    who = "you" if person.pk == actor.pk else (person.get_full_name() or person.username)
    report = ImportReport()
    sheets: dict[dt.date, Timesheet | None] = {}
    booked: dict[dt.date, dict[dt.date, Decimal]] = {}
    cells: dict[tuple[int, int | None, dt.date], _ImportCell] = {}
    for line, row in rows:
        errors: list[RowError] = []
        day = None
        text = row.get("date", "").strip()
        try:
            day = dt.date.fromisoformat(text[:10]) if text else None
            if day is None:
                errors.append(RowError(line, "date", "The date is missing."))
        except ValueError:
            errors.append(RowError(line, "date", f"'{text}' is not a date (use YYYY-MM-DD)."))
        code = row.get("project", "").strip()
        project = projects.get(code.upper())
        if project is None:
            reason = (
                f"There is no open project '{code}' {who} can book on." if code else "The project is missing."
            )
            errors.append(RowError(line, "project", reason))
        task = None
        text = row.get("task", "").strip()
        if project is not None and text:
            task, reason = _import_task(tasks.get(project.pk, []), text)
            if task is None:
                errors.append(RowError(line, "task", reason))
            elif task.is_summary:
                errors.append(
                    RowError(line, "task", f"'{task.name}' is a summary task: book on one of its tasks.")
                )
                task = None
        hours = None
        text = row.get("hours", "").strip()
        try:
            hours = _hours(text, "hours")
            if hours is None:
                errors.append(RowError(line, "hours", "The hours are missing."))
            elif hours < 0:
                errors.append(RowError(line, "hours", "Hours cannot be negative."))
            elif hours == 0:
                errors.append(RowError(line, "hours", "Give hours above 0."))
            elif hours > MAX_DAY_HOURS:
                errors.append(RowError(line, "hours", f"{hours} hours is more than a day's 24."))
        except ValidationError as exc:
            errors.append(RowError(line, "hours", exc.message_dict["hours"][0]))
        if len(row.get("note", "")) > 500:
            errors.append(RowError(line, "note", "At most 500 characters."))
        if day is not None:
            week = monday(day)
            if week not in sheets:
                sheets[week] = Timesheet.objects.filter(user=person, week=week).order_by("-revision").first()
                booked[week] = selectors.week_hours(person, week)
            sheet = sheets[week]
            if sheet is not None and not sheet.is_editable:
                errors.append(RowError(line, "date", f"{day.isoformat()}: {_locked_message(sheet)}"))
            elif hours is not None and 0 < hours <= MAX_DAY_HOURS:
                total = booked[week].get(day, ZERO) + hours
                if total > MAX_DAY_HOURS:
                    errors.append(
                        RowError(
                            line,
                            "hours",
                            f"{day.isoformat()} would hold {total} hours counting the hours already booked "
                            "and the rows above; a day holds at most 24.",
                        )
                    )
                else:
                    booked[week][day] = total
        if errors:
            report.errors.extend(errors)
            continue
        key = (project.pk, task.pk if task else None, day)
        cell = cells.setdefault(key, _ImportCell(project, task, day, ZERO, []))
        cell.hours += hours
        if row.get("note", "").strip():
            cell.notes.append(row["note"].strip())
    if report.errors:
        raise ImportRefused(report)
    by_week: dict[dt.date, list[_ImportCell]] = {}
    for cell in cells.values():
        by_week.setdefault(monday(cell.date), []).append(cell)
    for week, week_cells in sorted(by_week.items()):
        sheet = sheets.get(week) or _week_get_or_create(actor, person, week)
        current = {
            (e.line.project_id, e.line.task_id, e.date): e
            for e in TimesheetEntry.objects.filter(line__timesheet=sheet).select_related("line")
        }
        entries = []
        for cell in week_cells:
            existing = current.get((cell.project.pk, cell.task.pk if cell.task else None, cell.date))
            notes = ([existing.note] if existing and existing.note else []) + cell.notes
            entries.append(
                EntryInput(
                    None,
                    cell.date,
                    cell.hours + (existing.hours if existing else ZERO),
                    "; ".join(notes)[:500] if cell.notes else None,
                    project=cell.project,
                    task=cell.task,
                )
            )
        _entry_set(actor, person, sheet, sheet.version, entries)
    report.created = len(rows)
    return report


# --- reminders -----------------------------------------------------------------------------------------------


def timesheet_reminders_send(*, today: dt.date | None = None) -> list[Any]:
    """Remind each person whose timesheet of last week is missing or not submitted (in the app, and by
    e-mail as they chose for reminders); returns the notifications written.

    Each person is reminded once per week (the notification carries the week as its key), so running this
    daily, or twice, reminds nobody twice; a week submitted in the meantime is not reminded at all.
    """
    week = monday(today or timezone.localdate()) - dt.timedelta(days=7)
    url = reverse("timesheets:my_week") + f"?week={week.isoformat()}"
    sent: list[Any] = []
    for missing in selectors.timesheets_missing(week):
        body = (
            f"Your timesheet of the week of {week:%A %d %B %Y} is {missing.state}. "
            "Book your hours of that week and submit it for approval."
        )
        if missing.timesheet is not None and missing.timesheet.comment:
            body += f"\nThe approver's comment: {missing.timesheet.comment}"
        with transaction.atomic():
            sent += notify(
                recipients=[missing.user],
                kind=Kind.REMINDER,
                title=f"Your timesheet of the week of {week.isoformat()} is {missing.state}",
                body=body,
                url=url,
                key=f"timesheet:{week.isoformat()}",
            )
    return sent
