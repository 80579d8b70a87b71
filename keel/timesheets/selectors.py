"""Reads of timesheets, scoped explicitly.

A timesheet is a personal record, not a unit's: no single ``scope_path`` fits it, so the filters are
written here in the terms of ``keel.orgs.scoping`` (unit paths under which the user holds roles):

- its owner sees and edits it (while it is a draft or rejected);
- *viewers* see it: people with a role other than team member over the unit of a project it books on
  (they see only the lines on those projects), and PMO administrators, resource managers, portfolio
  managers and executives over the unit of the owner's resource pool (they see every line);
- *approvers* approve or reject it: people with change rights on the units of **every** project it
  books on (project managers, portfolio managers, PMO administrators), or resource managers and PMO
  administrators over the owner's resource pool. A sheet booking on projects of two divisions is
  approved by someone covering both, or by the owner's resource manager.

Superusers see and approve everything. Out-of-scope timesheets are NotFound, like missing ones.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from keel.core.errors import NotFound
from keel.orgs import scoping
from keel.orgs.models import Role, User
from keel.orgs.scoping import Action
from keel.portfolio.models import Project
from keel.resources.models import Allocation, Assignment, Resource
from keel.schedule.models import Task
from keel.timesheets.models import Timesheet, TimesheetEntry, TimesheetLine, monday, week_days

PROJECT_VIEW_ROLES = frozenset(
    {Role.PMO_ADMIN, Role.PORTFOLIO_MANAGER, Role.PROJECT_MANAGER, Role.RESOURCE_MANAGER, Role.EXECUTIVE}
)
"""Roles over a project's unit that show the timesheet lines booked on the project."""
PROJECT_APPROVE_ROLES = scoping.roles_for(Project, Action.CHANGE)
"""Roles over a project's unit that approve the hours booked on it (change rights on the project)."""
POOL_VIEW_ROLES = frozenset({Role.PMO_ADMIN, Role.RESOURCE_MANAGER, Role.PORTFOLIO_MANAGER, Role.EXECUTIVE})
"""Roles over the unit of a person's resource pool that show all of the person's timesheets."""
POOL_APPROVE_ROLES = frozenset({Role.PMO_ADMIN, Role.RESOURCE_MANAGER})
"""Roles over the unit of a person's resource pool that approve the person's timesheets."""
CLOSED_PROJECTS = (Project.Status.CLOSED, Project.Status.CANCELLED)

LINE_PROJECT_PATH = "project__org_unit__path"
POOL_PATH = "user__resource__pool__org_unit__path"


# --- scoping -------------------------------------------------------------------------------------------


def _viewer_q(user: Any) -> Q:
    """Timesheets `user` sees besides their own (through a line's project or the owner's pool)."""
    project_paths = scoping.scope_paths(user, PROJECT_VIEW_ROLES)
    pool_paths = scoping.scope_paths(user, POOL_VIEW_ROLES)
    lines = TimesheetLine.objects.filter(scoping.path_q(LINE_PROJECT_PATH, project_paths))
    return Q(pk__in=lines.values("timesheet_id")) | scoping.path_q(POOL_PATH, pool_paths)


def _approver_q(user: Any) -> Q:
    """Timesheets `user` may approve: all lines on projects they change, or the owner in their pool."""
    project_paths = scoping.scope_paths(user, PROJECT_APPROVE_ROLES)
    pool_paths = scoping.scope_paths(user, POOL_APPROVE_ROLES)
    outside = TimesheetLine.objects.filter(timesheet=OuterRef("pk")).exclude(
        scoping.path_q(LINE_PROJECT_PATH, project_paths)
    )
    any_line = TimesheetLine.objects.filter(timesheet=OuterRef("pk"))
    by_projects = Q(Exists(any_line)) & ~Q(Exists(outside)) if project_paths else Q(pk__in=[])
    return by_projects | scoping.path_q(POOL_PATH, pool_paths)


def timesheet_list_visible(user: Any) -> QuerySet[Timesheet]:
    """Every timesheet `user` may see: their own and those they view or approve."""
    sheets = Timesheet.objects.select_related("user", "decided_by")
    if scoping.is_global(user):
        return sheets
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return sheets.none()
    return sheets.filter(Q(user=user) | _viewer_q(user) | _approver_q(user)).distinct()


def timesheet_get_for_user(user: Any, pk: Any) -> Timesheet:
    """One timesheet the user may see; NotFound when missing or out of scope."""
    try:
        return timesheet_list_visible(user).get(pk=pk)
    except (Timesheet.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("timesheet") from exc


def timesheet_get_own(user: Any, pk: Any) -> Timesheet:
    """One of the user's own timesheets (for the owner's writes); NotFound for anyone else's."""
    try:
        return Timesheet.objects.select_related("user").get(pk=pk, user_id=getattr(user, "pk", None))
    except (Timesheet.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("timesheet") from exc


def line_get_own(timesheet: Timesheet, pk: Any) -> TimesheetLine:
    """A line of the (already fetched, own) timesheet; NotFound for any other line."""
    try:
        return TimesheetLine.objects.select_related("project", "task").get(pk=pk, timesheet=timesheet)
    except (TimesheetLine.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("line") from exc


def can_approve(user: Any, timesheet: Timesheet) -> bool:
    """Whether `user` covers the timesheet as an approver (the owner rule is the service's)."""
    if scoping.is_global(user):
        return True
    return Timesheet.objects.filter(pk=timesheet.pk).filter(_approver_q(user)).exists()


def is_approver_anywhere(user: Any) -> bool:
    """Whether the user holds a role that approves timesheets somewhere."""
    return scoping.is_global(user) or bool(
        scoping.scope_paths(user, PROJECT_APPROVE_ROLES | POOL_APPROVE_ROLES)
    )


def people_entered_for(user: Any) -> QuerySet[User]:
    """The people whose hours `user` may enter (import): themselves, and as approvers of a person.

    The approval rule of a person's weeks: resource managers and PMO administrators over the unit of
    the person's resource pool (superusers: everyone with a person resource). Active users only,
    ordered by name.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return User.objects.none()
    people = User.objects.filter(is_active=True)
    if scoping.is_global(user):
        others = Q(resource__kind=Resource.Kind.PERSON)
    else:
        others = scoping.path_q(
            "resource__pool__org_unit__path", scoping.scope_paths(user, POOL_APPROVE_ROLES)
        )
    return people.filter(Q(pk=user.pk) | others).distinct().order_by("first_name", "last_name", "username")


def can_enter_for(user: Any, person: Any) -> bool:
    """Whether `user` may enter hours into the weeks of `person` (see people_entered_for)."""
    pk = getattr(person, "pk", person)
    return people_entered_for(user).filter(pk=pk).exists()


def _sees_all_lines(user: Any, timesheet: Timesheet) -> bool:
    """The owner, superusers and viewers through the owner's pool see every line."""
    if scoping.is_global(user) or timesheet.user_id == user.pk:
        return True
    pool_paths = scoping.scope_paths(user, POOL_VIEW_ROLES)
    return Timesheet.objects.filter(pk=timesheet.pk).filter(scoping.path_q(POOL_PATH, pool_paths)).exists()


# --- one week --------------------------------------------------------------------------------------------


@dataclass
class LineRow:
    """A line of the grid: its hours per day of the week (None where nothing is booked)."""

    line: TimesheetLine | None
    project: Project
    task: Task | None
    note: str
    hours: list[Decimal | None]
    suggested: bool = False  # an assignment of this week without a line yet
    days: list[dt.date] = field(default_factory=list)

    @property
    def cells(self) -> list[tuple[int, dt.date, Decimal | None]]:
        """(day index, day, hours) for the grid."""
        return list(zip(range(7), self.days, self.hours, strict=False))

    @property
    def dom_id(self) -> str:
        """A stable id of the row in the page, the same before and after its line is created."""
        return f"{self.project.pk}-{self.task.pk if self.task else 0}"

    @property
    def total(self) -> Decimal:
        return sum((h for h in self.hours if h is not None), Decimal("0"))

    @property
    def key(self) -> str:
        """How the grid's inputs name the row: the line id, or the project and task of a suggestion."""
        if self.line is not None:
            return f"l{self.line.pk}"
        return f"p{self.project.pk}-t{self.task.pk if self.task else 0}"


@dataclass
class SheetView:
    """One timesheet with its lines as grid rows and totals per day."""

    timesheet: Timesheet
    rows: list[LineRow]
    hidden_lines: int = 0  # lines on projects outside the viewer's scope
    entered_by: list[str] = field(default_factory=list)  # who entered some hours for the owner

    @property
    def days(self) -> list[dt.date]:
        return self.timesheet.days

    @property
    def day_totals(self) -> list[Decimal]:
        return [sum((r.hours[i] or Decimal("0") for r in self.rows), Decimal("0")) for i in range(7)]

    @property
    def total(self) -> Decimal:
        return sum(self.day_totals, Decimal("0"))


def _rows(timesheet: Timesheet, lines: Iterable[TimesheetLine]) -> list[LineRow]:
    """Grid rows of `lines` (their entries read in one query)."""
    lines = list(lines)
    start = timesheet.week
    hours: dict[int, list[Decimal | None]] = {line.pk: [None] * 7 for line in lines}
    for line_id, day, value in TimesheetEntry.objects.filter(line__in=lines).values_list(
        "line_id", "date", "hours"
    ):
        hours[line_id][(day - start).days] = value
    days = week_days(start)
    return [LineRow(line, line.project, line.task, line.note, hours[line.pk], days=days) for line in lines]


def _lines(timesheet: Timesheet) -> QuerySet[TimesheetLine]:
    return TimesheetLine.objects.filter(timesheet=timesheet).select_related("project", "task")


def _entered_by(timesheet: Timesheet) -> list[str]:
    """The names of the people who entered some of the timesheet's hours for its owner (by import)."""
    users = User.objects.filter(
        pk__in=TimesheetEntry.objects.filter(line__timesheet=timesheet, entered_by__isnull=False).values(
            "entered_by_id"
        )
    ).order_by("first_name", "last_name", "username")
    return [u.get_full_name() or u.username for u in users]


def sheet_view(timesheet: Timesheet) -> SheetView:
    """The whole timesheet (for its owner)."""
    return SheetView(timesheet, _rows(timesheet, _lines(timesheet)), entered_by=_entered_by(timesheet))


def sheet_view_for_user(user: Any, pk: Any) -> SheetView:
    """A timesheet as `user` may see it: lines outside their scope are left out and counted."""
    timesheet = timesheet_get_for_user(user, pk)
    lines = _lines(timesheet)
    if _sees_all_lines(user, timesheet):
        return SheetView(timesheet, _rows(timesheet, lines), entered_by=_entered_by(timesheet))
    visible = list(
        lines.filter(scoping.path_q(LINE_PROJECT_PATH, scoping.scope_paths(user, PROJECT_VIEW_ROLES)))
    )
    return SheetView(
        timesheet,
        _rows(timesheet, visible),
        hidden_lines=lines.count() - len(visible),
        entered_by=_entered_by(timesheet),
    )


def _week_bounds(week: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The week as an aware [Monday 00:00, next Monday 00:00) in Keel's time zone."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(week, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=7)


def assignments_in_week(user: Any, week: dt.date) -> QuerySet[Assignment]:
    """The user's task assignments (through their person resource) whose task runs during the week."""
    start, end = _week_bounds(monday(week))
    return (
        Assignment.objects.filter(
            resource__user_id=getattr(user, "pk", None),
            task__is_summary=False,
            task__start__lt=end,
            task__finish__gte=start,
        )
        .exclude(task__project__status__in=CLOSED_PROJECTS)
        .select_related("task", "task__project")
        .order_by("task__project__code", "task__sort_index")
    )


@dataclass
class MyWeek:
    """What "My week" shows: the week's timesheets (the week's own and its corrections) and suggestions."""

    week: dt.date
    sheets: list[SheetView] = field(default_factory=list)
    suggestions: list[LineRow] = field(default_factory=list)
    last_week_lines: list[TimesheetLine] = field(default_factory=list)

    @property
    def days(self) -> list[dt.date]:
        return week_days(self.week)

    @property
    def current(self) -> SheetView | None:
        """The timesheet being worked on: the latest revision."""
        return self.sheets[-1] if self.sheets else None

    @property
    def locked(self) -> list[SheetView]:
        """Earlier revisions (approved, locked)."""
        return self.sheets[:-1]

    @property
    def day_totals(self) -> list[Decimal]:
        """Hours per day of the timesheet being worked on (zeros before it exists)."""
        return self.current.day_totals if self.current else [Decimal("0")] * 7

    @property
    def total(self) -> Decimal:
        return self.current.total if self.current else Decimal("0")

    @property
    def approved_day_totals(self) -> list[Decimal]:
        """Hours per day over the approved timesheets of the week."""
        totals = [Decimal("0")] * 7
        for view in self.sheets:
            if view.timesheet.status == Timesheet.Status.APPROVED:
                totals = [a + b for a, b in zip(totals, view.day_totals, strict=True)]
        return totals


def my_week(user: Any, week: dt.date) -> MyWeek:
    """The user's week: its timesheets, the tasks they are assigned to that week, last week's lines."""
    week = monday(week)
    sheets = list(Timesheet.objects.filter(user_id=user.pk, week=week).order_by("revision"))
    result = MyWeek(week=week, sheets=[sheet_view(s) for s in sheets])
    booked = {(r.project.pk, r.task.pk if r.task else None) for view in result.sheets for r in view.rows}
    current = result.current
    if current is None or current.timesheet.revision == 0:
        for assignment in assignments_in_week(user, week):
            key = (assignment.task.project_id, assignment.task_id)
            if key not in booked:
                booked.add(key)
                result.suggestions.append(
                    LineRow(
                        None,
                        assignment.task.project,
                        assignment.task,
                        "",
                        [None] * 7,
                        suggested=True,
                        days=week_days(week),
                    )
                )
    result.last_week_lines = list(last_week_lines(user, week))
    return result


def last_week_lines(user: Any, week: dt.date) -> QuerySet[TimesheetLine]:
    """The lines of the user's timesheets of the week before `week` (every revision)."""
    previous = monday(week) - dt.timedelta(days=7)
    return (
        TimesheetLine.objects.filter(timesheet__user_id=user.pk, timesheet__week=previous)
        .select_related("project", "task", "timesheet")
        .order_by("timesheet__revision", "position", "id")
    )


def timesheet_list_own(user: Any) -> QuerySet[Timesheet]:
    """The user's own timesheets, latest week first."""
    return Timesheet.objects.filter(user_id=getattr(user, "pk", None)).order_by("-week", "revision")


def week_hours(user: Any, week: dt.date, *, exclude: Timesheet | None = None) -> dict[dt.date, Decimal]:
    """Hours per day booked by `user` in the week over all their timesheets (but `exclude`)."""
    entries = TimesheetEntry.objects.filter(
        line__timesheet__user_id=user.pk, line__timesheet__week=monday(week)
    )
    if exclude is not None:
        entries = entries.exclude(line__timesheet=exclude)
    return dict(entries.values("date").annotate(total=Sum("hours")).values_list("date", "total"))


def approved_by_line_key(user: Any, week: dt.date) -> dict[tuple[int, int | None, dt.date], Decimal]:
    """Approved hours of `user` in the week per (project, task, day): what a correction can take back."""
    rows = (
        TimesheetEntry.objects.filter(
            line__timesheet__user_id=user.pk,
            line__timesheet__week=monday(week),
            line__timesheet__status=Timesheet.Status.APPROVED,
        )
        .values("line__project_id", "line__task_id", "date")
        .annotate(total=Sum("hours"))
    )
    return {(r["line__project_id"], r["line__task_id"], r["date"]): r["total"] for r in rows}


# --- what a person may book on --------------------------------------------------------------------------


def bookable_projects(user: Any) -> QuerySet[Project]:
    """Projects `user` may book hours on: open projects they see, or where they are assigned or allocated."""
    pk = getattr(user, "pk", None)
    seen = scoping.visible(user, Project.objects.all(), Action.VIEW).values("pk")
    assigned = Assignment.objects.filter(resource__user_id=pk).values("task__project_id")
    allocated = Allocation.objects.filter(resource__user_id=pk, status=Allocation.Status.APPROVED).values(
        "project_id"
    )
    return (
        Project.objects.filter(Q(pk__in=seen) | Q(pk__in=assigned) | Q(pk__in=allocated))
        .exclude(status__in=CLOSED_PROJECTS)
        .order_by("code")
    )


def bookable_project_get(user: Any, pk: Any) -> Project:
    """A project the user may book on; NotFound otherwise."""
    try:
        return bookable_projects(user).get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("project") from exc


def bookable_tasks(project: Project) -> QuerySet[Task]:
    """The tasks of `project` hours can be booked on (not summaries), in WBS order."""
    return Task.objects.filter(project=project, is_summary=False).order_by("sort_index")


def person_resource(user: Any) -> Resource | None:
    """The user's person resource, if one links to them."""
    return Resource.objects.filter(user_id=getattr(user, "pk", None), kind=Resource.Kind.PERSON).first()


# --- approvals -----------------------------------------------------------------------------------------------


def approvals_waiting_for(user: Any) -> QuerySet[Timesheet]:
    """Submitted timesheets of other people that `user` may approve, oldest week first."""
    sheets = Timesheet.objects.filter(status=Timesheet.Status.SUBMITTED).exclude(user_id=user.pk)
    if not scoping.is_global(user):
        if not is_approver_anywhere(user):
            return sheets.none()
        sheets = sheets.filter(_approver_q(user))
    return (
        sheets.select_related("user")
        .annotate(total_hours=Sum("lines__entries__hours"))
        .order_by("week", "user__username", "revision")
    )


# --- approved hours, for finance ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovedHours:
    """Approved hours of one person on one project (and task) on one day, corrections netted."""

    project_id: int
    task_id: int | None
    user_id: int
    resource_id: int | None
    date: dt.date
    hours: Decimal


def approved_hours(project_ids: Iterable[int], start: dt.date, end: dt.date) -> list[ApprovedHours]:
    """Approved hours per (project, task, person, day) for `project_ids` from `start` to `end` inclusive.

    Not scoped: pass the ids of projects the reader may see (finance scopes its projects first). One
    query; the hours of corrections are netted into the day they correct, rows netting to zero dropped.
    """
    rows = (
        TimesheetEntry.objects.filter(
            line__project_id__in=list(project_ids),
            date__gte=start,
            date__lte=end,
            line__timesheet__status=Timesheet.Status.APPROVED,
        )
        .values(
            "line__project_id",
            "line__task_id",
            "line__timesheet__user_id",
            "line__timesheet__user__resource",
            "date",
        )
        .annotate(total=Sum("hours"))
        .order_by("line__project_id", "line__task_id", "line__timesheet__user_id", "date")
    )
    result = []
    for r in rows:
        if r["total"]:
            result.append(
                ApprovedHours(
                    project_id=r["line__project_id"],
                    task_id=r["line__task_id"],
                    user_id=r["line__timesheet__user_id"],
                    resource_id=r["line__timesheet__user__resource"],
                    date=r["date"],
                    hours=r["total"],
                )
            )
    return result


def approved_minutes_by_task(timesheet: Timesheet) -> dict[int, int]:
    """The timesheet's hours per task, in whole minutes (what its approval adds to actual work)."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for task_id, hours in TimesheetEntry.objects.filter(
        line__timesheet=timesheet, line__task__isnull=False
    ).values_list("line__task_id", "hours"):
        totals[task_id] += hours
    return {task_id: int((hours * 60).to_integral_value()) for task_id, hours in totals.items()}


# --- reminders -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingTimesheet:
    """A person who should have submitted a week and has not: no timesheet, or one still open."""

    user: Any
    week: dt.date
    timesheet: Timesheet | None

    @property
    def state(self) -> str:
        """Why the person is reminded, in words."""
        if self.timesheet is None:
            return "missing"
        if self.timesheet.status == Timesheet.Status.REJECTED:
            return "rejected and not submitted again"
        return "not submitted"


def timesheets_missing(week: dt.date) -> list[MissingTimesheet]:
    """Who has not submitted the week of `week` (a Monday): every active person resource linked to an
    active user whose timesheet of that week is missing, a draft or rejected. Two queries."""
    people = (
        Resource.objects.filter(
            kind=Resource.Kind.PERSON, is_active=True, user__isnull=False, user__is_active=True
        )
        .select_related("user")
        .order_by("user__username")
    )
    users = [resource.user for resource in people]
    sheets = {
        sheet.user_id: sheet
        for sheet in Timesheet.objects.filter(week=week, revision=0, user_id__in=[u.pk for u in users])
    }
    missing = []
    for user in users:
        sheet = sheets.get(user.pk)
        if sheet is None or sheet.is_editable:
            missing.append(MissingTimesheet(user=user, week=week, timesheet=sheet))
    return missing
