"""Pages of capacity and demand: the utilization heatmap, role capacity, over-allocations."""

from django.urls import path  # noqa: F401

app_name = "capacity"
urlpatterns: list = []
