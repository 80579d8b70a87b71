"""Reads of change control, always through the scoping layer: a project's change log, one change with
its edits, the changes waiting for a decision, the authority levels in force for a unit and who may
decide a change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from keel.changes.models import DEFAULT_LEVELS, BudgetEdit, ChangeAuthority, ChangeRequest, TaskEdit
from keel.core.errors import NotFound
from keel.core.unit_settings import settings_in_force
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.models import Membership, OrgUnit, Role, User
from keel.orgs.scoping import Action
from keel.portfolio import selectors as portfolio_selectors
from keel.portfolio.models import Project

# --- authority levels --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One authority level: changes up to `max_cost` and `max_slip_days` (None: no limit) go to `approver_role`."""

    number: int
    max_cost: Decimal | None
    max_slip_days: int | None
    approver_role: str
    self_approval: bool

    def fits(self, cost: Decimal, slip_days: Decimal) -> bool:
        """Whether a change of this cost (its absolute value) and slip falls within the level."""
        if self.max_cost is not None and abs(cost) > self.max_cost:
            return False
        return self.max_slip_days is None or slip_days <= self.max_slip_days

    @property
    def role_label(self) -> str:
        return Role(self.approver_role).label

    def describe(self) -> str:
        """`cost ≤ 10,000 and slip ≤ 5 days → Portfolio manager`."""
        limits = []
        if self.max_cost is not None:
            limits.append(f"cost ≤ {self.max_cost:,.2f}")
        if self.max_slip_days is not None:
            limits.append(f"slip ≤ {self.max_slip_days} days")
        return f"{' and '.join(limits) or 'any change'} → {self.role_label}"


@dataclass(frozen=True)
class Authority:
    """The authority levels in force for a unit: its own, its nearest ancestor's, or Keel's defaults."""

    levels: tuple[Level, ...]
    source: OrgUnit | None = None
    version: int | None = None  # of the unit's own levels

    def level_for(self, cost: Decimal, slip_days: Decimal) -> Level:
        """The first level the change fits; beyond every level, PMO administrators decide."""
        for level in self.levels:
            if level.fits(cost, slip_days):
                return level
        return Level(len(self.levels) + 1, None, None, Role.PMO_ADMIN.value, False)


def _levels(raw: Iterable[dict]) -> tuple[Level, ...]:
    return tuple(
        Level(
            number=number,
            max_cost=None if item.get("max_cost") in (None, "") else Decimal(str(item["max_cost"])),
            max_slip_days=item.get("max_slip_days"),
            approver_role=item["approver_role"],
            self_approval=bool(item.get("self_approval", False)),
        )
        for number, item in enumerate(raw, start=1)
    )


DEFAULT = Authority(levels=_levels(DEFAULT_LEVELS))


def authority_for_unit(unit: OrgUnit) -> Authority:
    """The authority levels in force for `unit` (nearest configured ancestor, else the defaults)."""
    config = settings_in_force(unit, ChangeAuthority)
    return DEFAULT if config is None else Authority(_levels(config.levels), config.org_unit, config.version)


def authority_for_user(user: Any, unit_id: Any, action: Action = Action.VIEW) -> tuple[OrgUnit, Authority]:
    """A unit the user sees and the authority levels in force there; PermissionDenied for a write the role lacks."""
    unit = org_selectors.org_unit_get_for_user(user, unit_id)
    if action != Action.VIEW:
        scoping.require(user, action, ChangeAuthority, unit, "unit")
    return unit, authority_for_unit(unit)


def can_configure(user: Any, unit: OrgUnit) -> bool:
    """Whether the user may set the unit's authority levels (a PMO administrator over it)."""
    return scoping.can(user, Action.CHANGE, ChangeAuthority, unit)


def holds_role(user: Any, role: str, unit: OrgUnit) -> bool:
    """Whether `user` holds `role` over `unit` (in it or above it); PMO administrators hold every level."""
    if scoping.is_global(user):
        return True
    wanted = {role, Role.PMO_ADMIN.value}
    return any(unit.path.startswith(path) and r in wanted for path, r in scoping.memberships(user))


def approvers_for(project: Project, role: str) -> QuerySet[User]:
    """The active people who may decide a change of `project` at a level of `role`."""
    unit = project.org_unit
    return (
        User.objects.filter(is_active=True)
        .filter(
            pk__in=Membership.objects.filter(
                unit_id__in=unit.ancestor_ids, role__in={role, Role.PMO_ADMIN.value}
            ).values("user_id")
        )
        .order_by("username")
    )


# --- change requests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeFilters:
    """Filters of a change log; empty values filter nothing."""

    status: str = ""
    category: str = ""
    requested_by: int | None = None
    q: str = ""


def _base() -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.select_related(
        "project", "project__org_unit", "requested_by", "decided_by", "risk"
    )


def _filtered(qs: QuerySet[ChangeRequest], filters: ChangeFilters | None) -> QuerySet[ChangeRequest]:
    if filters is None:
        return qs
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.requested_by:
        qs = qs.filter(requested_by_id=filters.requested_by)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    return qs


def project_for_user(user: Any, project_id: Any, action: Action = Action.VIEW) -> Project:
    """The project whose change log is asked for; NotFound out of scope, PermissionDenied for a write."""
    return portfolio_selectors.project_get_for_user(user, project_id, action)


def can_change(user: Any, project: Project) -> bool:
    """Whether the user may raise and edit changes of the project."""
    return scoping.can(user, Action.CHANGE, ChangeRequest, project.org_unit)


def change_list_for_project(
    user: Any, project_id: Any, filters: ChangeFilters | None = None
) -> QuerySet[ChangeRequest]:
    """The project's change requests, newest first, filtered."""
    project = project_for_user(user, project_id)
    return _filtered(_base().filter(project=project), filters).order_by("-number")


def change_list_for_user(user: Any, filters: ChangeFilters | None = None) -> QuerySet[ChangeRequest]:
    """Every change request the user may see, filtered, newest first."""
    return _filtered(scoping.visible(user, _base()), filters).order_by("-created_at", "-pk")


def change_get_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> ChangeRequest:
    """One change request; NotFound when missing or out of scope, PermissionDenied for a write the role lacks."""
    return scoping.get_for_user(user, _base(), action, pk=pk)


def task_edit_get_for_user(user: Any, change: ChangeRequest, pk: Any) -> TaskEdit:
    """One schedule edit of `change` (NotFound otherwise)."""
    edit = TaskEdit.objects.select_related("task", "predecessor").filter(change=change, pk=pk).first()
    if edit is None:
        raise NotFound("schedule edit")
    return edit


def budget_edit_get_for_user(user: Any, change: ChangeRequest, pk: Any) -> BudgetEdit:
    """One budget edit of `change` (NotFound otherwise)."""
    edit = BudgetEdit.objects.select_related("category").filter(change=change, pk=pk).first()
    if edit is None:
        raise NotFound("budget edit")
    return edit


def pending_for_user(user: Any) -> list[ChangeRequest]:
    """Submitted changes the user sees, oldest first; each with `can_decide` for this user."""
    changes = list(
        scoping.visible(user, _base().filter(status=ChangeRequest.Status.SUBMITTED)).order_by(
            "submitted_at", "pk"
        )
    )
    for change in changes:
        change.can_decide = can_decide(user, change)
    return changes


def can_decide(user: Any, change: ChangeRequest) -> bool:
    """Whether the user holds the role the change's authority level asks for (the own-change rule aside)."""
    if change.status != ChangeRequest.Status.SUBMITTED or not change.approver_role:
        return False
    return holds_role(user, change.approver_role, change.project.org_unit)


def undecided_changes(*, projects: Iterable[Project]) -> list[ChangeRequest]:
    """The submitted changes of `projects` awaiting a decision, oldest first (one query)."""
    if isinstance(projects, QuerySet):
        wanted = Q(project__in=projects.values("pk"))
    else:
        wanted = Q(project_id__in=[p.pk if hasattr(p, "pk") else p for p in projects])
    return list(_base().filter(wanted, status=ChangeRequest.Status.SUBMITTED).order_by("submitted_at", "pk"))
