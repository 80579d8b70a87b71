"""Budgets, costs, exchange rates, forecasts and earned value."""

from ninja import Router

finance = Router(tags=["finance"])
