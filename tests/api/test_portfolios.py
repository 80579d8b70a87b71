"""Portfolios and programs through the API."""

from __future__ import annotations

from keel.core.models import AuditEntry
from keel.orgs.models import Role
from keel.portfolio.models import Portfolio, Program
from tests.api.conftest import field_errors
from tests.factories import MembershipFactory, UserFactory


def test_portfolio_and_program_lifecycle(org, as_user):
    """Given a portfolio manager of NORTH, when they create a portfolio and a program in it, change and delete
    them, then each step is stored and audited; a portfolio with programs cannot be deleted."""
    manager = UserFactory(username="pf_north")
    MembershipFactory(user=manager, unit=org.north, role=Role.PORTFOLIO_MANAGER)
    client = as_user(manager)

    portfolio = client.post(
        "/portfolios",
        {"code": "PF-N", "name": "North portfolio", "org_unit": org.north.pk, "owner": manager.pk},
    )
    assert portfolio.status == 201, portfolio.body
    assert portfolio.body["owner"]["username"] == "pf_north"
    program = client.post(
        "/programs",
        {
            "code": "PG-N",
            "name": "North program",
            "portfolio": portfolio.body["id"],
            "org_unit": org.north.pk,
        },
    )
    assert program.status == 201, program.body
    assert program.body["portfolio"]["code"] == "PF-N"

    blocked = client.delete(f"/portfolios/{portfolio.body['id']}", headers={"If-Match": portfolio.etag})
    assert "still has programs" in field_errors(blocked)["portfolio"]

    renamed = client.patch(f"/programs/{program.body['id']}", {"description": "Phase two", "version": 1})
    assert renamed.status == 200 and renamed.body["description"] == "Phase two"
    assert client.delete(f"/programs/{program.body['id']}", {"version": 2}).status == 204
    assert client.delete(f"/portfolios/{portfolio.body['id']}", {"version": 1}).status == 204
    assert (
        not Portfolio.objects.filter(code="PF-N").exists()
        and not Program.objects.filter(code="PG-N").exists()
    )
    trail = (
        AuditEntry.objects.filter(actor=manager).order_by("id").values_list("content_type__model", "action")
    )
    assert list(trail) == [
        ("portfolio", "create"),
        ("program", "create"),
        ("program", "update"),
        ("program", "delete"),
        ("portfolio", "delete"),
    ]


def test_project_manager_cannot_create_portfolios(org, as_user):
    """Given pm_north, then creating a portfolio in NORTH is 403 (project managers run projects only)."""
    answer = as_user(org.pm_north).post(
        "/portfolios", {"code": "PF-X", "name": "X", "org_unit": org.north.pk}
    )
    assert answer.status == 403
    assert not Portfolio.objects.filter(code="PF-X").exists()


def test_program_in_a_portfolio_out_of_scope_is_422(org, as_user):
    """Given a portfolio manager of NORTH, then a program in ENG's portfolio (not visible to them) is 422 on
    portfolio, and an unknown owner is 422 on owner."""
    manager = UserFactory(username="pf_north")
    MembershipFactory(user=manager, unit=org.north, role=Role.PORTFOLIO_MANAGER)
    client = as_user(manager)
    engineering = Portfolio.objects.get(code="PF-ENG")
    answer = client.post(
        "/programs", {"code": "PG-X", "name": "X", "portfolio": engineering.pk, "org_unit": org.north.pk}
    )
    assert field_errors(answer) == {"portfolio": f"There is no portfolio with id {engineering.pk}."}
    owner = client.patch(f"/portfolios/{engineering.pk}", {"owner": 12345, "version": 1})
    assert owner.status == 404  # the portfolio itself is out of scope
    mine = client.post(
        "/portfolios", {"code": "PF-M", "name": "Mine", "org_unit": org.north.pk, "owner": 12345}
    )
    assert field_errors(mine) == {"owner": "There is no user with id 12345."}


def test_null_for_a_required_reference_is_422(org, as_user):
    """Given a PATCH setting a portfolio's org unit to null, then 422 names org_unit and nothing changes."""
    engineering = Portfolio.objects.get(code="PF-ENG")
    answer = as_user(org.admin).patch(f"/portfolios/{engineering.pk}", {"org_unit": None, "version": 1})
    assert "org_unit" in field_errors(answer)
    assert Portfolio.objects.get(pk=engineering.pk).org_unit == org.eng
