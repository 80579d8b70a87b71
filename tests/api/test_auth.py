"""Authentication of the API: personal tokens, browser sessions, and what is public."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from keel.orgs import services as org_services
from keel.orgs.models import ApiToken
from tests.api.conftest import BASE, ApiClient


@pytest.mark.parametrize("path", ["/me", "/projects", "/org-units", "/dashboard", "/audit", "/tokens"])
def test_no_credentials_is_401(org, path):
    """Given no credentials, when an endpoint is called, then it answers 401 and names what to send."""
    answer = ApiClient(None).get(path)
    assert answer.status == 401
    assert "Bearer" in answer.body["detail"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_no_credentials_write_is_401_not_403(org):
    """Given no credentials, when a write is sent, then it is 401 (not a CSRF 403) and nothing is made."""
    answer = ApiClient(None).post("/projects", {"code": "X-1", "name": "X", "org_unit": org.north.pk})
    assert answer.status == 401
    assert not org.north.projects.filter(code="X-1").exists()


def test_token_authenticates_its_user(org):
    """Given a token of pm_north, when /me is called with it, then the API knows pm_north and their role."""
    _, plaintext = org_services.api_token_create(user=org.pm_north, name="laptop")
    answer = ApiClient(plaintext).get("/me")
    assert answer.status == 200
    assert answer.body["username"] == "pm_north"
    assert [(m["unit"]["code"], m["role"]) for m in answer.body["memberships"]] == [
        ("NORTH", "project_manager")
    ]


@pytest.mark.parametrize(
    "header",
    ["Bearer keel_not-a-real-token", "Bearer ", "Token abc", "Basic YWRtaW46cHc=", "Bearer keel_\u00e9"],
)
def test_bad_tokens_are_401(org, header):
    """Given an unknown or malformed token, when it is sent, then the answer is 401."""
    response = Client().get(f"{BASE}/me", headers={"Authorization": header})
    assert response.status_code == 401


def test_revoked_token_is_401(org, as_user):
    """Given a token that was revoked through the API, when it is used again, then it is refused."""
    creator = as_user(org.pm_north)
    created = creator.post("/tokens", {"name": "ci"})
    assert created.status == 201
    second = ApiClient(created.body["token"])
    assert second.get("/me").status == 200

    revoked = creator.delete(f"/tokens/{created.body['id']}")

    assert revoked.status == 204
    assert second.get("/me").status == 401
    listed = {t["id"]: t for t in creator.get("/tokens").body["items"]}
    assert listed[created.body["id"]]["is_active"] is False


def test_token_of_inactive_user_is_401(org):
    """Given a token of a person who was deactivated, when it is used, then it is refused."""
    _, plaintext = org_services.api_token_create(user=org.pm_north, name="old")
    org.pm_north.is_active = False
    org.pm_north.save(update_fields=["is_active"])
    assert ApiClient(plaintext).get("/me").status == 401


def test_tokens_are_stored_hashed(org, as_user):
    """Given a token created through the API, then its plaintext appears in no column of the table."""
    created = as_user(org.pm_north).post("/tokens", {"name": "hashed"})
    plaintext = created.body["token"]
    assert plaintext.startswith("keel_")

    rows = list(ApiToken.objects.values())

    assert rows
    for row in rows:
        for value in row.values():
            assert plaintext not in str(value)
    stored = ApiToken.objects.get(pk=created.body["id"])
    assert plaintext.startswith(stored.prefix) and len(stored.prefix) < len(plaintext) // 2
    assert "token" not in as_user(org.pm_north).get("/tokens").body["items"][0]


def test_token_is_shown_only_once(org, as_user):
    """Given a created token, when the token list is read, then its secret is not in it."""
    client = as_user(org.pm_north)
    created = client.post("/tokens", {"name": "once"})
    listing = client.get("/tokens")
    assert created.body["token"] not in str(listing.body)


def test_cannot_revoke_someone_elses_token(org, as_user):
    """Given pm_south's token, when pm_north tries to revoke it, then it is 404 and the token still works."""
    token, plaintext = org_services.api_token_create(user=org.pm_south, name="south")
    answer = as_user(org.pm_north).delete(f"/tokens/{token.pk}")
    assert answer.status == 404
    assert ApiClient(plaintext).get("/me").status == 200


def test_session_reads_work_and_writes_need_csrf(org):
    """Given a signed-in browser session, then reads work, and a write without the CSRF token is 403."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.pm_north)

    read = client.get(f"{BASE}/projects")
    write = client.post(
        f"{BASE}/projects",
        data={"code": "N-CSRF", "name": "No token", "org_unit": org.north.pk},
        content_type="application/json",
    )

    assert read.status_code == 200
    assert [p["code"] for p in read.json()["items"]] == ["N-001"]
    assert write.status_code == 403
    assert "CSRF" in write.json()["detail"]
    assert not org.north.projects.filter(code="N-CSRF").exists()


def test_session_write_with_csrf_token_works(org):
    """Given a signed-in session that sends its CSRF token, when it creates a project, then it is created."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.pm_north)
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    answer = client.post(
        f"{BASE}/projects",
        data={"code": "N-CSRF", "name": "With token", "org_unit": org.north.pk},
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["org_unit"]["code"] == "NORTH"


def test_openapi_and_docs_are_public(db):
    """Given no credentials, then the OpenAPI document and the interactive docs are readable."""
    client = Client()
    schema = client.get(f"{BASE}/openapi.json")
    docs = client.get(f"{BASE}/docs")
    assert schema.status_code == 200
    assert "/api/v1/projects" in schema.json()["paths"]
    assert set(schema.json()["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page  # served by Keel itself: works without internet access
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
