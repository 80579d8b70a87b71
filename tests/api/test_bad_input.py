"""Bad input is answered 4xx with a body naming the problem, never a server error, and writes nothing."""

from __future__ import annotations

import pytest

from keel.core.models import AuditEntry
from keel.portfolio.models import Project

HUGE = 2**70


def _project(org) -> str:
    return f"/projects/{org.project_north.pk}"


CASES = [
    # (id, method, path (callable of org), body, headers, expected status, field named)
    ("empty body", "POST", lambda o: "/projects", None, {}, 422, None),
    ("json array", "POST", lambda o: "/projects", [1, 2], {}, 422, None),
    ("json null", "POST", lambda o: "/projects", "null", {}, 422, None),
    ("not json", "POST", lambda o: "/projects", "{code: 1", {}, 422, None),
    (
        "huge org_unit",
        "POST",
        lambda o: "/projects",
        {"code": "A", "name": "A", "org_unit": HUGE},
        {},
        422,
        "org_unit",
    ),
    ("huge priority", "PATCH", _project, {"priority": HUGE, "version": 1}, {}, 422, "priority"),
    ("huge budget", "PATCH", _project, {"budget": "1e40", "version": 1}, {}, 422, "budget"),
    ("nan budget", "PATCH", _project, {"budget": "NaN", "version": 1}, {}, 422, "budget"),
    ("bad date", "PATCH", _project, {"planned_start": "2026-02-31", "version": 1}, {}, 422, "planned_start"),
    ("date as number", "PATCH", _project, {"planned_start": 10**12, "version": 1}, {}, 422, "planned_start"),
    ("wrong type", "PATCH", _project, {"name": ["x"], "version": 1}, {}, 422, "name"),
    ("object for id", "PATCH", _project, {"manager": {"id": 1}, "version": 1}, {}, 422, "manager"),
    ("null name", "PATCH", _project, {"name": None, "version": 1}, {}, 422, "name"),
    ("NUL in name", "PATCH", _project, {"name": "a\x00b", "version": 1}, {}, 422, "name"),
    ("too long name", "PATCH", _project, {"name": "x" * 201, "version": 1}, {}, 422, "name"),
    ("huge version", "PATCH", _project, {"name": "x", "version": HUGE}, {}, 422, "version"),
    ("huge If-Match", "PATCH", _project, {"name": "x"}, {"If-Match": '"' + "9" * 40 + '"'}, 422, "If-Match"),
    ("unknown field", "PATCH", _project, {"colour": "blue", "version": 1}, {}, 422, "colour"),
    ("huge path id", "GET", lambda o: f"/projects/{HUGE}", None, {}, 422, "project_id"),
    ("negative path id", "GET", lambda o: "/projects/-3", None, {}, 422, "project_id"),
    ("text path id", "DELETE", lambda o: "/projects/abc", None, {"If-Match": '"1"'}, 422, "project_id"),
    ("missing project", "PATCH", lambda o: "/projects/99999", {"version": 1}, {}, 404, None),
    ("huge token id", "DELETE", lambda o: f"/tokens/{HUGE}", None, {}, 422, "token_id"),
    ("NUL in token name", "POST", lambda o: "/tokens", {"name": "\x00"}, {}, 422, "name"),
    (
        "role unknown",
        "POST",
        lambda o: "/memberships",
        {"user": 1, "unit": 1, "role": "king"},
        {},
        422,
        "role",
    ),
    (
        "unit kind unknown",
        "POST",
        lambda o: "/org-units",
        {"code": "Z", "name": "Z", "kind": "x"},
        {},
        422,
        "kind",
    ),
    ("audit since", "GET", lambda o: "/audit?since=2026-99-01", None, {}, 422, "since"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "field"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_is_a_clear_4xx(org, as_user, method, path, body, headers, status, field):
    """Given malformed input, then the answer is the documented 4xx naming the field, and nothing is written."""
    answer = as_user(org.admin).call(method, path(org), body, headers=headers)

    assert answer.status == status, answer.body
    assert "detail" in answer.body
    if field is not None:
        assert field in [item["loc"][-1] for item in answer.body["detail"]] or field in [
            item["loc"][1] for item in answer.body["detail"] if len(item["loc"]) > 1
        ], answer.body
    assert not AuditEntry.objects.exists()
    assert Project.objects.get(pk=org.project_north.pk).version == 1
