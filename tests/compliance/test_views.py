"""The compliance pages: the list with filters, roll-up and chart data, the export, a project's
summary fragment, reminders, waivers and their withdrawal, a unit's settings; and their query counts."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from keel.compliance import services
from keel.compliance.models import ComplianceConfig, Reminder, Waiver
from keel.notifications.models import Notification
from keel.portfolio.models import Project
from tests.compliance.conftest import in_execution, make_risk
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gaps(org):
    in_execution(org.pm_north, org.project_north)
    in_execution(org.pm_south, org.project_south)


def test_the_page_lists_gaps_with_owner_and_age_and_the_rollup(client, org, gaps):
    client.force_login(org.admin)
    response = client.get(reverse("compliance:index"), {"kind": "baseline"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "N-001" in text and "S-001" in text and "No baseline saved" in text
    assert 'id="compliance-data"' in text and 'id="rollup-table"' in text
    rows = {(g.project.code, g.key) for g, *_ in response.context["rows"]}
    assert rows == {("N-001", "baseline"), ("S-001", "baseline")}
    chart = response.context["chart"]
    assert chart["units"] == ["CPMO", "ENG", "NORTH", "SOUTH"]
    baseline = next(k for k in chart["kinds"] if k["kind"] == "baseline")
    assert baseline["counts"] == [2, 2, 1, 1]


def test_a_project_manager_sees_only_their_division(client, org, gaps):
    client.force_login(org.pm_north)
    text = client.get(reverse("compliance:index")).content.decode()
    assert "N-001" in text and "S-001" not in text
    assert client.get(reverse("compliance:index"), {"project": org.project_south.pk}).status_code == 404


def test_the_export_holds_gaps_waived_and_units(client, org, gaps):
    services.waiver_create(actor=org.admin, project=org.project_south, key="baseline", reason="Pilot")
    client.force_login(org.admin)
    response = client.get(reverse("compliance:export"), {"kind": "baseline"})
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["Gaps", "Waived", "Units"]
    gaps_rows = list(book["Gaps"].iter_rows(values_only=True))
    assert [r[0] for r in gaps_rows[1:]] == ["N-001"]
    assert [r[0] for r in list(book["Waived"].iter_rows(values_only=True))[1:]] == ["S-001"]
    assert "Pilot" in list(book["Waived"].iter_rows(values_only=True))[1]


def test_the_project_summary_is_a_fragment_for_htmx(client, org, gaps):
    client.force_login(org.pm_north)
    url = reverse("compliance:project", args=[org.project_north.pk])
    fragment = client.get(url, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "<html" not in text and 'id="compliance-summary"' in text and "No baseline saved" in text
    assert "remind</a>" in text and "waive</a>" not in text  # the manager reminds, only the PMO waives
    assert "<html" in client.get(url).content.decode()
    assert client.get(reverse("compliance:project", args=[org.project_south.pk])).status_code == 404


def test_remind_from_the_list(client, org, gaps):
    client.force_login(org.pm_north)
    url = reverse("compliance:remind", args=[org.project_north.pk])
    page = client.get(url, {"key": "baseline"})
    assert page.status_code == 200 and page.context["form"]["key"].value() == "baseline"
    response = client.post(url, {"key": "baseline"})
    assert response.status_code == 302
    assert Reminder.objects.get().recipient == org.pm_north
    assert Notification.objects.get().kind == "reminder"

    back = reverse("compliance:project", args=[org.project_north.pk])
    assert client.post(url, {"key": "baseline", "next": back})["Location"] == back
    assert client.post(url, {"key": "baseline", "next": "https://example.org/"})["Location"] == reverse(
        "compliance:index"
    )
    assert Reminder.objects.count() == 3

    refused = client.post(url, {"key": "nothing"})
    assert refused.status_code == 422 and "key" in refused.context["form"].errors
    assert Reminder.objects.count() == 3


def test_waive_and_withdraw(client, org, gaps):
    client.force_login(org.admin)
    url = reverse("compliance:waive", args=[org.project_north.pk])
    missing = client.post(url, {"key": "baseline", "reason": ""})
    assert missing.status_code == 422 and "reason" in missing.context["form"].errors
    response = client.post(url, {"key": "baseline", "reason": "Agile delivery"})
    assert response.status_code == 302
    waiver = Waiver.objects.get()
    text = client.get(reverse("compliance:index")).content.decode()
    assert "Agile delivery" in text

    withdraw = reverse("compliance:withdraw", args=[waiver.pk])
    assert client.get(withdraw).status_code == 200
    stale = client.post(withdraw, {"version": waiver.version + 1})
    assert stale.status_code == 422 and Waiver.objects.exists()
    assert client.post(withdraw, {"version": waiver.version}).status_code == 302
    assert not Waiver.objects.exists()


def test_project_managers_may_not_waive(client, org, gaps):
    client.force_login(org.pm_north)
    url = reverse("compliance:waive", args=[org.project_north.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"key": "baseline", "reason": "mine"}).status_code == 403
    assert not Waiver.objects.exists()


def test_unit_settings_page(client, org):
    client.force_login(org.admin)
    url = reverse("compliance:config", args=[org.north.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"stale_raid_days": 0, "change_age_days": 14})
    assert bad.status_code == 422 and "stale_raid_days" in bad.context["form"].errors
    assert client.post(url, {"stale_raid_days": 20, "change_age_days": 7}).status_code == 302
    config = ComplianceConfig.objects.get()
    assert (config.stale_raid_days, config.change_age_days, config.baseline_required) == (20, 7, False)
    client.force_login(org.pm_north)
    assert client.get(url).status_code == 403


def _fill(org, n: int) -> None:
    for i in range(n):
        project = ProjectFactory(
            code=f"NQ-{Project.objects.count():03d}-{i}",
            org_unit=org.north,
            manager=org.pm_north,
            phase=Project.Phase.EXECUTION,
        )
        make_risk(org.pm_north, project, title=f"Risk {i}")


def _count(client, url: str, **query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["compliance:index", "compliance:export"])
def test_pages_read_in_constant_queries(client, org, name):
    client.force_login(org.admin)
    _fill(org, 3)
    few = _count(client, reverse(name))
    _fill(org, 15)
    many = _count(client, reverse(name))
    assert many <= few, (name, few, many)
