"""The metadata bound: size, depth, key count and key length, as one reusable validator."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework import serializers

from apps.core.validators import validate_metadata


def nested(levels: int) -> dict:
    value: dict = {"leaf": 1}
    for _ in range(levels - 1):
        value = {"next": value}
    return value


def refusal(value) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_metadata(value)
    return caught.value


@pytest.mark.parametrize(
    "value",
    [
        {},
        {f"k{n}": n for n in range(50)},
        nested(5),
        {"list": [[[["four levels of lists inside the object"]]]]},
        {"k" * 100: "x" * (16 * 1024 - 110)},
        {"plan": "pro", "tags": ["a", "b"], "seats": 12, "renews": None, "trial": False},
    ],
    ids=["empty", "50-keys", "5-levels", "5-levels-of-lists", "16-KiB", "typical"],
)
def test_metadata_within_the_limits_is_accepted(value):
    assert validate_metadata(value) is value


def test_metadata_over_16_kib_is_refused():
    # 1 MB fits in a request body: this is the bound that keeps it out of every event
    error = refusal({"blob": "x" * 1_000_000})

    assert error.code == "metadata_too_large"
    assert "16 KiB" in error.message


def test_metadata_counts_bytes_of_utf8_not_characters():
    assert refusal({"k": "é" * 9_000}).code == "metadata_too_large"


def test_metadata_nested_more_than_5_levels_is_refused():
    assert refusal(nested(6)).code == "metadata_too_deep"
    assert refusal({"list": [[[[["five levels of lists"]]]]]}).code == "metadata_too_deep"


def test_metadata_with_more_than_50_keys_in_all_is_refused():
    # 20,000 nested keys fit in a request body
    spread = {f"g{n}": {f"k{m}": m for m in range(20)} for n in range(1000)}

    assert refusal({f"k{n}": n for n in range(51)}).code == "too_many_metadata_keys"
    assert refusal({"a": {f"k{n}": n for n in range(50)}}).code == "too_many_metadata_keys"
    assert refusal(spread).code == "too_many_metadata_keys"


def test_metadata_keys_longer_than_100_characters_are_refused():
    assert refusal({"k" * 101: 1}).code == "metadata_key_too_long"


@pytest.mark.parametrize("value", [[], "text", 1, None])
def test_metadata_must_be_an_object(value):
    assert refusal(value).code == "invalid"


def test_metadata_refusal_in_a_serializer_names_the_field_with_its_code():
    # given
    class Resource(serializers.Serializer):
        metadata = serializers.DictField(validators=[validate_metadata])

    # when
    resource = Resource(data={"metadata": nested(6)})

    # then
    assert not resource.is_valid()
    [message] = resource.errors["metadata"]
    assert message.code == "metadata_too_deep"
