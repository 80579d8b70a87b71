"""Finance services: budgets and their changes, reserves, rates, expenses, import, forecasts, refusals."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from keel.core.errors import ConflictError, PermissionDenied
from keel.finance import rates, selectors, services
from keel.finance.models import BudgetChange, BudgetLine, ExchangeRate, Expense, Forecast
from tests.finance.helpers import category, nok_eur

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)


# --- budgets -----------------------------------------------------------------------------------------


def test_a_budget_line_records_who_when_why_and_the_change_request(org):
    line = services.budget_line_set(
        actor=org.pm_north,
        project=org.project_north,
        category=category("LABOR"),
        period_start=MARCH,
        approved_amount=Decimal("10000"),
        reason="Initial budget",
    )
    assert (line.approved_amount, line.current_amount) == (Decimal("10000"), Decimal("10000"))
    services.budget_line_set(
        actor=org.pm_north,
        project=org.project_north,
        category=category("LABOR"),
        period_start=MARCH,
        current_amount=Decimal("12500"),
        reason="Scope added by CR-7",
        change_request="CR-7",
        version=line.version,
    )
    line.refresh_from_db()
    assert (line.approved_amount, line.current_amount) == (Decimal("10000"), Decimal("12500"))
    changes = list(BudgetChange.objects.filter(project=org.project_north).order_by("id"))
    assert [(c.field, c.old_amount, c.new_amount) for c in changes] == [
        ("approved_amount", Decimal("0"), Decimal("10000")),
        ("current_amount", Decimal("0"), Decimal("10000")),
        ("current_amount", Decimal("10000"), Decimal("12500")),
    ]
    last = changes[-1]
    assert (last.changed_by, last.reason, last.change_request, last.delta) == (
        org.pm_north,
        "Scope added by CR-7",
        "CR-7",
        Decimal("2500"),
    )


@pytest.mark.parametrize("field", ["approved_amount", "current_amount"])
def test_a_negative_budget_is_refused_naming_the_field(org, field):
    with pytest.raises(ValidationError) as error:
        services.budget_line_set(
            actor=org.pm_north,
            project=org.project_north,
            category=category("LABOR"),
            period_start=MARCH,
            reason="x",
            **{field: Decimal("-1")},
        )
    assert error.value.message_dict == {field: ["The amount must not be negative."]}
    assert not BudgetLine.objects.exists() and not BudgetChange.objects.exists()


def test_a_budget_change_needs_a_reason_and_a_current_version(org):
    kwargs = {
        "actor": org.pm_north,
        "project": org.project_north,
        "category": category("LABOR"),
        "period_start": MARCH,
    }
    with pytest.raises(ValidationError) as error:
        services.budget_line_set(**kwargs, approved_amount=Decimal("1"), reason="  ")
    assert "reason" in error.value.message_dict
    line = services.budget_line_set(**kwargs, approved_amount=Decimal("1"), reason="first")
    services.budget_line_set(**kwargs, current_amount=Decimal("2"), reason="second", version=line.version)
    with pytest.raises(ConflictError):
        services.budget_line_set(**kwargs, current_amount=Decimal("3"), reason="stale", version=line.version)
    assert BudgetLine.objects.get().current_amount == Decimal("2")


def test_a_period_must_start_a_month_or_a_quarter(org):
    kwargs = {
        "actor": org.pm_north,
        "project": org.project_north,
        "category": category("LABOR"),
        "reason": "x",
    }
    with pytest.raises(ValidationError) as error:
        services.budget_line_set(**kwargs, period_start=dt.date(2026, 3, 2), approved_amount=Decimal("1"))
    assert "period_start" in error.value.message_dict
    services.finance_settings_update(
        actor=org.pm_north, project=org.project_north, version=None, period="quarter"
    )
    with pytest.raises(ValidationError) as error:
        services.budget_line_set(**kwargs, period_start=MARCH, approved_amount=Decimal("1"))
    assert "quarter" in error.value.message_dict["period_start"][0]


def test_reserves_are_logged_and_never_negative(org):
    with pytest.raises(ValidationError) as error:
        services.finance_settings_update(
            actor=org.pm_north, project=org.project_north, version=None, contingency=Decimal("-5"), reason="x"
        )
    assert "contingency" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.finance_settings_update(
            actor=org.pm_north, project=org.project_north, version=None, management_reserve=Decimal("5000")
        )
    assert "reason" in error.value.message_dict
    item = services.finance_settings_update(
        actor=org.pm_north,
        project=org.project_north,
        version=None,
        contingency=Decimal("3000"),
        management_reserve=Decimal("5000"),
        reason="Risk review",
    )
    assert (item.contingency, item.management_reserve) == (Decimal("3000"), Decimal("5000"))
    assert sorted(BudgetChange.objects.values_list("field", flat=True)) == [
        "contingency",
        "management_reserve",
    ]


def test_only_people_who_may_change_the_project_touch_its_money(org):
    for person in (org.pm_south, org.member_north, org.exec, org.outsider):
        with pytest.raises(PermissionDenied):
            services.budget_line_set(
                actor=person,
                project=org.project_north,
                category=category("LABOR"),
                period_start=MARCH,
                approved_amount=Decimal("1"),
                reason="x",
            )
    assert not BudgetLine.objects.exists()


# --- exchange rates ---------------------------------------------------------------------------------------


def test_conversion_uses_the_latest_rate_on_or_before_the_date(org):
    nok_eur(org, "0.080", dt.date(2026, 1, 1))
    nok_eur(org, "0.090", dt.date(2026, 3, 1))
    assert rates.convert(Decimal("1000"), "NOK", "EUR", dt.date(2026, 2, 28)) == Decimal("80.00")
    assert rates.convert(Decimal("1000"), "NOK", "EUR", dt.date(2026, 3, 1)) == Decimal("90.00")
    # The inverse pair serves the other direction.
    assert rates.convert(Decimal("90"), "EUR", "NOK", dt.date(2026, 3, 5)) == Decimal("1000.00")
    assert rates.convert(Decimal("5"), "EUR", "EUR", dt.date(2026, 3, 5)) == Decimal("5")


def test_a_missing_rate_names_the_pair_and_the_date_never_one(org):
    nok_eur(org, "0.080", dt.date(2026, 3, 1))
    with pytest.raises(rates.MissingRate) as before:
        rates.convert(Decimal("1000"), "NOK", "EUR", dt.date(2026, 2, 28))
    assert (
        "No exchange rate from NOK to EUR on or before 2026-02-28" in before.value.message_dict["currency"][0]
    )
    with pytest.raises(rates.MissingRate) as unknown:
        rates.convert(Decimal("1"), "USD", "EUR", dt.date(2026, 3, 5))
    assert "USD to EUR" in str(unknown.value)


def test_rates_are_kept_by_pmo_administrators_and_must_be_positive(org):
    for person in (org.pm_north, org.exec):
        with pytest.raises(PermissionDenied):
            services.rate_create(
                actor=person, from_currency="NOK", to_currency="EUR", date=MARCH, rate=Decimal("0.09")
            )
    with pytest.raises(ValidationError) as error:
        services.rate_create(
            actor=org.admin, from_currency="NOK", to_currency="EUR", date=MARCH, rate=Decimal("0")
        )
    assert "rate" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.rate_create(
            actor=org.admin, from_currency="EUR", to_currency="EUR", date=MARCH, rate=Decimal("1")
        )
    assert "to_currency" in error.value.message_dict
    assert not ExchangeRate.objects.exists()


# --- expenses -----------------------------------------------------------------------------------------------


def test_an_expense_in_a_currency_without_a_rate_is_refused_naming_the_pair(org):
    with pytest.raises(ValidationError) as error:
        services.expense_create(
            actor=org.pm_north,
            project=org.project_north,
            date=MARCH,
            category=category("TRAVEL"),
            amount=Decimal("100"),
            currency="USD",
        )
    assert (
        "No exchange rate from USD to NOK on or before 2026-03-01" in error.value.message_dict["currency"][0]
    )
    with pytest.raises(ValidationError) as error:
        services.expense_create(
            actor=org.pm_north,
            project=org.project_north,
            date=MARCH,
            category=category("TRAVEL"),
            amount=Decimal("-100"),
        )
    assert error.value.message_dict == {"amount": ["The amount must not be negative."]}
    assert not Expense.objects.exists()


def test_an_expense_defaults_to_the_project_currency_and_is_versioned(org):
    expense = services.expense_create(
        actor=org.pm_north,
        project=org.project_north,
        date=MARCH,
        category=category("TRAVEL"),
        amount=Decimal("100"),
    )
    assert expense.currency == "NOK" and expense.created_by == org.pm_north
    services.expense_update(actor=org.pm_north, expense=expense, version=1, supplier="SAS")
    with pytest.raises(ConflictError):
        services.expense_update(actor=org.pm_north, expense=expense, version=1, supplier="Norwegian")
    with pytest.raises(PermissionDenied):
        services.expense_delete(actor=org.pm_south, expense=expense, version=2)
    services.expense_delete(actor=org.pm_north, expense=expense, version=2)
    assert not Expense.objects.exists()


# --- import --------------------------------------------------------------------------------------------------

GOOD_CSV = (
    "date,category,amount,currency,supplier,description\n"
    "2026-03-02,MATERIALS,1200.50,,Rack & Co,Racks\n"
    "2026-03-03,travel,300,EUR,SAS,Flights\n"
)


def test_a_good_file_imports_every_row(org):
    nok_eur(org)
    report = services.expenses_import(
        actor=org.pm_north, project=org.project_north, name="costs.csv", content=GOOD_CSV.encode()
    )
    assert report.created == 2
    rows = list(
        Expense.objects.order_by("date").values_list("amount", "currency", "category__code", "supplier")
    )
    assert rows == [
        (Decimal("1200.50"), "NOK", "MATERIALS", "Rack & Co"),
        (Decimal("300.00"), "EUR", "TRAVEL", "SAS"),
    ]


def test_one_bad_row_saves_nothing_and_every_bad_cell_is_reported(org):
    content = (
        b"date,category,amount,currency,supplier\n"
        b"2026-03-02,MATERIALS,100,,ok\n"
        b"2026-13-02,MATERIALS,100,,bad date\n"
        b"2026-03-04,NOPE,-5,,bad category and amount\n"
        b"2026-03-05,TRAVEL,10,USD,no rate\n"
        b"2026-03-06,TRAVEL,abc,,bad amount\n"
    )
    with pytest.raises(services.ImportRefused) as refused:
        services.expenses_import(
            actor=org.pm_north, project=org.project_north, name="costs.csv", content=content
        )
    errors = [(e.line, e.column) for e in refused.value.report.errors]
    assert errors == [(3, "date"), (4, "category"), (4, "amount"), (5, "currency"), (6, "amount")]
    reasons = {(e.line, e.column): e.reason for e in refused.value.report.errors}
    assert "not a date" in reasons[(3, "date")]
    assert "USD to NOK on or before 2026-03-05" in reasons[(5, "currency")]
    assert not Expense.objects.exists()


def test_an_excel_file_imports_too(org):
    book = Workbook()
    sheet = book.active
    sheet.append(["Date", "Category", "Amount", "Supplier"])
    sheet.append([dt.date(2026, 3, 2), "SERVICES", 450.25, "Consult AS"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = services.expenses_import(
        actor=org.pm_north, project=org.project_north, name="costs.xlsx", content=buffer.getvalue()
    )
    assert report.created == 1
    assert Expense.objects.get().amount == Decimal("450.25")


def test_a_file_without_the_needed_columns_is_refused(org):
    with pytest.raises(ValidationError) as error:
        services.expenses_import(
            actor=org.pm_north, project=org.project_north, name="costs.csv", content=b"when,what\n1,2\n"
        )
    assert "lacks the column(s) date, category, amount" in error.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as error:
        services.expenses_import(
            actor=org.pm_north, project=org.project_north, name="costs.pdf", content=b"%PDF"
        )
    assert "file" in error.value.message_dict


# --- forecasts and thresholds ------------------------------------------------------------------------------------


def test_forecasts_replace_the_previous_entry_and_feed_the_bottom_up_eac(org):
    from tests.finance.helpers import planned_project

    planned_project(org)
    services.forecast_set(
        actor=org.pm_north,
        project=org.project_north,
        category=category("LABOR"),
        period_start=MARCH,
        amount=Decimal("1"),
    )
    services.forecast_set(
        actor=org.pm_north,
        project=org.project_north,
        category=category("LABOR"),
        period_start=dt.date(2026, 1, 1),
        amount=Decimal("4000"),
    )
    services.forecast_set(
        actor=org.pm_north,
        project=org.project_north,
        category=category("LABOR"),
        period_start=dt.date(2026, 1, 1),
        amount=Decimal("6000"),
    )
    assert Forecast.objects.count() == 2
    m = selectors.project_evm(org.project_north, dt.date(2026, 1, 23)).metrics
    assert m.ETC_bottom_up == Decimal("6001")
    assert m.EAC_bottom_up == m.AC + Decimal("6001")
    with pytest.raises(ValidationError) as error:
        services.forecast_set(
            actor=org.pm_north,
            project=org.project_north,
            category=category("LABOR"),
            period_start=MARCH,
            amount=Decimal("-1"),
        )
    assert "amount" in error.value.message_dict


def test_thresholds_are_set_by_pmo_administrators(org):
    with pytest.raises(PermissionDenied):
        services.thresholds_set(
            actor=org.pm_north, org_unit=org.north, cpi_min=Decimal("0.8"), spi_min=Decimal("0.8")
        )
    services.thresholds_set(
        actor=org.admin, org_unit=org.eng, cpi_min=Decimal("0.95"), spi_min=Decimal("0.85")
    )
    assert selectors.thresholds_for(org.north) == (Decimal("0.95"), Decimal("0.85"))
    assert selectors.thresholds_for(org.central) == (Decimal("0.90"), Decimal("0.90"))
