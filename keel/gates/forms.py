"""Forms of the gate pages: methodologies, phases, criteria, a project's methodology, deliverables,
review requests and decisions. The services validate; these forms only parse what people type."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.gates.checks import CHECK_CHOICES
from keel.gates.models import Criterion, GateDecision, Methodology
from keel.orgs.models import Role


class MethodologyForm(forms.Form):
    """A methodology's name, approach, budget range and whether it is offered."""

    name = forms.CharField(max_length=100)
    approach = forms.ChoiceField(choices=Methodology.Approach.choices)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    min_budget = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        label="From budget",
        help_text="Empty: any",
    )
    max_budget = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        label="Below budget",
        help_text="Empty: any",
    )
    active = forms.BooleanField(required=False, initial=True, label="Offered for new projects")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values the services take."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class MethodologyCreateForm(MethodologyForm):
    """A new methodology of one of the units the person configures."""

    org_unit = forms.ModelChoiceField(
        queryset=None, label="Org unit", help_text="Applies to its whole subtree"
    )
    field_order = ["org_unit", "name", "approach", "description", "min_budget", "max_budget", "active"]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units
        del self.fields["version"]


class DefaultsForm(forms.Form):
    """The unit that gets Keel's default methodologies."""

    unit = forms.ModelChoiceField(queryset=None, label="Org unit")

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class PhaseForm(forms.Form):
    """A phase and the name of the gate closing it."""

    name = forms.CharField(max_length=100)
    gate_name = forms.CharField(max_length=100, required=False, help_text="Empty: named after the phase")
    order = forms.IntegerField(required=False, min_value=1, max_value=1000, help_text="Empty: at the end")
    description = forms.CharField(required=False, max_length=4000)


class CriterionForm(forms.Form):
    """A criterion of a gate."""

    kind = forms.ChoiceField(choices=Criterion.Kind.choices)
    title = forms.CharField(max_length=200)
    check_name = forms.ChoiceField(
        choices=[("", "—"), *CHECK_CHOICES], required=False, label="Check", help_text="For an automatic check"
    )
    role = forms.ChoiceField(
        choices=[("", "—"), *Role.choices],
        required=False,
        label="Approving role",
        help_text="For an approval",
    )
    order = forms.IntegerField(required=False, min_value=1, max_value=1000)
    description = forms.CharField(required=False, max_length=4000)


class LifecycleForm(forms.Form):
    """The methodology a project follows; a change of methodology needs a reason."""

    methodology = forms.ModelChoiceField(queryset=None)
    mapping = forms.ChoiceField(
        choices=[
            ("map", "Map the phase (same name, else same position)"),
            ("reset", "Reset to the first phase"),
        ],
        initial="map",
        required=False,
        label="Current phase",
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        help_text="Required for a change",
    )

    def __init__(self, *args: Any, methodologies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["methodology"].queryset = methodologies


class LinkForm(forms.Form):
    """A link provided for a deliverable."""

    criterion = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)
    link = forms.URLField(max_length=500, assume_scheme="https")
    note = forms.CharField(required=False, max_length=300)


class UploadForm(forms.Form):
    """A document uploaded for a deliverable."""

    criterion = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)
    file = forms.FileField(label="Document")
    note = forms.CharField(required=False, max_length=300)


class RequestForm(forms.Form):
    """A gate review request."""

    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        label="Comment for the reviewers",
    )


class DecisionForm(forms.Form):
    """A reviewer's decision."""

    outcome = forms.ChoiceField(choices=GateDecision.Outcome.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Required to reject or defer",
    )
    criterion = forms.TypedChoiceField(coerce=int, required=False, label="Approval")

    def __init__(self, *args: Any, approvals: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [(c.pk, f"{c.title} ({c.get_role_display()})") for c in approvals]
        if len(approvals) <= 1:
            self.fields["criterion"].widget = forms.HiddenInput()
