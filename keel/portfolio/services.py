"""Writes to the portfolio register. Every write checks scope, validates, versions and audits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from keel.core.services import audited_create, audited_delete, audited_update
from keel.orgs import scoping
from keel.orgs import selectors as org_selectors
from keel.orgs.models import OrgUnit
from keel.orgs.scoping import Action
from keel.portfolio.models import Portfolio, Program, Project

PROJECT_FIELDS = (
    "code",
    "name",
    "description",
    "org_unit",
    "program",
    "manager",
    "sponsor",
    "phase",
    "status",
    "priority",
    "planned_start",
    "planned_finish",
    "budget",
    "currency",
    "health",
)


def _check_people(project: Project) -> None:
    """Manager and sponsor must hold a role that covers the project's unit."""
    people = org_selectors.people_for_unit(project.org_unit)
    errors = {}
    for field in ("manager", "sponsor"):
        person = getattr(project, field)
        if person is not None and not people.filter(pk=person.pk).exists():
            errors[field] = f"{person} holds no role covering {project.org_unit.code}."
    if errors:
        raise ValidationError(errors)


def _check_program(actor: Any, project: Project) -> None:
    """The program must be one the actor can see or one run by an ancestor of the project's unit."""
    program = project.program
    if program is None:
        return
    if program.org_unit_id in project.org_unit.ancestor_ids:
        return
    if not scoping.visible(actor, Program.objects.filter(pk=program.pk)).exists():
        raise ValidationError({"program": "Unknown program."})


@transaction.atomic
def project_create(*, actor: Any, org_unit: OrgUnit, code: str, name: str, **fields: Any) -> Project:
    """Register a project in `org_unit`; currency defaults to the unit's reporting currency."""
    scoping.require(actor, Action.CHANGE, Project, org_unit, "org_unit")
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown project fields: {', '.join(sorted(unknown))}")
    fields.setdefault("currency", org_unit.currency)
    fields.setdefault("budget", Decimal("0"))
    project = Project(org_unit=org_unit, code=code, name=name, **fields)
    _check_program(actor, project)
    _check_people(project)
    audited_create(actor=actor, instance=project)
    return project


@transaction.atomic
def project_update(*, actor: Any, project: Project, version: int, **changes: Any) -> Project:
    """Change a project made at `version`; a stale version raises ConflictError and writes nothing."""
    scoping.require(actor, Action.CHANGE, Project, project.org_unit, "project")
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown project fields: {', '.join(sorted(unknown))}")
    if "org_unit" in changes and changes["org_unit"] != project.org_unit:
        scoping.require(actor, Action.CHANGE, Project, changes["org_unit"], "org_unit")

    def check(changed: Project) -> None:
        _check_program(actor, changed)
        _check_people(changed)

    audited_update(actor=actor, instance=project, version=version, changes=changes, check=check)
    return project


@transaction.atomic
def project_delete(*, actor: Any, project: Project, version: int | None = None) -> None:
    """Delete a project (refused when `version` is stale)."""
    scoping.require(actor, Action.CHANGE, Project, project.org_unit, "project")
    audited_delete(actor=actor, instance=project, version=version)


@transaction.atomic
def portfolio_create(*, actor: Any, org_unit: OrgUnit, code: str, name: str, **fields: Any) -> Portfolio:
    """Create a portfolio owned by `org_unit`."""
    scoping.require(actor, Action.CHANGE, Portfolio, org_unit, "org_unit")
    portfolio = Portfolio(org_unit=org_unit, code=code, name=name, **fields)
    audited_create(actor=actor, instance=portfolio)
    return portfolio


@transaction.atomic
def portfolio_update(*, actor: Any, portfolio: Portfolio, version: int, **changes: Any) -> Portfolio:
    """Change a portfolio made at `version`."""
    scoping.require(actor, Action.CHANGE, Portfolio, portfolio.org_unit, "portfolio")
    if "org_unit" in changes:
        scoping.require(actor, Action.CHANGE, Portfolio, changes["org_unit"], "org_unit")
    audited_update(actor=actor, instance=portfolio, version=version, changes=changes)
    return portfolio


@transaction.atomic
def portfolio_delete(*, actor: Any, portfolio: Portfolio, version: int | None = None) -> None:
    """Delete a portfolio that has no programs."""
    scoping.require(actor, Action.CHANGE, Portfolio, portfolio.org_unit, "portfolio")
    if portfolio.programs.exists():
        raise ValidationError({"portfolio": "The portfolio still has programs; move or delete them first."})
    audited_delete(actor=actor, instance=portfolio, version=version)


@transaction.atomic
def program_create(
    *, actor: Any, portfolio: Portfolio, org_unit: OrgUnit, code: str, name: str, **fields: Any
) -> Program:
    """Create a program in `portfolio`, run by `org_unit`."""
    scoping.require(actor, Action.CHANGE, Program, org_unit, "org_unit")
    if not scoping.visible(actor, Portfolio.objects.filter(pk=portfolio.pk)).exists():
        raise ValidationError({"portfolio": "Unknown portfolio."})
    program = Program(portfolio=portfolio, org_unit=org_unit, code=code, name=name, **fields)
    audited_create(actor=actor, instance=program)
    return program


@transaction.atomic
def program_update(*, actor: Any, program: Program, version: int, **changes: Any) -> Program:
    """Change a program made at `version`."""
    scoping.require(actor, Action.CHANGE, Program, program.org_unit, "program")
    if "org_unit" in changes:
        scoping.require(actor, Action.CHANGE, Program, changes["org_unit"], "org_unit")
    if (
        "portfolio" in changes
        and not scoping.visible(actor, Portfolio.objects.filter(pk=changes["portfolio"].pk)).exists()
    ):
        raise ValidationError({"portfolio": "Unknown portfolio."})
    audited_update(actor=actor, instance=program, version=version, changes=changes)
    return program


@transaction.atomic
def program_delete(*, actor: Any, program: Program, version: int | None = None) -> None:
    """Delete a program that has no projects."""
    scoping.require(actor, Action.CHANGE, Program, program.org_unit, "program")
    if program.projects.exists():
        raise ValidationError({"program": "The program still has projects; move or delete them first."})
    audited_delete(actor=actor, instance=program, version=version)
