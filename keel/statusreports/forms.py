"""Forms of the status-report pages: a unit's settings, a project's cadence, drafting a report, and the
manager's decisions and narrative of a draft."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.statusreports.models import DIMENSIONS, Cadence, Rag, ReportConfig, StatusReport

TEXTAREA = {"rows": 3}


class ReportConfigForm(forms.ModelForm):
    """The unit's default cadence and RAG thresholds."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ReportConfig
        fields = [
            "cadence",
            "spi_amber",
            "spi_red",
            "cpi_amber",
            "cpi_red",
            "slipped_amber",
            "slipped_red",
            "overdue_amber",
            "overdue_red",
            "high_risks_amber",
            "high_risks_red",
        ]
        labels = {
            "spi_amber": "SPI amber below",
            "spi_red": "SPI red below",
            "cpi_amber": "CPI amber below",
            "cpi_red": "CPI red below",
            "slipped_amber": "Slipped milestones for amber",
            "slipped_red": "Slipped milestones for red",
            "overdue_amber": "Overdue tasks for amber",
            "overdue_red": "Overdue tasks for red",
            "high_risks_amber": "Open high risks and issues for amber",
            "high_risks_red": "Open high risks and issues for red",
        }


class CadenceForm(forms.Form):
    """The project's own cadence, or its unit's."""

    cadence = forms.ChoiceField(
        choices=[("", "As the unit (default)"), *Cadence.choices], required=False, label="Reporting cadence"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReportCreateForm(forms.Form):
    """Which period to report on."""

    period_end = forms.DateField(
        label="Period ending",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The report's due date",
    )


class ReportForm(forms.Form):
    """Per dimension: the RAG decided (confirming or overriding the proposal) and the override reason;
    then the narrative."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, report: StatusReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        for dim in DIMENSIONS:
            proposed = report.proposed(dim)
            choices = [("", "Not decided yet")] + [
                (value, f"{label} (proposed)" if value == proposed else label) for value, label in Rag.choices
            ]
            self.fields[f"{dim}_rag"] = forms.ChoiceField(
                choices=choices, required=False, label=f"{dim.title()} RAG"
            )
            self.fields[f"{dim}_reason"] = forms.CharField(
                required=False,
                label=f"Why {dim} differs from the proposal",
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=4000,
            )
        for name, label in (
            ("accomplishments", "Accomplishments"),
            ("next_steps", "Next steps"),
            ("help_needed", "Help needed"),
        ):
            self.fields[name] = forms.CharField(
                required=False, label=label, widget=forms.Textarea(attrs=TEXTAREA), max_length=4000
            )

    def changes(self) -> dict[str, Any]:
        """The cleaned values the service takes (without the version)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}
