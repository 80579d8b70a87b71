"""Pages of governance: RAID logs, the risk heat map, escalations."""

from django.urls import path  # noqa: F401

app_name = "governance"
urlpatterns: list = []
