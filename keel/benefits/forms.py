"""Forms of the benefits pages: register filters, the benefit form, a measurement, a contributing project.

Every choice list comes from a selector, so a form never offers what the user may not see or use.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from keel.benefits import selectors
from keel.benefits.models import AtRiskThreshold, Benefit, Frequency
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action
from keel.portfolio.forms import PersonChoiceField, UnitChoiceField


class ProjectChoiceField(forms.ModelChoiceField):
    """A project shown by code and name."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.name}"


class DateInput(forms.DateInput):
    """The browser's date picker."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class BenefitFilterForm(forms.Form):
    """The register's filters and sort order, read from the URL's query string."""

    q = forms.CharField(required=False, label="Search", max_length=200)
    unit = UnitChoiceField(queryset=None, required=False, label="Org unit", empty_label="All units")
    project = ProjectChoiceField(queryset=None, required=False, empty_label="Any project")
    owner = PersonChoiceField(queryset=None, required=False, empty_label="Any owner")
    financial = forms.TypedChoiceField(
        choices=[("", "Financial or not"), ("yes", "Financial"), ("no", "Not financial")],
        required=False,
        label="Kind",
    )
    status = forms.MultipleChoiceField(
        choices=Benefit.Status.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = org_selectors.org_unit_list_for_user(user)
        self.fields["project"].queryset = selectors.visible_projects(user)
        self.fields["owner"].queryset = org_selectors.user_list_for_user(user).order_by(
            "last_name", "first_name", "username"
        )
        for name in ("unit", "project", "owner", "financial"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def filters(self) -> tuple[selectors.BenefitFilters, str]:
        """The valid filters (invalid ones are left out and shown as errors) and the sort key."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        unit, project, owner = data.get("unit"), data.get("project"), data.get("owner")
        sort = data.get("sort") or "code"
        if sort.lstrip("-") not in selectors.ORDERINGS:
            sort = "code"
        financial = {"yes": True, "no": False}.get(data.get("financial") or "")
        return (
            selectors.BenefitFilters(
                q=(data.get("q") or "").strip(),
                unit=unit.pk if unit else None,
                status=tuple(data.get("status") or ()),
                project=project.pk if project else None,
                owner=owner.pk if owner else None,
                financial=financial,
            ),
            sort,
        )


class MilestonesField(forms.CharField):
    """Planned milestones, one per line: a date and a value ("2026-06-30 40000")."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{m['date']} {m['value']}" for m in value)
        return value

    def to_python(self, value: Any) -> list[dict[str, str]]:
        text = super().to_python(value) or ""
        result = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.replace(";", " ").replace(",", " ").split()
            if len(parts) != 2:
                raise forms.ValidationError(f"Line {n}: write a date and a value, e.g. 2026-06-30 40000.")
            result.append({"date": parts[0], "value": parts[1]})
        return result


class BenefitForm(forms.Form):
    """A benefit's fields; choices limited to what the user may use."""

    code = forms.CharField(max_length=30)
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    org_unit = UnitChoiceField(
        queryset=None,
        required=False,
        label="Org unit",
        help_text="Leave empty to use the lead project's unit.",
    )
    lead_project = ProjectChoiceField(queryset=None, required=False, label="Lead project")
    owner = PersonChoiceField(queryset=None, help_text="Records the measurements and gets the reminders.")
    financial = forms.BooleanField(required=False, label="Financial benefit (measured in money)")
    currency = forms.CharField(
        max_length=3, required=False, help_text="For a financial benefit; empty uses the unit's currency."
    )
    measure = forms.CharField(
        max_length=200, help_text="What is measured, e.g. annual operating cost savings."
    )
    measure_unit = forms.CharField(max_length=30, required=False, label="Unit of measure")
    baseline_value = forms.CharField(max_length=40, label="Baseline value")
    baseline_date = forms.DateField(widget=DateInput(), label="Baseline date")
    target_value = forms.CharField(max_length=40, label="Target value")
    target_date = forms.DateField(widget=DateInput(), label="Target date")
    milestones = MilestonesField(
        required=False,
        label="Planned milestones",
        help_text="Optional, one per line: a date and the value planned by then (e.g. 2026-06-30 40000).",
    )
    frequency = forms.ChoiceField(choices=Frequency.choices, label="Measured")
    status = forms.ChoiceField(choices=Benefit.Status.choices, initial=Benefit.Status.ACTIVE)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, benefit: Benefit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = org_selectors.org_unit_list_where(user, Benefit, Action.CHANGE)
        self.fields["lead_project"].queryset = selectors.visible_projects(user)
        self.fields["owner"].queryset = org_selectors.user_list_for_user(user).order_by(
            "last_name", "first_name", "username"
        )
        if benefit is not None:
            self.fields["org_unit"].required = True
            self.fields["org_unit"].help_text = ""

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values under the services' names (version left out)."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["currency"] = (data.get("currency") or "").strip().upper()
        return data


class MeasurementForm(forms.Form):
    """A realized value measured on a day."""

    measured_on = forms.DateField(widget=DateInput(), label="Measured on")
    value = forms.CharField(max_length=40, label="Realized value")
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"measured_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ContributionForm(forms.Form):
    """A project (one the user sees) contributing to the benefit."""

    project = ProjectChoiceField(queryset=None)
    share_percent = forms.DecimalField(
        required=False, min_value=0, max_value=100, decimal_places=2, label="Share (%)"
    )
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = selectors.visible_projects(user)


class ThresholdForm(forms.Form):
    """The at-risk threshold of a unit's subtree (PMO administrators)."""

    org_unit = UnitChoiceField(
        queryset=None, label="Org unit", help_text="Applies to the units below it too."
    )
    at_risk_percent = forms.DecimalField(
        min_value=0, max_value=100, decimal_places=2, label="At risk when behind plan by more than (%)"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = org_selectors.org_unit_list_where(
            user, AtRiskThreshold, Action.CHANGE
        )
