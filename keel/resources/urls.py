"""Pages of resource pools, resources, skills, a project's resources and allocation requests."""

from django.urls import path

from keel.resources import views

app_name = "resources"
urlpatterns = [
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/export.xlsx", views.resource_export, name="resource_export"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:resource_id>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:resource_id>/edit/", views.resource_update, name="resource_update"),
    path("resources/<int:resource_id>/delete/", views.resource_delete, name="resource_delete"),
    path("resources/<int:resource_id>/skills/", views.resource_skill_set, name="resource_skill_set"),
    path("resources/<int:resource_id>/rates/new/", views.rate_create, name="rate_create"),
    path("resources/<int:resource_id>/leave/new/", views.leave_create, name="leave_create"),
    path("resources/rates/<int:rate_id>/", views.rate_update, name="rate_update"),
    path("resources/leave/<int:leave_id>/", views.leave_update, name="leave_update"),
    path("resources/pools/", views.pool_list, name="pool_list"),
    path("resources/pools/new/", views.pool_create, name="pool_create"),
    path("resources/pools/<int:pool_id>/", views.pool_detail, name="pool_detail"),
    path("resources/pools/<int:pool_id>/edit/", views.pool_update, name="pool_update"),
    path("resources/pools/<int:pool_id>/sharing/", views.pool_share, name="pool_share"),
    path("resources/skills/", views.skill_list, name="skill_list"),
    path("resources/skills/new/", views.skill_create, name="skill_create"),
    path("resources/projects/<int:project_id>/", views.project_resources, name="project_resources"),
    path("resources/projects/<int:project_id>/assign/", views.assignment_create, name="assignment_create"),
    path("resources/projects/<int:project_id>/request/", views.allocation_create, name="allocation_create"),
    path("resources/assignments/<int:assignment_id>/", views.assignment_update, name="assignment_update"),
    path("resources/allocations/", views.allocation_list, name="allocation_list"),
    path(
        "resources/allocations/<int:allocation_id>/decide/", views.allocation_decide, name="allocation_decide"
    ),
    path(
        "resources/allocations/<int:allocation_id>/cancel/", views.allocation_cancel, name="allocation_cancel"
    ),
]
