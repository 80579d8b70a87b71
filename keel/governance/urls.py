"""Pages of governance: RAID logs, the risk heat map, escalations, a unit's RAID settings."""

from django.urls import path

from keel.governance import views

app_name = "governance"
urlpatterns = [
    path("projects/<int:project_id>/raid/", views.raid, name="raid"),
    path("projects/<int:project_id>/raid/export/", views.raid_export, name="raid_export"),
    path("projects/<int:project_id>/raid/heatmap/", views.heatmap, name="heatmap"),
    path("projects/<int:project_id>/raid/risks/new/", views.risk_create, name="risk_create"),
    path("projects/<int:project_id>/raid/issues/new/", views.issue_create, name="issue_create"),
    path(
        "projects/<int:project_id>/raid/assumptions/new/", views.assumption_create, name="assumption_create"
    ),
    path("projects/<int:project_id>/raid/decisions/new/", views.decision_create, name="decision_create"),
    path("governance/risks/<int:risk_id>/", views.risk_update, name="risk_update"),
    path("governance/risks/<int:risk_id>/actions/new/", views.action_create, name="action_create"),
    path("governance/risks/<int:risk_id>/escalate/", views.risk_escalate, name="risk_escalate"),
    path("governance/risks/<int:risk_id>/resolve/", views.risk_resolve, name="risk_resolve"),
    path("governance/risk-actions/<int:action_id>/", views.action_update, name="action_update"),
    path("governance/issues/<int:issue_id>/", views.issue_update, name="issue_update"),
    path("governance/issues/<int:issue_id>/escalate/", views.issue_escalate, name="issue_escalate"),
    path("governance/issues/<int:issue_id>/resolve/", views.issue_resolve, name="issue_resolve"),
    path("governance/assumptions/<int:assumption_id>/", views.assumption_update, name="assumption_update"),
    path("governance/decisions/<int:decision_id>/", views.decision_update, name="decision_update"),
    path("governance/heatmap/", views.portfolio_heatmap, name="portfolio_heatmap"),
    path("governance/heatmap/cell/", views.heatmap_cell, name="heatmap_cell"),
    path("governance/escalations/", views.escalations, name="escalations"),
    path("governance/escalations/export/", views.escalations_export, name="escalations_export"),
    path("governance/units/<int:unit_id>/raid-settings/", views.config, name="config"),
]
