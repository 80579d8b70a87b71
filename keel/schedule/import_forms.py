"""The form of the project-file upload page."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.orgs import selectors as org_selectors
from keel.orgs.scoping import Action
from keel.portfolio.models import Project
from keel.schedule import import_jobs


class _UnitChoice(forms.ModelChoiceField):
    """An org unit shown by code and name."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.name}"


class ImportForm(forms.Form):
    """A project file, the org unit of the new project, and optionally its code and name."""

    file = forms.FileField(
        label="Project file",
        help_text=f"{import_jobs.ACCEPTED_FORMATS}. All or nothing: a file that cannot be read imports nothing.",
    )
    org_unit = _UnitChoice(queryset=None, label="Org unit", empty_label=None)
    code = forms.CharField(
        label="Project code",
        required=False,
        max_length=30,
        help_text="Leave empty to make one from the file's title.",
    )
    name = forms.CharField(
        label="Project name", required=False, max_length=200, help_text="Leave empty to use the file's title."
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = org_selectors.org_unit_list_where(user, Project, Action.CHANGE)
        self.fields["file"].widget.attrs["accept"] = ",".join(sorted(import_jobs.PROJECT_SUFFIXES))
        limit = import_jobs.max_upload_bytes() // (1024 * 1024)
        self.fields["file"].help_text += f" At most {limit} MB."
