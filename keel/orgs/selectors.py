"""Reads of the organisation, scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from keel.core.errors import NotFound
from keel.orgs import scoping
from keel.orgs.models import ApiToken, Calendar, Location, Membership, OrgUnit, User
from keel.orgs.scoping import Action


def org_unit_list_for_user(user: Any, action: Action = Action.VIEW) -> QuerySet[OrgUnit]:
    """The org units the user may see (or act on), in tree order."""
    return scoping.visible(user, OrgUnit.objects.select_related("parent", "location", "calendar"), action)


def org_unit_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> OrgUnit:
    """One org unit; NotFound when missing or out of scope."""
    return scoping.get_for_user(user, OrgUnit.objects.select_related("parent", "location"), action, pk=pk)


def org_unit_get_by_code(user: Any, code: str, action: Action = Action.VIEW) -> OrgUnit:
    """One org unit by code; NotFound when missing or out of scope."""
    return scoping.get_for_user(user, OrgUnit.objects.all(), action, code=code)


def effective_calendar(unit: OrgUnit) -> Calendar | None:
    """The unit's calendar, or the nearest ancestor's when it has none of its own."""
    ancestors = {u.pk: u for u in OrgUnit.objects.filter(pk__in=unit.ancestor_ids).select_related("calendar")}
    for pk in reversed(unit.ancestor_ids):
        found = ancestors.get(pk)
        if found is not None and found.calendar is not None:
            return found.calendar
    return None


def membership_list_for_user(user: Any) -> QuerySet[Membership]:
    """Role memberships in the units the user may see."""
    return scoping.visible(user, Membership.objects.select_related("user", "unit"))


def membership_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Membership:
    """One membership; NotFound when missing or out of scope."""
    return scoping.get_for_user(user, Membership.objects.select_related("user", "unit"), action, pk=pk)


def user_list_for_user(user: Any, action: Action = Action.VIEW) -> QuerySet[User]:
    """People who hold a role in a unit the user may see (or administer)."""
    if scoping.is_global(user):
        return User.objects.all()
    units = org_unit_list_for_user(user, action)
    return User.objects.filter(memberships__unit__in=units).distinct()


def user_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> User:
    """One person the user may see; NotFound otherwise."""
    try:
        return user_list_for_user(user, action).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("user") from exc


def people_for_unit(unit: OrgUnit) -> QuerySet[User]:
    """Active people whose roles cover `unit`: members of the unit, its ancestors or its subtree."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__unit_id__in=unit.ancestor_ids) | Q(memberships__unit__path__startswith=unit.path)
        )
        .distinct()
    )


def api_token_list(user: Any) -> QuerySet[ApiToken]:
    """The user's own API tokens."""
    return ApiToken.objects.filter(user=user)


def location_list() -> QuerySet[Location]:
    """All locations (reference data)."""
    return Location.objects.all()


def calendar_list() -> QuerySet[Calendar]:
    """All calendars (reference data)."""
    return Calendar.objects.all()
