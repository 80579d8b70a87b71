"""Pages of status reports."""

from django.urls import path  # noqa: F401

app_name = "statusreports"
urlpatterns: list = []
