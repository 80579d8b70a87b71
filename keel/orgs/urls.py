"""Pages of the organisation: personal API tokens and the administration of units, people and roles."""

from django.urls import path

from keel.orgs import views

app_name = "orgs"
urlpatterns = [
    path("account/tokens/", views.token_list, name="token_list"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("org/units/", views.unit_list, name="unit_list"),
    path("org/units/new/", views.unit_create, name="unit_create"),
    path("org/units/<int:unit_id>/edit/", views.unit_update, name="unit_update"),
    path("org/users/", views.user_list, name="user_list"),
    path("org/users/new/", views.user_create, name="user_create"),
    path("org/users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("org/memberships/<int:membership_id>/delete/", views.membership_delete, name="membership_delete"),
]
