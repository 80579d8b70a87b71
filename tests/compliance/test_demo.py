"""The compliance part of the demo, loaded after the demo organisation."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from keel.compliance import selectors
from keel.compliance.models import ComplianceConfig, Waiver
from keel.orgs.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_sets_the_central_settings_and_waives_a_missing_baseline():
    call_command("demo", "--projects", "40", verbosity=0, stdout=io.StringIO())  # loads compliance too

    config = ComplianceConfig.objects.get()
    assert (config.org_unit.code, config.stale_raid_days, config.change_age_days) == ("CPMO", 30, 10)
    waiver = Waiver.objects.get()
    assert waiver.key == "baseline" and waiver.waived_by.username == "dana"
    found = selectors.compliance_for_user(User.objects.get(username="dana"))
    assert [(w.gap.project, w.gap.key) for w in found.waived] == [(waiver.project, "baseline")]
    assert found.gaps  # the demo still shows gaps to work on
