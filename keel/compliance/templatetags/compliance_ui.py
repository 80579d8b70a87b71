"""Template helpers of the compliance pages."""

from __future__ import annotations

from django import template

from keel.compliance import checks

register = template.Library()


@register.filter
def gap_kind(kind: str) -> str:
    """The label of a kind of gap ("baseline" -> "Baseline missing")."""
    return checks.kind_labels().get(kind, kind)


@register.filter
def percent(share: float | None) -> str:
    """A share (0–1) as a whole percentage, or a dash."""
    return "—" if share is None else f"{round(100 * share)}%"
