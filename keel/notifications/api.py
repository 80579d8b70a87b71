"""JSON endpoints of notifications."""

from __future__ import annotations

from ninja import Router

notifications = Router(tags=["notifications"])
