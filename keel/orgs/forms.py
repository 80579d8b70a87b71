"""Forms of the organisation pages: API tokens, org units, people and their roles."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password

from keel.orgs import selectors
from keel.orgs.models import OrgUnit, Role, User
from keel.orgs.scoping import Action


class UnitChoiceField(forms.ModelChoiceField):
    """An org unit shown by code and name (choices come in tree order)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.name}"


class TokenCreateForm(forms.Form):
    """Name a new personal API token."""

    name = forms.CharField(
        max_length=100, label="Token name", help_text="What the token is for, e.g. 'Reporting script'."
    )


class OrgUnitForm(forms.ModelForm):
    """Create or edit an org unit under a unit the user administers."""

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind", "parent", "location", "calendar", "currency"]
        field_classes = {"parent": UnitChoiceField}
        widgets = {"currency": forms.TextInput(attrs={"maxlength": 3, "style": "text-transform: uppercase"})}
        help_texts = {"parent": "The unit this one belongs to; roles held there apply here too."}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = selectors.org_unit_list_where(user, OrgUnit, Action.ADMIN)
        if self.instance.pk is not None:
            # A unit cannot move under itself or its own subtree.
            parents = parents.exclude(path__startswith=self.instance.path)
            if self.instance.parent_id is not None:
                # Keeping the current parent is always allowed, even when the user administers only this unit.
                parents = parents | OrgUnit.objects.filter(pk=self.instance.parent_id)
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.instance.version
            )
        else:
            self.fields["currency"].required = False
            self.fields["currency"].help_text = "Leave empty to use the parent's reporting currency."
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = False
        self.fields["parent"].empty_label = "— none (top-level unit) —"
        self.fields["location"].queryset = selectors.location_list()
        self.fields["location"].empty_label = (
            "— same as the parent —" if self.instance.pk is None else "— none —"
        )
        self.fields["calendar"].queryset = selectors.calendar_list()
        self.fields["calendar"].empty_label = "Inherited from the parent unit"

    def clean_currency(self) -> str:
        """Currency codes are upper case."""
        return (self.cleaned_data.get("currency") or "").upper()

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of the org unit services."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


class UserCreateForm(forms.Form):
    """A new person with their first role in a unit the user administers."""

    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(label="E-mail")
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Leave empty to let the person set one through a reset link.",
    )
    unit = UnitChoiceField(queryset=None, label="Org unit")
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.org_unit_list_where(user, OrgUnit, Action.ADMIN)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password"):
            probe = User(
                username=data.get("username", ""),
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                validate_password(data["password"], probe)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class MembershipForm(forms.Form):
    """Give a person a role in a unit the user administers."""

    unit = UnitChoiceField(queryset=None, label="Org unit")
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.org_unit_list_where(user, OrgUnit, Action.ADMIN)


class ConfirmForm(forms.Form):
    """An explicit confirmation of a destructive action."""
