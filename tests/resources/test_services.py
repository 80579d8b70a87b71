"""Resource services: every write checks scope, validates with the field named, versions and audits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from keel.core.errors import ConflictError, PermissionDenied
from keel.core.models import AuditEntry
from keel.orgs.scoping import Action
from keel.resources import selectors, services
from keel.resources.models import Allocation, Assignment, CostRate, Resource, ResourcePool

MONDAY = dt.date(2026, 3, 2)


def fields_of(exc: pytest.ExceptionInfo) -> set[str]:
    return set(exc.value.message_dict)


# --- pools -----------------------------------------------------------------------------------------


def test_pool_is_created_by_a_resource_manager_of_the_unit_and_audited(org, pools):
    pool = services.pool_create(actor=pools.rm_north, org_unit=org.north, code="POOL-N2", name="Second")
    entry = AuditEntry.objects.get(object_id=str(pool.pk), content_type__model="resourcepool")
    assert entry.action == "create" and entry.unit_path == org.north.path


def test_a_project_manager_may_not_create_a_pool(org, pools):
    with pytest.raises(PermissionDenied, match="org_unit"):
        services.pool_create(actor=org.pm_north, org_unit=org.north, code="X", name="X")
    with pytest.raises(PermissionDenied, match="org_unit"):
        services.pool_create(actor=pools.rm_north, org_unit=org.south, code="X", name="X")
    assert not ResourcePool.objects.filter(code="X").exists()


def test_pool_manager_must_hold_a_role_over_the_unit(org, pools):
    with pytest.raises(ValidationError) as exc:
        services.pool_create(actor=org.admin, org_unit=org.north, code="X", name="X", manager=org.pm_south)
    assert fields_of(exc) == {"manager"}


def test_pool_update_checks_the_version(org, pools):
    services.pool_update(actor=pools.rm_north, pool=pools.north, version=1, name="Renamed")
    with pytest.raises(ConflictError):
        services.pool_update(actor=pools.rm_north, pool=pools.north, version=1, name="Again")
    pools.north.refresh_from_db()
    assert pools.north.name == "Renamed" and pools.north.version == 2


def test_pool_with_resources_is_not_deleted(org, pools):
    with pytest.raises(ValidationError) as exc:
        services.pool_delete(actor=org.admin, pool=pools.north)
    assert fields_of(exc) == {"pool"}
    empty = services.pool_create(actor=org.admin, org_unit=org.north, code="EMPTY", name="Empty")
    services.pool_delete(actor=org.admin, pool=empty, version=1)
    assert not ResourcePool.objects.filter(code="EMPTY").exists()


# --- sharing and visibility -------------------------------------------------------------------------


def test_divisions_see_only_their_own_pools(org, pools):
    assert set(selectors.pool_list_for_user(org.pm_north)) == {pools.north}
    assert set(selectors.resource_list_for_user(org.pm_south)) == {pools.sofia}
    assert set(selectors.resource_list_for_user(org.exec)) == {
        pools.analyst,
        pools.ana,
        pools.crane,
        pools.sofia,
    }
    assert not selectors.resource_list_for_user(org.outsider).exists()


def test_a_shared_pool_is_visible_not_changeable(org, pools):
    services.pool_share_set(actor=org.admin, pool=pools.south, units=[org.north])

    assert pools.sofia in selectors.resource_list_for_user(org.pm_north)
    assert pools.sofia in selectors.resource_list_for_user(org.member_north)
    assert selectors.pool_get_for_user(org.pm_north, pools.south.pk) == pools.south
    with pytest.raises(PermissionDenied):
        selectors.resource_get_for_user(pools.rm_north, pools.sofia.pk, Action.CHANGE)
    with pytest.raises(PermissionDenied):
        services.resource_update(actor=pools.rm_north, resource=pools.sofia, version=1, name="Taken")
    # and NORTH's own pool stays hidden from SOUTH
    assert pools.ana not in selectors.resource_list_for_user(org.pm_south)
    entry = AuditEntry.objects.filter(object_id=str(pools.south.pk), action="update").get()
    assert entry.changes == {"shared_with": [[], [org.north.pk]]}


def test_sharing_with_a_parent_unit_reaches_its_subtree_and_unsharing_hides_again(org, pools):
    services.pool_share_set(actor=org.admin, pool=pools.south, units=[org.eng])
    assert pools.sofia in selectors.resource_list_for_user(org.pm_north)
    services.pool_share_set(actor=org.admin, pool=pools.south, units=[])
    assert pools.sofia not in selectors.resource_list_for_user(org.pm_north)


def test_only_a_pmo_administrator_over_the_pool_may_share_it(org, pools):
    with pytest.raises(PermissionDenied, match="units"):
        services.pool_share_set(actor=pools.rm_south, pool=pools.south, units=[org.north])
    with pytest.raises(PermissionDenied):
        services.pool_share_set(actor=org.pm_north, pool=pools.south, units=[org.north])
    with pytest.raises(ValidationError) as exc:
        services.pool_share_set(actor=org.admin, pool=pools.south, units=[org.south])
    assert fields_of(exc) == {"units"}
    assert not pools.south.shared_with.exists()


def test_sharing_checks_the_version(org, pools):
    with pytest.raises(ConflictError):
        services.pool_share_set(actor=org.admin, pool=pools.south, units=[org.north], version=7)
    assert not pools.south.shared_with.exists()


# --- resources -------------------------------------------------------------------------------------


def test_resource_refusals_name_their_field(org, pools):
    cases = [
        ({"home_unit": org.south}, "home_unit"),
        ({"role": pools.ana}, "role"),
        ({"kind": Resource.Kind.EQUIPMENT, "user": org.pm_north}, "user"),
        ({"max_units": 10_001}, "max_units"),
        ({"user": org.member_north}, "user"),  # already Ana's
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.resource_create(
                actor=pools.rm_north, pool=pools.north, code="R-NEW", name="New", **fields
            )
        assert field in fields_of(exc), fields
    with pytest.raises(ValidationError) as exc:
        services.resource_create(actor=pools.rm_north, pool=pools.north, code="R-ANA", name="Twin")
    assert fields_of(exc) == {"code"}
    with pytest.raises(PermissionDenied, match="pool"):
        services.resource_create(actor=org.pm_north, pool=pools.north, code="R-NEW", name="New")
    assert not Resource.objects.filter(code="R-NEW").exists()


def test_a_role_from_another_division_is_refused(org, pools):
    south_role = services.resource_create(
        actor=pools.rm_south, pool=pools.south, code="R-SOUTH-ROLE", name="SOUTH role", kind="role"
    )
    with pytest.raises(ValidationError) as exc:
        services.resource_update(actor=pools.rm_north, resource=pools.ana, version=1, role=south_role)
    assert fields_of(exc) == {"role"}


def test_resource_with_assignments_is_deactivated_not_deleted(org, pools):
    services.assignment_create(actor=org.pm_north, task=pools.task_north, resource=pools.crane)
    with pytest.raises(ValidationError, match="deactivate") as exc:
        services.resource_delete(actor=pools.rm_north, resource=pools.crane, version=1)
    assert fields_of(exc) == {"resource"}
    services.resource_update(actor=pools.rm_north, resource=pools.crane, version=1, is_active=False)
    pools.crane.refresh_from_db()
    assert not pools.crane.is_active
    free = services.resource_create(actor=pools.rm_north, pool=pools.north, code="R-FREE", name="Free")
    services.resource_delete(actor=pools.rm_north, resource=free, version=1)
    assert not Resource.objects.filter(code="R-FREE").exists()


# --- skills ----------------------------------------------------------------------------------------


def test_skill_catalogue_is_layered_by_unit(org, pools):
    assert set(selectors.skill_list_for_user(org.pm_north)) == {pools.python}
    assert set(selectors.skill_list_for_user(org.pm_south)) == {pools.python, pools.flamenco}
    assert set(selectors.skill_list_for_user(org.exec)) == {pools.python, pools.flamenco}
    assert not selectors.skill_list_for_user(org.outsider).exists()


def test_only_pmo_administrators_keep_the_catalogue(org, pools):
    with pytest.raises(PermissionDenied, match="org_unit"):
        services.skill_create(actor=pools.rm_north, org_unit=org.north, name="Go")
    with pytest.raises(ValidationError) as exc:
        services.skill_create(actor=org.admin, org_unit=org.north, name="Python")
    assert fields_of(exc) == {"name"}


def test_resource_skills_levels_and_visibility(org, pools):
    held = services.resource_skill_set(actor=pools.rm_north, resource=pools.ana, skill=pools.python, level=4)
    services.resource_skill_set(actor=pools.rm_north, resource=pools.ana, skill=pools.python, level=5)
    held.refresh_from_db()
    assert held.level == 5
    assert AuditEntry.objects.filter(content_type__model="resourceskill", action="update").count() == 1
    with pytest.raises(ValidationError) as exc:
        services.resource_skill_set(actor=pools.rm_north, resource=pools.ana, skill=pools.python, level=6)
    assert fields_of(exc) == {"level"}
    with pytest.raises(ValidationError) as exc:
        services.resource_skill_set(actor=pools.rm_north, resource=pools.ana, skill=pools.flamenco)
    assert fields_of(exc) == {"skill"}
    assert list(
        selectors.resource_list_for_user(org.pm_north, selectors.ResourceFilters(skill=pools.python.pk))
    ) == [pools.ana]
    with pytest.raises(ValidationError) as exc:
        services.skill_delete(actor=org.admin, skill=pools.python)
    assert fields_of(exc) == {"skill"}
    services.resource_skill_remove(actor=pools.rm_north, resource=pools.ana, skill=pools.python)
    services.skill_delete(actor=org.admin, skill=pools.python, version=1)


# --- rates and leave -------------------------------------------------------------------------------


def test_rate_refusals_name_their_field(org, pools):
    cases = [
        ({"effective_from": MONDAY, "standard_rate": Decimal("90")}, "currency"),
        ({"effective_from": MONDAY, "standard_rate": Decimal("90"), "currency": "nok"}, "currency"),
        ({"standard_rate": Decimal("90"), "currency": "NOK"}, "effective_from"),
        ({"effective_from": MONDAY, "currency": "NOK"}, "standard_rate"),
        ({"effective_from": MONDAY, "standard_rate": Decimal("-1"), "currency": "NOK"}, "standard_rate"),
        (
            {"effective_from": dt.date(2020, 1, 1), "standard_rate": Decimal("90"), "currency": "NOK"},
            "effective_from",
        ),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.cost_rate_create(actor=pools.rm_north, resource=pools.ana, **fields)
        assert field in fields_of(exc), fields
    assert CostRate.objects.filter(resource=pools.ana).count() == 1


def test_effective_rate_follows_the_dates(org, pools):
    later = services.cost_rate_create(
        actor=pools.rm_north,
        resource=pools.ana,
        effective_from=MONDAY,
        standard_rate=Decimal("95"),
        currency="NOK",
    )
    assert selectors.effective_rate(pools.ana, MONDAY - dt.timedelta(days=1)).standard_rate == Decimal("80")
    assert selectors.effective_rate(pools.ana, MONDAY) == later
    assert selectors.effective_rate(pools.ana, dt.date(2019, 12, 31)) is None
    services.cost_rate_update(actor=pools.rm_north, rate=later, version=1, standard_rate=Decimal("99"))
    assert selectors.effective_rate(pools.ana.pk, MONDAY).standard_rate == Decimal("99")
    with pytest.raises(PermissionDenied):
        services.cost_rate_delete(actor=org.pm_north, rate=later, version=2)


def test_leave_refusals_name_their_field(org, pools):
    with pytest.raises(ValidationError) as exc:
        services.leave_create(
            actor=pools.rm_north, resource=pools.ana, start_date=MONDAY, end_date=MONDAY - dt.timedelta(1)
        )
    assert fields_of(exc) == {"end_date"}
    with pytest.raises(ValidationError) as exc:
        services.leave_create(actor=pools.rm_north, resource=pools.ana, end_date=MONDAY)
    assert fields_of(exc) == {"start_date"}
    with pytest.raises(ValidationError) as exc:
        services.leave_create(
            actor=pools.rm_north, resource=pools.ana, start_date=MONDAY, end_date=MONDAY, percent=0
        )
    assert fields_of(exc) == {"percent"}
    leave = services.leave_create(
        actor=pools.rm_north,
        resource=pools.ana,
        start_date=MONDAY,
        end_date=MONDAY + dt.timedelta(4),
        percent=50,
    )
    services.leave_update(actor=pools.rm_north, leave=leave, version=1, note="Half days")
    with pytest.raises(ConflictError):
        services.leave_delete(actor=pools.rm_north, leave=leave, version=1)
    services.leave_delete(actor=pools.rm_north, leave=leave, version=2)


# --- assignments -----------------------------------------------------------------------------------


def test_assignment_defaults_work_and_cost(org, pools):
    assignment = services.assignment_create(
        actor=org.pm_north, task=pools.task_north, resource=pools.ana, units=50
    )
    # five 8-hour days at 50 %: 20 hours; 80 NOK/h × 20 h + 10 per use
    assert assignment.work_minutes == 1200
    assert assignment.cost == Decimal("1610.00")
    services.assignment_update(actor=org.pm_north, assignment=assignment, version=1, units=100)
    assignment.refresh_from_db()
    assert (assignment.work_minutes, assignment.cost) == (2400, Decimal("3210.00"))
    given = services.assignment_create(
        actor=org.pm_north, task=pools.task_north, resource=pools.crane, work_minutes=60, cost=Decimal("5")
    )
    assert (given.work_minutes, given.cost) == (60, Decimal("5"))


def test_assignment_refusals_name_their_field(org, pools):
    services.assignment_create(actor=org.pm_north, task=pools.task_north, resource=pools.ana)
    services.resource_update(actor=pools.rm_north, resource=pools.crane, version=1, is_active=False)
    for resource in (None, pools.sofia, pools.ana, pools.crane):
        with pytest.raises(ValidationError) as exc:
            services.assignment_create(actor=org.pm_north, task=pools.task_north, resource=resource)
        assert fields_of(exc) == {"resource"}, resource
    with pytest.raises(ValidationError) as exc:
        services.assignment_create(
            actor=org.pm_north, task=pools.task_north, resource=pools.analyst, units=10_001
        )
    assert fields_of(exc) == {"units"}
    with pytest.raises(PermissionDenied, match="task"):
        services.assignment_create(actor=org.pm_north, task=pools.task_south, resource=pools.ana)
    with pytest.raises(PermissionDenied, match="task"):
        services.assignment_create(actor=pools.rm_north, task=pools.task_north, resource=pools.analyst)
    assert Assignment.objects.count() == 1


def test_a_shared_pool_resource_may_be_assigned(org, pools):
    services.pool_share_set(actor=org.admin, pool=pools.south, units=[org.north])
    assignment = services.assignment_create(actor=org.pm_north, task=pools.task_north, resource=pools.sofia)
    assert assignment.cost == Decimal("2400.00")  # 40 h × 60 EUR
    # Sofia's resource manager sees where she works
    assert list(selectors.assignment_list_for_resource(pools.rm_south, pools.sofia.pk)) == [assignment]


def test_my_assignments_between_dates(org, pools):
    assignment = services.assignment_create(actor=org.pm_north, task=pools.task_north, resource=pools.ana)
    start = pools.task_north.start.date()
    finish = pools.task_north.finish.date()
    assert list(selectors.assignments_for_user_between(org.member_north, start, start)) == [assignment]
    assert list(
        selectors.assignments_for_user_between(org.member_north, finish, finish + dt.timedelta(7))
    ) == [assignment]
    assert not selectors.assignments_for_user_between(
        org.member_north, finish + dt.timedelta(1), finish + dt.timedelta(9)
    )
    assert not selectors.assignments_for_user_between(org.pm_north, start, finish)


# --- allocations -----------------------------------------------------------------------------------


def _request(org, pools, **fields):
    values = {
        "resource": pools.ana,
        "start_week": MONDAY,
        "end_week": MONDAY + dt.timedelta(weeks=3),
        "hours_per_week": Decimal("16"),
        **fields,
    }
    return services.allocation_request(actor=org.pm_north, project=org.project_north, **values)


def test_request_and_approve(org, pools):
    allocation = _request(org, pools)
    assert allocation.status == "requested" and allocation.requested_by == org.pm_north
    assert list(selectors.allocations_awaiting_decision(pools.rm_north)) == [allocation]
    assert not selectors.allocations_awaiting_decision(org.pm_north).exists()
    assert not selectors.allocations_awaiting_decision(pools.rm_south).exists()
    services.allocation_approve(actor=pools.rm_north, allocation=allocation, version=1, comment="OK")
    allocation.refresh_from_db()
    assert (allocation.status, allocation.decided_by, allocation.decision_comment) == (
        "approved",
        pools.rm_north,
        "OK",
    )
    assert allocation.decided_at is not None
    assert not selectors.allocations_awaiting_decision(pools.rm_north).exists()
    with pytest.raises(ValidationError) as exc:
        services.allocation_reject(actor=pools.rm_north, allocation=allocation, comment="late")
    assert fields_of(exc) == {"status"}


def test_approval_rights(org, pools):
    allocation = _request(org, pools)
    for outsider_of_pool in (org.pm_north, pools.rm_south, org.exec, org.member_north):
        with pytest.raises(PermissionDenied):
            services.allocation_approve(actor=outsider_of_pool, allocation=allocation)
    services.allocation_approve(actor=org.admin, allocation=allocation)  # PMO administrator over the pool
    second = _request(org, pools, hours_per_week=Decimal("8"))
    other_manager = pools.rm_south
    services.pool_update(actor=org.admin, pool=pools.north, version=1, manager=None)
    with pytest.raises(PermissionDenied):
        services.allocation_reject(actor=other_manager, allocation=second, comment="no")


def test_reject_needs_a_comment_and_cancel_by_requester(org, pools):
    allocation = _request(org, pools)
    with pytest.raises(ValidationError) as exc:
        services.allocation_reject(actor=pools.rm_north, allocation=allocation, comment="  ")
    assert fields_of(exc) == {"comment"}
    with pytest.raises(PermissionDenied):
        services.allocation_cancel(actor=pools.rm_north, allocation=allocation)
    services.allocation_cancel(actor=org.pm_north, allocation=allocation, version=1)
    allocation.refresh_from_db()
    assert allocation.status == "cancelled"
    with pytest.raises(ValidationError) as exc:
        services.allocation_cancel(actor=org.pm_north, allocation=allocation)
    assert fields_of(exc) == {"status"}
    with pytest.raises(ValidationError) as exc:
        services.allocation_update(
            actor=org.pm_north, allocation=allocation, version=2, hours_per_week=Decimal("4")
        )
    assert fields_of(exc) == {"status"}


def test_request_refusals_name_their_field(org, pools):
    cases = [
        ({"resource": None}, "resource"),
        ({"resource": pools.crane}, "resource"),
        ({"resource": pools.sofia}, "resource"),  # not shared with NORTH
        ({"start_week": MONDAY + dt.timedelta(1)}, "start_week"),
        ({"end_week": MONDAY - dt.timedelta(weeks=1)}, "end_week"),
        ({"end_week": None}, "end_week"),
        ({"hours_per_week": None}, "hours_per_week"),
        ({"hours_per_week": Decimal("200")}, "hours_per_week"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as exc:
            _request(org, pools, **fields)
        assert field in fields_of(exc), fields
    with pytest.raises(PermissionDenied, match="project"):
        services.allocation_request(
            actor=org.pm_north,
            project=org.project_south,
            resource=pools.ana,
            start_week=MONDAY,
            end_week=MONDAY,
            hours_per_week=Decimal("8"),
        )
    assert not Allocation.objects.exists()
    assert not AuditEntry.objects.filter(content_type__model="allocation").exists()


def test_request_for_a_shared_pool_reaches_its_manager(org, pools):
    services.pool_share_set(actor=org.admin, pool=pools.south, units=[org.north])
    allocation = _request(org, pools, resource=pools.sofia)
    assert list(selectors.allocations_awaiting_decision(pools.rm_south)) == [allocation]
    assert selectors.allocation_get_for_user(pools.rm_south, allocation.pk) == allocation
    services.allocation_approve(actor=pools.rm_south, allocation=allocation)
    assert list(selectors.allocation_requests_by(org.pm_north)) == [allocation]
    # SOUTH's project manager, who decides nothing for the pool, does not see NORTH's request
    assert not selectors.allocation_list_for_user(org.pm_south).exists()
