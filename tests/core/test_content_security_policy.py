"""Every page carries a Content-Security-Policy that allows no inline script or style, and
the pages themselves hold none (the browser gate, tests/e2e, checks they still work)."""

import re

import pytest
from django.test import Client
from drf_spectacular.settings import patched_settings

from apps.core.api.docs import swagger_asset_origins
from apps.schools.selectors.invites import invite_token
from tests.factories import InviteFactory

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


def inline_code(html: str) -> list[str]:
    """Inline scripts and styles: script elements without src, style elements, style and
    on* attributes."""
    found = [m for m in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html)]
    found += re.findall(r"<style[\s>]", html)
    found += re.findall(r"\s(?:style|on[a-z]+)=\"", html)
    return found


def test_pages_allow_scripts_and_styles_from_this_site_only(client, school):
    # given
    invite = InviteFactory(school=school)

    # when
    pages = {
        "admin login": client.get("/admin/login/"),
        "invite": client.get(f"/invites/{invite_token(invite)}"),
        "api": client.get("/api/v1/ping"),
    }

    # then
    for name, response in pages.items():
        rules = policy(response)
        assert rules["default-src"] == ["'none'"], name
        assert rules["script-src"] == ["'self'"], name
        assert rules["style-src"] == ["'self'"], name
        assert rules["frame-ancestors"] == ["'none'"], name
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], name


def test_the_invite_page_and_the_admin_login_hold_no_inline_code(client, school):
    # given
    invite = InviteFactory(school=school)

    # when
    invite_page = client.get(f"/invites/{invite_token(invite)}")
    login_page = client.get("/admin/login/")

    # then
    assert invite_page.status_code == login_page.status_code == 200
    assert inline_code(invite_page.content.decode()) == []
    assert inline_code(login_page.content.decode()) == []
    assert "/static/schools/invite.css" in invite_page.content.decode()


def test_the_api_docs_load_their_init_script_from_this_site():
    # when
    page = Client().get("/api/docs/")
    script = Client().get("/api/docs/?script=")

    # then
    html = page.content.decode()
    assert page.status_code == script.status_code == 200
    assert inline_code(html) == []
    assert '<script src="/api/docs/?script="></script>' in html
    assert "SwaggerUIBundle(" in script.content.decode()
    assert script["Content-Type"].startswith("application/javascript")


def test_the_api_docs_allow_only_the_host_of_swagger_uis_files_beside_this_site():
    # when
    rules = policy(Client().get("/api/docs/"))

    # then: the one host drf-spectacular loads Swagger UI from, when it is not this site
    origins = swagger_asset_origins()
    for directive in ("script-src", "style-src"):
        assert rules[directive] == ["'self'", *origins]
    assert rules["img-src"] == ["'self'", "data:", *origins]
    assert rules["connect-src"] == ["'self'"]


def test_self_hosted_swagger_ui_files_need_no_extra_host():
    # when: Swagger UI is served from this site's static files (drf-spectacular-sidecar)
    rules = policy(Client().get("/api/docs/"))

    # then
    assert swagger_asset_origins() == []
    assert rules["script-src"] == rules["style-src"] == ["'self'"]


def test_a_cdn_configured_for_swagger_ui_is_the_one_extra_host():
    # given: drf-spectacular's default, Swagger UI's files from a CDN
    cdn = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"
    with patched_settings({"SWAGGER_UI_DIST": cdn, "SWAGGER_UI_FAVICON_HREF": f"{cdn}/f.png"}):
        # then
        assert swagger_asset_origins() == ["https://cdn.jsdelivr.net"]
