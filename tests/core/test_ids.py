"""Type-prefixed, time-ordered ids: ``usr_`` + a 26-character lower-case ULID."""

from types import SimpleNamespace

import pytest

from apps.core import ids
from apps.core.ids import PrefixedIdField, id_pattern, is_valid_id, new_id, new_ulid
from apps.core.models import Job
from apps.schools.models import ApiKey, Member, School, Tag, User

pytestmark = pytest.mark.django_db

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def test_new_id_has_the_prefix_and_26_crockford_characters():
    # when
    value = new_id("crs")

    # then
    assert is_valid_id(value, "crs")
    assert len(value) == 4 + 26
    assert not set(value[4:]) & set("ilou")


@pytest.fixture(autouse=True)
def _fresh_generator(monkeypatch) -> None:
    """Each test starts the generator with no memory of earlier ids."""
    monkeypatch.setattr(ids, "_last", {"ms": -1, "rand": 0})


def at_millisecond(monkeypatch, millis: int) -> None:
    """Make the id generator read this wall-clock millisecond."""
    monkeypatch.setattr(ids, "time", SimpleNamespace(time_ns=lambda: millis * 1_000_000))


def decode_millis(ulid: str) -> int:
    millis = 0
    for char in ulid[:10]:
        millis = millis * 32 + ALPHABET.index(char)
    return millis


def test_ids_made_in_one_millisecond_still_sort_in_creation_order(monkeypatch):
    # given
    at_millisecond(monkeypatch, 1767225600000)

    # when
    made = [new_ulid() for _ in range(1000)]

    # then
    assert made == sorted(made)
    assert len(set(made)) == 1000
    assert {decode_millis(u) for u in made} == {1767225600000}


def test_ids_sort_by_time_and_encode_the_millisecond(monkeypatch):
    # when
    at_millisecond(monkeypatch, 1767225600000)
    earlier = new_ulid()
    at_millisecond(monkeypatch, 1767225600001)
    later = new_ulid()

    # then
    assert earlier < later
    assert decode_millis(earlier) == 1767225600000
    assert decode_millis(later) == 1767225600001


def test_a_clock_stepping_back_does_not_break_the_order(monkeypatch):
    # when
    at_millisecond(monkeypatch, 1767225600005)
    first = new_ulid()
    at_millisecond(monkeypatch, 1767225600000)
    second = new_ulid()

    # then
    assert first < second


@pytest.mark.parametrize(
    "value", ["crs_", "usr_01jd8x", "crs_01JD8X0000000000000000000", 5, None, "crs-" + "0" * 26]
)
def test_is_valid_id_refuses_malformed_values(value):
    assert not is_valid_id(value, "crs")


def test_id_pattern_matches_only_its_prefix():
    assert id_pattern("usr").match(new_id("usr"))
    assert not id_pattern("usr").match(new_id("crs"))


@pytest.mark.parametrize(
    ("model", "prefix"),
    [(School, "sch"), (User, "usr"), (Member, "mem"), (ApiKey, "key"), (Tag, "tag"), (Job, "job")],
)
def test_models_use_prefixed_string_ids(model, prefix):
    # when
    field = model._meta.pk

    # then
    assert isinstance(field, PrefixedIdField)
    assert field.prefix == prefix
    assert field.max_length == len(prefix) + 27
    assert is_valid_id(field.get_default(), prefix)


def test_id_field_deconstructs_without_its_generated_default():
    # when
    _name, path, _args, kwargs = PrefixedIdField(prefix="abc", primary_key=True).deconstruct()

    # then
    assert path == "apps.core.ids.PrefixedIdField"
    assert kwargs == {"prefix": "abc", "primary_key": True}
