"""Resources and assignments of an imported project file: matched to Keel's resources, or created.

Called by :func:`keel.schedule.importing.project_import` in the same transaction as the schedule, after
the tasks are written (assignments name tasks by their uid in the file, which the tasks keep).

* A file resource is matched to an existing resource the importer can see (own or shared pools) by
  code, else by exact name, so importing the same file twice creates no duplicates. A matched resource
  is used as it is: the file does not change it.
* The others are created in a pool of the project's org unit: the first pool of that unit the
  importer may change, else the unit's pool "<UNIT CODE>-IMPORTED" (created the first time, validated
  and audited like any pool). Work resources become people, material resources equipment, cost
  resources cost items; availability (max units), e-mail, calendar and rates come along. Rates per day,
  week or month are turned into rates per hour with the file's minutes per day, week and month.
* The project's assignments are replaced by the file's: units, work, actual work and cost.

Everything that could not be mapped as it is (an invalid e-mail, units beyond what Keel holds, two file
resources that are one Keel resource on the same task, ...) is listed in the summary, not refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from keel.core.audit import creation_changes, snapshot
from keel.core.models import AuditEntry
from keel.core.services import audited_create
from keel.interchange import model as interchange
from keel.orgs import scoping
from keel.orgs.models import Calendar
from keel.orgs.scoping import Action
from keel.portfolio.models import Project
from keel.resources.models import MAX_UNITS, Assignment, CostRate, Resource, ResourcePool
from keel.schedule.models import Task

IMPORTED_POOL_SUFFIX = "-IMPORTED"
_KINDS = {
    interchange.ResourceType.WORK: Resource.Kind.PERSON,
    interchange.ResourceType.MATERIAL: Resource.Kind.EQUIPMENT,
    interchange.ResourceType.COST: Resource.Kind.COST,
}
_CENT = Decimal("0.01")
_CODE_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class ResourceImportSummary:
    """What came in: resources created and matched (by name), rates, assignments; what could not be mapped."""

    pool: ResourcePool | None = None
    created: tuple[str, ...] = ()
    matched: tuple[str, ...] = ()
    rates: int = 0
    assignments: int = 0
    assignments_replaced: int = 0
    not_mapped: tuple[str, ...] = field(default_factory=tuple)

    def lines(self) -> list[str]:
        """The summary as lines of text for a person."""
        if not (self.created or self.matched or self.assignments):
            return []
        where = f" in pool {self.pool.code}" if self.pool is not None and self.created else ""
        return [
            f"  {len(self.created) + len(self.matched)} resource(s): {len(self.created)} created{where}, "
            f"{len(self.matched)} matched to existing ones; {self.assignments} assignment(s)"
        ]


def _money(value: Decimal) -> Decimal:
    """An amount in cents, never negative."""
    return max(Decimal(0), value).quantize(_CENT, rounding=ROUND_HALF_UP)


def _per_hour(
    rate: Decimal,
    unit: interchange.TimeUnit,
    minutes_per_day: int,
    minutes_per_week: int,
    days_per_month: int,
) -> Decimal:
    """A rate per `unit` of work as a rate per hour."""
    minutes = {
        interchange.TimeUnit.MINUTES: 1,
        interchange.TimeUnit.HOURS: 60,
        interchange.TimeUnit.DAYS: minutes_per_day,
        interchange.TimeUnit.WEEKS: minutes_per_week,
        interchange.TimeUnit.MONTHS: minutes_per_day * days_per_month,
        interchange.TimeUnit.YEARS: minutes_per_day * days_per_month * 12,
    }.get(unit, 60)
    return _money(rate * 60 / (minutes or 60))


def _free_code(wanted: str, name: str, taken: set[str]) -> str:
    """A resource code not used yet: the file's code when it is one, else made from the name."""
    base = wanted if wanted and _CODE_CHARS.search(wanted) is None else ""
    base = (base or _CODE_CHARS.sub("-", name).strip("-._").upper() or "RESOURCE")[:30]
    if not base[0].isalnum():
        base = ("R" + base)[:30]
    candidate, number = base, 1
    while candidate.upper() in taken:
        number += 1
        suffix = f"-{number}"
        candidate = base[: 30 - len(suffix)] + suffix
    taken.add(candidate.upper())
    return candidate


def _target_pool(actor: Any, project: Project) -> ResourcePool:
    """The pool new resources go to: the first of the unit's pools the actor may change, else the unit's
    imported-resources pool (created the first time)."""
    unit = project.org_unit
    if scoping.can(actor, Action.CHANGE, ResourcePool, unit):
        pool = ResourcePool.objects.filter(org_unit=unit).order_by("code").first()
        if pool is not None:
            return pool
    code = unit.code[: 30 - len(IMPORTED_POOL_SUFFIX)] + IMPORTED_POOL_SUFFIX
    pool = ResourcePool.objects.filter(code=code).first()
    if pool is not None:
        return pool
    pool = ResourcePool(
        code=code,
        name=f"{unit.name} — imported resources"[:150],
        description="Resources created by importing project files into this unit's projects.",
        org_unit=unit,
    )
    audited_create(actor=actor, instance=pool)
    return pool


def _bulk_audit(actor: Any, records: Sequence[Any], action: str, project: Project) -> None:
    """One audit entry per record, written in one insert (assignments can be thousands)."""
    if not records:
        return
    now = timezone.now()
    person = actor if getattr(actor, "is_authenticated", False) else None
    content_type = ContentType.objects.get_for_model(Assignment, for_concrete_model=False)
    entries = []
    for record in records:
        values = snapshot(record)
        if action == AuditEntry.Action.DELETE:
            changes = {name: [value, None] for name, value in values.items() if value not in (None, "")}
        else:
            changes = creation_changes(values)
        entries.append(
            AuditEntry(
                at=now,
                actor=person,
                action=action,
                content_type=content_type,
                object_id=str(record.pk),
                object_repr=f"{record.resource.name} on {record.task.name}"[:200],
                unit_path=project.org_unit.path,
                project_id=project.pk,
                changes=changes,
            )
        )
    AuditEntry.objects.bulk_create(entries, batch_size=500)


@transaction.atomic
def resources_import(
    *,
    actor: Any,
    project: Project,
    resources: Sequence[interchange.Resource],
    assignments: Sequence[interchange.Assignment],
    calendars: Mapping[int, Calendar] | None = None,
    minutes_per_day: int = 480,
    minutes_per_week: int = 2400,
    days_per_month: int = 20,
) -> ResourceImportSummary:
    """Match or create the file's resources and replace the project's assignments with the file's.

    `calendars` maps a file calendar UID to the stored calendar a new resource takes (resources whose
    calendar is not in it take their home unit's). The minutes per day, week and month turn rates per
    day, week or month into rates per hour. Needs the right to change assignments in the project's unit
    (PermissionDenied otherwise); nothing is written when a record cannot be stored.
    """
    scoping.require(actor, Action.CHANGE, Assignment, project.org_unit, "assignments")
    calendars = calendars or {}
    notes: list[str] = []
    old = list(Assignment.objects.filter(task__project=project).select_related("task", "resource"))
    _bulk_audit(actor, old, AuditEntry.Action.DELETE, project)
    Assignment.objects.filter(pk__in=[a.pk for a in old]).delete()
    if not resources:
        return ResourceImportSummary(assignments_replaced=len(old))

    codes = {r.code for r in resources if r.code}
    names = {r.name[:150] for r in resources}
    existing = list(
        scoping.visible(actor, Resource.objects.select_related("pool")).filter(
            Q(code__in=codes) | Q(name__in=names)
        )
    )
    by_code = {r.code: r for r in existing}
    by_name: dict[str, Resource] = {}
    for resource in sorted(existing, key=lambda r: (r.pool.org_unit_id != project.org_unit_id, r.pk)):
        by_name.setdefault(resource.name, resource)

    keel_of: dict[int, Resource] = {}
    created: list[str] = []
    matched: list[str] = []
    rates = 0
    pool: ResourcePool | None = None
    taken: set[str] | None = None
    start = project.schedule.start if hasattr(project, "schedule") else timezone.now()
    for source in resources:
        label = f"resource {source.name!r} (UID {source.uid})"
        found = by_code.get(source.code) if source.code else None
        found = found or by_name.get(source.name[:150])
        if found is not None:
            keel_of[source.uid] = found
            matched.append(found.name)
            continue
        if pool is None:
            pool = _target_pool(actor, project)
            taken = {code.upper() for code in Resource.objects.values_list("code", flat=True)}
        assert taken is not None
        email = source.email.strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                notes.append(f"{label}: e-mail {email!r} is not an address; left out")
                email = ""
        max_units = 100
        if source.type is interchange.ResourceType.WORK and source.max_units is not None:
            max_units = int(source.max_units.to_integral_value(rounding=ROUND_HALF_UP))
            if not 0 <= max_units <= MAX_UNITS:
                notes.append(
                    f"{label}: max units {source.max_units}% kept as {min(max(max_units, 0), MAX_UNITS)}%"
                )
                max_units = min(max(max_units, 0), MAX_UNITS)
        if len(source.name) > 150:
            notes.append(f"{label}: the name was cut to 150 characters")
        resource = Resource(
            pool=pool,
            code=_free_code(source.code, source.name, taken),
            name=source.name[:150],
            kind=_KINDS[source.type],
            home_unit=pool.org_unit,
            calendar=calendars.get(source.calendar_uid) if source.calendar_uid is not None else None,
            max_units=max_units,
            email=email,
        )
        audited_create(actor=actor, instance=resource)
        by_name[resource.name] = resource
        if source.code:
            by_code[source.code] = resource
        keel_of[source.uid] = resource
        created.append(resource.name)
        if source.standard_rate or source.overtime_rate or source.cost_per_use:
            per_hour = source.type is not interchange.ResourceType.MATERIAL
            sizes = (minutes_per_day, minutes_per_week, days_per_month)
            rate = CostRate(
                resource=resource,
                effective_from=start.date(),
                standard_rate=_per_hour(source.standard_rate, source.standard_rate_unit, *sizes)
                if per_hour
                else _money(source.standard_rate),
                overtime_rate=_per_hour(source.overtime_rate, source.overtime_rate_unit, *sizes)
                if per_hour
                else _money(source.overtime_rate),
                cost_per_use=_money(source.cost_per_use),
                currency=project.currency,
            )
            audited_create(actor=actor, instance=rate)
            rates += 1

    tasks = dict(Task.objects.filter(project=project).values_list("uid", "pk"))
    names_of = dict(Task.objects.filter(project=project).values_list("uid", "name"))
    rows: dict[tuple[int, int], Assignment] = {}
    for source in assignments:
        resource = keel_of.get(source.resource_uid)
        task_pk = tasks.get(source.task_uid)
        label = f"assignment of resource {source.resource_uid} to task {source.task_uid}"
        if resource is None or task_pk is None:
            notes.append(
                f"{label}: its {'resource' if resource is None else 'task'} is not in Keel; left out"
            )
            continue
        units = int(source.units.to_integral_value(rounding=ROUND_HALF_UP))
        if not 0 <= units <= MAX_UNITS:
            notes.append(f"{label}: {source.units}% kept as {min(max(units, 0), MAX_UNITS)}%")
            units = min(max(units, 0), MAX_UNITS)
        key = (task_pk, resource.pk)
        if key in rows:
            # Two file resources that are one Keel resource (same code or name) on one task: one assignment.
            row = rows[key]
            row.units = min(MAX_UNITS, row.units + units)
            row.work_minutes += source.work
            row.actual_work_minutes += source.actual_work
            row.cost += _money(source.cost)
            notes.append(
                f"{label}: {resource.name} is already on task {names_of[source.task_uid]!r}; "
                "the two assignments were added up"
            )
            continue
        rows[key] = Assignment(
            task_id=task_pk,
            resource=resource,
            units=units,
            work_minutes=source.work,
            actual_work_minutes=source.actual_work,
            cost=_money(source.cost),
            uid=source.uid,
        )
    new = list(rows.values())
    for row in new:
        row.full_clean(exclude=["task", "resource"], validate_unique=False, validate_constraints=False)
    Assignment.objects.bulk_create(new, batch_size=500)
    if not all(row.pk for row in new):
        # Databases that do not return ids from a bulk insert: read them back by task and resource.
        ids = {
            (a.task_id, a.resource_id): a.pk
            for a in Assignment.objects.filter(task__project=project).only("pk", "task_id", "resource_id")
        }
        for row in new:
            row.pk = ids[(row.task_id, row.resource_id)]
    task_rows = {t.pk: t for t in Task.objects.filter(project=project).only("pk", "name")}
    for row in new:
        row.task = task_rows[row.task_id]
    _bulk_audit(actor, new, AuditEntry.Action.CREATE, project)
    return ResourceImportSummary(
        pool=pool,
        created=tuple(created),
        matched=tuple(dict.fromkeys(matched)),
        rates=rates,
        assignments=len(new),
        assignments_replaced=len(old),
        not_mapped=tuple(notes),
    )
