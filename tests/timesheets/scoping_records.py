"""Timesheet records for the generic scoping tests (see tests/scoping_hooks.py).

Each division gets a team member with a submitted timesheet booking on the division's project, so a
`timesheet_id` names a record of one division: the sibling division's project manager and people
without a role get 404, the executive viewer reads it but cannot decide it (403).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keel.orgs.models import Membership, Role, User
from keel.timesheets import services
from keel.timesheets.models import Timesheet

WEEK = dt.date(2026, 3, 2)


def submitted_sheet(*, unit, project, name: str) -> Timesheet:
    """A submitted week of a team member of `unit` with eight hours on `project` (made once)."""
    user, _ = User.objects.get_or_create(
        username=f"ts_{name}", defaults={"first_name": "Timesheet", "last_name": "Booker"}
    )
    Membership.objects.get_or_create(user=user, unit=unit, role=Role.TEAM_MEMBER)
    existing = Timesheet.objects.filter(user=user, week=WEEK).first()
    if existing is not None:
        return existing
    sheet = services.timesheet_get_or_create_week(actor=user, week=WEEK)
    sheet = services.entry_set(
        actor=user,
        timesheet=sheet,
        version=sheet.version,
        entries=[services.EntryInput(None, WEEK, Decimal("8"), project=project)],
    )
    return services.timesheet_submit(actor=user, timesheet=sheet, version=sheet.version)


def api_records(*, org, name, unit, pm, project):
    """A submitted timesheet of the division's team member, its line, and the member (whose hours they
    import, and the approvers of their pool: the member has no pool here, so nobody else does)."""
    sheet = submitted_sheet(unit=unit, project=project, name=name)
    return {"timesheet_id": sheet, "line_id": sheet.lines.get(), "person_id": sheet.user}, {}


SOUTH_PAGE_RECORDS = {
    "timesheet_id": lambda org, extra: (
        submitted_sheet(unit=org.south, project=org.project_south, name="south").pk
    ),
}
# "My week" is everyone's own page (an executive keeps a timesheet too, and its POST changes only theirs);
# an executive viewer reads the weeks booked in their units but decides none (403 on POST).
# Importing hours writes the signed-in person's own weeks, and those of the people whose weeks they approve
# through a resource pool (an executive approves none: theirs only).
EXECUTIVE_PAGES = {"timesheets:my_week", "timesheets:sheet_detail", "timesheets:import"}
PERSONAL_PAGES = {"timesheets:my_week", "timesheets:import"}
