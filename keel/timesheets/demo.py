"""Demo timesheets: a few past weeks of the demo team members, approved, and one week waiting.

Called by the demo loader (keel/core/demo.py) after the people, projects, schedules and resources
exist. Everything goes through the timesheet services, by the people themselves and their
approvers, so the audit trail and the assignments' actual work are as real use would leave them.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from keel.orgs.models import Role, User
from keel.portfolio.models import Project
from keel.timesheets import selectors, services
from keel.timesheets.models import Timesheet, monday

TEAM = ("lena", "marta", "tom")
"""The demo's team members who keep timesheets (usernames of keel.core.demo.PEOPLE)."""
WAITING = "lena"
"""Whose latest week is left submitted, for Omar's approvals."""
DAY_HOURS = (Decimal("8"), Decimal("7.5"), Decimal("8"), Decimal("8"), Decimal("6"))


def _targets(user: User, week: dt.date, rng: random.Random) -> list[tuple[Project, Any]]:
    """Up to three (project, task) pairs to book on: this week's assignments first, then open projects."""
    targets: list[tuple[Project, Any]] = [
        (a.task.project, a.task) for a in selectors.assignments_in_week(user, week)
    ]
    if len(targets) < 2:
        projects = list(selectors.bookable_projects(user).filter(status=Project.Status.ACTIVE)[:20])
        rng.shuffle(projects)
        for project in projects[: 2 - len(targets)]:
            task = selectors.bookable_tasks(project).first()
            targets.append((project, task))
    return targets[:3]


def _approver(sheet: Timesheet, projects: list[Project]) -> User | None:
    """The project manager if they may approve the week, else a PMO administrator who may."""
    candidates = [p.manager for p in projects if p.manager is not None]
    candidates += list(User.objects.filter(memberships__role=Role.PMO_ADMIN, is_active=True).order_by("pk"))
    for user in candidates:
        if user.pk != sheet.user_id and selectors.can_approve(user, sheet):
            return user
    return None


def load(*, rng: random.Random, today: dt.date, weeks: int = 4, usernames: tuple[str, ...] = TEAM) -> int:
    """Book `weeks` past weeks for each demo team member; all approved but `WAITING`'s latest (submitted).

    Returns the number of timesheets written. People without a project to book on are skipped.
    """
    this_week = monday(today)
    written = 0
    for user in User.objects.filter(username__in=usernames).order_by("username"):
        for back in range(weeks, 0, -1):
            week = this_week - dt.timedelta(days=7 * back)
            targets = _targets(user, week, rng)
            if not targets:
                break
            sheet = services.timesheet_get_or_create_week(actor=user, week=week)
            entries = []
            for index, hours in enumerate(DAY_HOURS):
                day = week + dt.timedelta(days=index)
                # Most of the day on the first target, the rest on the others; a meeting hour on Monday.
                split = [hours] if len(targets) == 1 else [hours - Decimal(rng.choice((1, 2))), Decimal(0)]
                if len(targets) > 1:
                    split[1] = hours - split[0]
                for (project, task), part in zip(targets, split, strict=False):
                    if part > 0:
                        entries.append(services.EntryInput(None, day, part, project=project, task=task))
            sheet = services.entry_set(actor=user, timesheet=sheet, version=sheet.version, entries=entries)
            sheet = services.timesheet_submit(actor=user, timesheet=sheet, version=sheet.version)
            written += 1
            if user.username == WAITING and back == 1:
                continue
            approver = _approver(sheet, [project for project, _ in targets])
            if approver is not None:
                services.timesheet_approve(actor=approver, timesheet=sheet, version=sheet.version)
    return written
