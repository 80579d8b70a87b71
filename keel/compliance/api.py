"""JSON endpoints of compliance."""

from __future__ import annotations

from ninja import Router

compliance = Router(tags=["compliance"])
