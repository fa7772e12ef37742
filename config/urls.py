from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from apps.core.api.docs import ApiDocsView, SchemaView

handler400 = "apps.core.errors.handler400"
handler403 = "apps.core.errors.handler403"
handler404 = "apps.core.errors.handler404"
handler500 = "apps.core.errors.handler500"

admin.site.site_header = "Lyceum administration"
admin.site.site_title = "Lyceum"
admin.site.index_title = "School administration"
# Lyceum serves no public site at "/", so the admin offers no "View site" link to a 404.
admin.site.site_url = None

urlpatterns = [
    path("admin/", admin.site.urls),
    re_path(r"^api/schema/?$", SchemaView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", ApiDocsView.as_view(url_name="schema"), name="docs"),
    path("api/v1/", include("config.api_urls", namespace="api")),
    path("", include("apps.schools.urls")),
    path("", include("apps.catalog.urls")),
    path("", include("apps.enrollments.urls")),
    path("", include("apps.commerce.urls")),
]

# The benchmark's baseline views (bench/baseline.py); never mounted in production.
if settings.LYCEUM_BENCH_BASELINE:
    urlpatterns.append(path("bench/", include("bench.urls")))
