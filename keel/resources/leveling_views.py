"""Pages of resource leveling: start a run, follow it, compare before and after, apply, undo."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from keel.core.errors import PermissionDenied
from keel.core.views import add_domain_error, page, render_page
from keel.resources import leveling as leveling_services
from keel.resources.models import LevelingRun

RECENT_RUNS = 20
RUNNING = (LevelingRun.Status.QUEUED, LevelingRun.Status.RUNNING)


class _Choice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.name}"


class LevelingForm(forms.Form):
    """What to level (a project or a pool), how, and for how long."""

    project = _Choice(queryset=None, required=False, label="Project", empty_label="—")
    pool = _Choice(
        queryset=None,
        required=False,
        label="Or every project using a pool",
        empty_label="—",
        help_text="Levels the projects you may change that use the pool's resources, together.",
    )
    mode = forms.ChoiceField(
        choices=LevelingRun.Mode.choices, label="Mode", initial=LevelingRun.Mode.HEURISTIC
    )
    time_limit = forms.IntegerField(
        label="Time limit (seconds)",
        min_value=1,
        max_value=leveling_services.MAX_TIME_LIMIT,
        initial=10,
        help_text="How long the optimizing mode searches; the heuristic takes well under a second.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        projects, pools = leveling_services.leveling_targets_for_user(user)
        self.fields["project"].queryset = projects
        self.fields["pool"].queryset = pools

    def clean(self) -> dict[str, Any]:
        values = super().clean()
        if bool(values.get("project")) == bool(values.get("pool")):
            raise ValidationError({"project": "Choose either a project or a resource pool to level."})
        return values


@page
@require_http_methods(["GET", "POST"])
def run_list(request: HttpRequest) -> HttpResponse:
    """Recent leveling runs, and the form to level a project or a pool."""
    projects, pools = leveling_services.leveling_targets_for_user(request.user)
    may_level = projects.exists() or pools.exists()
    if request.method == "POST" and not may_level:
        raise PermissionDenied("Your roles do not let you level any project or pool.")
    initial = {"project": request.GET.get("project")} if request.GET.get("project", "").isdigit() else {}
    form = LevelingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            run = leveling_services.leveling_run_create(
                actor=request.user,
                project=values["project"],
                pool=values["pool"],
                mode=values["mode"],
                time_limit=values["time_limit"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_domain_error(form, error)
        else:
            return redirect("leveling:run_detail", run_id=run.pk)
    runs = leveling_services.leveling_run_list_for_user(request.user)[:RECENT_RUNS]
    context = {"form": form, "runs": runs, "may_level": may_level}
    return render_page(
        request, "resources/leveling/run_list.html", context, status=422 if form.errors else 200
    )


def _local(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else "—"


def _days(minutes: int, per_day: int) -> str:
    return f"{minutes / per_day:.1f}".rstrip("0").rstrip(".") if minutes else "0"


def _chart(result: dict[str, Any]) -> dict[str, list[str]]:
    """Project finishes before and after, for the chart (ISO dates)."""
    rows = result.get("projects", [])
    return {
        "projects": [row["code"] for row in rows],
        "before": [(row["finish_before"] or "")[:16] for row in rows],
        "after": [(row["finish_after"] or "")[:16] for row in rows],
    }


@page
@require_safe
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """A run's progress (polled while it runs), then finishes and task delays before and after."""
    run = leveling_services.leveling_run_get_for_user(request.user, run_id)
    result = run.result or {}
    per_day = max(1, int(result.get("minutes_per_day") or 480))
    names = {row["project_id"]: row["code"] for row in result.get("projects", [])}
    moved = [
        {
            **task,
            "project": names.get(task["project_id"], ""),
            "start_before_text": _local(task["start_before"]),
            "start_after_text": _local(task["start_after"]),
            "finish_before_text": _local(task["finish_before"]),
            "finish_after_text": _local(task["finish_after"]),
            "delay_days": _days(task["delay_minutes"], per_day),
        }
        for task in result.get("tasks", [])
        if task["moved"] or task["delay_minutes"]
    ]
    projects = [
        {
            **row,
            "before_text": _local(row["finish_before"]),
            "after_text": _local(row["finish_after"]),
            "unleveled_text": _local(row["finish_unleveled"]),
            "later": _later(row["finish_before"], row["finish_after"]),
        }
        for row in result.get("projects", [])
    ]
    context = {
        "run": run,
        "running": run.status in RUNNING,
        "projects": projects,
        "moved": moved,
        "chart": _chart(result),
        "may_act": _may_act(request.user, run),
    }
    return render_page(
        request, "resources/leveling/run_detail.html", context, partial="resources/leveling/_run.html"
    )


def _later(before: str | None, after: str | None) -> str:
    """How much later (or earlier) the project finishes, in calendar days."""
    if not before or not after:
        return ""
    delta = (dt.datetime.fromisoformat(after) - dt.datetime.fromisoformat(before)).total_seconds() / 86400
    if abs(delta) < 0.5:
        return "same day"
    return f"{'+' if delta > 0 else '−'}{abs(round(delta))} days"


def _may_act(user: Any, run: LevelingRun) -> bool:
    try:
        leveling_services.leveling_run_for_action(user, run.pk)
    except PermissionDenied:
        return False
    return True


@page
@require_http_methods(["GET", "POST"])
def run_apply(request: HttpRequest, run_id: int) -> HttpResponse:
    """Confirm, then apply the run's delays to the schedules."""
    return _act(request, run_id, leveling_services.leveling_run_apply, "apply")


@page
@require_http_methods(["GET", "POST"])
def run_undo(request: HttpRequest, run_id: int) -> HttpResponse:
    """Confirm, then put back the delays the tasks had before the run was applied."""
    return _act(request, run_id, leveling_services.leveling_run_undo, "undo")


def _act(request: HttpRequest, run_id: int, action: Any, verb: str) -> HttpResponse:
    run = leveling_services.leveling_run_for_action(request.user, run_id)
    if request.method == "GET":
        context = {"run": run, "verb": verb, "projects": run.result.get("projects", [])}
        return render_page(request, "resources/leveling/confirm.html", context)
    try:
        action(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Leveling applied." if verb == "apply" else "Leveling undone.")
    return redirect("leveling:run_detail", run_id=run.pk)
