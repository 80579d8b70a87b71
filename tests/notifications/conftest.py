"""Notification test helpers: background jobs run at once, e-mail kept in memory, API clients."""

from __future__ import annotations

import pytest

from tests.api.conftest import as_user  # noqa: F401 - the personas' API clients, for the API tests here


@pytest.fixture
def immediate_tasks(settings):
    """Background jobs run at once (django-tasks' ImmediateBackend), e-mail kept in memory."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.KEEL_BASE_URL = "https://keel.example.org"


@pytest.fixture
def unreachable_mail_server(settings):
    """SMTP to a port nobody listens on: every send fails with a connection error."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9
    settings.EMAIL_TIMEOUT = 2
