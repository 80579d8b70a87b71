"""The benefits pages: register with filters and export, a benefit's page with the htmx measurement form,
the benefit form, a project's benefits and the portfolio view."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from keel.benefits import services
from keel.benefits.models import Benefit, Measurement
from keel.finance import services as finance_services
from tests.benefits.conftest import make_benefit

pytestmark = pytest.mark.django_db


def test_register_filters_and_exports_only_what_the_user_sees(client, org, north_benefit, south_benefit):
    make_benefit(org.pm_north, org.project_north, "B-Q", org.member_north, financial=False, name="Quality")
    client.force_login(org.pm_north)
    page = client.get(reverse("benefits:register"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "B-N" in text and "B-Q" in text and "B-S" not in text
    filtered = client.get(reverse("benefits:register"), {"financial": "no"}, HTTP_HX_REQUEST="true")
    assert "B-Q" in filtered.content.decode() and "B-N savings" not in filtered.content.decode()
    export = client.get(reverse("benefits:export"), {"financial": "yes"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Code", "Name", "Org unit")
    assert [r[0] for r in rows[1:]] == ["B-N"]


def test_empty_register_says_what_to_do(client, org):
    client.force_login(org.pm_north)
    assert (
        "register what your projects are meant to deliver"
        in client.get(reverse("benefits:register")).content.decode()
    )


def test_benefit_page_shows_realized_vs_planned_and_the_owner_adds_a_measurement(client, org, north_benefit):
    client.force_login(org.member_north)
    url = reverse("benefits:detail", kwargs={"benefit_id": north_benefit.pk})
    page = client.get(url)
    text = page.content.decode()
    assert "Realized vs planned" in text and "Record a measurement" in text
    chart = json.loads(
        text.split('id="benefit-chart-data" type="application/json">')[1].split("</script>")[0]
    )
    assert chart["planned"][0] == ["2026-01-01", 0.0] and chart["realized"] == []

    add = reverse("benefits:measurement_add", kwargs={"benefit_id": north_benefit.pk})
    bad = client.post(add, {"measured_on": "2026-02-01", "value": "plenty"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "not a number" in bad.content.decode()
    done = client.post(
        add, {"measured_on": "2026-02-01", "value": "9000", "note": "Jan"}, HTTP_HX_REQUEST="true"
    )
    fragment = done.content.decode()
    assert 'id="benefit-realization"' in fragment and "Recorded 9,000" in fragment
    assert 'data-measurement="2026-02-01"' in fragment
    assert Measurement.objects.get().recorded_by == org.member_north
    # Without script the form posts as a page and comes back to the benefit.
    plain = client.post(add, {"measured_on": "2026-02-02", "value": "9100"})
    assert plain.status_code == 302 and plain["Location"] == url


def test_viewers_see_no_forms_and_may_not_post(client, org, north_benefit):
    client.force_login(org.exec)
    text = client.get(reverse("benefits:detail", kwargs={"benefit_id": north_benefit.pk})).content.decode()
    assert "Record a measurement" not in text and "Edit" not in text
    add = reverse("benefits:measurement_add", kwargs={"benefit_id": north_benefit.pk})
    assert client.post(add, {"measured_on": "2026-02-01", "value": "1"}).status_code == 403
    assert not Measurement.objects.exists()


def test_create_and_edit_through_the_form(client, org):
    client.force_login(org.pm_north)
    form = {
        "code": "B-F",
        "name": "Faster onboarding",
        "lead_project": org.project_north.pk,
        "owner": org.member_north.pk,
        "measure": "Days to onboard",
        "measure_unit": "days",
        "baseline_value": "30",
        "baseline_date": "2026-01-01",
        "target_value": "10",
        "target_date": "2025-12-01",
        "milestones": "",
        "frequency": "monthly",
        "status": "active",
    }
    refused = client.post(reverse("benefits:create"), form)
    assert refused.status_code == 422 and "must be after the baseline date" in refused.content.decode()
    form["target_date"] = "2026-12-31"
    form["milestones"] = "2026-06-30 15"
    created = client.post(reverse("benefits:create"), form)
    benefit = Benefit.objects.get(code="B-F")
    assert created.status_code == 302 and benefit.org_unit == org.north
    assert benefit.milestones == [{"date": "2026-06-30", "value": "15"}]
    edit = reverse("benefits:update", kwargs={"benefit_id": benefit.pk})
    assert "2026-06-30 15" in client.get(edit).content.decode()
    saved = client.post(edit, {**form, "org_unit": org.north.pk, "name": "Quicker onboarding", "version": 1})
    assert saved.status_code == 302
    stale = client.post(edit, {**form, "org_unit": org.north.pk, "name": "Stale", "version": 1})
    assert stale.status_code == 409
    benefit.refresh_from_db()
    assert benefit.name == "Quicker onboarding"


def test_add_a_contributing_project(client, org, north_benefit):
    client.force_login(org.admin)
    url = reverse("benefits:contribution_add", kwargs={"benefit_id": north_benefit.pk})
    assert client.post(url, {"project": org.project_south.pk, "share_percent": "20"}).status_code == 302
    again = client.post(url, {"project": org.project_south.pk})
    assert again.status_code == 422 and "already contributes" in again.content.decode()


def test_project_and_portfolio_pages(client, org, north_benefit, south_benefit):
    services.measurement_record(
        actor=org.member_north, benefit=north_benefit, measured_on=dt.date(2026, 3, 1), value="100"
    )
    client.force_login(org.pm_north)
    project = client.get(reverse("benefits:project_benefits", kwargs={"project_id": org.project_north.pk}))
    assert "B-N" in project.content.decode()
    portfolio = client.get(reverse("benefits:portfolio")).content.decode()
    assert "B-N" in portfolio and "B-S" not in portfolio
    at_risk = portfolio.split('id="at-risk"')[1].split('id="overdue-heading"')[0]
    assert 'data-benefit="B-N"' in at_risk  # 100 measured where 19,397 was planned
    assert "Financial benefits in NOK" in portfolio


def test_portfolio_page_totals_in_the_reporting_currency_or_names_the_missing_rate(
    client, org, north_benefit, south_benefit
):
    client.force_login(org.admin)
    page = client.get(reverse("benefits:portfolio")).content.decode()
    assert "cannot be totalled in EUR" in page and "No exchange rate from NOK to EUR" in page
    finance_services.rate_create(
        actor=org.admin, from_currency="NOK", to_currency="EUR", date=dt.date(2025, 1, 1), rate=Decimal("0.1")
    )
    page = client.get(reverse("benefits:portfolio")).content.decode()
    assert "All financial benefits in EUR, converted at the PMO" in page
    assert "cannot be totalled" not in page


def test_register_and_portfolio_pages_take_a_bounded_number_of_queries(
    client, org, django_assert_max_num_queries
):
    for n in range(12):
        b = make_benefit(org.pm_north, org.project_north, f"B-{n:02}", org.member_north)
        services.measurement_record(
            actor=org.admin, benefit=b, measured_on=dt.date(2026, 2, 1), value="10", today=dt.date(2026, 2, 1)
        )
    client.force_login(org.admin)
    for name in ("benefits:register", "benefits:portfolio", "benefits:export"):
        with django_assert_max_num_queries(25):
            assert client.get(reverse(name)).status_code == 200


def test_pmo_administrators_set_thresholds(client, org):
    url = reverse("benefits:thresholds")
    client.force_login(org.pm_north)
    assert client.get(url).status_code == 403
    client.force_login(org.admin)
    assert "every benefit uses the default" in client.get(url).content.decode()
    refused = client.post(url, {"org_unit": org.north.pk, "at_risk_percent": "150"})
    assert refused.status_code == 422
    assert client.post(url, {"org_unit": org.north.pk, "at_risk_percent": "15"}).status_code == 302
    assert "NORTH — Division North" in client.get(url).content.decode()


def test_delete_a_measurement_and_a_benefit_after_confirming(client, org, north_benefit):
    m = services.measurement_record(
        actor=org.member_north, benefit=north_benefit, measured_on=dt.date(2026, 2, 1), value="5"
    )
    url = reverse(
        "benefits:measurement_delete", kwargs={"benefit_id": north_benefit.pk, "measurement_id": m.pk}
    )
    client.force_login(org.exec)
    assert client.get(url).status_code == 403
    client.force_login(org.member_north)
    assert "Delete the measurement of 1 Feb 2026?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Measurement.objects.exists()
    delete = reverse("benefits:delete", kwargs={"benefit_id": north_benefit.pk})
    assert client.get(delete).status_code == 403  # the owner records, but does not delete the benefit
    client.force_login(org.pm_north)
    services.benefit_update(actor=org.pm_north, benefit=north_benefit, version=1, name="Renamed")
    stale = client.post(delete, {"version": 1})
    assert stale.status_code == 409 and Benefit.objects.exists()
    assert client.post(delete, {"version": 2}).status_code == 302
    assert not Benefit.objects.exists()
