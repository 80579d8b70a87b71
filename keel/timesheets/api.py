"""Timesheets: weeks, entries, submission and approval."""

from ninja import Router

timesheets = Router(tags=["timesheets"])
