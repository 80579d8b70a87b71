"""The one scoping layer: what a user may see and change follows from their role memberships.

A membership gives a role in an org unit and applies to the unit's whole subtree. Every model
that users reach declares `scope_path`, the lookup from the model to its org unit's materialised
path (e.g. ``"org_unit__path"``), and may declare `scope_roles`, the roles allowed per action.
Selectors, exports, search and the admin filter through `visible()`; a `get_for_user` that finds
nothing raises NotFound, so a record outside the user's scope looks exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet

from keel.core.errors import NotFound, PermissionDenied
from keel.orgs.models import Membership, OrgUnit, Role

M = TypeVar("M", bound=models.Model)


class Action(StrEnum):
    """What a user wants to do with a record."""

    VIEW = "view"
    CHANGE = "change"  # create, update, delete
    ADMIN = "admin"  # org structure, users, memberships


ALL_ROLES = frozenset(Role)
DEFAULT_ROLES: dict[Action, frozenset[str]] = {
    Action.VIEW: ALL_ROLES,
    Action.CHANGE: frozenset({Role.PMO_ADMIN, Role.PORTFOLIO_MANAGER, Role.PROJECT_MANAGER}),
    Action.ADMIN: frozenset({Role.PMO_ADMIN}),
}


def roles_for(model: type[models.Model], action: Action) -> frozenset[str]:
    """The roles that allow `action` on records of `model`."""
    declared: dict[Action, Iterable[str]] = getattr(model, "scope_roles", {})
    return frozenset(declared.get(action, DEFAULT_ROLES[action]))


def memberships(user: Any) -> list[tuple[str, str]]:
    """The user's (unit path, role) pairs, read once per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_keel_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).values_list("unit__path", "role"))
        user._keel_memberships = cached
    return cached


def forget(user: Any) -> None:
    """Drop the cached memberships (after they change)."""
    if hasattr(user, "_keel_memberships"):
        del user._keel_memberships


def is_global(user: Any) -> bool:
    """Superusers see and change everything."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def _covering(paths: Iterable[str]) -> list[str]:
    """Drop paths that lie inside another path of the set."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return result


def scope_paths(user: Any, roles: Iterable[str]) -> list[str]:
    """The unit paths under which the user holds one of `roles`."""
    wanted = set(roles)
    return _covering(path for path, role in memberships(user) if role in wanted)


def path_q(lookup: str, paths: list[str]) -> Q:
    """A Q matching rows whose path at `lookup` lies under one of `paths`."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{lookup}__startswith": path})
    return q


def visible(user: Any, queryset: QuerySet[M], action: Action = Action.VIEW) -> QuerySet[M]:
    """Filter `queryset` to the rows `user` may perform `action` on."""
    if is_global(user):
        return queryset
    model = queryset.model
    paths = scope_paths(user, roles_for(model, action))
    shared = getattr(model, "scope_shared_path", None) if action == Action.VIEW else None
    if not paths:
        return queryset.none()
    own = path_q(model.scope_path, paths)  # type: ignore[attr-defined]
    if shared is None:
        return queryset.filter(own)
    # Shared with a unit: seen by whoever holds a role in that unit's subtree or above it.
    granted = path_q(shared, paths) | Q(**{f"{shared}__in": _ancestor_paths(paths)})
    return queryset.filter(own | Q(pk__in=model._default_manager.filter(granted).values("pk")))


def _ancestor_paths(paths: Iterable[str]) -> set[str]:
    """Every unit path from the root down to each of `paths`, inclusive."""
    result: set[str] = set()
    for path in paths:
        parts = [part for part in path.split(".") if part]
        result.update("".join(f"{part}." for part in parts[: i + 1]) for i in range(len(parts)))
    return result


def can(user: Any, action: Action, model: type[models.Model], unit: OrgUnit | None) -> bool:
    """Whether `user` may perform `action` on a `model` record in `unit`."""
    if is_global(user):
        return True
    if unit is None:
        return False
    return any(unit.path.startswith(p) for p in scope_paths(user, roles_for(model, action)))


def can_anywhere(user: Any, action: Action, model: type[models.Model]) -> bool:
    """Whether `user` may perform `action` on `model` records in at least one unit."""
    return is_global(user) or bool(scope_paths(user, roles_for(model, action)))


def get_for_user(user: Any, queryset: QuerySet[M], action: Action = Action.VIEW, **lookup: Any) -> M:
    """Fetch one record the user may see; NotFound if it is missing or out of scope.

    For a write action, a record the user may see but not change raises PermissionDenied.
    """
    model = queryset.model
    try:
        obj = visible(user, queryset, Action.VIEW).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(model._meta.verbose_name) from exc
    if action != Action.VIEW and not visible(user, queryset, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(f"You may view this {model._meta.verbose_name} but not {action.value} it.")
    return obj


def require(user: Any, action: Action, model: type[models.Model], unit: OrgUnit | None, field: str) -> None:
    """Raise PermissionDenied naming `field` unless `user` may act on `model` in `unit`."""
    if not can(user, action, model, unit):
        label = model._meta.verbose_name
        raise PermissionDenied(f"{field}: you may not {action.value} a {label} in this org unit.")
