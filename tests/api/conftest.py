"""API test helpers: a JSON client that authenticates a persona with a real personal token."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from keel.orgs import services as org_services

BASE = "/api/v1"


@dataclass
class Answer:
    """An HTTP answer with its JSON body decoded."""

    status: int
    body: Any
    headers: Any

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag")


class ApiClient:
    """Calls /api/v1 as one user with `Authorization: Bearer <token>` (or without any credentials)."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self.client = Client()

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None, **query: Any
    ) -> Answer:
        """Send one request; `path` is relative to /api/v1."""
        all_headers = dict(headers or {})
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        url = BASE + path
        kwargs: dict[str, Any] = {"headers": all_headers}
        if method == "GET":
            response = self.client.get(url, query, **kwargs)
        else:
            data = "" if body is None else (body if isinstance(body, str | bytes) else json.dumps(body))
            response = getattr(self.client, method.lower())(
                url, data=data, content_type="application/json", **kwargs
            )
        content = response.content
        decoded = (
            json.loads(content)
            if content and response["Content-Type"].startswith("application/json")
            else None
        )
        return Answer(status=response.status_code, body=decoded, headers=response.headers)

    def get(self, path: str, **query: Any) -> Answer:
        return self.call("GET", path, **query)

    def post(self, path: str, body: Any = None, **kw: Any) -> Answer:
        return self.call("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Answer:
        return self.call("PATCH", path, body, **kw)

    def delete(self, path: str, body: Any = None, **kw: Any) -> Answer:
        return self.call("DELETE", path, body, **kw)


@pytest.fixture
def as_user(org):
    """as_user(user) -> an ApiClient holding a fresh personal token of `user` (None: no credentials)."""
    clients: dict[Any, ApiClient] = {}

    def make(user: Any) -> ApiClient:
        if user is None:
            return ApiClient(None)
        if user.pk not in clients:
            _, plaintext = org_services.api_token_create(user=user, name="tests")
            clients[user.pk] = ApiClient(plaintext)
        return clients[user.pk]

    return make


def field_errors(answer: Answer) -> dict[str, str]:
    """The 422 body as {field: message} for body fields (["body", field] locations)."""
    assert answer.status == 422, (answer.status, answer.body)
    return {
        str(item["loc"][1]) if len(item["loc"]) > 1 else str(item["loc"][0]): item["msg"]
        for item in answer.body["detail"]
    }
