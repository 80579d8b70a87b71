"""Pages of project schedules: a project's Gantt and its edits, and the portfolio Gantt."""

from django.urls import path

from keel.schedule import import_views, views

app_name = "schedule"
urlpatterns = [
    path("schedule/", views.portfolio, name="portfolio"),
    path("projects/<int:project_id>/schedule/", views.gantt, name="gantt"),
    path("projects/<int:project_id>/schedule/tasks/new/", views.task_create, name="task_create"),
    path(
        "projects/<int:project_id>/schedule/tasks/<int:task_id>/duration/",
        views.task_duration,
        name="task_duration",
    ),
    path(
        "projects/<int:project_id>/schedule/tasks/<int:task_id>/start/", views.task_start, name="task_start"
    ),
    path("projects/<int:project_id>/schedule/tasks/<int:task_id>/edit/", views.task_edit, name="task_edit"),
    path(
        "projects/<int:project_id>/schedule/tasks/<int:task_id>/indent/",
        views.task_indent,
        name="task_indent",
    ),
    path(
        "projects/<int:project_id>/schedule/tasks/<int:task_id>/outdent/",
        views.task_outdent,
        name="task_outdent",
    ),
    path(
        "projects/<int:project_id>/schedule/tasks/<int:task_id>/delete/",
        views.task_delete,
        name="task_delete",
    ),
    path("projects/<int:project_id>/schedule/links/new/", views.link_create, name="link_create"),
    path(
        "projects/<int:project_id>/schedule/links/<int:link_id>/delete/",
        views.link_delete,
        name="link_delete",
    ),
    # Project files imported in the background.
    path("schedule/import/", import_views.import_start, name="import"),
    path("schedule/import/<int:job_id>/", import_views.import_job, name="import_job"),
]
