"""Property-based tests of every API operation against its OpenAPI document.

Schemathesis generates valid and invalid requests for each documented operation and sends them
in-process through Keel's WSGI application as the central PMO administrator. Every answer must be
a documented status code with a body that matches its documented schema, and never a server error.

Random ids would almost never name a record, so generated positive ids are swapped for ids of the
test organisation's records: the requests then reach the services (creates, changes, deletes, and
the validation behind them) instead of stopping at "not found".
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from keel.orgs import services as org_services
from keel.orgs.models import Calendar, Membership, OrgUnit, User
from keel.portfolio.models import Portfolio, Program, Project
from keel.schedule import import_jobs
from keel.schedule import services as schedule_services
from keel.schedule.models import Dependency, ImportJob, Task
from keel.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# The model each id-carrying name refers to, in paths, query strings and bodies.
ID_MODELS: dict[str, type] = {
    "unit_id": OrgUnit,
    "unit": OrgUnit,
    "org_unit": OrgUnit,
    "parent": OrgUnit,
    "project_id": Project,
    "program_id": Program,
    "program": Program,
    "portfolio_id": Portfolio,
    "portfolio": Portfolio,
    "user_id": User,
    "user": User,
    "manager": User,
    "sponsor": User,
    "owner": User,
    "actor": User,
    "membership_id": Membership,
    "calendar": Calendar,
    "task_id": Task,
    "predecessor": Task,
    "successor": Task,
    "dependency_id": Dependency,
    "import_id": ImportJob,
}
# Path parameters of versioned records, for sending the current version now and then.
VERSIONED_PATHS = {
    "unit_id": OrgUnit,
    "project_id": Project,
    "program_id": Program,
    "portfolio_id": Portfolio,
    "task_id": Task,
    "dependency_id": Dependency,
}


@pytest.fixture
def in_process_requests():
    """Keep the test's database connection open across in-process requests.

    Django closes "old" connections at the start and end of each request; inside a test that would
    close the connection holding the test's transaction. Django's own test client does the same.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def admin_headers(org, in_process_requests, settings, tmp_path):
    """Authorization headers with a real personal token of the central PMO administrator."""
    settings.MEDIA_ROOT = tmp_path  # where uploaded project files wait for their import
    # A queued import for the job endpoints to find (the test's transaction never commits: it stays queued).
    import_jobs.import_job_create(
        actor=org.admin, org_unit=org.north, upload=SimpleUploadedFile("plan.xml", b"<Project/>")
    )
    Calendar.objects.create(name="Standard week")
    _, plaintext = org_services.api_token_create(user=org.admin, name="schemathesis")
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.fixture
def spare_tokens(org):
    """Other tokens of the administrator, for the revoke operation to act on (not the one in use)."""
    return [org_services.api_token_create(user=org.admin, name=f"spare {n}")[0].pk for n in range(3)]


@pytest.fixture
def schedules(org):
    """A small schedule in each division's project (a summary, two linked tasks) and a saved baseline."""
    for project, pm in ((org.project_north, org.pm_north), (org.project_south, org.pm_south)):
        summary = schedule_services.task_create(actor=pm, project=project, name="Phase")
        first, second = (
            schedule_services.task_create(
                actor=pm, project=project, name=name, parent=summary, duration_minutes=960
            )
            for name in ("First", "Second")
        )
        schedule_services.dependency_create(actor=pm, project=project, predecessor=first, successor=second)
        schedule_services.baseline_save(actor=pm, project=project, number=0)


def _as_id(value: Any) -> int | None:
    """A generated value that reads as a positive id (an integer or a string of up to 18 digits), else
    None (a longer string of digits is text, not an id, and too long for int())."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value


def _real_id(name: str, value: Any, spare_tokens: list[int]) -> Any:
    """An existing record's id in place of a generated positive integer; other values unchanged."""
    number = _as_id(value)
    if number is None:
        return value
    value = number
    if name == "token_id":
        return spare_tokens[value % len(spare_tokens)]
    model = ID_MODELS.get(name)
    if model is None:
        return value
    ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    return ids[value % len(ids)] if ids else value


def use_real_records(case: Any, spare_tokens: list[int]) -> None:
    """Point the generated request at the test organisation's records."""
    for name, value in list(case.path_parameters.items()):
        case.path_parameters[name] = _real_id(name, value, spare_tokens)
    for name, value in list(case.query.items()):
        case.query[name] = _real_id(name, value, spare_tokens)
    current = _current_version(case)
    if isinstance(case.body, dict):
        for name, value in list(case.body.items()):
            case.body[name] = _real_id(name, value, spare_tokens)
        version = _as_id(case.body.get("version"))
        if current is not None and version is not None and version % 2:
            case.body["version"] = current
    if_match = case.headers.get("If-Match") if case.headers else None
    digits = "".join(c for c in if_match or "" if c.isdigit())[:18]
    if current is not None and digits and int(digits) % 2:
        case.headers["If-Match"] = f'"{current}"'


def _current_version(case: Any) -> int | None:
    """The stored version of the versioned record the request's path names, if any."""
    for name, model in VERSIONED_PATHS.items():
        pk = _as_id(case.path_parameters.get(name))
        if pk is not None:
            return model.objects.filter(pk=pk).values_list("version", flat=True).first()
    return None


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case, admin_headers, spare_tokens, schedules):
    """Given any generated request, when it is sent, then the answer is documented and never a 5xx."""
    use_real_records(case, spare_tokens)
    case.call_and_validate(headers=admin_headers, checks=CHECKS)
