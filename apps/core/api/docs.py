"""The Swagger UI page at ``/api/docs/`` under the site's Content-Security-Policy.

The policy (``CONTENT_SECURITY_POLICY`` in settings) allows scripts and styles from this
site only, so the page may hold no inline script or style: the init script is served as a
file by drf-spectacular's split view and the page's few style rules come from a static
file. Swagger UI's own files are loaded from wherever drf-spectacular is told
(``SWAGGER_UI_DIST``): when that is another host (its default is a CDN), that one host is
allowed, on this page only; self-hosted files need nothing more than ``'self'``.
"""

from urllib.parse import urlsplit

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.views import SpectacularSwaggerSplitView


def swagger_asset_origins() -> list[str]:
    """The origins Swagger UI's files and favicon come from, when not from this site."""
    origins = set()
    for url in (spectacular_settings.SWAGGER_UI_DIST, spectacular_settings.SWAGGER_UI_FAVICON_HREF):
        parts = urlsplit(str(url))
        if parts.scheme in {"http", "https"} and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def _asset_policy() -> dict[str, list[str]]:
    origins = swagger_asset_origins()
    if not origins:
        return {}
    return {"script-src": origins, "style-src": origins, "img-src": origins}


@method_decorator(csp_update(_asset_policy()), name="dispatch")
class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI without inline script or style, its asset host allowed by the CSP."""

    template_name = "core/swagger_ui.html"
