"""Reads of settings a unit owns or inherits from its ancestors (RAID, compliance, status reports...).

Such a settings model has one row per unit that sets its own (`org_unit`, a one-to-one); a unit
without one uses its nearest ancestor's, or Keel's defaults. Each app's `config_for_unit` is this
module's `unit_settings_for_user` over its model; the API serves them with
`keel.core.api.unit_settings_routes`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.models import OrgUnit
from keel.orgs.scoping import Action

M = TypeVar("M", bound=models.Model)


def unit_settings_for_user(
    user: Any, unit_id: Any, model: type[M], action: Action = Action.VIEW
) -> tuple[OrgUnit, M | None]:
    """A unit the user sees and its own `model` settings (None when it inherits them).

    NotFound when the unit is missing or out of scope; for an action beyond viewing, PermissionDenied
    naming `unit` unless the user's role over the unit allows that action on `model`.
    """
    unit = org_selectors.org_unit_get_for_user(user, unit_id)
    if action != Action.VIEW:
        scoping.require(user, action, model, unit, "unit")
    return unit, model._default_manager.filter(org_unit=unit).first()
