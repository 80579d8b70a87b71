"""Forms of the change pages: a change request, its proposed schedule and budget edits, a decision, and
a unit's authority levels. The services check everything again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from keel.changes.models import APPROVER_ROLES, MAX_LEVELS, ChangeRequest, TaskEdit
from keel.finance import selectors as finance_selectors
from keel.governance import selectors as governance_selectors
from keel.orgs import selectors as org_selectors
from keel.portfolio.models import Project
from keel.schedule import selectors as schedule_selectors

DATE = forms.DateInput(attrs={"type": "date"})


class ChangeForm(forms.ModelForm):
    """A change request: what, why, who asks, and its impact on scope, schedule and risk."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ChangeRequest
        fields = [
            "title",
            "description",
            "reason",
            "category",
            "requested_by",
            "scope_impact",
            "schedule_days",
            "new_finish",
            "risk_impact",
            "risk",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "reason": forms.Textarea(attrs={"rows": 2}),
            "scope_impact": forms.Textarea(attrs={"rows": 2}),
            "risk_impact": forms.Textarea(attrs={"rows": 2}),
            "new_finish": DATE,
        }
        labels = {"schedule_days": "Estimated slip (working days)", "risk": "Linked RAID risk"}

    def __init__(self, *args: Any, project: Project, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["requested_by"].queryset = org_selectors.people_for_unit(project.org_unit).order_by(
            "username"
        )
        self.fields["requested_by"].required = False
        self.fields["requested_by"].help_text = "Leave empty: you"
        self.fields["risk"].queryset = governance_selectors.raid_list_for_project(user, project.pk, "risk")
        self.fields["risk"].required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values for the service (without the version)."""
        values = dict(self.cleaned_data)
        values.pop("version", None)
        return values


class TaskEditForm(forms.Form):
    """A proposed schedule edit: a task's new duration, or a new task after a predecessor."""

    kind = forms.ChoiceField(choices=TaskEdit.Kind.choices, initial=TaskEdit.Kind.DURATION)
    task = forms.ModelChoiceField(queryset=None, required=False, help_text="For a duration change")
    name = forms.CharField(max_length=255, required=False, help_text="For a new task")
    predecessor = forms.ModelChoiceField(queryset=None, required=False, help_text="The new task follows it")
    duration_days = forms.DecimalField(
        label="Duration (working days)", min_value=Decimal("0"), max_value=Decimal("100000"), decimal_places=2
    )

    def __init__(self, *args: Any, project: Project, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="task_edit", **kwargs)
        tasks = schedule_selectors.task_list_for_project(user, project.pk)
        self.fields["task"].queryset = tasks.filter(is_summary=False)
        self.fields["predecessor"].queryset = tasks


class BudgetEditForm(forms.Form):
    """A proposed budget edit: an amount added (negative: taken) to a cost category in a period."""

    category = forms.ModelChoiceField(queryset=None)
    period_start = forms.DateField(widget=DATE, help_text="The first day of the month (or quarter)")
    amount = forms.DecimalField(max_digits=16, decimal_places=2, help_text="Negative to reduce the budget")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="budget_edit", **kwargs)
        self.fields["category"].queryset = finance_selectors.category_list(active_only=True)


class StepForm(forms.Form):
    """Submit, withdraw, approve or reject: the version seen and a note."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)


class LevelForm(forms.Form):
    """One authority level: the limits and who approves."""

    max_cost = forms.DecimalField(
        required=False,
        min_value=Decimal("0"),
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.01"}),
    )
    max_slip_days = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=10000,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
    approver_role = forms.ChoiceField(
        required=False,
        choices=[("", "—"), *((str(r.value), r.label) for r in APPROVER_ROLES)],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    self_approval = forms.BooleanField(required=False, label="Requester may approve")


LevelFormSet = forms.formset_factory(LevelForm, extra=0, max_num=MAX_LEVELS, absolute_max=MAX_LEVELS)


def levels_of(formset: Any) -> list[dict[str, Any]]:
    """The levels entered (rows without a role are dropped)."""
    levels = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or not data.get("approver_role"):
            continue
        levels.append(
            {
                "max_cost": None if data.get("max_cost") is None else str(data["max_cost"]),
                "max_slip_days": data.get("max_slip_days"),
                "approver_role": data["approver_role"],
                "self_approval": bool(data.get("self_approval")),
            }
        )
    return levels
