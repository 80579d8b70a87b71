"""JSON endpoints of change control."""

from __future__ import annotations

from ninja import Router

changes = Router(tags=["changes"])
