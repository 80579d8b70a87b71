"""URL configuration: pages per app, the JSON API at /api/v1, the scoped admin."""

from django.contrib import admin
from django.urls import include, path

from keel.api import api

urlpatterns = [
    path("", include("keel.portfolio.urls")),
    path("", include("keel.orgs.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
