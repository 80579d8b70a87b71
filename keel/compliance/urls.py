"""Pages of compliance: the compliance page and its export, a project's summary, reminders, waivers and
a unit's settings."""

from django.urls import path

from keel.compliance import views

app_name = "compliance"
urlpatterns = [
    path("compliance/", views.index, name="index"),
    path("compliance/export/", views.export, name="export"),
    path("compliance/projects/<int:project_id>/", views.project_summary, name="project"),
    path("compliance/projects/<int:project_id>/remind/", views.remind, name="remind"),
    path("compliance/projects/<int:project_id>/waive/", views.waive, name="waive"),
    path("compliance/waivers/<int:waiver_id>/withdraw/", views.withdraw, name="withdraw"),
    path("compliance/units/<int:unit_id>/settings/", views.config, name="config"),
]
