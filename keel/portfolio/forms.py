"""Forms of the portfolio pages: register filters, the project form, audit trail filters.

Every choice list comes from a selector, so a form never offers what the user may not see or use.
"""

from __future__ import annotations

from typing import Any

from django import forms

from keel.gates import selectors as gates_selectors
from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action
from keel.portfolio import selectors
from keel.portfolio.models import Project


class PersonChoiceField(forms.ModelChoiceField):
    """A person shown by name with the username that tells namesakes apart."""

    def label_from_instance(self, obj: Any) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.username})" if full else obj.username


class UnitChoiceField(forms.ModelChoiceField):
    """An org unit shown by code and name (choices come in tree order)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.name}"


class ProjectFilterForm(forms.Form):
    """The project register's filters and sort order, read from the URL's query string."""

    q = forms.CharField(required=False, label="Search", max_length=200)
    unit = UnitChoiceField(queryset=None, required=False, label="Org unit", empty_label="All units")
    status = forms.MultipleChoiceField(
        choices=Project.Status.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    health = forms.MultipleChoiceField(
        choices=Project.Health.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    phase = forms.MultipleChoiceField(
        choices=Project.Phase.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    manager = PersonChoiceField(queryset=None, required=False, empty_label="Any manager")
    program = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any program")
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = org_selectors.org_unit_list_for_user(user)
        self.fields["manager"].queryset = org_selectors.user_list_for_user(user).order_by(
            "last_name", "first_name", "username"
        )
        self.fields["program"].queryset = selectors.program_list_for_user(user)
        for name in ("unit", "manager", "program"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def filters(self) -> tuple[selectors.ProjectFilters, str]:
        """The valid filters (invalid ones are left out and shown as errors) and the sort key."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        unit, manager, program = data.get("unit"), data.get("manager"), data.get("program")
        sort = data.get("sort") or "code"
        if sort.lstrip("-") not in selectors.PROJECT_ORDERINGS:
            sort = "code"
        return (
            selectors.ProjectFilters(
                q=(data.get("q") or "").strip(),
                unit=unit.pk if unit else None,
                status=tuple(data.get("status") or ()),
                health=tuple(data.get("health") or ()),
                phase=tuple(data.get("phase") or ()),
                manager=manager.pk if manager else None,
                program=program.pk if program else None,
            ),
            sort,
        )

    @property
    def active_count(self) -> int:
        """How many filters are set (shown on the filter toggle)."""
        data = getattr(self, "cleaned_data", {})
        return sum(
            1 for name in ("q", "unit", "status", "health", "phase", "manager", "program") if data.get(name)
        )


class DateInput(forms.DateInput):
    """A native date picker."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProjectForm(forms.ModelForm):
    """Create or edit a project; choices are the units, programs and people the user may use."""

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "description",
            "org_unit",
            "program",
            "manager",
            "sponsor",
            "status",
            "health",
            "phase",
            "priority",
            "planned_start",
            "planned_finish",
            "budget",
            "currency",
        ]
        labels = {
            "org_unit": "Org unit",
            "planned_start": "Planned start",
            "planned_finish": "Planned finish",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "planned_start": DateInput(),
            "planned_finish": DateInput(),
            "currency": forms.TextInput(attrs={"maxlength": 3, "style": "text-transform: uppercase"}),
        }
        field_classes = {
            "org_unit": UnitChoiceField,
            "manager": PersonChoiceField,
            "sponsor": PersonChoiceField,
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = org_selectors.org_unit_list_where(user, Project, Action.CHANGE)
        self.fields["org_unit"].queryset = units
        self.fields["program"].queryset = selectors.program_choices_for_user(user, units)
        self.fields["program"].empty_label = "— no program —"
        people = org_selectors.people_for_units(units).order_by("last_name", "first_name", "username")
        self.fields["manager"].queryset = people
        self.fields["sponsor"].queryset = people
        self.fields["manager"].empty_label = self.fields["sponsor"].empty_label = "— nobody yet —"
        self.fields["manager"].help_text = "Someone holding a role in the project's org unit or above it."
        if self.instance.pk is None:
            self.fields["currency"].required = False
            self.fields["currency"].help_text = "Leave empty to use the org unit's reporting currency."
            self.fields["methodology"] = forms.ModelChoiceField(
                queryset=gates_selectors.methodology_choices_for_user(user),
                required=False,
                empty_label="— none yet —",
                help_text="The lifecycle the project follows; it starts in its first phase.",
            )
        else:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.instance.version
            )

    def clean_currency(self) -> str:
        """Currency codes are upper case."""
        return (self.cleaned_data.get("currency") or "").upper()

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of the project services."""
        values = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        if not values.get("currency"):
            values.pop("currency", None)
        return values


class ProjectDeleteForm(forms.Form):
    """Confirms a deletion of the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)


RECORD_TYPES = [
    ("", "Any record type"),
    ("portfolio.project", "Project"),
    ("portfolio.program", "Program"),
    ("portfolio.portfolio", "Portfolio"),
    ("orgs.orgunit", "Org unit"),
    ("orgs.membership", "Membership"),
]


class AuditFilterForm(forms.Form):
    """The audit trail's filters."""

    unit = UnitChoiceField(queryset=None, required=False, label="Org unit", empty_label="All units")
    actor = PersonChoiceField(queryset=None, required=False, label="User", empty_label="Anyone")
    record_type = forms.ChoiceField(choices=RECORD_TYPES, required=False, label="Record type")
    object_id = forms.CharField(required=False, max_length=64, label="Record id")
    since = forms.DateField(required=False, widget=DateInput(), label="From")
    until = forms.DateField(required=False, widget=DateInput(), label="To")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = org_selectors.org_unit_list_for_user(user, Action.ADMIN)
        self.fields["actor"].queryset = org_selectors.user_list_for_user(user, Action.ADMIN).order_by(
            "last_name", "first_name", "username"
        )

    def filters(self) -> selectors.AuditFilters:
        """The valid filters (invalid ones are left out and shown as errors)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        unit, actor = data.get("unit"), data.get("actor")
        return selectors.AuditFilters(
            unit=unit.pk if unit else None,
            actor=actor.pk if actor else None,
            content_type=data.get("record_type") or "",
            object_id=(data.get("object_id") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
        )
