"""Reads of the resource pool, always through the scoping layer.

Pools and resources are seen by the people holding roles in the pool's unit subtree, and by those
of the units the pool is shared with (and their ancestors). Assignments and allocations are seen
with their project; a pool's deciders (its manager, PMO administrators and resource managers over
its unit) also see the allocations and assignments of its resources.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from keel.core.errors import NotFound, PermissionDenied
from keel.orgs import scoping
from keel.orgs.models import OrgUnit, Role
from keel.orgs.scoping import Action
from keel.portfolio import selectors as portfolio_selectors
from keel.resources.models import (
    Allocation,
    Assignment,
    CostRate,
    Resource,
    ResourceLeave,
    ResourcePool,
    ResourceSkill,
    Skill,
)
from keel.schedule import selectors as schedule_selectors

DECIDER_ROLES = frozenset({Role.PMO_ADMIN, Role.RESOURCE_MANAGER})
RESOURCE_ORDERINGS = {
    "code": "code",
    "name": "name",
    "kind": "kind",
    "pool": "pool__code",
    "unit": "home_unit__code",
    "role": "role__name",
    "units": "max_units",
}


# --- pools ---------------------------------------------------------------------------------------


def pool_list_for_user(user: Any, action: Action = Action.VIEW) -> QuerySet[ResourcePool]:
    """The pools the user may see (own unit subtree or shared with them), or change."""
    pools = ResourcePool.objects.select_related("org_unit", "manager").prefetch_related("shared_with")
    return scoping.visible(user, pools, action).order_by("code")


def pool_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> ResourcePool:
    """One pool; NotFound when missing or out of scope, PermissionDenied for a write the role lacks."""
    pools = ResourcePool.objects.select_related("org_unit", "manager").prefetch_related("shared_with")
    return scoping.get_for_user(user, pools, action, pk=pk)


def pool_shared_units(pool: ResourcePool) -> QuerySet[OrgUnit]:
    """The units a pool is shared with."""
    return pool.shared_with.order_by("path")


def can_share_pool(user: Any, pool: ResourcePool) -> bool:
    """Whether `user` is a PMO administrator over the pool's unit (who alone may share it)."""
    if scoping.is_global(user):
        return True
    return any(pool.org_unit.path.startswith(p) for p in scoping.scope_paths(user, {Role.PMO_ADMIN}))


def share_unit_choices() -> QuerySet[OrgUnit]:
    """The units a pool may be shared with: the whole org tree (names of units are not confidential)."""
    return OrgUnit.objects.order_by("path")


def share_unit_get(pk: Any) -> OrgUnit:
    """One unit to share a pool with; NotFound when there is none."""
    try:
        return OrgUnit.objects.get(pk=pk)
    except (OrgUnit.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("org unit") from exc


# --- resources -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceFilters:
    """Filters of the resource list; every field optional."""

    q: str = ""
    pool: int | None = None
    kind: str = ""
    role: int | None = None
    skill: int | None = None
    unit: int | None = None  # the home unit and its subtree
    active: bool | None = None


def resource_list_for_user(
    user: Any, filters: ResourceFilters | None = None, ordering: str = "name", action: Action = Action.VIEW
) -> QuerySet[Resource]:
    """The resources the user may see (own or shared pools), filtered and ordered."""
    filters = filters or ResourceFilters()
    qs = scoping.visible(
        user, Resource.objects.select_related("pool", "home_unit", "role", "user", "location"), action
    )
    if filters.q:
        qs = qs.filter(
            Q(code__icontains=filters.q) | Q(name__icontains=filters.q) | Q(email__icontains=filters.q)
        )
    if filters.pool is not None:
        qs = qs.filter(pool_id=filters.pool)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.role is not None:
        qs = qs.filter(Q(role_id=filters.role) | Q(pk=filters.role, kind=Resource.Kind.ROLE))
    if filters.skill is not None:
        qs = qs.filter(skills__skill_id=filters.skill)
    if filters.unit is not None:
        path = OrgUnit.objects.filter(pk=filters.unit).values_list("path", flat=True).first()
        qs = qs.filter(home_unit__path__startswith=path) if path else qs.none()
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    descending = ordering.startswith("-")
    key = RESOURCE_ORDERINGS.get(ordering.lstrip("-"), "name")
    return qs.order_by(f"-{key}" if descending else key, "pk")


def resource_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Resource:
    """One resource; NotFound when missing or out of scope, PermissionDenied for a write the role lacks."""
    queryset = Resource.objects.select_related(
        "pool__org_unit", "home_unit", "role", "user", "location", "calendar"
    )
    return scoping.get_for_user(user, queryset, action, pk=pk)


def role_choices_for_user(user: Any) -> QuerySet[Resource]:
    """The generic roles the user can see, for a person's "role" field and the filters."""
    return resource_list_for_user(user).filter(kind=Resource.Kind.ROLE)


def resource_for_user(user: Any) -> Resource | None:
    """The person resource `user` signs in as, if any."""
    return Resource.objects.filter(user=user, kind=Resource.Kind.PERSON).select_related("pool").first()


def can_change_resources(user: Any, pool: ResourcePool) -> bool:
    """Whether `user` may add and change resources of `pool`."""
    return scoping.can(user, Action.CHANGE, Resource, pool.org_unit)


# --- skills --------------------------------------------------------------------------------------


def skill_list_for_user(user: Any, action: Action = Action.VIEW) -> QuerySet[Skill]:
    """The skills the user may use: those of their units, of the units above and below them."""
    return scoping.visible(user, Skill.objects.select_related("org_unit"), action)


def skill_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Skill:
    """One skill of the user's catalogue; NotFound otherwise."""
    return scoping.get_for_user(user, Skill.objects.select_related("org_unit"), action, pk=pk)


def resource_skill_list(user: Any, resource_id: Any) -> QuerySet[ResourceSkill]:
    """A resource's skills with their levels."""
    resource = resource_get_for_user(user, resource_id)
    return ResourceSkill.objects.filter(resource=resource).select_related("skill").order_by("skill__name")


# --- rates and leave -----------------------------------------------------------------------------


def rate_list_for_resource(user: Any, resource_id: Any) -> QuerySet[CostRate]:
    """A resource's rates, oldest first."""
    resource = resource_get_for_user(user, resource_id)
    return CostRate.objects.filter(resource=resource).order_by("effective_from")


def rate_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> CostRate:
    """One rate; NotFound when missing or out of scope."""
    return scoping.get_for_user(
        user, CostRate.objects.select_related("resource__pool__org_unit"), action, pk=pk
    )


def effective_rate(resource: Resource | int, on_date: dt.date) -> CostRate | None:
    """The rate of `resource` in effect on `on_date` (the latest starting on or before it), or None.

    Not scoped: callers (cost defaults, finance's actual cost) have already checked the resource.
    """
    resource_id = resource if isinstance(resource, int) else resource.pk
    return (
        CostRate.objects.filter(resource_id=resource_id, effective_from__lte=on_date)
        .order_by("-effective_from")
        .first()
    )


def leave_list_for_resource(user: Any, resource_id: Any) -> QuerySet[ResourceLeave]:
    """A resource's leave, by start date."""
    resource = resource_get_for_user(user, resource_id)
    return ResourceLeave.objects.filter(resource=resource).order_by("start_date")


def leave_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> ResourceLeave:
    """One leave; NotFound when missing or out of scope."""
    return scoping.get_for_user(
        user, ResourceLeave.objects.select_related("resource__pool__org_unit"), action, pk=pk
    )


# --- assignments ---------------------------------------------------------------------------------


def _assignments() -> QuerySet[Assignment]:
    return Assignment.objects.select_related("task__project__org_unit", "resource__pool")


def _decidable_pool_ids(user: Any) -> QuerySet[ResourcePool]:
    """Pools whose requests the user decides: managed by them or under their PMO/resource manager roles."""
    pools = ResourcePool.objects.all()
    if scoping.is_global(user):
        return pools.values("pk")
    paths = scoping.scope_paths(user, DECIDER_ROLES)
    q = Q(manager_id=user.pk) if getattr(user, "is_authenticated", False) and user.is_active else Q(pk__in=[])
    return pools.filter(q | scoping.path_q("org_unit__path", paths)).values("pk")


def assignment_visible_for_user(user: Any, action: Action = Action.VIEW) -> QuerySet[Assignment]:
    """The assignments the user may see: of visible projects, plus those of pools they decide for."""
    own = scoping.visible(user, _assignments(), action)
    if action != Action.VIEW:
        return own
    pooled = _assignments().filter(resource__pool__in=_decidable_pool_ids(user))
    return _assignments().filter(Q(pk__in=own.values("pk")) | Q(pk__in=pooled.values("pk")))


def assignment_list_for_task(user: Any, task_id: Any) -> QuerySet[Assignment]:
    """A task's assignments."""
    task = schedule_selectors.task_get_for_user(user, task_id)
    return _assignments().filter(task=task).order_by("resource__name", "pk")


def assignment_list_for_project(user: Any, project_id: Any) -> QuerySet[Assignment]:
    """The assignments of a project's tasks, in WBS order."""
    project = portfolio_selectors.project_get_for_user(user, project_id)
    return _assignments().filter(task__project=project).order_by("task__sort_index", "resource__name", "pk")


def assignment_list_for_resource(user: Any, resource_id: Any) -> QuerySet[Assignment]:
    """A resource's assignments the user may see, by task start."""
    resource = resource_get_for_user(user, resource_id)
    return (
        assignment_visible_for_user(user)
        .filter(resource=resource)
        .order_by("task__start", "task__name", "pk")
    )


def assignment_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Assignment:
    """One assignment; NotFound when missing or out of scope, PermissionDenied for a write the role lacks."""
    try:
        assignment = assignment_visible_for_user(user).get(pk=pk)
    except (Assignment.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("assignment") from exc
    if action != Action.VIEW and not scoping.can(user, action, Assignment, assignment.task.project.org_unit):
        raise PermissionDenied(f"You may view this assignment but not {action.value} it.")
    return assignment


def assignments_for_user_between(user: Any, start: dt.date, end: dt.date) -> QuerySet[Assignment]:
    """The assignments of the user's own person resource on tasks running between `start` and `end`.

    Dates are inclusive; a task runs on a day when it starts on or before it and finishes on or after
    it (tasks not scheduled yet are left out). Not role-scoped: it is the user's own work.
    Ordered by project code, then task order.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Assignment.objects.none()
    return (
        _assignments()
        .filter(
            resource__user=user,
            resource__kind=Resource.Kind.PERSON,
            task__start__date__lte=end,
            task__finish__date__gte=start,
        )
        .order_by("task__project__code", "task__sort_index", "pk")
    )


# --- allocations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationFilters:
    """Filters of the allocation list; every field optional."""

    status: tuple[str, ...] = ()
    mine: bool = False  # requested by the user
    awaiting: bool = False  # requested, waiting for the user's decision
    project: int | None = None
    resource: int | None = None


def _allocations() -> QuerySet[Allocation]:
    return Allocation.objects.select_related(
        "project__org_unit", "resource__pool", "requested_by", "decided_by"
    )


def allocation_visible_for_user(user: Any) -> QuerySet[Allocation]:
    """The allocations the user may see: of visible projects, plus those asking for their pools' resources."""
    own = scoping.visible(user, Allocation.objects.all())
    pooled = Allocation.objects.filter(resource__pool__in=_decidable_pool_ids(user))
    return _allocations().filter(Q(pk__in=own.values("pk")) | Q(pk__in=pooled.values("pk")))


def allocation_list_for_user(user: Any, filters: AllocationFilters | None = None) -> QuerySet[Allocation]:
    """The allocations the user may see, filtered, newest request first."""
    filters = filters or AllocationFilters()
    qs = allocation_visible_for_user(user)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.mine:
        qs = qs.filter(requested_by_id=user.pk)
    if filters.awaiting:
        qs = qs.filter(status=Allocation.Status.REQUESTED, resource__pool__in=_decidable_pool_ids(user))
    if filters.project is not None:
        qs = qs.filter(project_id=filters.project)
    if filters.resource is not None:
        qs = qs.filter(resource_id=filters.resource)
    return qs.order_by("-created_at", "-pk")


def allocations_awaiting_decision(user: Any) -> QuerySet[Allocation]:
    """Requests waiting for the user's decision, oldest first."""
    return allocation_list_for_user(user, AllocationFilters(awaiting=True)).order_by("created_at", "pk")


def allocation_requests_by(user: Any) -> QuerySet[Allocation]:
    """The requests the user made, newest first."""
    return allocation_list_for_user(user, AllocationFilters(mine=True))


def allocation_list_for_project(user: Any, project_id: Any) -> QuerySet[Allocation]:
    """A project's allocations, by first week."""
    project = portfolio_selectors.project_get_for_user(user, project_id)
    return _allocations().filter(project=project).order_by("start_week", "pk")


def allocation_list_for_resource(user: Any, resource_id: Any) -> QuerySet[Allocation]:
    """The allocations of a resource the user may see, by first week."""
    resource = resource_get_for_user(user, resource_id)
    return allocation_visible_for_user(user).filter(resource=resource).order_by("start_week", "pk")


def allocation_get_for_user(user: Any, pk: Any) -> Allocation:
    """One allocation the user may see (with its project or as a decider for its pool); NotFound otherwise."""
    try:
        return allocation_visible_for_user(user).get(pk=pk)
    except (Allocation.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("allocation") from exc


def can_decide(user: Any, allocation: Allocation) -> bool:
    """Whether `user` may approve or reject `allocation`: the pool's manager, or a PMO administrator
    or resource manager over the pool's unit."""
    pool = allocation.resource.pool
    if scoping.is_global(user):
        return True
    if pool.manager_id is not None and pool.manager_id == getattr(user, "pk", None):
        return True
    return any(pool.org_unit.path.startswith(p) for p in scoping.scope_paths(user, DECIDER_ROLES))


def can_cancel(user: Any, allocation: Allocation) -> bool:
    """Whether `user` may cancel `allocation`: its requester or whoever may change the project's allocations."""
    if allocation.requested_by_id is not None and allocation.requested_by_id == getattr(user, "pk", None):
        return True
    return scoping.can(user, Action.CHANGE, Allocation, allocation.project.org_unit)


def can_request_for(user: Any, project: Any) -> bool:
    """Whether `user` may request allocations and assign resources for `project`."""
    return scoping.can(user, Action.CHANGE, Allocation, project.org_unit)
