"""Methodologies (lifecycles) with phases and gates, gate criteria, gate reviews, a project's methodology and phase."""

from django.db import models  # noqa: F401
