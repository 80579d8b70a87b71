"""Pages of capacity and demand: the utilization heatmap (with the demand behind a cell and an Excel
export), role capacity vs demand, and the over-allocation list. Read-only; filters live in the URL."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from keel.core.api import MAX_ID
from keel.core.views import add_domain_error, page, render_page
from keel.resources import capacity as selectors

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEATMAP_PAGE_SIZE = 50


# --- the filter form -----------------------------------------------------------------------------------


class CapacityFilterForm(forms.Form):
    """The filters of the capacity pages (GET): window, what-if switch, pool, role, unit, skill."""

    start = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="A day in the first period",
    )
    periods = forms.IntegerField(label="Periods", required=False, min_value=1, max_value=104)
    granularity = forms.ChoiceField(
        label="By", choices=[(selectors.WEEK, "Week"), (selectors.MONTH, "Month")], required=False
    )
    include_proposed = forms.BooleanField(label="Include proposed projects", required=False)
    pool = forms.TypedChoiceField(label="Pool", coerce=int, required=False, empty_value=None)
    role = forms.TypedChoiceField(label="Role", coerce=int, required=False, empty_value=None)
    unit = forms.TypedChoiceField(label="Home unit", coerce=int, required=False, empty_value=None)
    skill = forms.TypedChoiceField(label="Skill", coerce=int, required=False, empty_value=None)
    min_level = forms.TypedChoiceField(
        label="Skill level from",
        coerce=int,
        required=False,
        empty_value=1,
        choices=[(n, str(n)) for n in range(1, 6)],
    )

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        choices = selectors.filter_choices_for_user(user)
        for name, options, blank in (
            ("pool", choices.pools, "All pools"),
            ("role", choices.roles, "All roles"),
            ("unit", choices.units, "All units"),
            ("skill", choices.skills, "Any skill"),
        ):
            self.fields[name].choices = [("", blank), *options]
        for field in self.fields.values():
            css = (
                "form-check-input"
                if isinstance(field.widget, forms.CheckboxInput)
                else "form-control form-control-sm"
            )
            if isinstance(field.widget, forms.Select):
                css = "form-select form-select-sm"
            field.widget.attrs.setdefault("class", css)

    def filters(self, user: Any) -> selectors.CapacityFilters:
        """The valid filters (defaults where a field is wrong); errors stay on the form."""
        valid = self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if valid or name not in self.errors}
        filters = selectors.CapacityFilters(
            start=data.get("start"),
            periods=data.get("periods"),
            granularity=data.get("granularity") or selectors.WEEK,
            include_proposed=bool(data.get("include_proposed")),
            pool=data.get("pool"),
            role=data.get("role"),
            unit=data.get("unit"),
            skill=data.get("skill"),
            min_level=data.get("min_level") or 1,
        )
        try:
            return selectors.check_filters(user, filters)
        except ValidationError as exc:
            add_domain_error(self, exc)
            bad = set(exc.message_dict)
            defaults = selectors.CapacityFilters()
            return replace(
                filters, **{name: getattr(defaults, name) for name in bad if hasattr(defaults, name)}
            )


def _form(request: HttpRequest) -> tuple[CapacityFilterForm, selectors.CapacityFilters]:
    form = CapacityFilterForm(request.GET, user=request.user)
    return form, form.filters(request.user)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


def _h(minutes: float) -> float:
    return selectors.hours(minutes)


# --- the heatmap ---------------------------------------------------------------------------------------


def _heatmap_chart(matrix: selectors.CapacityMatrix) -> dict[str, Any]:
    """The heatmap's ECharts data: one [period, row, load, demand h, capacity h, over] per cell."""
    cells = []
    for y, row in enumerate(matrix.rows):
        for x in range(len(matrix.periods)):
            load = row.load(x)
            cells.append(
                [x, y, 999 if load is None else load, _h(row.demand[x]), _h(row.capacity[x]), row.over(x)]
            )
    return {
        "periods": [p.label for p in matrix.periods],
        "period_keys": [p.key for p in matrix.periods],
        "period_starts": [p.start.isoformat() for p in matrix.periods],
        "resources": [f"{row.name} ({row.code})" for row in matrix.rows],
        "resource_ids": [row.id for row in matrix.rows],
        "cells": cells,
    }


def _table(matrix: selectors.CapacityMatrix) -> list[dict[str, Any]]:
    """The heatmap's table: per resource, per period its hours, load, over-allocation and cell link."""
    base = reverse("capacity:cell")
    suffix = "&include_proposed=on" if matrix.filters.include_proposed else ""
    return [
        {
            "row": row,
            "cells": [
                {
                    "period": period,
                    "capacity": _h(row.capacity[i]),
                    "demand": _h(row.demand[i]),
                    "requested": _h(row.requested[i]),
                    "load": row.load(i),
                    "over": row.over(i),
                    "level": _level(row.load(i), row.over(i)),
                    "href": f"{base}?resource={row.id}&period={period.key}{suffix}",
                }
                for i, period in enumerate(matrix.periods)
            ],
        }
        for row in matrix.rows
    ]


def _level(load: float | None, over: bool) -> str:
    """A CSS class for a load: free, light, busy, full, over."""
    if over:
        return "over"
    if load is None or load == 0:
        return "free"
    if load < 50:
        return "light"
    if load < 85:
        return "busy"
    return "full"


@page
@require_safe
def heatmap(request: HttpRequest) -> HttpResponse:
    """Resources × weeks coloured by load, over-allocations marked; a cell opens the demand behind it."""
    form, filters = _form(request)
    matrix, rows_page = selectors.heatmap_page_for_user(
        request.user, filters, page=_page_number(request), size=HEATMAP_PAGE_SIZE
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "filters": filters,
        "matrix": matrix,
        "page": rows_page,
        "table": _table(matrix),
        "chart": _heatmap_chart(matrix),
        "query_string": query.urlencode(),
        "proposed": "1" if filters.include_proposed else "",
    }
    return render(request, "resources/capacity/heatmap.html", context)


@page
@require_safe
def cell(request: HttpRequest) -> HttpResponse:
    """The tasks, projects and allocations behind one heatmap cell (an htmx panel, or a page)."""
    form, filters = _form(request)
    context: dict[str, Any] = {"form": form, "detail": None}
    resource, period = request.GET.get("resource", ""), request.GET.get("period", "")
    if resource or period:
        try:
            resource_id = int(resource)
            start, granularity = selectors.period_for_key(period)
            if not 1 <= resource_id <= MAX_ID:
                raise ValueError(resource)
        except ValueError:
            context["error"] = "Choose a cell of the heatmap: this one names no resource and period."
        else:
            detail = selectors.cell_detail_for_user(
                request.user, resource_id, start, replace(filters, granularity=granularity)
            )
            projects: dict[str, float] = {}
            for line in detail.lines:
                projects[line.project_code] = projects.get(line.project_code, 0) + line.minutes
            context.update(
                detail=detail,
                capacity=_h(detail.capacity),
                demand=_h(detail.demand),
                requested=_h(detail.requested),
                lines=[(line, _h(line.minutes)) for line in detail.lines],
                project_count=len({line.project_code for line in detail.lines if line.source != "requested"}),
            )
    return render_page(
        request, "resources/capacity/cell.html", context, partial="resources/capacity/_cell.html"
    )


@page
@require_safe
def heatmap_export(request: HttpRequest) -> HttpResponse:
    """The heatmap's numbers for every filtered resource as an Excel workbook (load, then hours)."""
    _, filters = _form(request)
    matrix = selectors.capacity_matrix_for_user(request.user, filters)
    response = HttpResponse(_xlsx(matrix), content_type=XLSX_CONTENT_TYPE)
    name = f"keel-capacity-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _xlsx(matrix: selectors.CapacityMatrix) -> bytes:
    """Sheets "Load %" (over-allocations in red), "Demand h", "Capacity h" and "Requested h"."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    red = PatternFill("solid", fgColor="F8D7DA")
    sheets: list[tuple[str, Any]] = [
        ("Load %", lambda row, i: row.load(i)),
        ("Demand h", lambda row, i: _h(row.demand[i])),
        ("Capacity h", lambda row, i: _h(row.capacity[i])),
        ("Requested h", lambda row, i: _h(row.requested[i])),
    ]
    for title, value in sheets:
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "C2"
        header = []
        for text in ["Resource", "Code", "Kind", "Pool", "Role", *[p.key for p in matrix.periods]]:
            cell_ = WriteOnlyCell(sheet, value=text)
            cell_.font = bold
            header.append(cell_)
        sheet.append(header)
        for row in matrix.rows:
            values: list[Any] = [row.name, row.code, row.kind, row.pool_code, row.role_name]
            for i in range(len(matrix.periods)):
                if title == "Load %" and row.over(i):
                    over = WriteOnlyCell(sheet, value=value(row, i))
                    over.fill = red
                    values.append(over)
                else:
                    values.append(value(row, i))
            sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- roles ---------------------------------------------------------------------------------------------


@page
@require_safe
def roles(request: HttpRequest) -> HttpResponse:
    """Role capacity vs demand per week or month: a chart of one role (bars: demand, line: capacity)."""
    form, filters = _form(request)
    matrix = selectors.role_capacity_for_user(request.user, filters)
    n = len(matrix.periods)
    chart = None
    chosen = matrix.groups[0] if len(matrix.groups) == 1 else None
    if filters.role is not None:
        chosen = next((g for g in matrix.groups if g.id == filters.role), chosen)
    shown = matrix.groups if chosen is None else [chosen]
    chart = {
        "title": chosen.name if chosen else "All roles",
        "periods": [p.label for p in matrix.periods],
        "capacity": [_h(sum(g.capacity[i] for g in shown)) for i in range(n)],
        "demand": [_h(sum(g.demand[i] for g in shown)) for i in range(n)],
        "requested": [_h(sum(g.requested[i] for g in shown)) for i in range(n)],
    }
    table = [
        {
            "group": group,
            "cells": [
                {
                    "capacity": _h(group.capacity[i]),
                    "demand": _h(group.demand[i]),
                    "requested": _h(group.requested[i]),
                    "load": group.load(i),
                    "over": group.over(i),
                    "gap": _h(group.capacity[i] - group.demand[i]),
                }
                for i in range(n)
            ],
        }
        for group in matrix.groups
    ]
    context = {"form": form, "filters": filters, "matrix": matrix, "chart": chart, "table": table}
    return render(request, "resources/capacity/roles.html", context)


# --- over-allocations ----------------------------------------------------------------------------------


@page
@require_safe
def overallocations(request: HttpRequest) -> HttpResponse:
    """Who is over capacity when, because of which tasks and projects, and who else has room."""
    form, filters = _form(request)
    result = selectors.overallocations_for_user(request.user, filters, page=_page_number(request), size=25)
    query = request.GET.copy()
    query.pop("page", None)
    items = [
        {
            "item": item,
            "capacity": _h(item.capacity),
            "demand": _h(item.demand),
            "excess": _h(item.excess),
            "lines": [(line, _h(line.minutes)) for line in item.lines],
            "suggestions": [(s, _h(s.free_minutes)) for s in item.suggestions],
        }
        for item in result.items
    ]
    context = {
        "form": form,
        "filters": filters,
        "page": result,
        "items": items,
        "query_string": query.urlencode(),
    }
    return render(request, "resources/capacity/overallocations.html", context)
