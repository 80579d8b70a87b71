"""Pages of status reports: a project's reports, drafting and editing, a report and its PDF, the
portfolio view and its export, the PMO's settings per unit."""

from django.urls import path

from keel.statusreports import views

app_name = "statusreports"
urlpatterns = [
    path("projects/<int:project_id>/reports/", views.project_reports, name="project"),
    path("projects/<int:project_id>/reports/new/", views.report_create, name="create"),
    path("projects/<int:project_id>/reports/cadence/", views.cadence, name="cadence"),
    path("reports/", views.portfolio, name="portfolio"),
    path("reports/export/", views.portfolio_export, name="portfolio_export"),
    path("reports/settings/", views.settings_index, name="settings"),
    path("reports/settings/<int:unit_id>/", views.config, name="config"),
    path("reports/<int:report_id>/", views.report_detail, name="detail"),
    path("reports/<int:report_id>/edit/", views.report_edit, name="edit"),
    path("reports/<int:report_id>/pdf/", views.report_pdf, name="pdf"),
]
