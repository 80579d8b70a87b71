"""Pages of resource pools, resources, assignments and allocations."""

from django.urls import path  # noqa: F401

app_name = "resources"
urlpatterns: list = []
