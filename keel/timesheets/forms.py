"""Forms of the timesheet pages: add a line, decide a week, and reading the grid's hour cells."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from keel.core.errors import NotFound
from keel.timesheets import selectors


class AddLineForm(forms.Form):
    """A new line: a project the person may book on and, optionally, one of its tasks."""

    project = forms.TypedChoiceField(label="Project", coerce=int, empty_value=None)
    task = forms.TypedChoiceField(
        label="Task",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Leave empty to book on the project.",
    )
    note = forms.CharField(label="Note", max_length=500, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        projects = selectors.bookable_projects(user).only("pk", "code", "name")
        self.fields["project"].choices = [("", "Choose a project")] + [
            (p.pk, f"{p.code} — {p.name}") for p in projects
        ]
        project_id = self.data.get("project") if self.is_bound else None
        self.fields["task"].choices = task_choices(user, project_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("project"):
            data["project"] = selectors.bookable_project_get(self.user, data["project"])
            task_id = data.get("task")
            data["task"] = (
                selectors.bookable_tasks(data["project"]).filter(pk=task_id).first() if task_id else None
            )
        return data


def task_choices(user: Any, project_id: Any) -> list[tuple[Any, str]]:
    """The task picker's choices for a project the user may book on (only the empty choice otherwise)."""
    choices: list[tuple[Any, str]] = [("", "The whole project")]
    try:
        project = selectors.bookable_project_get(user, int(project_id))
    except (TypeError, ValueError, NotFound):
        return choices
    return choices + [
        (t.pk, f"{t.outline_number} {t.name}".strip())
        for t in selectors.bookable_tasks(project).only("pk", "name", "outline_number")
    ]


class DecisionForm(forms.Form):
    """An approver's decision on a submitted week."""

    comment = forms.CharField(
        label="Comment",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you reject: say what to fix.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def read_hours(data: Any, prefix: str = "h-") -> dict[tuple[str, int], Decimal | None]:
    """The grid's hour cells, {(row key, day index): hours}; raise ValidationError naming a bad cell."""
    cells: dict[tuple[str, int], Decimal | None] = {}
    errors = []
    for name, value in data.items():
        if not name.startswith(prefix):
            continue
        key, _, index = name[len(prefix) :].rpartition("-")
        if not key or not index.isdigit() or int(index) > 6:
            continue
        text = str(value).strip().replace(",", ".")
        if text == "":
            cells[(key, int(index))] = None
            continue
        try:
            hours = Decimal(text)
        except ArithmeticError:
            errors.append(f"'{value}' is not a number of hours.")
            continue
        if not hours.is_finite():
            errors.append(f"'{value}' is not a number of hours.")
            continue
        cells[(key, int(index))] = hours
    if errors:
        raise ValidationError({"hours": errors})
    return cells


def parse_week(text: str | None) -> dt.date | None:
    """A week named by any of its days (YYYY-MM-DD), or None when the text is not such a date."""
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return None


class PersonChoiceField(forms.ModelChoiceField):
    """A person picked by name (username when they have none)."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class ImportForm(forms.Form):
    """Upload a CSV or Excel file of hours, for yourself or a person whose weeks you approve."""

    person = PersonChoiceField(
        label="For",
        queryset=None,
        empty_label=None,
        required=False,
        help_text="Yourself, or a person whose timesheets you approve: the hours go into their draft weeks.",
    )
    file = forms.FileField(
        label="CSV or Excel file",
        help_text="Columns: date (YYYY-MM-DD), project (code), task (UID, WBS code or name), hours, note.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["person"].queryset = selectors.people_entered_for(user)
        self.fields["person"].initial = user.pk

    def clean_person(self) -> Any:
        """The person picked; yourself when none is sent."""
        return self.cleaned_data.get("person") or self.user
