"""Comments and notifications of the demo organisation: on each running scheduled project, a team member
asks the manager something with an @mention and the manager replies (both through the services, so the
manager and the team member find them under the bell); then last week's timesheet reminders run."""

from __future__ import annotations

import datetime as dt
import random

from keel.notifications import services
from keel.notifications.models import Comment
from keel.orgs import scoping
from keel.orgs.models import Membership, Role
from keel.portfolio.models import Project
from keel.timesheets import services as timesheet_services

QUESTIONS = (
    "@{manager} the test environment is still not available; can we move the integration tests a week?",
    "@{manager} the supplier asks whether the second delivery can go to the other site.",
    "@{manager} I have updated the estimates of the remaining work; please have a look before the review.",
)
ANSWERS = (
    "Thanks — yes, go ahead; I will tell the steering committee.",
    "Let's discuss it in Thursday's stand-up.",
    "Looks good to me.",
)


def load(*, rng: random.Random, today: dt.date, project_codes: list[str]) -> int:
    """Comment threads on the running projects named and the timesheet reminders; returns the comments."""
    members = list(
        Membership.objects.filter(role=Role.TEAM_MEMBER, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    count = 0
    projects = Project.objects.filter(code__in=project_codes, status="active").select_related(
        "manager", "org_unit"
    )
    for project in projects.order_by("code"):
        manager = project.manager
        team = [
            m.user for m in members if scoping.can(m.user, scoping.Action.CHANGE, Comment, project.org_unit)
        ]
        if manager is None or not team:
            continue
        author = rng.choice(team)
        question = services.comment_create(
            actor=author,
            project=project,
            text=rng.choice(QUESTIONS).format(manager=manager.get_username()),
        )
        services.comment_create(actor=manager, project=project, text=rng.choice(ANSWERS), reply_to=question)
        count += 2
    timesheet_services.timesheet_reminders_send(today=today)
    return count
