"""Forms of the finance pages; services do the validation that matters, forms parse what was typed."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from keel.finance.models import CostCategory, PeriodKind

DATE = forms.DateInput(attrs={"type": "date"})
MONEY = {"max_digits": 16, "decimal_places": 2}


def _categories() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        CostCategory.objects.filter(active=True), label="Category", empty_label=None
    )


class StatusDateForm(forms.Form):
    """The status date the finance tab shows."""

    status_date = forms.DateField(label="Status date", required=False, widget=DATE)


class ExpenseForm(forms.Form):
    """Record an expense."""

    date = forms.DateField(label="Date", widget=DATE)
    category = _categories()
    amount = forms.DecimalField(label="Amount", min_value=Decimal("0"), **MONEY)
    currency = forms.CharField(
        label="Currency", max_length=3, required=False, help_text="Leave empty for the project's currency."
    )
    supplier = forms.CharField(label="Supplier", max_length=150, required=False)
    description = forms.CharField(label="Description", max_length=255, required=False)
    attachment = forms.FileField(label="Attachment (invoice, receipt)", required=False)

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()


class ImportForm(forms.Form):
    """Upload a CSV or Excel file of expenses."""

    file = forms.FileField(
        label="CSV or Excel file",
        help_text="Columns: date (YYYY-MM-DD), category (code), amount, currency, supplier, description.",
    )


class BudgetLineForm(forms.Form):
    """Set the approved and/or current budget of a category and period."""

    category = _categories()
    period_start = forms.DateField(label="Period (first day)", widget=DATE)
    approved_amount = forms.DecimalField(label="Approved budget", required=False, **MONEY)
    current_amount = forms.DecimalField(label="Current budget", required=False, **MONEY)
    reason = forms.CharField(label="Reason", max_length=2000)
    change_request = forms.CharField(label="Change request", max_length=50, required=False)


class ReservesForm(forms.Form):
    """Phasing and reserves."""

    period = forms.ChoiceField(label="Budget by", choices=PeriodKind.choices)
    contingency = forms.DecimalField(label="Contingency", **MONEY)
    management_reserve = forms.DecimalField(label="Management reserve", **MONEY)
    reason = forms.CharField(label="Reason (for a reserve change)", max_length=2000, required=False)
    change_request = forms.CharField(label="Change request", max_length=50, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ForecastForm(forms.Form):
    """Enter the estimate to complete of a category and period."""

    category = _categories()
    period_start = forms.DateField(label="Period (first day)", widget=DATE)
    amount = forms.DecimalField(label="Estimate to complete", **MONEY)
    note = forms.CharField(label="Note", max_length=255, required=False)


class RateForm(forms.Form):
    """Add an exchange rate."""

    from_currency = forms.CharField(label="From", max_length=3)
    to_currency = forms.CharField(label="To", max_length=3)
    date = forms.DateField(label="From date", widget=DATE)
    rate = forms.DecimalField(
        label="Rate", max_digits=20, decimal_places=10, help_text="Units of 'To' per 1 'From'"
    )

    def clean_from_currency(self) -> str:
        return self.cleaned_data["from_currency"].strip().upper()

    def clean_to_currency(self) -> str:
        return self.cleaned_data["to_currency"].strip().upper()


class DashboardForm(forms.Form):
    """Status date and reporting currency of the dashboard."""

    status_date = forms.DateField(label="Status date", required=False, widget=DATE)
    currency = forms.RegexField(
        label="Currency", regex=r"^[A-Za-z]{3}$", required=False, max_length=3, help_text="Default: yours"
    )


class ThresholdsForm(forms.Form):
    """The CPI and SPI below which a unit's projects are flagged on the dashboard."""

    org_unit = forms.ModelChoiceField(queryset=None, label="Org unit", empty_label=None)  # type: ignore[arg-type]
    cpi_min = forms.DecimalField(label="CPI below", max_digits=4, decimal_places=2, min_value=Decimal("0"))
    spi_min = forms.DecimalField(label="SPI below", max_digits=4, decimal_places=2, min_value=Decimal("0"))

    def __init__(self, *args: object, units: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
