"""Writes to the resource pool: pools and their sharing, resources, skills, rates, leave, task
assignments and project allocations with their request / approve flow.

Every write checks scope, validates, versions and audits, inside one transaction.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from keel.core.audit import audit_record
from keel.core.errors import ConflictError, PermissionDenied
from keel.core.models import AuditEntry
from keel.core.services import audited_create, audited_delete, audited_update, versioned_update
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.models import OrgUnit, Role
from keel.orgs.scoping import Action
from keel.portfolio.models import Project
from keel.resources import selectors
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
from keel.schedule.models import Task

POOL_FIELDS = ("code", "name", "description", "org_unit", "manager")
RESOURCE_FIELDS = (
    "pool",
    "code",
    "name",
    "kind",
    "user",
    "role",
    "home_unit",
    "location",
    "calendar",
    "max_units",
    "email",
    "notes",
    "is_active",
)
SKILL_FIELDS = ("name", "category", "org_unit")
RATE_FIELDS = ("effective_from", "standard_rate", "overtime_rate", "cost_per_use", "currency")
LEAVE_FIELDS = ("kind", "start_date", "end_date", "percent", "note")
ASSIGNMENT_FIELDS = ("resource", "units", "work_minutes", "actual_work_minutes", "cost", "uid")
ALLOCATION_FIELDS = ("resource", "start_week", "end_week", "hours_per_week", "note")
CENTS = Decimal("0.01")


def _only(fields: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    """Refuse keyword arguments a service does not know (a programming error, not user input)."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {what} fields: {', '.join(sorted(unknown))}")


def _require_values(values: dict[str, Any], messages: dict[str, str]) -> None:
    """Refuse missing values, naming each field with what to give."""
    errors = {name: message for name, message in messages.items() if values.get(name) in (None, "")}
    if errors:
        raise ValidationError(errors)


def _audit_changes(actor: Any, instance: Any, changes: dict[str, list[Any]]) -> None:
    """Record an update of `instance` whose changes were not made through audited_update."""
    unit_path, project_id = instance.audit_scope()
    audit_record(
        actor=actor,
        instance=instance,
        action=AuditEntry.Action.UPDATE,
        unit_path=unit_path,
        project_id=project_id,
        changes=changes,
    )


# --- pools ---------------------------------------------------------------------------------------


def _check_pool_manager(pool: ResourcePool) -> None:
    """The pool's manager must hold a role covering the pool's unit."""
    if pool.manager is not None and pool.org_unit_id:
        people = org_selectors.people_for_unit(pool.org_unit)
        if not people.filter(pk=pool.manager.pk).exists():
            raise ValidationError({"manager": f"{pool.manager} holds no role covering {pool.org_unit.code}."})


@transaction.atomic
def pool_create(*, actor: Any, org_unit: OrgUnit, code: str, name: str, **fields: Any) -> ResourcePool:
    """Create a resource pool managed by `org_unit` (PMO administrators and resource managers there)."""
    scoping.require(actor, Action.CHANGE, ResourcePool, org_unit, "org_unit")
    _only(fields, POOL_FIELDS, "pool")
    pool = ResourcePool(org_unit=org_unit, code=code, name=name, **fields)
    _check_pool_manager(pool)
    audited_create(actor=actor, instance=pool)
    return pool


@transaction.atomic
def pool_update(*, actor: Any, pool: ResourcePool, version: int, **changes: Any) -> ResourcePool:
    """Change a pool made at `version`; moving it to another unit needs rights there too."""
    scoping.require(actor, Action.CHANGE, ResourcePool, pool.org_unit, "pool")
    _only(changes, POOL_FIELDS, "pool")
    if "org_unit" in changes and changes["org_unit"] != pool.org_unit:
        scoping.require(actor, Action.CHANGE, ResourcePool, changes["org_unit"], "org_unit")
        outside = [
            r.code
            for r in pool.resources.select_related("home_unit")
            if not r.home_unit.path.startswith(changes["org_unit"].path)
        ]
        if outside:
            raise ValidationError(
                {"org_unit": f"Resources {', '.join(outside[:5])} have home units outside that unit."}
            )
    audited_update(actor=actor, instance=pool, version=version, changes=changes, check=_check_pool_manager)
    return pool


@transaction.atomic
def pool_delete(*, actor: Any, pool: ResourcePool, version: int | None = None) -> None:
    """Delete a pool that has no resources left."""
    scoping.require(actor, Action.CHANGE, ResourcePool, pool.org_unit, "pool")
    count = pool.resources.count()
    if count:
        raise ValidationError({"pool": f"The pool still has {count} resource(s); move or delete them first."})
    audited_delete(actor=actor, instance=pool, version=version)


@transaction.atomic
def pool_share_set(
    *, actor: Any, pool: ResourcePool, units: list[OrgUnit], version: int | None = None
) -> ResourcePool:
    """Share the pool with exactly `units` (and their subtrees): they see, not change, its resources.

    Only a PMO administrator over the pool's unit may share it.
    """
    if not (
        scoping.is_global(actor)
        or any(pool.org_unit.path.startswith(p) for p in scoping.scope_paths(actor, {Role.PMO_ADMIN}))
    ):
        if scoping.can(actor, Action.VIEW, ResourcePool, pool.org_unit):
            raise PermissionDenied("units: only a PMO administrator over the pool's unit may share it.")
        raise PermissionDenied("units: you may not share this pool.")
    new = sorted({unit.pk for unit in units})
    if pool.org_unit_id in new:
        raise ValidationError({"units": "The pool belongs to this unit already; share it with other units."})
    old = sorted(pool.shared_with.values_list("pk", flat=True))
    if version is not None or new != old:
        versioned_update(pool, expected_version=version if version is not None else pool.version, fields=[])
    if new != old:
        pool.shared_with.set(new)
        _audit_changes(actor, pool, {"shared_with": [old, new]})
    return pool


# --- resources -----------------------------------------------------------------------------------


def _check_resource(actor: Any, resource: Resource) -> None:
    """Cross-record rules: the generic role must be one the actor can see and a role; person only."""
    if resource.role_id and not selectors.resource_list_for_user(actor).filter(pk=resource.role_id).exists():
        raise ValidationError({"role": f"There is no resource with id {resource.role_id}."})
    if resource.kind != Resource.Kind.PERSON and resource.user_id:
        raise ValidationError({"user": "Only a person can be linked to a user."})


@transaction.atomic
def resource_create(*, actor: Any, pool: ResourcePool, code: str, name: str, **fields: Any) -> Resource:
    """Add a resource to `pool`; its home unit defaults to the pool's unit."""
    scoping.require(actor, Action.CHANGE, Resource, pool.org_unit, "pool")
    _only(fields, RESOURCE_FIELDS, "resource")
    fields.pop("pool", None)
    if fields.get("home_unit") is None:
        fields["home_unit"] = pool.org_unit
    resource = Resource(pool=pool, code=code, name=name, **fields)
    _check_resource(actor, resource)
    audited_create(actor=actor, instance=resource)
    return resource


@transaction.atomic
def resource_update(*, actor: Any, resource: Resource, version: int, **changes: Any) -> Resource:
    """Change a resource made at `version`; moving it to another pool needs rights there too."""
    scoping.require(actor, Action.CHANGE, Resource, resource.pool.org_unit, "resource")
    _only(changes, RESOURCE_FIELDS, "resource")
    if "pool" in changes and changes["pool"] != resource.pool:
        scoping.require(actor, Action.CHANGE, Resource, changes["pool"].org_unit, "pool")
    audited_update(
        actor=actor,
        instance=resource,
        version=version,
        changes=changes,
        check=lambda changed: _check_resource(actor, changed),
    )
    return resource


@transaction.atomic
def resource_delete(*, actor: Any, resource: Resource, version: int | None = None) -> None:
    """Delete a resource nobody depends on; one with assignments or allocations is deactivated instead."""
    scoping.require(actor, Action.CHANGE, Resource, resource.pool.org_unit, "resource")
    uses = []
    if (n := resource.assignments.count()) > 0:
        uses.append(f"{n} task assignment(s)")
    if (n := resource.allocations.count()) > 0:
        uses.append(f"{n} allocation(s)")
    if (n := resource.members.count()) > 0:
        uses.append(f"{n} person(s) filling this role")
    if uses:
        raise ValidationError(
            {
                "resource": f"{resource.name} has {' and '.join(uses)}; "
                "deactivate it instead (set is_active to false) to keep its history."
            }
        )
    audited_delete(actor=actor, instance=resource, version=version)


# --- skills --------------------------------------------------------------------------------------


@transaction.atomic
def skill_create(*, actor: Any, org_unit: OrgUnit, name: str, category: str = "") -> Skill:
    """Add a skill to the catalogue of `org_unit` (PMO administrators there); its subtree may use it."""
    scoping.require(actor, Action.CHANGE, Skill, org_unit, "org_unit")
    skill = Skill(org_unit=org_unit, name=name, category=category)
    audited_create(actor=actor, instance=skill)
    return skill


@transaction.atomic
def skill_update(*, actor: Any, skill: Skill, version: int, **changes: Any) -> Skill:
    """Rename, recategorise or move a skill made at `version`."""
    scoping.require(actor, Action.CHANGE, Skill, skill.org_unit, "skill")
    _only(changes, SKILL_FIELDS, "skill")
    if "org_unit" in changes and changes["org_unit"] != skill.org_unit:
        scoping.require(actor, Action.CHANGE, Skill, changes["org_unit"], "org_unit")
    audited_update(actor=actor, instance=skill, version=version, changes=changes)
    return skill


@transaction.atomic
def skill_delete(*, actor: Any, skill: Skill, version: int | None = None) -> None:
    """Remove a skill nobody holds."""
    scoping.require(actor, Action.CHANGE, Skill, skill.org_unit, "skill")
    holders = skill.holders.count()
    if holders:
        raise ValidationError({"skill": f"{holders} resource(s) hold this skill; remove it from them first."})
    audited_delete(actor=actor, instance=skill, version=version)


@transaction.atomic
def resource_skill_set(*, actor: Any, resource: Resource, skill: Skill, level: int = 3) -> ResourceSkill:
    """Give `resource` the `skill` at `level` (1 basic to 5 expert), or change the level it has."""
    scoping.require(actor, Action.CHANGE, Resource, resource.pool.org_unit, "resource")
    if not scoping.visible(actor, Skill.objects.filter(pk=skill.pk)).exists():
        raise ValidationError({"skill": f"There is no skill with id {skill.pk}."})
    held = ResourceSkill.objects.filter(resource=resource, skill=skill).first()
    if held is None:
        held = ResourceSkill(resource=resource, skill=skill, level=level)
        audited_create(actor=actor, instance=held)
        return held
    if held.level != level:
        old = held.level
        held.level = level
        held.full_clean()
        held.save(update_fields=["level"])
        _audit_changes(actor, held, {"level": [old, level]})
    return held


@transaction.atomic
def resource_skill_remove(*, actor: Any, resource: Resource, skill: Skill) -> None:
    """Take `skill` away from `resource` (nothing to do when it does not hold it)."""
    scoping.require(actor, Action.CHANGE, Resource, resource.pool.org_unit, "resource")
    held = ResourceSkill.objects.filter(resource=resource, skill=skill).first()
    if held is not None:
        audited_delete(actor=actor, instance=held, version=None)


# --- cost rates ----------------------------------------------------------------------------------

RATE_REQUIRED = {
    "effective_from": "Give the date from which the rate applies.",
    "standard_rate": "Give the standard rate per hour.",
    "currency": "Give the rate's currency as an ISO 4217 code, e.g. EUR.",
}


def _check_rate(rate: CostRate) -> None:
    """One rate per resource and date, named on the date field."""
    _require_values({f: getattr(rate, f) for f in RATE_REQUIRED}, RATE_REQUIRED)
    clash = CostRate.objects.filter(resource_id=rate.resource_id, effective_from=rate.effective_from)
    if clash.exclude(pk=rate.pk).exists():
        raise ValidationError(
            {
                "effective_from": f"{rate.resource} already has a rate from {rate.effective_from}; change that one."
            }
        )


@transaction.atomic
def cost_rate_create(*, actor: Any, resource: Resource, **fields: Any) -> CostRate:
    """Add a rate of `resource` effective from a date: standard and overtime per hour, cost per use."""
    scoping.require(actor, Action.CHANGE, CostRate, resource.pool.org_unit, "resource")
    _only(fields, RATE_FIELDS, "rate")
    values = {k: v for k, v in fields.items() if v is not None}
    rate = CostRate(resource=resource, **values)
    _check_rate(rate)
    audited_create(actor=actor, instance=rate)
    return rate


@transaction.atomic
def cost_rate_update(*, actor: Any, rate: CostRate, version: int, **changes: Any) -> CostRate:
    """Change a rate made at `version`."""
    scoping.require(actor, Action.CHANGE, CostRate, rate.resource.pool.org_unit, "rate")
    _only(changes, RATE_FIELDS, "rate")
    audited_update(actor=actor, instance=rate, version=version, changes=changes, check=_check_rate)
    return rate


@transaction.atomic
def cost_rate_delete(*, actor: Any, rate: CostRate, version: int | None = None) -> None:
    """Remove a rate."""
    scoping.require(actor, Action.CHANGE, CostRate, rate.resource.pool.org_unit, "rate")
    audited_delete(actor=actor, instance=rate, version=version)


# --- leave ---------------------------------------------------------------------------------------

LEAVE_REQUIRED = {
    "start_date": "Give the first day of the leave.",
    "end_date": "Give the last day of the leave.",
}


def _check_leave(leave: ResourceLeave) -> None:
    _require_values({f: getattr(leave, f) for f in LEAVE_REQUIRED}, LEAVE_REQUIRED)


@transaction.atomic
def leave_create(*, actor: Any, resource: Resource, **fields: Any) -> ResourceLeave:
    """Record time `resource` is not available, whole days, `percent` of the working time."""
    scoping.require(actor, Action.CHANGE, ResourceLeave, resource.pool.org_unit, "resource")
    _only(fields, LEAVE_FIELDS, "leave")
    leave = ResourceLeave(resource=resource, **{k: v for k, v in fields.items() if v is not None})
    _check_leave(leave)
    audited_create(actor=actor, instance=leave)
    return leave


@transaction.atomic
def leave_update(*, actor: Any, leave: ResourceLeave, version: int, **changes: Any) -> ResourceLeave:
    """Change a leave made at `version`."""
    scoping.require(actor, Action.CHANGE, ResourceLeave, leave.resource.pool.org_unit, "leave")
    _only(changes, LEAVE_FIELDS, "leave")
    audited_update(actor=actor, instance=leave, version=version, changes=changes, check=_check_leave)
    return leave


@transaction.atomic
def leave_delete(*, actor: Any, leave: ResourceLeave, version: int | None = None) -> None:
    """Remove a leave."""
    scoping.require(actor, Action.CHANGE, ResourceLeave, leave.resource.pool.org_unit, "leave")
    audited_delete(actor=actor, instance=leave, version=version)


# --- assignments ---------------------------------------------------------------------------------


def default_work_minutes(task: Task, units: int) -> int:
    """Work of an assignment when none is given: the task's duration at `units` percent."""
    return task.duration_minutes * units // 100


def default_cost(resource: Resource, task: Task, work_minutes: int) -> Decimal:
    """Cost when none is given: the standard rate in effect at the task's start × work hours + cost per use."""
    on = timezone.localdate(task.start) if task.start else timezone.localdate()
    rate = selectors.effective_rate(resource, on)
    if rate is None:
        return Decimal("0.00")
    amount = rate.standard_rate * Decimal(work_minutes) / Decimal(60) + rate.cost_per_use
    return amount.quantize(CENTS, rounding=ROUND_HALF_UP)


def _check_assignable(
    actor: Any, resource: Resource | None, task: Task, assignment: Assignment | None
) -> None:
    """The resource must be given, visible to the actor (own or shared pool), active and not on the task yet."""
    if resource is None:
        raise ValidationError({"resource": "Choose the resource to assign."})
    if not selectors.resource_list_for_user(actor).filter(pk=resource.pk).exists():
        raise ValidationError({"resource": f"There is no resource with id {resource.pk}."})
    if not resource.is_active:
        raise ValidationError({"resource": f"{resource.name} is inactive; choose an active resource."})
    clash = Assignment.objects.filter(task=task, resource=resource)
    if assignment is not None:
        clash = clash.exclude(pk=assignment.pk)
    if clash.exists():
        raise ValidationError({"resource": f"{resource.name} is already assigned to this task."})


@transaction.atomic
def assignment_create(
    *,
    actor: Any,
    task: Task,
    resource: Resource | None = None,
    units: int = 100,
    work_minutes: int | None = None,
    cost: Decimal | None = None,
    actual_work_minutes: int = 0,
    uid: int | None = None,
) -> Assignment:
    """Assign `resource` to `task` at `units` percent.

    Work defaults to the task's duration × units; cost to the effective standard rate × work hours
    plus the cost per use. A cost resource has no work: only its cost counts.
    """
    scoping.require(actor, Action.CHANGE, Assignment, task.project.org_unit, "task")
    _check_assignable(actor, resource, task, None)
    assert resource is not None
    if units is None:
        units = 100
    if work_minutes is None:
        work_minutes = 0 if resource.kind == Resource.Kind.COST else default_work_minutes(task, units)
    if cost is None:
        cost = default_cost(resource, task, work_minutes)
    assignment = Assignment(
        task=task,
        resource=resource,
        units=units,
        work_minutes=work_minutes,
        actual_work_minutes=actual_work_minutes or 0,
        cost=cost,
        uid=uid,
    )
    audited_create(actor=actor, instance=assignment)
    return assignment


@transaction.atomic
def assignment_update(*, actor: Any, assignment: Assignment, version: int, **changes: Any) -> Assignment:
    """Change an assignment made at `version`.

    New units without new work rescale the work to the task's duration; a new resource, units or
    work without a new cost recompute the cost from the rate.
    """
    task = assignment.task
    scoping.require(actor, Action.CHANGE, Assignment, task.project.org_unit, "assignment")
    _only(changes, ASSIGNMENT_FIELDS, "assignment")
    if "resource" in changes and changes["resource"] != assignment.resource:
        _check_assignable(actor, changes["resource"], task, assignment)
    resource = changes.get("resource", assignment.resource)
    rescale = changes.get("units") is not None and "work_minutes" not in changes
    if rescale and resource.kind != Resource.Kind.COST:
        changes["work_minutes"] = default_work_minutes(task, changes["units"])
    if "cost" not in changes and {"resource", "units", "work_minutes"} & set(changes):
        changes["cost"] = default_cost(resource, task, changes.get("work_minutes", assignment.work_minutes))
    audited_update(actor=actor, instance=assignment, version=version, changes=changes)
    return assignment


@transaction.atomic
def assignment_delete(*, actor: Any, assignment: Assignment, version: int | None = None) -> None:
    """Remove an assignment."""
    scoping.require(actor, Action.CHANGE, Assignment, assignment.task.project.org_unit, "assignment")
    audited_delete(actor=actor, instance=assignment, version=version)


# --- allocations ---------------------------------------------------------------------------------

ALLOCATION_REQUIRED = {
    "resource": "Choose the person or generic role to allocate.",
    "start_week": "Give the Monday of the first week.",
    "end_week": "Give the Monday of the last week.",
    "hours_per_week": "Give the hours per week.",
}


def _check_allocation(actor: Any, allocation: Allocation) -> None:
    values = {name: getattr(allocation, name, None) for name in ALLOCATION_REQUIRED if name != "resource"}
    values["resource"] = allocation.resource if allocation.resource_id else None
    _require_values(values, ALLOCATION_REQUIRED)
    resource = allocation.resource
    if not selectors.resource_list_for_user(actor).filter(pk=resource.pk).exists():
        raise ValidationError({"resource": f"There is no resource with id {resource.pk}."})
    if not resource.is_active:
        raise ValidationError({"resource": f"{resource.name} is inactive; choose an active resource."})


def _require_status(allocation: Allocation, allowed: tuple[str, ...], verb: str) -> None:
    if allocation.status not in allowed:
        raise ValidationError(
            {"status": f"This allocation is {allocation.get_status_display().lower()}; it cannot be {verb}."}
        )


@transaction.atomic
def allocation_request(
    *,
    actor: Any,
    project: Project,
    resource: Resource | None = None,
    start_week: Any = None,
    end_week: Any = None,
    hours_per_week: Decimal | None = None,
    note: str = "",
) -> Allocation:
    """Ask for `hours_per_week` of a person or generic role for `project` from `start_week` to
    `end_week` (Mondays); the pool's manager or a resource manager over the pool decides."""
    scoping.require(actor, Action.CHANGE, Allocation, project.org_unit, "project")
    allocation = Allocation(
        project=project,
        resource=resource,
        start_week=start_week,
        end_week=end_week,
        hours_per_week=hours_per_week,
        note=note or "",
        requested_by=actor,
        status=Allocation.Status.REQUESTED,
    )
    _check_allocation(actor, allocation)
    audited_create(actor=actor, instance=allocation)
    return allocation


@transaction.atomic
def allocation_update(*, actor: Any, allocation: Allocation, version: int, **changes: Any) -> Allocation:
    """Change a request that is still waiting for a decision."""
    scoping.require(actor, Action.CHANGE, Allocation, allocation.project.org_unit, "allocation")
    _only(changes, ALLOCATION_FIELDS, "allocation")
    _require_status(allocation, (Allocation.Status.REQUESTED,), "changed")
    audited_update(
        actor=actor,
        instance=allocation,
        version=version,
        changes=changes,
        check=lambda changed: _check_allocation(actor, changed),
    )
    return allocation


def _check_version(allocation: Allocation, version: int | None) -> None:
    """A decision on a stale version is a conflict, whatever the status became meanwhile."""
    if version is not None and version != allocation.version:
        raise ConflictError(current_version=allocation.version, given_version=version)


def _decide(actor: Any, allocation: Allocation, version: int | None, status: str, comment: str) -> Allocation:
    if not selectors.can_decide(actor, allocation):
        raise PermissionDenied(
            "allocation: only the pool's manager, or a PMO administrator or resource manager over the "
            "pool's unit, may decide this request."
        )
    _check_version(allocation, version)
    verb = "approved" if status == Allocation.Status.APPROVED else "rejected"
    _require_status(allocation, (Allocation.Status.REQUESTED,), verb)
    if status == Allocation.Status.REJECTED and not (comment or "").strip():
        raise ValidationError({"comment": "Say why the request is rejected."})
    audited_update(
        actor=actor,
        instance=allocation,
        version=allocation.version if version is None else version,
        changes={
            "status": status,
            "decided_by": actor,
            "decided_at": timezone.now(),
            "decision_comment": (comment or "").strip(),
        },
    )
    return allocation


@transaction.atomic
def allocation_approve(
    *, actor: Any, allocation: Allocation, version: int | None = None, comment: str = ""
) -> Allocation:
    """Approve a requested allocation (the pool's manager, or a PMO admin / resource manager over it)."""
    return _decide(actor, allocation, version, Allocation.Status.APPROVED, comment)


@transaction.atomic
def allocation_reject(
    *, actor: Any, allocation: Allocation, version: int | None = None, comment: str = ""
) -> Allocation:
    """Reject a requested allocation, saying why."""
    return _decide(actor, allocation, version, Allocation.Status.REJECTED, comment)


@transaction.atomic
def allocation_cancel(*, actor: Any, allocation: Allocation, version: int | None = None) -> Allocation:
    """Withdraw a request or release an approved allocation (its requester or the project's managers)."""
    if not selectors.can_cancel(actor, allocation):
        raise PermissionDenied("allocation: only the requester or the project's managers may cancel it.")
    _check_version(allocation, version)
    _require_status(allocation, (Allocation.Status.REQUESTED, Allocation.Status.APPROVED), "cancelled")
    audited_update(
        actor=actor,
        instance=allocation,
        version=allocation.version if version is None else version,
        changes={"status": Allocation.Status.CANCELLED},
    )
    return allocation
