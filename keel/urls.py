"""URL configuration: pages per app, sign-in, the JSON API at /api/v1, the scoped admin."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from keel.api import api
from keel.core.admin import admin_site
from keel.portfolio import views as portfolio_views

urlpatterns = [
    path("", portfolio_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("keel.portfolio.urls")),
    path("", include("keel.orgs.urls")),
    path("", include("keel.schedule.urls")),
    path("", include("keel.resources.urls")),
    path("", include("keel.resources.capacity_urls")),
    path("", include("keel.resources.leveling_urls")),
    path("", include("keel.timesheets.urls")),
    path("", include("keel.finance.urls")),
    path("", include("keel.benefits.urls")),
    path("", include("keel.governance.urls")),
    path("", include("keel.gates.urls")),
    path("", include("keel.changes.urls")),
    path("", include("keel.statusreports.urls")),
    path("", include("keel.compliance.urls")),
    path("", include("keel.notifications.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin_site.urls),
]
