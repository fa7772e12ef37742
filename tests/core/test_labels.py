"""Tags, names and labels are one line of text: control characters are refused, like NUL.

Every ``LabelField`` of every request body is found through drf-spectacular, so a label
another app adds is checked without editing this file.
"""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentRegistry

from apps.core.api.fields import LabelField, LabelFieldSchema
from apps.core.validators import refuse_control_characters
from tests.core import api_bodies
from tests.factories import BODY_BASES, MemberFactory

pytestmark = pytest.mark.django_db

CONTROL = ["\x01", "\t", "\n", "\r", "\x1b[31m", "\x7f", "\x85", "\u2028", "\u202e", "\u2067"]
LABELS = [
    pytest.param(field, id=str(field))
    for field in api_bodies.body_fields()
    if isinstance(field.field, LabelField)
]


@pytest.mark.parametrize("char", CONTROL, ids=repr)
def test_control_characters_are_refused(char):
    # when
    with pytest.raises(ValidationError) as caught:
        refuse_control_characters(f"Sales{char}Team")

    # then
    assert caught.value.code == "control_characters"


@pytest.mark.parametrize("text", ["Sales", "Équipe Nord", "営業", "emoji 👩‍👩‍👧", "עברית\u200f"])
def test_one_line_text_in_any_script_is_accepted(text):
    # then
    refuse_control_characters(text)


def test_labels_are_found():
    # then: group, category and pool names, access codes, invite mail subjects and buttons
    assert len(LABELS) >= 6


@pytest.mark.parametrize("char", ["\x01", "\t", "\u202e"], ids=repr)
@pytest.mark.parametrize("label", LABELS)
def test_a_label_with_a_control_character_is_400_naming_it(label, char, api_client, school):
    # given
    url = api_bodies.operation_url(label.path, label.view_class, school)
    body = BODY_BASES[label.operation](school) if label.operation in BODY_BASES else {}
    body.update(api_bodies.nest(label.name, f"Sales{char}Team"))

    # when
    response = api_client.generic(
        label.method, url, data=json.dumps(body), content_type="application/json"
    )

    # then
    assert response.status_code == 400, response.content
    assert response.json()["errors"].get(label.name) == [
        "Control characters (tabs, line breaks, escapes) are not allowed."
    ]


def test_user_tags_with_a_control_character_are_400(api_client, school):
    # given
    member = MemberFactory(school=school)

    # when
    response = api_client.put(
        f"/api/v1/users/{member.user_id}/tags", {"tags": ["vip\x1b[2J"]}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "control_characters"


def _request_pattern(field: LabelField) -> str:
    """The pattern the OpenAPI schema gives ``field`` in a request body."""
    auto_schema = AutoSchema()
    auto_schema.registry, auto_schema.method, auto_schema.path = ComponentRegistry(), "POST", "/"
    return LabelFieldSchema(field).map_serializer_field(auto_schema, "request")["pattern"]


@pytest.mark.parametrize("spaces", [" ", "   ", "\u3000", "\xa0 \u2003"], ids=repr)
@pytest.mark.parametrize("label", LABELS)
def test_the_schema_refuses_a_label_of_spaces_when_the_server_does(
    label, spaces, api_client, school
):
    # given
    url = api_bodies.operation_url(label.path, label.view_class, school)
    body = BODY_BASES[label.operation](school) if label.operation in BODY_BASES else {}
    body.update(api_bodies.nest(label.name, spaces))

    # when
    response = api_client.generic(
        label.method, url, data=json.dumps(body), content_type="application/json"
    )
    schema_allows = re.fullmatch(_request_pattern(label.field), spaces) is not None

    # then: a blank label the server refuses is one the schema refuses (a client generated
    # from the schema, or a fuzzer, learns it before sending it), and the other way round
    refused = response.status_code == 400 and label.name in response.json()["errors"]
    assert refused != schema_allows, (response.status_code, response.content[:300])
