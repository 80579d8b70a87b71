"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from keel import __version__


def keel(request: HttpRequest) -> dict[str, Any]:
    """The version and the navigation state."""
    return {"keel_version": __version__}
