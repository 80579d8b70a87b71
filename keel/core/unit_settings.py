"""Reads of settings a unit owns or inherits from its ancestors (RAID, compliance, status reports...).

Such a settings model has one row per unit that sets its own (`org_unit`, a one-to-one); a unit
without one uses its nearest ancestor's, or Keel's defaults. Each app's `config_for_unit` is this
module's `unit_settings_for_user` over its model; the API serves them with
`keel.core.api.unit_settings_routes`. What is in force for a unit is :func:`settings_in_force`
(one unit) or a :class:`SettingsBook` (many units, one query).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

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


def settings_in_force(unit: OrgUnit, model: type[M]) -> M | None:
    """The `model` row in force for `unit`: its own, else its nearest ancestor's; None for the defaults."""
    rows = {
        row.org_unit_id: row
        for row in model._default_manager.filter(org_unit_id__in=unit.ancestor_ids).select_related("org_unit")
    }
    return next((rows[pk] for pk in reversed(unit.ancestor_ids) if pk in rows), None)


class SettingsBook(Generic[M]):
    """The `model` rows in force for many units, from one query of the (few) rows there are."""

    def __init__(self, model: type[M]) -> None:
        self._by_unit = {row.org_unit_id: row for row in model._default_manager.select_related("org_unit")}

    def for_path(self, path: str) -> M | None:
        """The row in force for the unit at the materialised `path` (zero-padded ids, dot-terminated); None for the defaults."""
        for part in reversed([p for p in path.split(".") if p]):
            row = self._by_unit.get(int(part))
            if row is not None:
                return row
        return None

    def rows(self) -> list[M]:
        """Every row, whichever unit set it."""
        return list(self._by_unit.values())
