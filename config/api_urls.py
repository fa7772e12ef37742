"""Everything under /api/v1/, one module per app."""

from django.urls import include, path, re_path

from apps.core.api.views import api_not_found

app_name = "api"

# The app URL modules whose routers the tenancy tests walk.
API_URL_MODULES = [
    "apps.core.api.urls",
    # Before schools: its fixed paths (users/by-product) would be read as users/{id}.
    "apps.commerce.api.priority_urls",
    "apps.schools.api.urls",
    "apps.catalog.api.urls",
    "apps.enrollments.api.urls",
    "apps.commerce.api.urls",
    "apps.community.api.urls",
    "apps.webhooks.api.urls",
]

urlpatterns = [
    *(path("", include(module)) for module in API_URL_MODULES),
    re_path(r"^.*$", api_not_found, name="not-found"),
]
