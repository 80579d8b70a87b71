"""Change requests with their impact on scope, schedule, cost and risk; approval by authority levels."""

from django.db import models  # noqa: F401
