"""Standard Webhooks signatures and the event-type catalogue."""

import jsonschema
import pytest

from apps.schools.services import user_create, user_payload
from apps.webhooks import event_types, signing

VECTOR = {
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "msg_id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "timestamp": 1614265330,
    "body": b'{"test": 2432232314}',
}


def test_signer_matches_the_published_vector():
    # when
    signature = signing.sign(**VECTOR)

    # then
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_verify_accepts_any_of_several_signatures():
    # given
    other = signing.generate_secret()
    header = signing.signature_header(
        [other, VECTOR["secret"]], VECTOR["msg_id"], VECTOR["timestamp"], VECTOR["body"]
    )

    # when
    ok = signing.verify(
        VECTOR["secret"], VECTOR["msg_id"], VECTOR["timestamp"], VECTOR["body"], header
    )
    tampered = signing.verify(
        VECTOR["secret"], VECTOR["msg_id"], VECTOR["timestamp"], b'{"test": 1}', header
    )

    # then
    assert ok
    assert not tampered


def test_generated_secrets_are_valid_and_distinct():
    # when
    first, second = signing.generate_secret(), signing.generate_secret()

    # then
    assert first != second
    assert len(signing.secret_key(first)) == 32


@pytest.mark.parametrize(
    "secret", ["", "secret", "whsec_", "whsec_!!!", "whsec_c2hvcnQ=", "whsec_" + "QUFB" * 30]
)
def test_bad_secrets_are_refused(secret):
    # when / then
    with pytest.raises(signing.InvalidSecret):
        signing.secret_key(secret)


@pytest.mark.parametrize("item", event_types.EVENT_TYPES, ids=lambda t: t.name)
def test_every_sample_matches_its_schema(item):
    # when / then
    jsonschema.validate(item.sample, item.schema)


def test_there_are_ten_skilljar_aliases_with_distinct_slugs():
    # when
    aliased = [t for t in event_types.EVENT_TYPES if t.alias]

    # then
    assert len(aliased) == 10
    assert len(event_types.BY_SLUG) == len(event_types.EVENT_TYPES)


@pytest.mark.django_db
def test_user_events_emitted_today_match_their_schema(school):
    # given
    member, _ = user_create(school=school, email="schema@alpha.test", tags=["a"])

    # when
    payload = user_payload(member)

    # then
    jsonschema.validate(payload, event_types.BY_NAME["user.created"].schema)


def test_aliases_resolve_to_canonical_names():
    # then
    assert event_types.canonical("COURSE_COMPLETION") == "enrollment.completed"
    assert event_types.canonical("user.created") == "user.created"
    assert event_types.canonical("ping") is None
    assert event_types.canonical("nope") is None
