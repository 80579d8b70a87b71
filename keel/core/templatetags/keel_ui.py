"""Keel's page components: RAG and status badges, money, dates, sortable headers, pagination, fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms, template
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

# Colour plus icon plus text: status never reads by colour alone.
RAG = {
    "green": ("text-bg-success", "bi-check-circle-fill", "Green"),
    "amber": ("text-bg-warning", "bi-exclamation-triangle-fill", "Amber"),
    "red": ("text-bg-danger", "bi-x-octagon-fill", "Red"),
}
STATUS = {
    "proposed": ("text-bg-light border", "bi-lightbulb"),
    "active": ("text-bg-primary", "bi-play-circle"),
    "on_hold": ("text-bg-warning", "bi-pause-circle"),
    "closed": ("text-bg-secondary", "bi-check2-all"),
    "cancelled": ("text-bg-dark", "bi-slash-circle"),
}


@register.inclusion_tag("components/rag_badge.html")
def rag_badge(value: str, label: str = "") -> dict[str, Any]:
    """A health badge: green, amber or red, with an icon and the word."""
    css, icon, default = RAG.get(value, ("text-bg-light border", "bi-question-circle", "Unknown"))
    return {"css": css, "icon": icon, "label": label or default, "value": value}


@register.inclusion_tag("components/status_badge.html")
def status_badge(value: str, label: str = "") -> dict[str, Any]:
    """A status badge with an icon and the status in words."""
    css, icon = STATUS.get(value, ("text-bg-light border", "bi-circle"))
    return {"css": css, "icon": icon, "label": label or value.replace("_", " ").capitalize()}


@register.simple_tag
def money(amount: Any, currency: str = "") -> str:
    """An amount with two decimals, grouped thousands, and its ISO currency code."""
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        return "—"
    return format_html(
        '<span class="money text-nowrap">{} <abbr class="currency" title="Currency">{}</abbr></span>',
        f"{value:,.2f}",
        currency,
    )


@register.filter
def keel_date(value: Any) -> str:
    """A date as Keel writes it everywhere: 5 Jan 2026 (datetimes in the current time zone)."""
    if not value:
        return "—"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.day} {value:%b %Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value.day} {value:%b %Y}"
    return str(value)


def _query(params: QueryDict, **changes: Any) -> str:
    """The query string of `params` with `changes` applied (None or "" removes a key)."""
    query = params.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def query(context: template.Context, **changes: Any) -> str:
    """The current URL's query string with some parameters replaced (filters stay in the URL)."""
    return _query(context["request"].GET, **changes)


@register.inclusion_tag("components/sort_header.html", takes_context=True)
def sort_header(context: template.Context, key: str, label: str, default: str = "code") -> dict[str, Any]:
    """A column header that sorts the list by `key`; clicking it again reverses the order."""
    params = context["request"].GET
    current = params.get("sort") or default
    ascending = current == key
    descending = current == f"-{key}"
    target = f"-{key}" if ascending else key
    return {
        "label": label,
        "href": _query(params, sort=target, page=None),
        "aria_sort": "ascending" if ascending else "descending" if descending else "none",
        "icon": "bi-sort-up" if ascending else "bi-sort-down" if descending else "bi-arrow-down-up",
        "hx_target": context.get("hx_target", ""),
        "active": ascending or descending,
    }


@register.inclusion_tag("components/pagination.html", takes_context=True)
def pagination(context: template.Context, page: Any, label: str = "Pages") -> dict[str, Any]:
    """A pager for a `keel.core.pagination.Page`: previous, a window of numbers, next."""
    params = context["request"].GET
    numbers: list[int | None] = []
    window = {1, page.pages, *range(page.number - 2, page.number + 3)}
    previous = 0
    for n in sorted(x for x in window if 1 <= x <= page.pages):
        if n - previous > 1:
            numbers.append(None)
        numbers.append(n)
        previous = n
    return {
        "page": page,
        "label": label,
        "links": [(n, _query(params, page=n) if n else "") for n in numbers],
        "previous_href": _query(params, page=page.number - 1),
        "next_href": _query(params, page=page.number + 1),
        "hx_target": context.get("hx_target", ""),
    }


@register.inclusion_tag("components/empty_state.html")
def empty_state(message: str, action_url: str = "", action_label: str = "", icon: str = "bi-inbox") -> dict:
    """What to show where a list is empty: why, and what to do next."""
    return {"message": message, "action_url": action_url, "action_label": action_label, "icon": icon}


def _widget_class(widget: forms.Widget, invalid: bool) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    return f"{css} is-invalid" if invalid else css


@register.inclusion_tag("components/field.html")
def form_field(field: forms.BoundField, size: str = "") -> dict[str, Any]:
    """A labelled form control with its help text and its errors next to it."""
    widget = field.field.widget
    attrs = {"class": _widget_class(widget, bool(field.errors))}
    if size:
        attrs["class"] += f" {attrs['class'].split()[0]}-{size}"
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_errors")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return {
        "field": field,
        "widget_html": field.as_widget(attrs=attrs),
        "is_check": isinstance(widget, forms.CheckboxInput),
        "is_hidden": field.is_hidden,
    }
