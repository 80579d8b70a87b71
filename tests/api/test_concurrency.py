"""Optimistic concurrency through the API: ETag on reads, If-Match or a body version on writes."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from keel.core.models import AuditEntry
from keel.orgs.models import Role
from keel.orgs.services import api_token_create
from keel.portfolio.models import Portfolio, Program, Project
from keel.portfolio.services import portfolio_create, program_create
from tests.api.conftest import ApiClient
from tests.factories import MembershipFactory, UserFactory


def _updates_of(record) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_id=str(record.pk), action="update", content_type__model=record._meta.model_name
        )
    )


@pytest.fixture
def records(org):
    """One editable record of each kind in NORTH, with the path that edits it and a field to change."""
    portfolio = portfolio_create(actor=org.admin, org_unit=org.north, code="PF-N", name="North portfolio")
    program = program_create(
        actor=org.admin, portfolio=portfolio, org_unit=org.north, code="PG-N", name="North program"
    )
    return {
        "project": (f"/projects/{org.project_north.pk}", Project, org.project_north.pk),
        "portfolio": (f"/portfolios/{portfolio.pk}", Portfolio, portfolio.pk),
        "program": (f"/programs/{program.pk}", Program, program.pk),
        "unit": (f"/org-units/{org.north.pk}", type(org.north), org.north.pk),
    }


@pytest.mark.parametrize("kind", ["project", "portfolio", "program", "unit"])
def test_get_sends_version_as_etag(org, as_user, records, kind):
    """Given an editable record, when it is read, then its version is the ETag and is in the body."""
    path, model, pk = records[kind]
    answer = as_user(org.admin).get(path)
    assert answer.status == 200
    assert answer.etag == f'"{model.objects.get(pk=pk).version}"'
    assert answer.body["version"] == model.objects.get(pk=pk).version


@pytest.mark.parametrize("kind", ["project", "portfolio", "program", "unit"])
def test_two_writers_with_if_match_one_wins_other_gets_412(org, as_user, records, kind):
    """Given two writers who read the same version, when both send a change with If-Match, then the first
    wins, the second gets 412 naming both versions, and the first change is kept and audited once."""
    path, model, pk = records[kind]
    colleague = UserFactory(username="admin2")
    MembershipFactory(user=colleague, unit=org.central, role=Role.PMO_ADMIN)
    first, second = as_user(org.admin), as_user(colleague)
    etag = first.get(path).etag
    assert second.get(path).etag == etag

    won = first.patch(path, {"name": "First writer"}, headers={"If-Match": etag})
    lost = second.patch(path, {"name": "Second writer"}, headers={"If-Match": etag})

    assert won.status == 200, won.body
    assert won.etag != etag and won.body["version"] == int(etag.strip('"')) + 1
    assert lost.status == 412, lost.body
    assert lost.body["current_version"] == won.body["version"]
    assert lost.body["given_version"] == int(etag.strip('"'))
    stored = model.objects.get(pk=pk)
    assert stored.name == "First writer"
    assert stored.version == won.body["version"]
    updates = _updates_of(stored)
    assert len(updates) == 1
    assert updates[0].changes["name"][1] == "First writer"
    assert updates[0].actor == org.admin


@pytest.mark.parametrize("kind", ["project", "portfolio", "program", "unit"])
def test_two_writers_with_body_version_one_wins_other_gets_409(org, as_user, records, kind):
    """Given two writers holding the same version in their bodies, then the second gets 409 and loses nothing
    of the first writer's change."""
    path, model, pk = records[kind]
    colleague = UserFactory(username="admin2")
    MembershipFactory(user=colleague, unit=org.central, role=Role.PMO_ADMIN)
    first, second = as_user(org.admin), as_user(colleague)
    version = first.get(path).body["version"]
    assert second.get(path).body["version"] == version

    won = first.patch(path, {"name": "First writer", "version": version})
    lost = second.patch(path, {"name": "Second writer", "version": version})

    assert won.status == 200, won.body
    assert lost.status == 409, lost.body
    assert (lost.body["current_version"], lost.body["given_version"]) == (version + 1, version)
    assert "version" in lost.body["detail"]
    stored = model.objects.get(pk=pk)
    assert (stored.name, stored.version) == ("First writer", version + 1)
    assert [(u.changes["name"][1], u.actor) for u in _updates_of(stored)] == [("First writer", org.admin)]


def test_stale_delete_is_refused_and_keeps_the_newer_change(org, as_user):
    """Given a project changed after a second writer read it, when that writer deletes it with the old
    If-Match or body version, then 412 / 409 and the project and its change remain."""
    client = as_user(org.pm_north)
    path = f"/projects/{org.project_north.pk}"
    old = client.get(path)
    assert client.patch(path, {"health": "red"}, headers={"If-Match": old.etag}).status == 200

    by_header = client.delete(path, headers={"If-Match": old.etag})
    by_body = client.delete(path, {"version": old.body["version"]})

    assert by_header.status == 412
    assert by_body.status == 409
    stored = Project.objects.get(pk=org.project_north.pk)
    assert stored.health == "red"
    assert not AuditEntry.objects.filter(action="delete").exists()


def test_delete_with_current_version_deletes_and_audits(org, as_user):
    """Given the current ETag, when the project is deleted with If-Match, then it is gone and audited."""
    client = as_user(org.pm_north)
    path = f"/projects/{org.project_north.pk}"
    etag = client.get(path).etag

    answer = client.delete(path, headers={"If-Match": etag})

    assert answer.status == 204
    assert not Project.objects.filter(pk=org.project_north.pk).exists()
    entry = AuditEntry.objects.get(action="delete", object_id=str(org.project_north.pk))
    assert entry.actor == org.pm_north
    assert client.get(path).status == 404


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_write_without_version_is_428(org, as_user, method):
    """Given neither If-Match nor a body version, when a project is changed or deleted, then 428 names
    what to send and nothing is written."""
    client = as_user(org.pm_north)
    path = f"/projects/{org.project_north.pk}"

    answer = client.call(method, path, {"name": "Unversioned"} if method == "PATCH" else None)

    assert answer.status == 428
    assert "If-Match" in answer.body["detail"] and "version" in answer.body["detail"]
    stored = Project.objects.get(pk=org.project_north.pk)
    assert (stored.name, stored.version) == ("Oslo data centre", 1)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("header", ['W/"1"', "1", '"7", "1"'])
def test_if_match_accepts_weak_bare_and_listed_tags(org, as_user, header):
    """Given If-Match as a weak tag, a bare number or a list including the current version, then it matches."""
    answer = as_user(org.pm_north).patch(
        f"/projects/{org.project_north.pk}", {"health": "amber"}, headers={"If-Match": header}
    )
    assert answer.status == 200, answer.body
    assert answer.etag == '"2"'


@pytest.mark.parametrize("header", ["*", "abc", '"1" junk', ""])
def test_malformed_if_match_is_422(org, as_user, header):
    """Given an If-Match that names no version, then 422 points at the header and nothing changes."""
    answer = as_user(org.pm_north).patch(
        f"/projects/{org.project_north.pk}", {"health": "amber"}, headers={"If-Match": header}
    )
    assert answer.status == 422, answer.body
    assert answer.body["detail"][0]["loc"] == ["header", "If-Match"]
    assert Project.objects.get(pk=org.project_north.pk).health == "green"


def test_if_match_and_stale_body_version_disagree_is_refused(org, as_user):
    """Given a current If-Match but a stale body version, then the write is refused (412) unchanged."""
    client = as_user(org.pm_north)
    path = f"/projects/{org.project_north.pk}"
    assert client.patch(path, {"health": "amber", "version": 1}).status == 200

    answer = client.patch(path, {"health": "red", "version": 1}, headers={"If-Match": '"2"'})

    assert answer.status == 412
    assert Project.objects.get(pk=org.project_north.pk).health == "amber"


def test_patch_is_partial(org, as_user):
    """Given a PATCH naming one field, then only that field changes and only it is in the audit entry."""
    client = as_user(org.pm_north)
    path = f"/projects/{org.project_north.pk}"
    before = client.get(path).body

    answer = client.patch(path, {"status": "on_hold", "version": before["version"]})

    assert answer.status == 200
    after = answer.body
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"status", "version", "updated_at"}
    entry = AuditEntry.objects.get(action="update", object_id=str(org.project_north.pk))
    assert entry.changes == {"status": ["active", "on_hold"]}


def test_patch_without_changes_keeps_the_version(org, as_user):
    """Given a PATCH with the current version and no fields, then nothing changes and no entry is written."""
    client = as_user(org.pm_north)
    path = f"/projects/{org.project_north.pk}"
    answer = client.patch(path, {"version": 1})
    assert answer.status == 200
    assert answer.body["version"] == 1
    assert answer.etag == '"1"'
    assert not AuditEntry.objects.exists()


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database refuses concurrent connections instead of waiting",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("precondition", ["If-Match", "version"])
def test_parallel_writers_one_wins(org, precondition):
    """Given two writers sending their change at the same moment from two threads, against the same
    version, then exactly one succeeds, the other is refused, and the stored record and the audit trail
    hold the winner's change only."""
    tokens = {name: api_token_create(user=org.pm_north, name=name)[1] for name in ("first", "second")}
    path = f"/projects/{org.project_north.pk}"
    start = threading.Barrier(2)
    answers: dict[str, Any] = {}

    def write(name: str) -> None:
        try:
            client = ApiClient(tokens[name])
            body: dict[str, Any] = {"name": f"{name} writer"}
            headers = {"If-Match": '"1"'} if precondition == "If-Match" else {}
            if precondition == "version":
                body["version"] = 1
            start.wait(timeout=10)
            answers[name] = client.patch(path, body, headers=headers)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(name,)) for name in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    refused = 412 if precondition == "If-Match" else 409
    statuses = sorted(answer.status for answer in answers.values())
    assert statuses == [200, refused], {n: (a.status, a.body) for n, a in answers.items()}
    winner = next(name for name, answer in answers.items() if answer.status == 200)
    stored = Project.objects.get(pk=org.project_north.pk)
    assert (stored.name, stored.version) == (f"{winner} writer", 2)
    updates = _updates_of(stored)
    assert [u.changes["name"] for u in updates] == [["Oslo data centre", f"{winner} writer"]]
