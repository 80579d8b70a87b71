"""Benefits register and measurements."""

from ninja import Router

benefits = Router(tags=["benefits"])
