"""URL configuration: pages per app, the JSON API at /api/v1, the scoped admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("keel.portfolio.urls")),
    path("", include("keel.orgs.urls")),
    path("admin/", admin.site.urls),
]
