"""Pages of timesheets: my week, approvals."""

from django.urls import path  # noqa: F401

app_name = "timesheets"
urlpatterns: list = []
