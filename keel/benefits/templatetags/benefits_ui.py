"""Template helpers of the benefits pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def quantity(value: Any) -> str:
    """A measured or planned value with grouped thousands and no trailing zeros (— when missing)."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    text = f"{number.quantize(Decimal('0.01')) if number == number.to_integral_value() else number.normalize():,f}"
    return text.removesuffix(".00")


@register.filter
def percent(value: Any) -> str:
    """A percentage with up to two decimals (— when missing)."""
    if value is None:
        return "—"
    return f"{Decimal(value).normalize():f} %" if Decimal(value) != 0 else "0 %"
