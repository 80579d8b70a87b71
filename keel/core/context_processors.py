"""Template context shared by every page: version, navigation area, the user's scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from keel import __version__
from keel.orgs import selectors as org_selectors

# The area of the left navigation each page belongs to, by URL name (namespace wins when listed).
AREA_OF_VIEW = {
    "home": "home",
    "portfolio:audit_list": "admin",
    "portfolio": "projects",
    "orgs:token_list": "account",
    "orgs:token_revoke": "account",
    "orgs": "admin",
}


def page_area(request: HttpRequest) -> str:
    """The navigation area of the page being rendered ("" when it belongs to none)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    return AREA_OF_VIEW.get(match.view_name) or AREA_OF_VIEW.get(match.namespace, "")


def keel(request: HttpRequest) -> dict[str, Any]:
    """The version, the navigation area and, for a signed-in user, their roles (read lazily)."""
    context: dict[str, Any] = {"keel_version": __version__, "keel_area": page_area(request)}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["keel_scope"] = SimpleLazyObject(lambda: list(org_selectors.own_memberships(user)))
        context["keel_is_pmo_admin"] = SimpleLazyObject(lambda: org_selectors.is_pmo_admin(user))
    return context
