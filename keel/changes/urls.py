"""Pages of change control: a project's change log, a change with its impact and decision, the
changes awaiting a decision, a unit's authority levels."""

from django.urls import path

from keel.changes import views

app_name = "changes"
urlpatterns = [
    path("projects/<int:project_id>/changes/", views.change_log, name="log"),
    path("projects/<int:project_id>/changes/export/", views.change_export, name="export"),
    path("projects/<int:project_id>/changes/new/", views.change_create, name="create"),
    path("changes/<int:change_id>/", views.change_detail, name="detail"),
    path("changes/<int:change_id>/edit/", views.change_edit, name="edit"),
    path("changes/<int:change_id>/submit/", views.change_submit, name="submit"),
    path("changes/<int:change_id>/withdraw/", views.change_withdraw, name="withdraw"),
    path("changes/<int:change_id>/approve/", views.change_approve, name="approve"),
    path("changes/<int:change_id>/reject/", views.change_reject, name="reject"),
    path("changes/<int:change_id>/task-edits/", views.task_edit_add, name="task_edit_add"),
    path(
        "changes/<int:change_id>/task-edits/<int:task_edit_id>/delete/",
        views.task_edit_delete,
        name="task_edit_delete",
    ),
    path("changes/<int:change_id>/budget-edits/", views.budget_edit_add, name="budget_edit_add"),
    path(
        "changes/<int:change_id>/budget-edits/<int:budget_edit_id>/delete/",
        views.budget_edit_delete,
        name="budget_edit_delete",
    ),
    path("changes/pending/", views.pending, name="pending"),
    path("changes/units/<int:unit_id>/authority/", views.authority, name="authority"),
]
