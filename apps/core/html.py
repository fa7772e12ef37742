"""HTML written by schools (course descriptions, lesson pages, quiz text), made safe to show.

``sanitize_html`` runs the Ammonia sanitizer (``nh3``) on the way in: no ``<script>`` or
``<style>``, no ``on*=`` handler attributes, no ``javascript:`` or ``data:`` URLs, links
get ``rel="noopener noreferrer"``. What is stored is what every client may render as is.
Embeds (``<iframe>``) are allowed from https sources only; the player's sandbox is the
reader's to add.
"""

import nh3

_TAGS = nh3.ALLOWED_TAGS | {"iframe", "video", "audio", "source", "track"}
_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "iframe": {"src", "width", "height", "title", "allow", "allowfullscreen"},
    "video": {"src", "controls", "width", "height", "poster", "preload"},
    "audio": {"src", "controls", "preload"},
    "source": {"src", "type"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "*": {"class", "id", "title", "lang", "dir"},
}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def _only_https_embeds(element: str, attribute: str, value: str) -> str | None:
    if element == "iframe" and attribute == "src" and not value.startswith("https://"):
        return None
    return value


def sanitize_html(value: str) -> str:
    """``value`` with everything that could run script or leave the page removed."""
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        attribute_filter=_only_https_embeds,
        link_rel="noopener noreferrer",
    )
