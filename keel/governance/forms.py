"""Forms of the RAID pages: the four item kinds, risk actions, escalation and resolution, the unit settings.

Levels (probability, impact, severity) are offered on the scale of the project's unit with its labels;
owners are the people holding a role over the project's unit. The services check everything again.
"""

from __future__ import annotations

from typing import Any

from django import forms

from keel.governance import selectors
from keel.governance.models import (
    SCALE_MAX,
    SCALE_MIN,
    Assumption,
    Decision,
    Issue,
    Risk,
    RiskAction,
)
from keel.orgs import selectors as org_selectors
from keel.portfolio.models import Project

DATE = forms.DateInput(attrs={"type": "date"})


def _levels(labels: tuple[str, ...]) -> list[tuple[str, str]]:
    return [("", "—")] + [
        (str(n), f"{n} — {label}" if label != str(n) else str(n)) for n, label in enumerate(labels, start=1)
    ]


class ItemForm(forms.ModelForm):
    """Shared set-up: the owner among the project's people; the version edited, hidden."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    level_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.scale = selectors.scale_for_project(project)
        if "owner" in self.fields:
            self.fields["owner"].queryset = org_selectors.people_for_unit(project.org_unit).order_by(
                "username"
            )
            self.fields["owner"].required = False
        for name in self.level_fields:
            labels = (
                self.scale.impact_labels
                if name in ("impact", "residual_impact", "severity")
                else (self.scale.probability_labels)
            )
            field = self.fields[name]
            self.fields[name] = forms.TypedChoiceField(
                label=field.label,
                choices=_levels(labels),
                coerce=int,
                empty_value=None,
                required=field.required,
                help_text=field.help_text,
            )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values for the service (without the version)."""
        values = dict(self.cleaned_data)
        values.pop("version", None)
        return values


class RiskForm(ItemForm):
    """A risk: cause → event → effect, scored on the unit's scale, with its response."""

    level_fields = ("probability", "impact", "residual_probability", "residual_impact")

    class Meta:
        model = Risk
        fields = [
            "title",
            "cause",
            "event",
            "effect",
            "category",
            "probability",
            "impact",
            "proximity",
            "owner",
            "response_strategy",
            "trigger",
            "status",
            "residual_probability",
            "residual_impact",
            "description",
        ]
        widgets = {
            "proximity": DATE,
            "cause": forms.Textarea(attrs={"rows": 2}),
            "event": forms.Textarea(attrs={"rows": 2}),
            "effect": forms.Textarea(attrs={"rows": 2}),
            "trigger": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = list(self.scale.categories)
        current = self.instance.category if self.instance.pk else ""
        if current and current not in categories:
            categories.append(current)
        self.fields["category"] = forms.ChoiceField(
            label="Category", choices=[("", "—")] + [(c, c) for c in categories], required=False
        )
        self.fields["probability"].required = True
        self.fields["impact"].required = True


class RiskActionForm(forms.ModelForm):
    """A response action of a risk."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = RiskAction
        fields = ["description", "owner", "due_date", "status", "completed_on"]
        widgets = {"due_date": DATE, "completed_on": DATE}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = org_selectors.people_for_unit(project.org_unit).order_by("username")
        self.fields["owner"].required = False
        self.fields["due_date"].required = False  # the service names the missing due date
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def service_fields(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        values.pop("version", None)
        return values


class IssueForm(ItemForm):
    """An issue: severity on the unit's impact scale, owner, due date, resolution."""

    level_fields = ("severity",)

    class Meta:
        model = Issue
        fields = ["title", "description", "severity", "owner", "due_date", "status", "resolution_note"]
        widgets = {
            "due_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "resolution_note": forms.Textarea(attrs={"rows": 2}),
        }


class AssumptionForm(ItemForm):
    """An assumption with its owner and validation date."""

    class Meta:
        model = Assumption
        fields = ["title", "description", "owner", "validation_date", "status", "validation_note"]
        widgets = {
            "validation_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "validation_note": forms.Textarea(attrs={"rows": 2}),
        }


class DecisionForm(ItemForm):
    """A decision: what, who decided, when, why, the options considered, the items it concerns."""

    class Meta:
        model = Decision
        fields = [
            "title",
            "description",
            "decided_by",
            "decided_on",
            "rationale",
            "options_considered",
            "owner",
            "linked_risks",
            "linked_issues",
            "linked_assumptions",
        ]
        labels = {"title": "What was decided"}
        widgets = {
            "decided_on": DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "options_considered": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, qs in selectors.linkable_items(self.project).items():
            self.fields[name].queryset = qs
            self.fields[name].required = False
            self.fields[name].label_from_instance = lambda item: f"{item.reference} {item.title}"
        self.fields["rationale"].required = False  # the service names a missing rationale


class EscalateForm(forms.Form):
    """The project manager flags an item for the PMO."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why the PMO must look at this", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ResolveForm(forms.Form):
    """The PMO records how an escalation was resolved."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    resolution = forms.CharField(label="Resolution", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RaidConfigForm(forms.Form):
    """The PMO's RAID settings of a unit: the scale, its labels, the thresholds, the risk categories."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    scale_size = forms.IntegerField(
        label="Levels of probability and impact", min_value=SCALE_MIN, max_value=SCALE_MAX
    )
    probability_labels = forms.CharField(
        label="Probability labels",
        help_text="One per level, lowest first, separated by commas",
        required=False,
    )
    impact_labels = forms.CharField(
        label="Impact labels", help_text="One per level, lowest first, separated by commas", required=False
    )
    escalation_threshold = forms.IntegerField(
        label="Escalation score",
        min_value=1,
        help_text="Risks scoring at least this go to the escalation list",
    )
    escalation_severity = forms.IntegerField(
        label="Escalation severity",
        min_value=1,
        help_text="Issues at least this severe go to the escalation list",
    )
    categories = forms.CharField(
        label="Risk categories",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line",
        required=False,
    )

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data

        def split(text: str, sep: str) -> list[str]:
            return [part.strip() for part in (text or "").split(sep) if part.strip()]

        return {
            "scale_size": data["scale_size"],
            "probability_labels": split(data["probability_labels"], ","),
            "impact_labels": split(data["impact_labels"], ","),
            "escalation_threshold": data["escalation_threshold"],
            "escalation_severity": data["escalation_severity"],
            "categories": split(data["categories"], "\n"),
        }


FORMS = {"risk": RiskForm, "issue": IssueForm, "assumption": AssumptionForm, "decision": DecisionForm}
