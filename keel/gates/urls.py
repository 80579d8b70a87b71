"""Pages of gates."""

from django.urls import path  # noqa: F401

app_name = "gates"
urlpatterns: list = []
