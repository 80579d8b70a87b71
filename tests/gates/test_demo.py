"""The gates demo loader on the test organisation."""

from __future__ import annotations

import datetime as dt
import random

from keel.gates import demo, selectors
from keel.gates.models import GateReview, Methodology
from keel.portfolio import services as portfolio_services
from tests.factories import UserFactory


def test_demo_gives_defaults_lifecycles_and_reviews(org, pfm):
    loader = UserFactory(username="loader", is_superuser=True)
    for project in (org.project_north, org.project_south):
        portfolio_services.project_update(
            actor=org.admin, project=project, version=project.version, sponsor=org.exec
        )

    reviews = demo.load(
        loader=loader, rng=random.Random(1), today=dt.date(2026, 3, 2), project_codes=["N-001", "S-001"]
    )

    assert set(Methodology.objects.values_list("name", flat=True)) == {
        "Waterfall — small",
        "Waterfall — large",
        "Agile",
    }
    # Gate 1 passed with the portfolio manager's approval; Gate 2 waits for a schedule and a baseline.
    assert selectors.project_phase(org.project_north) == ("Waterfall — small", "Planning")
    assert selectors.project_phase(org.project_south) == ("Waterfall — small", "Planning")
    assert reviews == GateReview.objects.count() == 2
    assert set(GateReview.objects.values_list("decisions__reviewer__username", flat=True)) == {"pfm_eng"}
