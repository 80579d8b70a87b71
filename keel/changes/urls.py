"""Pages of change control."""

from django.urls import path  # noqa: F401

app_name = "changes"
urlpatterns: list = []
