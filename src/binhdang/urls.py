"""URL map of the platform."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from binhdang.api import urls as api_urls
from binhdang.core import views as core_views

urlpatterns = [
    path("", include("binhdang.workboard.urls")),
    path("", include("binhdang.orgunits.urls")),
    path("users/", include("binhdang.accounts.urls")),
    path("account/", include("binhdang.accounts.self_urls")),
    path("committees/", include("binhdang.committees.urls")),
    path("indicators/", include("binhdang.indicators.urls")),
    path("plans/", include("binhdang.plans.urls")),
    path("activities/", include("binhdang.activities.urls")),
    path("reports/", include("binhdang.reporting.urls")),
    path("notices/", include("binhdang.notices.urls")),
    path("intake/", include("binhdang.intake.urls")),
    path("", include("binhdang.core.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_urls.urlpatterns, "api-1"))),
    path("healthz", core_views.health, name="health"),
]

handler403 = "binhdang.core.views.forbidden"
handler404 = "binhdang.core.views.not_found"
handler500 = "binhdang.core.views.server_error"
