"""Forms of the compliance pages: remind the owner of a gap, waive a gap, withdraw a waiver, a unit's
settings. The services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.compliance.checks import Gap
from keel.compliance.models import MAX_DAYS

DATE = forms.DateInput(attrs={"type": "date"})


def _gap_choices(gaps: list[Gap]) -> list[tuple[str, str]]:
    return [(g.key, f"{g.title} — {g.owner or 'no owner'}, {g.age_days} days") for g in gaps]


class RemindForm(forms.Form):
    """Which gap of the project to remind its owner of."""

    key = forms.ChoiceField(label="Gap")

    def __init__(self, *args: Any, gaps: list[Gap], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = _gap_choices(gaps)


class WaiveForm(forms.Form):
    """Which gap of the project to waive, why, and until when."""

    key = forms.ChoiceField(label="Gap")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    expires_on = forms.DateField(
        required=False, widget=DATE, label="Expires on", help_text="Leave empty for a waiver without end"
    )

    def __init__(self, *args: Any, gaps: list[Gap], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = _gap_choices(gaps)


class WithdrawForm(forms.Form):
    """Confirm withdrawing a waiver (at the version shown)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ComplianceConfigForm(forms.Form):
    """A unit's compliance settings."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    stale_raid_days = forms.IntegerField(
        min_value=1,
        max_value=MAX_DAYS,
        label="Stale RAID items after (days)",
        help_text="Open risks, issues and actions not updated for this many days are gaps",
    )
    change_age_days = forms.IntegerField(
        min_value=1,
        max_value=MAX_DAYS,
        label="Undecided changes after (days)",
        help_text="Change requests awaiting a decision for this many days are gaps",
    )
    baseline_required = forms.BooleanField(
        required=False,
        label="Require a baseline",
        help_text="Running projects past planning, or with work started, need a saved baseline",
    )

    def service_fields(self) -> dict[str, Any]:
        """The settings as the service takes them."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}
