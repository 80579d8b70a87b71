"""Pages of notifications: your notifications, your e-mail settings, the bell, and comment threads."""

from django.urls import path

from keel.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/settings/", views.preferences, name="settings"),
    path("notifications/bell/", views.bell, name="bell"),
    path(
        "notifications/projects/<int:project_id>/comments/", views.project_comments, name="project_comments"
    ),
    path("notifications/tasks/<int:task_id>/comments/", views.task_comments, name="task_comments"),
]
