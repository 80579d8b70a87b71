"""Pages of capacity and demand: the utilization heatmap, role capacity, over-allocations."""

from django.urls import path

from keel.resources import capacity_views as views

app_name = "capacity"
urlpatterns = [
    path("capacity/", views.heatmap, name="heatmap"),
    path("capacity/cell/", views.cell, name="cell"),
    path("capacity/export/", views.heatmap_export, name="heatmap_export"),
    path("capacity/roles/", views.roles, name="roles"),
    path("capacity/overallocations/", views.overallocations, name="overallocations"),
]
