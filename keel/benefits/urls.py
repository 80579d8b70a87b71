"""Pages of the benefits register."""

from django.urls import path

from keel.benefits import views

app_name = "benefits"
urlpatterns = [
    path("benefits/", views.register, name="register"),
    path("benefits/export.xlsx", views.export, name="export"),
    path("benefits/new/", views.create, name="create"),
    path("benefits/portfolio/", views.portfolio, name="portfolio"),
    path("benefits/thresholds/", views.thresholds, name="thresholds"),
    path("benefits/<int:benefit_id>/", views.detail, name="detail"),
    path("benefits/<int:benefit_id>/edit/", views.update, name="update"),
    path("benefits/<int:benefit_id>/delete/", views.delete, name="delete"),
    path("benefits/<int:benefit_id>/measurements/new/", views.measurement_add, name="measurement_add"),
    path(
        "benefits/<int:benefit_id>/measurements/<int:measurement_id>/delete/",
        views.measurement_delete,
        name="measurement_delete",
    ),
    path("benefits/<int:benefit_id>/projects/add/", views.contribution_add, name="contribution_add"),
    path("projects/<int:project_id>/benefits/", views.project_benefits, name="project_benefits"),
]
