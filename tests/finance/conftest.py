"""Fixtures of the finance tests: API clients per persona (from the API tests)."""

from tests.api.conftest import as_user  # noqa: F401 - the fixture
