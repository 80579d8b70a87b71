"""Governance: RAID logs and escalations."""

from ninja import Router

governance = Router(tags=["governance"])
