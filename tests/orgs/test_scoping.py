"""The scoping layer: roles apply to a unit's subtree; siblings are isolated; no role sees nothing."""

from __future__ import annotations

import pytest

from keel.core.errors import NotFound, PermissionDenied
from keel.orgs import scoping
from keel.orgs.scoping import Action
from keel.portfolio.models import Project


def codes(user, action=Action.VIEW):
    return set(scoping.visible(user, Project.objects.all(), action).values_list("code", flat=True))


def test_central_admin_sees_and_changes_everything(org):
    assert codes(org.admin) == {"N-001", "S-001"}
    assert codes(org.admin, Action.CHANGE) == {"N-001", "S-001"}


def test_project_manager_is_confined_to_their_division(org):
    assert codes(org.pm_north) == {"N-001"}
    assert codes(org.pm_north, Action.CHANGE) == {"N-001"}
    assert codes(org.pm_south) == {"S-001"}


def test_executive_and_team_member_read_only(org):
    assert codes(org.exec) == {"N-001", "S-001"}
    assert codes(org.exec, Action.CHANGE) == set()
    assert codes(org.member_north) == {"N-001"}
    assert codes(org.member_north, Action.CHANGE) == set()


def test_user_without_role_sees_nothing(org):
    assert codes(org.outsider) == set()


def test_out_of_scope_record_is_not_found_and_view_only_is_forbidden(org):
    with pytest.raises(NotFound):
        scoping.get_for_user(org.pm_north, Project.objects.all(), pk=org.project_south.pk)
    with pytest.raises(PermissionDenied):
        scoping.get_for_user(org.exec, Project.objects.all(), Action.CHANGE, pk=org.project_south.pk)
    assert (
        scoping.get_for_user(org.pm_north, Project.objects.all(), pk=org.project_north.pk)
        == org.project_north
    )


def test_role_in_an_ancestor_covers_new_descendants(org):
    from tests.factories import OrgUnitFactory, ProjectFactory

    team = OrgUnitFactory(code="NORTH-T1", parent=org.north)
    ProjectFactory(code="N-T1-1", org_unit=team)
    assert codes(org.pm_north) == {"N-001", "N-T1-1"}
    assert "N-T1-1" not in codes(org.pm_south)
