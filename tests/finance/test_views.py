"""Finance pages: the project tab, expenses, import, budget, dashboard, rates and their Excel exports."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from keel.finance import selectors, services
from keel.finance.models import BudgetLine, EvmSnapshot, ExchangeRate, Expense
from tests.finance.helpers import category, nok_eur, planned_project

pytestmark = pytest.mark.django_db


def _cells(response) -> str:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(str(v) for s in book.worksheets for row in s.iter_rows(values_only=True) for v in row)


def test_the_finance_tab_shows_the_evm_table_and_the_curve(client, org, django_assert_max_num_queries):
    planned_project(org)
    client.force_login(org.pm_north)
    url = reverse("finance:project", args=[org.project_north.pk]) + "?status_date=2026-01-23"
    with django_assert_max_num_queries(40):
        response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="evm-table"' in text and 'id="finance-scurve"' in text and 'id="finance-chart"' in text
    assert "30000.00" in text  # BAC
    assert "Record this status" in text


def test_a_status_date_outside_the_project_is_a_clear_error(client, org):
    planned_project(org)
    client.force_login(org.pm_north)
    response = client.get(reverse("finance:project", args=[org.project_north.pk]) + "?status_date=2025-06-01")
    assert response.status_code == 422
    assert "before the project starts" in response.content.decode()


def test_recording_a_status_feeds_the_trend(client, org):
    planned_project(org)
    client.force_login(org.pm_north)
    url = reverse("finance:project", args=[org.project_north.pk])
    response = client.post(url, {"status_date": "2026-01-23"})
    assert response.status_code == 302
    snapshot = EvmSnapshot.objects.get()
    assert (snapshot.status_date, snapshot.ev, snapshot.spi) == (dt.date(2026, 1, 23), Decimal("20000"), 1)
    assert 'id="trend-table"' in client.get(url + "?status_date=2026-01-23").content.decode()


def test_an_executive_reads_but_cannot_record(client, org):
    planned_project(org)
    client.force_login(org.exec)
    url = reverse("finance:project", args=[org.project_north.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"status_date": "2026-01-23"}).status_code == 403
    assert client.get(reverse("finance:expenses", args=[org.project_north.pk])).status_code == 403
    assert not EvmSnapshot.objects.exists()


def test_a_project_manager_records_an_expense_with_an_attachment(client, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(org.pm_north)
    url = reverse("finance:expenses", args=[org.project_north.pk])
    response = client.post(
        url,
        {
            "date": "2026-03-02",
            "category": category("TRAVEL").pk,
            "amount": "1500",
            "currency": "",
            "supplier": "SAS",
            "attachment": SimpleUploadedFile("ticket.pdf", b"%PDF-1.4"),
        },
    )
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert (expense.currency, expense.supplier, expense.attachment.name.endswith("ticket.pdf")) == (
        "NOK",
        "SAS",
        True,
    )
    assert "SAS" in client.get(url).content.decode()


def test_an_expense_in_a_currency_without_a_rate_shows_the_missing_pair(client, org):
    client.force_login(org.pm_north)
    response = client.post(
        reverse("finance:expenses", args=[org.project_north.pk]),
        {"date": "2026-03-02", "category": category("TRAVEL").pk, "amount": "10", "currency": "usd"},
    )
    assert response.status_code == 422
    assert "No exchange rate from USD to NOK on or before 2026-03-02" in response.content.decode()
    assert not Expense.objects.exists()


def test_an_import_with_bad_rows_lists_them_and_saves_nothing(client, org):
    client.force_login(org.pm_north)
    content = b"date,category,amount\n2026-03-02,TRAVEL,10\n2026-03-03,TRAVEL,-4\n"
    response = client.post(
        reverse("finance:expense_import", args=[org.project_north.pk]),
        {"file": SimpleUploadedFile("costs.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert 'id="import-errors"' in text and "The amount must not be negative." in text
    assert not Expense.objects.exists()


def test_the_budget_page_sets_a_line_and_lists_the_change(client, org):
    client.force_login(org.pm_north)
    url = reverse("finance:budget", args=[org.project_north.pk])
    response = client.post(
        url,
        {
            "form": "line",
            "category": category("LABOR").pk,
            "period_start": "2026-03-01",
            "approved_amount": "8000",
            "reason": "Initial budget",
        },
    )
    assert response.status_code == 302
    assert BudgetLine.objects.get().current_amount == Decimal("8000")
    assert "Initial budget" in client.get(url).content.decode()
    refused = client.post(
        url,
        {
            "form": "line",
            "category": category("LABOR").pk,
            "period_start": "2026-03-01",
            "current_amount": "-1",
            "reason": "x",
        },
    )
    assert refused.status_code == 422
    assert "The amount must not be negative." in refused.content.decode()


def test_the_dashboard_rolls_up_in_the_reporting_currency_and_exports(client, org):
    planned_project(org)
    planned_project(org, pm=org.pm_south, project=org.project_south)
    nok_eur(org, "0.1")
    client.force_login(org.admin)
    response = client.get(reverse("finance:dashboard") + "?status_date=2026-01-23&currency=EUR")
    assert response.status_code == 200
    text = response.content.decode()
    assert "N-001" in text and "S-001" in text and 'id="finance-scatter"' in text
    export = client.get(reverse("finance:dashboard_export") + "?status_date=2026-01-23&currency=EUR")
    cells = _cells(export)
    assert "N-001" in cells and "S-001" in cells and "Division North" in cells


def test_the_dashboard_names_a_missing_rate(client, org):
    planned_project(org)
    client.force_login(org.admin)
    response = client.get(reverse("finance:dashboard") + "?status_date=2026-01-23&currency=EUR")
    assert response.status_code == 200
    assert "No exchange rate from NOK to EUR on or before 2026-01-23" in response.content.decode()


def test_pm_north_dashboard_holds_nothing_of_south(client, org):
    planned_project(org)
    planned_project(org, pm=org.pm_south, project=org.project_south)
    client.force_login(org.pm_north)
    text = client.get(reverse("finance:dashboard") + "?status_date=2026-01-23").content.decode()
    assert "N-001" in text and "S-001" not in text and "Division South" not in text


def test_the_project_export_holds_every_table(client, org):
    planned_project(org)
    services.expense_create(
        actor=org.pm_north,
        project=org.project_north,
        date=dt.date(2026, 1, 9),
        category=category("TRAVEL"),
        amount=Decimal("77"),
    )
    client.force_login(org.exec)
    response = client.get(
        reverse("finance:project_export", args=[org.project_north.pk]) + "?status_date=2026-01-23"
    )
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == [
        "EVM",
        "S-curve",
        "By period",
        "Trend",
        "Budget",
        "Budget changes",
        "Expenses",
        "Forecasts",
    ]
    assert "77" in _cells(response)


def test_rates_page_is_for_pmo_administrators(client, org):
    client.force_login(org.pm_north)
    assert client.get(reverse("finance:rates")).status_code == 403
    client.force_login(org.admin)
    response = client.post(
        reverse("finance:rates"),
        {"from_currency": "nok", "to_currency": "eur", "date": "2026-01-01", "rate": "0.085"},
    )
    assert response.status_code == 302
    assert ExchangeRate.objects.get().from_currency == "NOK"
    refused = client.post(
        reverse("finance:rates"),
        {"from_currency": "NOK", "to_currency": "EUR", "date": "2026-01-01", "rate": "0.09"},
    )
    assert refused.status_code == 422
    assert "already a NOK/EUR rate" in refused.content.decode()


def test_pmo_administrators_set_thresholds_that_flag_projects(client, org):
    client.force_login(org.admin)
    url = reverse("finance:rates")
    response = client.post(
        url, {"form": "thresholds", "org_unit": org.north.pk, "cpi_min": "0.95", "spi_min": "0.8"}
    )
    assert response.status_code == 302
    assert selectors.thresholds_for(org.north) == (Decimal("0.95"), Decimal("0.80"))
    assert 'id="threshold-table"' in client.get(url).content.decode()
    refused = client.post(
        url, {"form": "thresholds", "org_unit": org.north.pk, "cpi_min": "-1", "spi_min": "0.8"}
    )
    assert refused.status_code == 422
