"""The JSON API at /api/v1: one NinjaAPI, each app adds its router (keel/<app>/api.py)."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Keel API",
    version="1",
    description="Keel's JSON API. See docs/api.md for tokens, concurrency, pagination and errors.",
    urls_namespace="api",
)
