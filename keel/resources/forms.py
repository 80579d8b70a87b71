"""Forms of the resource pages. Every choice list comes from a selector, so a form never offers a
pool, resource, skill, unit or person the user may not see or use."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action
from keel.portfolio.forms import DateInput, PersonChoiceField, UnitChoiceField
from keel.resources import selectors
from keel.resources.models import (
    Allocation,
    Assignment,
    CostRate,
    Resource,
    ResourceLeave,
    ResourcePool,
    Skill,
)
from keel.schedule.models import Task


class CodeNameChoiceField(forms.ModelChoiceField):
    """A record shown by code and name."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.name}"


class VersionedForm(forms.ModelForm):
    """A model form that carries the version of the record it edits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.instance.version
            )

    def validate_unique(self) -> None:
        """Uniqueness is checked by the services, with messages that say what to do."""

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of the services."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


# --- filters -------------------------------------------------------------------------------------


class ResourceFilterForm(forms.Form):
    """The resource list's filters and sort order, read from the URL's query string."""

    q = forms.CharField(required=False, label="Search", max_length=200)
    pool = CodeNameChoiceField(queryset=None, required=False, label="Pool", empty_label="All pools")
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Resource.Kind.choices], required=False, label="Kind")
    role = forms.ModelChoiceField(queryset=None, required=False, label="Generic role", empty_label="Any role")
    skill = forms.ModelChoiceField(queryset=None, required=False, label="Skill", empty_label="Any skill")
    unit = UnitChoiceField(queryset=None, required=False, label="Home unit", empty_label="All units")
    active = forms.ChoiceField(
        choices=[("", "Active and inactive"), ("yes", "Active only"), ("no", "Inactive only")],
        required=False,
        label="Status",
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = selectors.pool_list_for_user(user)
        self.fields["role"].queryset = selectors.role_choices_for_user(user)
        self.fields["skill"].queryset = selectors.skill_list_for_user(user)
        self.fields["unit"].queryset = org_selectors.org_unit_list_for_user(user)
        for name in ("pool", "kind", "role", "skill", "unit", "active"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def filters(self) -> tuple[selectors.ResourceFilters, str]:
        """The valid filters (invalid ones are left out and shown as errors) and the sort key."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        sort = data.get("sort") or "name"
        if sort.lstrip("-") not in selectors.RESOURCE_ORDERINGS:
            sort = "name"
        active = {"yes": True, "no": False}.get(data.get("active") or "")
        return (
            selectors.ResourceFilters(
                q=(data.get("q") or "").strip(),
                pool=data["pool"].pk if data.get("pool") else None,
                kind=data.get("kind") or "",
                role=data["role"].pk if data.get("role") else None,
                skill=data["skill"].pk if data.get("skill") else None,
                unit=data["unit"].pk if data.get("unit") else None,
                active=active,
            ),
            sort,
        )


# --- pools ---------------------------------------------------------------------------------------


class PoolForm(VersionedForm):
    """Create or edit a pool in a unit where the user may manage resources."""

    class Meta:
        model = ResourcePool
        fields = ["code", "name", "description", "org_unit", "manager"]
        labels = {"org_unit": "Org unit", "manager": "Resource manager"}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"org_unit": UnitChoiceField, "manager": PersonChoiceField}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = org_selectors.org_unit_list_where(user, ResourcePool, Action.CHANGE)
        self.fields["org_unit"].queryset = units
        self.fields["manager"].queryset = org_selectors.people_for_units(units).order_by(
            "last_name", "first_name", "username"
        )
        self.fields["manager"].empty_label = "— nobody yet —"
        self.fields[
            "manager"
        ].help_text = "Approves allocation requests; holds a role in the pool's unit or above."


class PoolShareForm(forms.Form):
    """The units a pool is shared with (PMO administrators over the pool's unit)."""

    units = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Shared with",
        widget=forms.CheckboxSelectMultiple,
        help_text="People of these units (and of the units below and above them) see the pool's resources "
        "and may request them; they cannot change them.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, pool: ResourcePool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = selectors.share_unit_choices().exclude(pk=pool.org_unit_id)
        self.fields["units"].label_from_instance = lambda unit: f"{unit.code} — {unit.name}"


# --- resources -----------------------------------------------------------------------------------


class ResourceForm(VersionedForm):
    """Create or edit a resource of a pool the user manages."""

    class Meta:
        model = Resource
        fields = [
            "pool",
            "code",
            "name",
            "kind",
            "user",
            "role",
            "home_unit",
            "location",
            "calendar",
            "max_units",
            "email",
            "notes",
            "is_active",
        ]
        labels = {
            "max_units": "Availability (%)",
            "user": "Keel user",
            "role": "Generic role",
            "home_unit": "Home unit",
            "is_active": "Active",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"pool": CodeNameChoiceField, "user": PersonChoiceField, "home_unit": UnitChoiceField}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = selectors.pool_list_for_user(user, Action.CHANGE)
        self.fields["role"].queryset = selectors.role_choices_for_user(user)
        self.fields["role"].empty_label = "— none —"
        units = org_selectors.org_unit_list_where(user, Resource, Action.CHANGE)
        self.fields["home_unit"].queryset = units
        self.fields["home_unit"].required = False
        self.fields["home_unit"].help_text = "Leave empty for the pool's unit."
        self.fields["user"].queryset = org_selectors.user_list_for_user(user).order_by(
            "last_name", "first_name", "username"
        )
        self.fields["user"].empty_label = "— not a Keel user —"
        self.fields["location"].queryset = org_selectors.location_list()
        self.fields["calendar"].queryset = org_selectors.calendar_list()


class ResourceSkillForm(forms.Form):
    """Give a resource a skill at a level."""

    skill = forms.ModelChoiceField(queryset=None, label="Skill")
    level = forms.TypedChoiceField(
        choices=[
            (n, f"{n} — {label}")
            for n, label in enumerate(("basic", "working", "good", "strong", "expert"), 1)
        ],
        coerce=int,
        initial=3,
        label="Level",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skill"].queryset = selectors.skill_list_for_user(user)


class SkillForm(VersionedForm):
    """A skill of the catalogue of a unit the user administers."""

    class Meta:
        model = Skill
        fields = ["name", "category", "org_unit"]
        labels = {"org_unit": "Kept by"}
        field_classes = {"org_unit": UnitChoiceField}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = org_selectors.org_unit_list_where(user, Skill, Action.CHANGE)
        self.fields["org_unit"].help_text = "The skill is offered to this unit and every unit below it."


class RateForm(VersionedForm):
    """A cost rate from a date on."""

    class Meta:
        model = CostRate
        fields = ["effective_from", "standard_rate", "overtime_rate", "cost_per_use", "currency"]
        labels = {"standard_rate": "Standard rate per hour", "overtime_rate": "Overtime rate per hour"}
        widgets = {
            "effective_from": DateInput(),
            "currency": forms.TextInput(attrs={"maxlength": 3, "style": "text-transform: uppercase"}),
        }

    def clean_currency(self) -> str:
        """Currency codes are upper case."""
        return (self.cleaned_data.get("currency") or "").upper()


class LeaveForm(VersionedForm):
    """Days a resource is away."""

    class Meta:
        model = ResourceLeave
        fields = ["kind", "start_date", "end_date", "percent", "note"]
        labels = {"percent": "Share of working time (%)"}
        widgets = {"start_date": DateInput(), "end_date": DateInput()}


# --- assignments and allocations -----------------------------------------------------------------


class TaskChoiceField(forms.ModelChoiceField):
    """A task shown with its outline number."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.outline_number} {obj.name}".strip()


class AssignmentForm(VersionedForm):
    """Assign a resource to a task of the project; work and cost default when left empty."""

    class Meta:
        model = Assignment
        fields = ["task", "resource", "units", "work_minutes", "cost"]
        labels = {"units": "Units (%)", "work_minutes": "Work (minutes)"}
        field_classes = {"task": TaskChoiceField, "resource": CodeNameChoiceField}

    def __init__(self, *args: Any, user: Any, project: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = Task.objects.none()
        self.fields["task"].queryset = project.tasks.filter(is_summary=False).order_by("sort_index")
        self.fields["resource"].queryset = selectors.resource_list_for_user(
            user, selectors.ResourceFilters(active=True)
        )
        self.fields["work_minutes"].required = False
        self.fields["work_minutes"].help_text = "Leave empty for the task's duration × units."
        self.fields["cost"].required = False
        self.fields["cost"].help_text = "Leave empty for the rate × work hours + cost per use."
        if self.instance.pk is not None:
            del self.fields["task"]


class AllocationForm(VersionedForm):
    """Request hours per week of a person or generic role for the project."""

    class Meta:
        model = Allocation
        fields = ["resource", "start_week", "end_week", "hours_per_week", "note"]
        labels = {"resource": "Person or generic role", "hours_per_week": "Hours per week"}
        widgets = {
            "start_week": DateInput(),
            "end_week": DateInput(),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"resource": CodeNameChoiceField}
        help_texts = {"start_week": "A Monday.", "end_week": "A Monday."}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = selectors.resource_list_for_user(
            user, selectors.ResourceFilters(active=True)
        ).filter(kind__in=[Resource.Kind.PERSON, Resource.Kind.ROLE])


class DecisionForm(forms.Form):
    """Approve or reject a request, with a comment (required to reject)."""

    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.HiddenInput
    )
    comment = forms.CharField(required=False, label="Comment", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ConfirmForm(forms.Form):
    """Confirms an action on the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)
