"""Reads of the organisation, scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

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


def org_unit_list_where(user: Any, model: Any, action: Action) -> QuerySet[OrgUnit]:
    """The units in which the user may perform `action` on records of `model` (e.g. create projects)."""
    qs = OrgUnit.objects.select_related("parent")
    if scoping.is_global(user):
        return qs
    paths = scoping.scope_paths(user, scoping.roles_for(model, action))
    return qs.filter(scoping.path_q("path", paths)) if paths else qs.none()


def people_for_units(units: QuerySet[OrgUnit]) -> QuerySet[User]:
    """Active people whose roles cover at least one of `units` (its ancestors, the unit or its subtree)."""
    ancestor_ids: set[int] = set()
    paths: list[str] = []
    for path in units.values_list("path", flat=True):
        ancestor_ids.update(int(part) for part in path.split(".") if part)
        paths.append(path)
    covering = Q(memberships__unit_id__in=ancestor_ids) | scoping.path_q(
        "memberships__unit__path", scoping._covering(paths)
    )
    return User.objects.filter(is_active=True).filter(covering).distinct()


def own_memberships(user: Any) -> QuerySet[Membership]:
    """The user's own role memberships with their units (shown as the user's scope)."""
    return Membership.objects.filter(user=user).select_related("unit").order_by("unit__path", "role")


def membership_list_for_person(
    user: Any, person: User, action: Action = Action.ADMIN
) -> QuerySet[Membership]:
    """`person`'s memberships in the units where `user` may perform `action` (administer, by default)."""
    return scoping.visible(user, Membership.objects.select_related("unit"), action).filter(user=person)


def is_pmo_admin(user: Any) -> bool:
    """Whether the user administers at least one org unit (or is a superuser)."""
    return scoping.can_anywhere(user, Action.ADMIN, OrgUnit)


def location_get(pk: Any) -> Location:
    """One location (reference data); NotFound when missing."""
    try:
        return Location.objects.get(pk=pk)
    except (Location.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("location") from exc


def calendar_get(pk: Any) -> Calendar:
    """One calendar (reference data); NotFound when missing."""
    try:
        return Calendar.objects.get(pk=pk)
    except (Calendar.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("calendar") from exc


def api_token_get(user: Any, pk: Any) -> ApiToken:
    """One of the user's own API tokens; NotFound for anyone else's."""
    try:
        return ApiToken.objects.get(user=user, pk=pk)
    except (ApiToken.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("API token") from exc


def user_list_with_roles(user: Any, q: str = "") -> QuerySet[User]:
    """People the user administers, searched by name, username or e-mail, with their roles in scope."""
    people = user_list_for_user(user, Action.ADMIN)
    if q:
        people = people.filter(
            Q(username__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
        )
    in_scope = scoping.visible(user, Membership.objects.select_related("unit"), Action.ADMIN)
    return people.order_by("last_name", "first_name", "username").prefetch_related(
        Prefetch("memberships", queryset=in_scope, to_attr="roles_in_scope")
    )
