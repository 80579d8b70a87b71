"""Pages of resource leveling: run, compare before and after, apply, undo."""

from django.urls import path

from keel.resources import leveling_views as views

app_name = "leveling"
urlpatterns = [
    path("leveling/", views.run_list, name="run_list"),
    path("leveling/<int:run_id>/", views.run_detail, name="run_detail"),
    path("leveling/<int:run_id>/apply/", views.run_apply, name="run_apply"),
    path("leveling/<int:run_id>/undo/", views.run_undo, name="run_undo"),
]
