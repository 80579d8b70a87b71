"""Compliance with the PMO's standards: gaps per project and unit, their owners and ages, waivers."""

from django.db import models  # noqa: F401
