"""The OpenAPI schema and the Swagger UI page at ``/api/docs/``, under the site's
Content-Security-Policy.

The schema view answers YAML, or JSON for ``?format=json``. Swagger UI's own files come from
the pinned ``drf-spectacular-sidecar`` package through our static files (``SIDECAR`` in
``SPECTACULAR_SETTINGS``), so the docs work offline and change only with a pin.

The policy (``CONTENT_SECURITY_POLICY`` in settings) allows scripts and styles from this
site only, so the page may hold no inline script or style: the init script is served as a
file by drf-spectacular's split view and the page's few style rules come from a static
file. Should ``SWAGGER_UI_DIST`` ever name another host (drf-spectacular's default is a
CDN), that one host is allowed, on this page only; self-hosted files need only ``'self'``.
"""

from types import SimpleNamespace
from urllib.parse import urlsplit

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from apps.core.renderers import JSONRenderer


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


class FormatQueryNegotiation(DefaultContentNegotiation):
    """Let ``?format=json`` or ``?format=yaml`` choose the renderer, on the view using it.

    DRF's ``URL_FORMAT_OVERRIDE`` would do it for every view; it stays off so ``format``
    means nothing special to the API's own endpoints. An unknown format is 404.
    """

    # DRF's own override, read by ``DefaultContentNegotiation.select_renderer`` (the only
    # setting it reads), switched on for this negotiation alone.
    settings = SimpleNamespace(URL_FORMAT_OVERRIDE="format")


class SchemaView(SpectacularAPIView):
    """``GET /api/schema/``: the OpenAPI document, YAML by default, JSON with ``?format=json``
    (or ``Accept: application/json``); an unknown format is a 404 envelope in JSON."""

    content_negotiation_class = FormatQueryNegotiation

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        if force:
            # Negotiation failed (an unknown format): DRF would write the error envelope
            # with the view's first renderer, YAML; errors are JSON everywhere else.
            renderer = JSONRenderer()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)
