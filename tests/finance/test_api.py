"""The finance API: refusals name their field, imports report every bad cell, EVM and roll-ups answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keel.finance.models import BudgetChange, Expense
from tests.finance.helpers import category, nok_eur, planned_project

pytestmark = pytest.mark.django_db


def _fields(answer) -> dict[str, str]:
    assert answer.status == 422, (answer.status, answer.body)
    return {str(item["loc"][-1]): item["msg"] for item in answer.body["detail"]}


def test_a_budget_line_is_set_and_its_change_listed(org, as_user):
    api = as_user(org.pm_north)
    path = f"/projects/{org.project_north.pk}/budget-lines"
    body = {"category": "LABOR", "period_start": "2026-03-01", "approved_amount": "9000", "reason": "Initial"}
    answer = api.post(path, body)
    assert answer.status == 200, answer.body
    assert (answer.body["approved_amount"], answer.body["current_amount"]) == ("9000.00", "9000.00")
    changes = api.get(f"/projects/{org.project_north.pk}/budget-changes")
    assert changes.body["count"] == 2 and changes.body["items"][0]["changed_by"] == "pm_north"


def test_bad_money_is_a_422_naming_the_field_and_writes_nothing(org, as_user):
    api = as_user(org.pm_north)
    project = org.project_north.pk
    negative = api.post(
        f"/projects/{project}/budget-lines",
        {"category": "LABOR", "period_start": "2026-03-01", "current_amount": "-5", "reason": "x"},
    )
    assert "current_amount" in _fields(negative)
    unknown = api.post(
        f"/projects/{project}/expenses", {"date": "2026-03-02", "category": "NOPE", "amount": "5"}
    )
    assert "NOPE" in _fields(unknown)["category"]
    no_rate = api.post(
        f"/projects/{project}/expenses",
        {"date": "2026-03-02", "category": "TRAVEL", "amount": "5", "currency": "USD"},
    )
    assert "No exchange rate from USD to NOK on or before 2026-03-02" in _fields(no_rate)["currency"]
    mid_month = api.post(
        f"/projects/{project}/forecasts", {"category": "LABOR", "period_start": "2026-03-15", "amount": "1"}
    )
    assert "period_start" in _fields(mid_month)
    assert not Expense.objects.exists() and not BudgetChange.objects.exists()


def test_an_import_answers_every_bad_cell_and_saves_nothing(org, as_user):
    api = as_user(org.pm_north)
    url = f"/api/v1/projects/{org.project_north.pk}/expenses/import"
    headers = {"Authorization": f"Bearer {api.token}"}
    content = b"date,category,amount,currency\n2026-03-02,TRAVEL,10,\nnot-a-date,TRAVEL,10,\n2026-03-04,TRAVEL,1,XYZ\n"
    response = api.client.post(url, {"file": SimpleUploadedFile("costs.csv", content)}, headers=headers)
    assert response.status_code == 422
    items = response.json()["detail"]
    assert [tuple(i["loc"]) for i in items] == [("body", "file", 3, "date"), ("body", "file", 4, "currency")]
    assert not Expense.objects.exists()
    good = b"date,category,amount\n2026-03-02,TRAVEL,10\n2026-03-03,MATERIALS,20.5\n"
    response = api.client.post(url, {"file": SimpleUploadedFile("costs.csv", good)}, headers=headers)
    assert (response.status_code, response.json()) == (201, {"created": 2})


def test_evm_answers_every_metric_and_refuses_dates_outside_the_project(org, as_user):
    planned_project(org)
    api = as_user(org.exec)
    answer = api.get(f"/projects/{org.project_north.pk}/evm", status_date="2026-01-23")
    assert answer.status == 200, answer.body
    m = answer.body["metrics"]
    assert (m["BAC"], m["PV"], m["EV"], m["AC"], m["SPI"]) == (
        "30000.00",
        "20000.00",
        "20000.00",
        "0.00",
        "1.0000",
    )
    assert m["CPI"] is None and m["undefined"]["CPI"] == "AC is 0"
    assert answer.body["earned_schedule"]["ES"] == "3.0000"  # EV 20,000 is the PV at the end of week 3
    outside = api.get(f"/projects/{org.project_north.pk}/evm", status_date="2025-01-01")
    assert "before the project starts" in _fields(outside)["status_date"]


def test_the_rollup_converts_and_flags(org, as_user):
    planned_project(org)
    nok_eur(org, "0.1")
    Expense.objects.create(
        project=org.project_north,
        date=dt.date(2026, 1, 9),
        category=category("TRAVEL"),
        amount=Decimal("40000"),
        currency="NOK",
    )
    answer = as_user(org.admin).get("/finance/rollup", status_date="2026-01-23", currency="EUR")
    assert answer.status == 200, answer.body
    assert answer.body["total"]["EV"] == "2000.00" and answer.body["total"]["AC"] == "4000.00"
    north = next(p for p in answer.body["projects"] if p["code"] == "N-001")
    assert north["flags"] == ["CPI 0.50 < 0.90"]
    missing = as_user(org.admin).get("/finance/rollup", status_date="2026-01-23", currency="SEK")
    assert "No exchange rate from NOK to SEK" in _fields(missing)["currency"]


def test_reference_data_is_kept_by_pmo_administrators(org, as_user):
    refused = as_user(org.pm_north).call(
        "PUT",
        "/finance/exchange-rates",
        {"from_currency": "NOK", "to_currency": "EUR", "date": "2026-01-01", "rate": "0.085"},
    )
    assert refused.status == 403
    admin = as_user(org.admin)
    created = admin.call(
        "PUT",
        "/finance/exchange-rates",
        {"from_currency": "NOK", "to_currency": "EUR", "date": "2026-01-01", "rate": "0.085"},
    )
    assert created.status == 201
    corrected = admin.call(
        "PUT",
        "/finance/exchange-rates",
        {"from_currency": "NOK", "to_currency": "EUR", "date": "2026-01-01", "rate": "0.086"},
    )
    assert (corrected.status, corrected.body["rate"], corrected.body["version"]) == (200, "0.086", 2)
    zero = admin.call(
        "PUT",
        "/finance/exchange-rates",
        {"from_currency": "NOK", "to_currency": "EUR", "date": "2026-01-01", "rate": "0"},
    )
    assert "rate" in _fields(zero)
    category_answer = admin.call(
        "PUT", "/finance/categories", {"code": "TRAINING", "name": "Training", "kind": "opex"}
    )
    assert category_answer.status == 201
