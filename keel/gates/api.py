"""JSON endpoints of gates."""

from __future__ import annotations

from ninja import Router

gates = Router(tags=["gates"])
