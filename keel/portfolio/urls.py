"""Pages of the portfolio register (the home dashboard is named "home" in keel/urls.py)."""

from django.urls import path

from keel.portfolio import views

app_name = "portfolio"
urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/export.xlsx", views.project_export, name="project_export"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:project_id>/", views.project_detail, name="project_detail"),
    path("projects/<int:project_id>/edit/", views.project_update, name="project_update"),
    path("projects/<int:project_id>/delete/", views.project_delete, name="project_delete"),
    path("audit/", views.audit_list, name="audit_list"),
]
