"""Pages of gates: methodology admin, a project's gate page, methodology choice and history, gate reviews
and the reviewer's queue."""

from django.urls import path

from keel.gates import views

app_name = "gates"
urlpatterns = [
    path("gates/methodologies/", views.methodology_list, name="methodology_list"),
    path("gates/methodologies/<int:methodology_id>/", views.methodology_detail, name="methodology_detail"),
    path("gates/reviews/", views.queue, name="queue"),
    path("gates/reviews/<int:review_id>/", views.review, name="review"),
    path("gates/deliverables/<int:deliverable_id>/", views.deliverable, name="deliverable"),
    path("projects/<int:project_id>/gates/", views.project_gate, name="project"),
    path(
        "projects/<int:project_id>/gates/methodology/", views.project_methodology, name="project_methodology"
    ),
    path("projects/<int:project_id>/gates/history/", views.project_history, name="project_history"),
]
