"""The demo benefits: registered through the services, measured, and showing an at-risk and an overdue one."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from keel.benefits import demo, selectors
from keel.benefits.models import Benefit, Measurement
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_demo_benefits_give_the_pages_something_to_show(org):
    for n in range(2, 5):
        ProjectFactory(code=f"N-00{n}", name=f"North project {n}", org_unit=org.north, manager=org.pm_north)
    today = dt.date(2026, 11, 26)
    assert demo.load(actor=org.admin, rng=random.Random(7), today=today) == 5
    assert Benefit.objects.count() == 5
    assert Measurement.objects.filter(measured_on__gt=today).count() == 0
    at_risk = {s.benefit.code for s in selectors.at_risk_for_user(org.admin, today)}
    overdue = {s.benefit.code for s in selectors.overdue_for_user(org.admin, today)}
    assert at_risk == {"BEN-N-003-NPS"}  # realizing 70 % of plan
    assert overdue == {"BEN-N-004-SAV"}  # last measured seven months ago
    assert selectors.portfolio_benefits_for_user(org.admin, today=today).currencies
