"""Demo benefits: a few projects' promised benefits with a year of measurements, some behind plan and
one overdue, so the register, the benefit pages and the portfolio view have something to show.

The demo loader calls `load(actor=..., rng=..., today=...)` after the projects exist.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from keel.benefits import curve, selectors, services
from keel.portfolio.models import Project

# (code suffix, name, measure, unit of measure, financial, baseline, target)
KINDS = (
    ("SAV", "Running cost savings", "Annual running cost savings", "per year", True, 0, 400_000),
    ("TIME", "Shorter lead time", "Order-to-delivery lead time", "days", False, 30, 12),
    ("NPS", "Happier customers", "Net promoter score", "points", False, 18, 40),
)
# How each benefit's realization tracks its plan: on plan, slightly ahead, behind (at risk), overdue.
PACES = (Decimal("1.02"), Decimal("1.08"), Decimal("0.7"), Decimal("0.95"))


def load(*, actor: Any, rng: random.Random, today: dt.date, count: int = 6) -> int:
    """Register up to `count` benefits on managed projects (with quarterly measurements); returns how many."""
    projects = list(
        Project.objects.filter(manager__isnull=False)
        .select_related("org_unit", "manager")
        .order_by("code")[:count]
    )
    baseline = curve.add_months(today, -12)
    target = curve.add_months(today, 12)
    for n, project in enumerate(projects):
        suffix, name, measure, unit, financial, start, goal = KINDS[n % len(KINDS)]
        pace = PACES[n % len(PACES)]
        benefit = services.benefit_create(
            actor=actor,
            code=f"BEN-{project.code}-{suffix}"[:30],
            name=f"{name} from {project.name}"[:200],
            lead_project=project,
            owner=project.manager,
            measure=measure,
            measure_unit=f"{project.currency} {unit}" if financial else unit,
            financial=financial,
            baseline_value=Decimal(start),
            baseline_date=baseline,
            target_value=Decimal(goal),
            target_date=target,
            frequency="quarterly",
        )
        # Quarterly measurements up to today; the overdue pace stops measuring half a year ago.
        last = curve.add_months(today, -7) if pace == PACES[3] else today
        k = 1
        while (day := curve.add_months(baseline, 3 * k)) <= last:
            planned = selectors.planned_value(benefit, day)
            noise = Decimal(rng.randint(-3, 3)) / 100
            value = Decimal(start) + (planned - Decimal(start)) * (pace + noise)
            services.measurement_record(
                actor=actor, benefit=benefit, measured_on=day, value=value.quantize(Decimal("1")), today=today
            )
            k += 1
    return len(projects)
