"""Isolation proven for every operation of the API, enumerated from the OpenAPI document.

Each operation is tried by each persona with the records of Division SOUTH in its path (and in its
body, for creates and changes). A new endpoint is covered without editing this file; one whose path
parameter or required body field the mappings below do not know fails the test, so that its scoping
is thought about when it is added.

- outsider (no role): 404 for every record, empty lists, nothing written;
- pm_north: never reads or changes SOUTH's records (404), lists hold nothing of SOUTH, nothing written;
- exec (executive viewer at the root): sees everything, writes nothing (403);
- admin (central PMO administrator): sees everything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keel.api import api
from keel.core.models import AuditEntry
from keel.orgs import services as org_services
from keel.orgs.models import ApiToken, Membership, OrgUnit, Role, User
from keel.portfolio import services as portfolio_services
from keel.portfolio.models import Portfolio, Program, Project
from keel.schedule import import_jobs
from keel.schedule import services as schedule_services
from keel.schedule.models import Baseline, Dependency, ImportJob, Task
from tests import scoping_hooks

SCHEMA = api.get_openapi_schema()
PREFIX = "/api/v1"
OPERATIONS = [
    (method.upper(), path.removeprefix(PREFIX), operation)
    for path, methods in SCHEMA["paths"].items()
    for method, operation in methods.items()
]
OPERATION_IDS = [f"{method} {path}" for method, path, _ in OPERATIONS]

# Body fields that name another record, and the record of each division they name.
REF_FIELDS = (
    "org_unit",
    "unit",
    "parent",
    "portfolio",
    "program",
    "user",
    "manager",
    "sponsor",
    "owner",
    "predecessor",
    "successor",
)
# Values of required body fields that name no record.
PLAIN_VALUES = {
    "code": "ZZ-PROBE",
    "name": "Scoping probe",
    "kind": "team",
    "role": "team_member",
    "username": "probe",
    "email": "probe@example.org",
}
for _module in scoping_hooks.modules():
    REF_FIELDS += tuple(getattr(_module, "REF_FIELDS", ()))
    PLAIN_VALUES.update(getattr(_module, "PLAIN_VALUES", {}))
# Operations acting only on the caller's own data (their tokens), whatever their roles.
PERSONAL_TAG = "account"
# Reference data every signed-in person may read.
REFERENCE_TAG = "reference"
SOUTH_MARKERS = ("SOUTH", "Division South", "S-001", "Madrid office move", "pm_south")
ORG_MARKERS = (
    *SOUTH_MARKERS,
    "CPMO",
    "Central PMO",
    "Engineering",
    "NORTH",
    "Division North",
    "N-001",
    "Oslo data centre",
    "PF-ENG",
    "PG-NET",
    "pm_north",
    "member_north",
)
GOVERNED_MODELS = (
    OrgUnit,
    Membership,
    User,
    Portfolio,
    Program,
    Project,
    Task,
    Dependency,
    Baseline,
    ImportJob,
)
for _module in scoping_hooks.modules():
    GOVERNED_MODELS += tuple(getattr(_module, "GOVERNED_MODELS", ()))


@dataclass
class Division:
    """The records of one division, named the way paths and bodies name them."""

    path_ids: dict[str, Any]  # path parameter -> record
    refs: dict[str, Any]  # body field -> record


@pytest.fixture
def divisions(org, settings, tmp_path) -> dict[str, Division]:
    """Portfolios, programs, audit entries, a token, a schedule and an import job in each division, made
    through the services."""
    settings.MEDIA_ROOT = tmp_path  # where uploads wait
    made: dict[str, Division] = {}
    for name, unit, pm, project in (
        ("north", org.north, org.pm_north, org.project_north),
        ("south", org.south, org.pm_south, org.project_south),
    ):
        code = name.upper()
        portfolio = portfolio_services.portfolio_create(
            actor=org.admin, org_unit=unit, code=f"PF-{code}", name=f"{code} portfolio"
        )
        program = portfolio_services.program_create(
            actor=org.admin, portfolio=portfolio, org_unit=unit, code=f"PG-{code}", name=f"{code} program"
        )
        portfolio_services.project_update(actor=pm, project=project, version=project.version, health="amber")
        token, _ = org_services.api_token_create(user=pm, name=f"{name} token")
        design, build = (
            schedule_services.task_create(
                actor=pm, project=project, name=f"{code} {step}", duration_minutes=480
            )
            for step in ("design", "build")
        )
        schedule_services.task_create(actor=pm, project=project, name=f"{code} go-live")
        link = schedule_services.dependency_create(
            actor=pm, project=project, predecessor=design, successor=build
        )
        schedule_services.baseline_save(actor=pm, project=project, number=0)
        # Queued only: the test's transaction never commits, so no worker runs it.
        job = import_jobs.import_job_create(
            actor=pm, org_unit=unit, upload=SimpleUploadedFile(f"plan-{code}.xml", b"<Project/>")
        )
        made[name] = Division(
            path_ids={
                "unit_id": unit,
                "project_id": project,
                "portfolio_id": portfolio,
                "program_id": program,
                "user_id": pm,
                "membership_id": Membership.objects.get(user=pm, unit=unit, role=Role.PROJECT_MANAGER),
                "token_id": token,
                "task_id": design,
                "dependency_id": link,
                "number": SimpleNamespace(pk=0),  # baseline 0, saved above
                "import_id": job,
            },
            refs={
                "org_unit": unit,
                "unit": unit,
                "parent": unit,
                "portfolio": portfolio,
                "program": program,
                "user": pm,
                "manager": pm,
                "sponsor": pm,
                "owner": pm,
                "predecessor": build,
                "successor": design,
            },
        )
        for module in scoping_hooks.modules():
            if hasattr(module, "api_records"):
                path_ids, refs = module.api_records(org=org, name=name, unit=unit, pm=pm, project=project)
                made[name].path_ids.update(path_ids)
                made[name].refs.update(refs)
    return made


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a local $ref (and a nullable anyOf) to the schema it names."""
    if "anyOf" in schema:
        schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return SCHEMA["components"]["schemas"][name]
    return schema


def _body_schema(operation: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return _resolve(content["schema"]) if content else None


def _url(path: str, ids: dict[str, Any]) -> str:
    """The path with each parameter replaced by the id of the division's record."""
    params = [p["name"] for p in _operation(path)["parameters"] if p["in"] == "path"]
    for name in params:
        if name not in ids:
            pytest.fail(f"{path}: no record for path parameter {name!r}; add it to the divisions fixture")
        path = path.replace("{" + name + "}", str(ids[name].pk))
    return path


def _operation(path: str) -> dict[str, Any]:
    return next(op for _, p, op in OPERATIONS if p == path)


def _body(operation: dict[str, Any], method: str, refs: dict[str, Any], all_refs: bool) -> dict[str, Any]:
    """A request body: required fields filled, ids taken from `refs` (all ref fields when `all_refs`)."""
    schema = _body_schema(operation)
    if schema is None or method == "DELETE":
        return {}
    body: dict[str, Any] = {}
    properties = schema.get("properties", {})
    wanted = set(schema.get("required", []))
    if all_refs:
        wanted |= {name for name in properties if name in REF_FIELDS}
    for name in sorted(wanted):
        if name in REF_FIELDS:
            body[name] = refs[name].pk
        elif name in PLAIN_VALUES:
            body[name] = PLAIN_VALUES[name]
        else:
            pytest.fail(f"required body field {name!r} is unknown to the scoping test; add it")
    return body


def _if_match(path: str, ids: dict[str, Any]) -> dict[str, str]:
    """If-Match with the current version of the record the path names (so only scope can refuse)."""
    for name, record in ids.items():
        if "{" + name + "}" in path and hasattr(record, "version"):
            record.refresh_from_db()
            return {"If-Match": f'"{record.version}"'}
    return {}


def _row_counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in GOVERNED_MODELS}
    counts["audit"] = AuditEntry.objects.count()
    counts["active tokens"] = ApiToken.objects.filter(revoked_at__isnull=True).count()
    return counts


def _call(client: Any, method: str, path: str, ids: dict[str, Any], body: dict[str, Any]) -> Any:
    url = _url(path, ids)
    if method == "GET":
        return client.get(url)
    return client.call(method, url, body, headers=_if_match(path, ids))


def _has_path_params(path: str) -> bool:
    return "{" in path


def _text(answer: Any) -> str:
    return json.dumps(answer.body, ensure_ascii=False)


def _is_list(answer: Any) -> bool:
    return isinstance(answer.body, list) or (isinstance(answer.body, dict) and "items" in answer.body)


def _items(answer: Any) -> list[Any]:
    return answer.body if isinstance(answer.body, list) else answer.body["items"]


def test_every_operation_is_enumerated():
    """The enumeration sees the API's operations (a broken schema would make the other tests vacuous)."""
    assert len(OPERATIONS) >= 30
    assert ("GET", "/projects/{project_id}", _operation("/projects/{project_id}")) in OPERATIONS


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=OPERATION_IDS)
def test_outsider_sees_and_changes_nothing(org, divisions, as_user, method, path, operation):
    """Given a person without any role, then every record is 404, every list empty, nothing written."""
    client = as_user(org.outsider)
    south = divisions["south"]
    personal = PERSONAL_TAG in operation.get("tags", [])
    before = _row_counts()

    answer = _call(client, method, path, south.path_ids, _body(operation, method, south.refs, all_refs=True))

    if method == "GET" and not _has_path_params(path):
        assert answer.status == 200, answer.body
        if REFERENCE_TAG not in operation.get("tags", []):
            leaked = [m for m in ORG_MARKERS if m in _text(answer)]
            assert not leaked, f"{path} shows {leaked} to a person without a role"
            if _is_list(answer) and not personal:
                assert _items(answer) == []
    elif _has_path_params(path):
        assert answer.status == 404, answer.body
    elif personal:
        assert answer.status in (200, 201), answer.body  # their own token
        return
    else:
        assert answer.status in (403, 404, 422), answer.body
    assert _row_counts() == before


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=OPERATION_IDS)
def test_pm_north_never_reaches_south(org, divisions, as_user, method, path, operation):
    """Given pm_north, when any operation names SOUTH's records, then it is 404 or refused, and lists hold
    nothing of SOUTH; naming SOUTH's records from NORTH's records is refused too."""
    client = as_user(org.pm_north)
    south, north = divisions["south"], divisions["north"]
    personal = PERSONAL_TAG in operation.get("tags", [])
    before = _row_counts()

    answer = _call(client, method, path, south.path_ids, _body(operation, method, south.refs, all_refs=True))

    if method == "GET" and not _has_path_params(path):
        assert answer.status == 200, answer.body
        if REFERENCE_TAG not in operation.get("tags", []):
            leaked = [m for m in SOUTH_MARKERS if m in _text(answer)]
            assert not leaked, f"{path} shows SOUTH's {leaked} to pm_north"
    elif _has_path_params(path):
        assert answer.status == 404, answer.body
    elif personal:
        assert answer.status in (200, 201), answer.body
        return
    else:
        assert answer.status in (403, 404, 422), answer.body
    assert _row_counts() == before

    if method in ("POST", "PATCH") and not personal:
        # NORTH's own records (or NORTH as the container), with every reference pointing into SOUTH.
        refs = {**south.refs, **{f: north.refs[f] for f in ("org_unit", "unit", "parent")}}
        body = _body(operation, method, refs, all_refs=True)
        if any(body.get(f) == south.refs[f].pk for f in REF_FIELDS if f in body):
            mixed = _call(client, method, path, north.path_ids, body)
            assert mixed.status in (403, 404, 422), (body, mixed.body)
            assert _row_counts() == before


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=OPERATION_IDS)
def test_exec_sees_everything_and_writes_nothing(org, divisions, as_user, method, path, operation):
    """Given the executive viewer, then every read of SOUTH succeeds and every write is 403."""
    client = as_user(org.exec)
    south, north = divisions["south"], divisions["north"]
    personal = PERSONAL_TAG in operation.get("tags", [])
    before = _row_counts()

    if method == "GET":
        answer = _call(client, method, path, south.path_ids, {})
        expected = 404 if personal and _has_path_params(path) else 200
        assert answer.status == expected, answer.body
        return
    if personal:
        # Tokens belong to people: the executive may manage their own, never SOUTH's.
        if _has_path_params(path):
            answer = _call(client, method, path, south.path_ids, {})
            assert answer.status == 404, answer.body
            assert _row_counts() == before
        return

    # Records the executive can see, so that only the role can refuse the write.
    ids = south.path_ids if _has_path_params(path) else {}
    answer = _call(client, method, path, ids, _body(operation, method, north.refs, all_refs=True))

    assert answer.status == 403, answer.body
    assert _row_counts() == before


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [op for op in OPERATIONS if op[0] == "GET"],
    ids=[i for i, op in zip(OPERATION_IDS, OPERATIONS, strict=True) if op[0] == "GET"],
)
def test_admin_sees_everything(org, divisions, as_user, method, path, operation):
    """Given the central PMO administrator, then every read of SOUTH's records succeeds."""
    personal = PERSONAL_TAG in operation.get("tags", [])
    answer = _call(as_user(org.admin), method, path, divisions["south"].path_ids, {})
    assert answer.status == (404 if personal and _has_path_params(path) else 200), answer.body


def test_admin_lists_include_south(org, divisions, as_user):
    """Given the central PMO administrator, then the register lists and the audit trail include SOUTH."""
    client = as_user(org.admin)
    for path in ("/org-units", "/projects", "/portfolios", "/programs", "/users", "/memberships", "/audit"):
        answer = client.get(path)
        assert any(m in _text(answer) for m in SOUTH_MARKERS), path
