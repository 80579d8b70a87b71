"""Resource leveling runs."""

from ninja import Router

leveling = Router(tags=["leveling"])
