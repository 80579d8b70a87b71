"""The demo's change requests: loaded after the demo organisation, through the services."""

from __future__ import annotations

import datetime as dt
import random

from keel.changes import demo, selectors
from keel.changes.models import ChangeRequest
from keel.core.demo import DEMO_LOADER, SCHEDULED_PROJECTS, demo_load
from keel.finance.models import BudgetChange
from keel.orgs.models import User
from keel.portfolio.models import Project


def test_the_demo_changes_are_approved_waiting_and_rejected(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = dt.date(2026, 3, 2)
    demo_load(projects=SCHEDULED_PROJECTS, today=today)  # loads the change requests too
    assert ChangeRequest.objects.count() > 0
    before = ChangeRequest.objects.count()
    codes = list(Project.objects.order_by("code").values_list("code", flat=True))
    loader = User.objects.get(username=DEMO_LOADER)

    count = demo.load(loader=loader, rng=random.Random(1), today=today, project_codes=codes)

    assert count == ChangeRequest.objects.count() - before > 0
    statuses = set(ChangeRequest.objects.values_list("status", flat=True))
    assert {"approved", "submitted"} <= statuses
    approved = ChangeRequest.objects.filter(status="approved").first()
    assert BudgetChange.objects.filter(change_request=str(approved.pk)).exists()
    assert approved.decided_by != approved.requested_by
    waiting = selectors.undecided_changes(projects=Project.objects.all())
    assert waiting and all(c.status == "submitted" for c in waiting)
