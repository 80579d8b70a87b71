"""Forms of the schedule pages: durations and lags typed as in MS Project, the Gantt's edits, filters.

Durations are typed as a number and a unit — "5d", "2w", "3h", "30m", "1mo", or "2ed" for elapsed
(24×7) time — and converted to minutes with the project calendar's minutes per day and per week;
a month is 20 working days (MS Project's default), an elapsed month 30 days. A bare number means days.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from keel.orgs import selectors as org_selectors
from keel.portfolio.models import Project
from keel.schedule.models import MAX_DURATION, ConstraintType, DurationUnit, EvMethod, LagUnit, LinkType

DAYS_PER_MONTH = 20
"""Working days in a month of duration (MS Project's default "days per month")."""

ELAPSED_MINUTES = {
    DurationUnit.ELAPSED_MINUTES: 1,
    DurationUnit.ELAPSED_HOURS: 60,
    DurationUnit.ELAPSED_DAYS: 24 * 60,
    DurationUnit.ELAPSED_WEEKS: 7 * 24 * 60,
    DurationUnit.ELAPSED_MONTHS: 30 * 24 * 60,
}

_WORDS = {
    "m": ("m", "min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "d": ("d", "dy", "day", "days"),
    "w": ("w", "wk", "wks", "week", "weeks"),
    "mo": ("mo", "mon", "mons", "month", "months"),
}
UNIT_WORDS = {word: unit for unit, words in _WORDS.items() for word in words} | {
    f"e{word}": f"e{unit}" for unit, words in _WORDS.items() for word in words
}
"""What may follow the number, by the unit it names ("e" before a unit: elapsed time)."""

_NUMBER = re.compile(r"^\s*(?P<number>[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*(?P<unit>[a-zA-Z]*|%)\s*$")
EXAMPLES = "5d, 2w, 3h, 30m, 1mo or 2ed (elapsed days)"


@dataclass(frozen=True)
class TypedDuration:
    """A duration or lag read from text: minutes (or whole percent) and how it was given."""

    minutes: int
    unit: str  # a DurationUnit value, or "%" for a percentage lag

    @property
    def elapsed(self) -> bool:
        """Whether the value counts elapsed (24×7) rather than working minutes."""
        return self.unit in ELAPSED_MINUTES

    @property
    def percent(self) -> bool:
        """Whether the value is a percentage of the predecessor's duration (lags only)."""
        return self.unit == "%"


UNITS = frozenset(str(unit) for unit in DurationUnit)


def unit_minutes(unit: str, minutes_per_day: int, minutes_per_week: int) -> int:
    """Minutes in one `unit` (a DurationUnit value) on a calendar with these working minutes."""
    if unit in ELAPSED_MINUTES:
        return ELAPSED_MINUTES[unit]  # type: ignore[index]
    if unit == DurationUnit.DAYS:
        return minutes_per_day
    if unit == DurationUnit.WEEKS:
        return minutes_per_week
    if unit == DurationUnit.MONTHS:
        return DAYS_PER_MONTH * minutes_per_day
    return 60 if unit == DurationUnit.HOURS else 1


def parse_duration(
    text: str,
    *,
    minutes_per_day: int,
    minutes_per_week: int,
    negative: bool = False,
    percent: bool = False,
) -> TypedDuration:
    """Read "5d", "2w", "3h", "30m", "1mo", "2ed"... as minutes; ValidationError saying why not.

    A bare number means days. `negative` allows leads (lags before the predecessor), `percent` a
    percentage of the predecessor's duration ("50%").
    """
    text = (text or "").strip()
    if not text:
        raise forms.ValidationError(f"Type a duration such as {EXAMPLES}.", code="required")
    match = _NUMBER.match(text)
    word = match.group("unit").lower() if match else ""
    if match is None or (word not in UNIT_WORDS and word not in ("", "%")):
        raise forms.ValidationError(
            f"“{text}” is not a duration: type a number and a unit, such as {EXAMPLES}.", code="invalid"
        )
    try:
        number = Decimal(match.group("number").replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern only lets numbers through
        raise forms.ValidationError(f"“{text}” is not a number.", code="invalid") from exc
    if number < 0 and not negative:
        raise forms.ValidationError("A duration cannot be negative.", code="negative")
    if word == "%":
        if not percent:
            raise forms.ValidationError(
                f"A duration cannot be a percentage: type it as {EXAMPLES}.", code="invalid"
            )
        if number != number.to_integral_value():
            raise forms.ValidationError("Type a percentage as a whole number, such as 50%.", code="invalid")
        return TypedDuration(int(number), "%")
    unit = UNIT_WORDS.get(word, DurationUnit.DAYS)
    size = unit_minutes(unit, minutes_per_day, minutes_per_week)
    if size == 0:
        raise forms.ValidationError(
            "The project calendar has no working time, so working durations cannot be counted.",
            code="calendar",
        )
    minutes = int((number * size).to_integral_value())
    if abs(minutes) > MAX_DURATION:
        raise forms.ValidationError("A duration can be at most fifty years.", code="max_value")
    return TypedDuration(minutes, str(DurationUnit(unit)))


def format_duration(minutes: int, unit: str, minutes_per_day: int, minutes_per_week: int) -> str:
    """Minutes in the task's unit as typed: 2400 working minutes in days on 8-hour days is "5d"."""
    if unit not in UNITS:
        unit = DurationUnit.DAYS
    size = unit_minutes(unit, minutes_per_day, minutes_per_week) or 1
    return f"{_number(Decimal(minutes) / size)}{unit}"


def format_days(minutes: int | None, minutes_per_day: int) -> str:
    """Working minutes as days ("3d", "0.5d", "-2d"); an empty string for no value."""
    if minutes is None:
        return ""
    return f"{_number(Decimal(minutes) / (minutes_per_day or 480))}d"


def format_lag(lag: int, lag_unit: str, minutes_per_day: int) -> str:
    """A link's lag as typed: "" for none, "+2d", "-1d", "+50%", "+3ed"."""
    if lag == 0:
        return ""
    sign = "+" if lag > 0 else "-"
    if lag_unit == LagUnit.PERCENT:
        return f"{sign}{abs(lag)}%"
    if lag_unit == LagUnit.ELAPSED:
        return f"{sign}{_number(Decimal(abs(lag)) / (24 * 60))}ed"
    return f"{sign}{_number(Decimal(abs(lag)) / (minutes_per_day or 480))}d"


def _number(value: Decimal) -> str:
    """A number with at most two decimals and no trailing zeros."""
    text = f"{value.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


# --- fields ------------------------------------------------------------------------------------------


class DurationField(forms.CharField):
    """A duration typed as in MS Project, cleaned to a :class:`TypedDuration`."""

    def __init__(self, *, minutes_per_day: int = 480, minutes_per_week: int = 2400, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", f"A number and a unit: {EXAMPLES}.")
        super().__init__(**kwargs)
        self.minutes_per_day = minutes_per_day
        self.minutes_per_week = minutes_per_week

    def clean(self, value: Any) -> TypedDuration:
        text = super().clean(value)
        return parse_duration(
            text, minutes_per_day=self.minutes_per_day, minutes_per_week=self.minutes_per_week
        )


class LagField(DurationField):
    """A link's lag: a duration that may be negative (a lead) or a percentage; empty means none."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Empty for none; 2d waits two days, -1d overlaps a day, 50% half.")
        super().__init__(**kwargs)

    def clean(self, value: Any) -> TypedDuration:
        text = forms.CharField.clean(self, value)
        if not text.strip():
            return TypedDuration(0, DurationUnit.DAYS)
        return parse_duration(
            text,
            minutes_per_day=self.minutes_per_day,
            minutes_per_week=self.minutes_per_week,
            negative=True,
            percent=True,
        )


class DelayField(DurationField):
    """A leveling delay: a duration in working time; empty means none."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> TypedDuration:
        text = forms.CharField.clean(self, value)
        if not text.strip():
            return TypedDuration(0, DurationUnit.DAYS)
        typed = parse_duration(
            text, minutes_per_day=self.minutes_per_day, minutes_per_week=self.minutes_per_week
        )
        if typed.elapsed:
            raise forms.ValidationError(
                "Type the delay in working time (such as 2d or 4h), not elapsed time.", code="elapsed"
            )
        return typed


class TaskChoiceField(forms.ModelChoiceField):
    """A task of the project shown by its outline number and name."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.outline_number} {obj.name}".strip()


class VersionField(forms.IntegerField):
    """The version of the record the person edited (optimistic concurrency)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, widget=forms.HiddenInput, **kwargs)


def _calendar(kwargs: dict[str, Any]) -> tuple[int, int]:
    return kwargs.pop("minutes_per_day", 480), kwargs.pop("minutes_per_week", 2400)


# --- the Gantt's edits -------------------------------------------------------------------------------


class TaskDurationForm(forms.Form):
    """Change one task's duration."""

    duration = DurationField(label="Duration")
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        per_day, per_week = _calendar(kwargs)
        self.task = kwargs.pop("task")
        super().__init__(*args, **kwargs)
        field = self.fields["duration"]
        field.minutes_per_day, field.minutes_per_week = per_day, per_week

    def changes(self) -> dict[str, Any]:
        """The task fields to change: duration and unit; a zero duration makes a milestone (as MS Project)."""
        typed: TypedDuration = self.cleaned_data["duration"]
        changes: dict[str, Any] = {"duration_minutes": typed.minutes, "duration_unit": typed.unit}
        if typed.minutes == 0 and not self.task.is_milestone:
            changes["is_milestone"] = True
        elif typed.minutes > 0 and self.task.is_milestone:
            changes["is_milestone"] = False
        return changes


class TaskStartForm(forms.Form):
    """Keep a task from starting before a date: a "start no earlier than" constraint (a dragged bar)."""

    start = forms.DateField(
        label="Start no earlier than",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The task starts on this day at the earliest, whatever its links allow.",
    )
    version = VersionField()

    def changes(self) -> dict[str, Any]:
        """The constraint, dated at the start of the chosen day in the project's time zone."""
        day: dt.date = self.cleaned_data["start"]
        return {
            "constraint_type": ConstraintType.SNET,
            "constraint_date": dt.datetime.combine(day, dt.time.min),
        }


START_CONSTRAINTS = frozenset({ConstraintType.SNET, ConstraintType.SNLT, ConstraintType.MSO})
"""Constraints dated by a start: the date means the beginning of that day (its first working minute)."""


class TaskDetailsForm(forms.Form):
    """A task's name, progress, date constraint, leveling delay and earned value method (the Gantt panel's
    details form).

    A summary task takes its progress from its subtasks and no leveling delay: those fields are left out.
    A summary task earns by its subtasks' own methods or by its weighted milestones; a task without
    subtasks by physical % complete, 0/100 or 50/50; a milestone may carry a weight. A form posted
    without the earned value fields (the Gantt panel) leaves them as they are.
    """

    name = forms.CharField(label="Name", max_length=255)
    percent_complete = forms.IntegerField(
        label="% complete", min_value=0, max_value=100, help_text="0 to 100; 100 marks the task done."
    )
    constraint_type = forms.ChoiceField(label="Constraint", choices=ConstraintType.choices)
    constraint_date = forms.DateField(
        label="Constraint date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Needed by every constraint but as soon / as late as possible.",
    )
    leveling_delay = DelayField(
        label="Leveling delay",
        help_text="Working time resource leveling holds the task after the start its links allow "
        "(0d or empty for none).",
    )
    ev_method = forms.ChoiceField(
        label="Earned value method",
        required=False,
        choices=EvMethod.choices,
        help_text="How the task's progress turns into earned value.",
    )
    ev_weight = forms.DecimalField(
        label="Milestone weight",
        required=False,
        min_value=Decimal("0.0001"),
        max_digits=9,
        decimal_places=4,
        help_text="This milestone's share of its summary task's earned value when the summary earns by "
        "weighted milestones (weights need not add up to 100). Empty for none.",
    )
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        per_day, per_week = _calendar(kwargs)
        self.task = kwargs.pop("task")
        super().__init__(*args, **kwargs)
        if self.task.is_summary:
            del self.fields["percent_complete"]
            del self.fields["leveling_delay"]
            methods = (EvMethod.PHYSICAL, EvMethod.MILESTONES)
            self.fields["ev_method"].help_text = (
                "Physical: its subtasks earn by their own methods. Weighted milestones: its whole budget "
                "is earned by the weights of the milestones among its subtasks that are reached."
            )
        else:
            field = self.fields["leveling_delay"]
            field.minutes_per_day, field.minutes_per_week = per_day, per_week
            methods = (EvMethod.PHYSICAL, EvMethod.ZERO_HUNDRED, EvMethod.FIFTY_FIFTY)
        if self.task.ev_method not in methods:
            methods = (*methods, EvMethod(self.task.ev_method))
        self.fields["ev_method"].choices = [(m.value, m.label) for m in methods]
        if not self.task.is_milestone and self.task.ev_weight is None:
            del self.fields["ev_weight"]
        self.initial.setdefault("ev_method", self.task.ev_method)
        self.initial.setdefault("ev_weight", self.task.ev_weight)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("constraint_type")
        if (
            kind
            and kind not in (ConstraintType.ASAP, ConstraintType.ALAP)
            and not data.get("constraint_date")
        ):
            label = ConstraintType(kind).label.lower()
            self.add_error("constraint_date", f"A ‘{label}’ constraint needs a date.")
        return data

    def changes(self) -> dict[str, Any]:
        """The task fields to change; a start constraint is dated at the start of its day, a finish one at
        its end (as MS Project does)."""
        data = self.cleaned_data
        kind = data["constraint_type"]
        day: dt.date | None = data.get("constraint_date")
        date = None
        if kind not in (ConstraintType.ASAP, ConstraintType.ALAP) and day is not None:
            at = dt.time.min if kind in START_CONSTRAINTS else dt.time(23, 59)
            date = dt.datetime.combine(day, at)
        changes: dict[str, Any] = {"name": data["name"], "constraint_type": kind, "constraint_date": date}
        if not self.task.is_summary:
            changes["percent_complete"] = data["percent_complete"]
            changes["leveling_delay_minutes"] = data["leveling_delay"].minutes
        # The earned value fields change only when posted (the Gantt panel leaves them out).
        if "ev_method" in self.data and data.get("ev_method"):
            changes["ev_method"] = data["ev_method"]
        if "ev_weight" in self.fields and "ev_weight" in self.data:
            changes["ev_weight"] = data.get("ev_weight")
        return changes


class TaskCreateForm(forms.Form):
    """Add a task, at the end of the schedule or just below a chosen task at the same level."""

    name = forms.CharField(label="Name", max_length=255)
    duration = DurationField(label="Duration", initial="1d")
    after = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        per_day, per_week = _calendar(kwargs)
        super().__init__(*args, **kwargs)
        field = self.fields["duration"]
        field.minutes_per_day, field.minutes_per_week = per_day, per_week


class LinkCreateForm(forms.Form):
    """Make one task follow another: predecessor, type and lag."""

    predecessor = TaskChoiceField(queryset=None, label="Predecessor", empty_label="Choose a task")
    successor = TaskChoiceField(queryset=None, label="Successor", empty_label="Choose a task")
    type = forms.ChoiceField(label="Type", choices=LinkType.choices, initial=LinkType.FS)
    lag = LagField(label="Lag")

    def __init__(self, *args: Any, tasks: Any, **kwargs: Any) -> None:
        per_day, per_week = _calendar(kwargs)
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].queryset = tasks
        self.fields["successor"].queryset = tasks
        lag = self.fields["lag"]
        lag.minutes_per_day, lag.minutes_per_week = per_day, per_week

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("predecessor") is not None and data.get("predecessor") == data.get("successor"):
            self.add_error("successor", "A task cannot follow itself.")
        return data

    def lag_values(self) -> dict[str, Any]:
        """The lag as the service takes it: minutes (working or elapsed) or percent."""
        typed: TypedDuration = self.cleaned_data["lag"]
        unit = LagUnit.PERCENT if typed.percent else LagUnit.ELAPSED if typed.elapsed else LagUnit.WORKING
        return {"lag": typed.minutes, "lag_unit": unit}


class VersionForm(forms.Form):
    """Confirm a removal of the record at the version the person saw."""

    version = VersionField()


# --- the portfolio Gantt -----------------------------------------------------------------------------


class UnitChoiceField(forms.ModelChoiceField):
    """An org unit shown by code and name."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.name}"


class PortfolioGanttFilterForm(forms.Form):
    """Filters of the portfolio Gantt, read from the URL: org unit (and below) and status."""

    unit = UnitChoiceField(queryset=None, required=False, label="Org unit", empty_label="All units")
    status = forms.MultipleChoiceField(
        choices=Project.Status.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = org_selectors.org_unit_list_for_user(user)
        self.fields["unit"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["status"].widget.attrs["class"] = "form-check-input"

    def values(self) -> tuple[int | None, tuple[str, ...]]:
        """The valid filters (an invalid one is left out and shown as an error): unit pk, statuses."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        unit = data.get("unit")
        return (unit.pk if unit else None), tuple(data.get("status") or ())
