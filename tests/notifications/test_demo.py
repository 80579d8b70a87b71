"""The demo threads: a team member asks the manager with an @mention, the manager replies."""

from __future__ import annotations

import datetime as dt
import random

from keel.notifications import demo
from keel.notifications.models import Comment, Kind, Notification
from keel.portfolio.models import Project


def test_demo_threads_reach_the_managers_and_the_team(org):
    Project.objects.filter(pk__in=[org.project_north.pk, org.project_south.pk]).update(status="active")
    assert demo.load(rng=random.Random(3), today=dt.date(2026, 11, 26), project_codes=["N-001", "S-001"]) == 2
    question, answer = Comment.objects.filter(project=org.project_north).order_by("pk")
    assert question.author == org.member_north and question.text.startswith("@pm_north ")
    assert answer.author == org.pm_north and answer.reply_to == question
    kinds = set(Notification.objects.values_list("recipient__username", "kind"))
    assert kinds == {("pm_north", Kind.MENTION), ("member_north", Kind.MENTION)}
    assert not Comment.objects.filter(project=org.project_south).exists()  # no team member in SOUTH
