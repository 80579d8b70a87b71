"""Pages of resource leveling: run, compare before and after, apply, undo."""

from django.urls import path  # noqa: F401

app_name = "leveling"
urlpatterns: list = []
