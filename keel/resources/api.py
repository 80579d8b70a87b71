"""Resource pools, resources, skills, rates, leave, assignments and allocations."""

from ninja import Router

resources = Router(tags=["resources"])
