"""The schema in JSON on request, and documentation pages that load nothing from elsewhere."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.templatetags.static import static

pytestmark = pytest.mark.django_db

# The Swagger UI page and the init script it loads from this site.
DOC_PAGES = ["/api/docs/", "/api/docs/?script="]
# Anything that reads as an absolute or scheme-relative URL, in markup or in inline script.
ABSOLUTE_URL = re.compile(r"""(?:[a-z][a-z0-9+.-]*:)?//[^\s"'<>)\\]+""", re.IGNORECASE)


class ResourceLinks(HTMLParser):
    """Collects the URLs a page loads: script src, link href, img src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name, tag) in {("src", "script"), ("href", "link"), ("src", "img")}:
                self.urls.append(value)


def loaded_urls(html: str) -> list[str]:
    parser = ResourceLinks()
    parser.feed(html)
    return parser.urls


def test_schema_answers_json_for_format_json(client):
    # when
    response = client.get("/api/schema/?format=json")

    # then
    assert response.status_code == 200
    assert "json" in response["Content-Type"]
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/users/" in schema["paths"]


def test_schema_answers_yaml_by_default_and_for_format_yaml(client):
    for path in ("/api/schema/", "/api/schema/?format=yaml"):
        # when
        response = client.get(path)

        # then
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.oai.openapi;")
        assert yaml.safe_load(response.content)["openapi"].startswith("3.")


def test_schema_refuses_an_unknown_format_in_the_envelope(client):
    # when
    response = client.get("/api/schema/?format=xml")

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_format_stays_an_ordinary_parameter_on_api_endpoints(api_client):
    # when: DRF's global format override stays off, so ?format= picks nothing there
    response = api_client.get("/api/v1/users?format=yaml")

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path", DOC_PAGES)
def test_the_docs_reference_no_other_host(client, path):
    # when
    response = client.get(path)
    text = response.content.decode()

    # then: every URL in the page and its script is on this server
    assert response.status_code == 200
    foreign = [url for url in ABSOLUTE_URL.findall(text) if urlsplit(url).hostname != "testserver"]
    assert foreign == []


def test_the_docs_page_loads_pinned_files_this_server_has(client):
    # when
    response = client.get("/api/docs/")
    urls = loaded_urls(response.content.decode())

    # then: Swagger UI's scripts, stylesheet and icon are static files of this server, from
    # the pinned sidecar package (besides the page's own init script and stylesheet)
    assert response.status_code == 200
    sidecar = [url for url in urls if url.startswith(static("drf_spectacular_sidecar/"))]
    assert len(sidecar) == 4, urls  # bundle, standalone preset, stylesheet, favicon
    for url in urls:
        if url.startswith(static("")):
            assert finders.find(url.removeprefix(static(""))), f"{url} is not a static file"
        else:
            assert url == "/api/docs/?script=", url


def test_swagger_ui_asks_no_remote_validator(client):
    # when
    script = client.get("/api/docs/?script=").content.decode()

    # then: Swagger UI's default validator badge would load from validator.swagger.io
    assert '"validatorUrl": null' in script
