"""The web URL field's schema pattern, read as JSON Schema reads it, refuses what the field
refuses: a schema-valid URL is never a 400."""

import re

import pytest
from rest_framework.exceptions import ValidationError

from apps.core.api.fields import WEB_URL_PATTERN, WebUrlField

# ECMA 262's \s, which JSON Schema patterns use: unlike Python's, it lacks U+0085 (NEL) and
# U+001C..U+001F, and has U+FEFF.
ECMA_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
AS_JSON_SCHEMA = re.compile(WEB_URL_PATTERN.replace(r"\s", ECMA_SPACE))


@pytest.mark.parametrize(
    "url", ["https://learn.example.com/a\x85b", "https://learn\x85.example.com/", "http://x/a\tb"]
)
def test_a_url_the_field_refuses_does_not_match_the_schema_pattern(url):
    # when / then
    with pytest.raises(ValidationError):
        WebUrlField().run_validation(url)
    assert AS_JSON_SCHEMA.match(url) is None


def test_a_plain_url_passes_both():
    url = "https://learn.example.com/path?q=1#top"

    assert WebUrlField().run_validation(url) == url
    assert AS_JSON_SCHEMA.match(url)
