"""JSON endpoints of status reports."""

from __future__ import annotations

from ninja import Router

statusreports = Router(tags=["status reports"])
