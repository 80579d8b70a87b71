"""Capacity and demand by resource, role and skill."""

from ninja import Router

capacity = Router(tags=["capacity"])
