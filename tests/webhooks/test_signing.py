"""Standard Webhooks signatures and the event-type catalogue."""

from datetime import UTC, datetime

import jsonschema
import pytest
import standardwebhooks

from apps.schools.services.people import user_create, user_payload
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


@pytest.mark.parametrize("item", event_types.advertised(), ids=lambda t: t.name)
def test_every_sample_matches_its_schema(item):
    # when / then
    jsonschema.validate(item.sample, item.schema)


def test_slugs_are_distinct():
    # when
    slugs = [t.slug for t in event_types.advertised()]

    # then
    assert len(set(slugs)) == len(slugs)


@pytest.mark.django_db
def test_user_events_emitted_today_match_their_schema(school):
    # given
    member, _ = user_create(school=school, email="schema@alpha.test", tags=["a"])

    # when
    payload = user_payload(member)

    # then
    jsonschema.validate(payload, event_types.get("user.created").schema)


def test_aliases_resolve_to_canonical_names():
    # then
    assert event_types.canonical("DOMAIN_ENROLLMENT") == "domain.enrollment.created"
    assert event_types.canonical("domain_enrollment") == "domain.enrollment.created"
    assert event_types.canonical("user.created") == "user.created"
    assert event_types.canonical("ping") is None
    assert event_types.canonical("nope") is None


def test_the_reference_library_signs_the_published_vector_as_lyceum_does():
    # given
    reference = standardwebhooks.Webhook(VECTOR["secret"])
    moment = datetime.fromtimestamp(VECTOR["timestamp"], tz=UTC)

    # when
    theirs = reference.sign(VECTOR["msg_id"], moment, VECTOR["body"].decode())

    # then
    assert theirs == signing.sign(**VECTOR)


@pytest.mark.django_db
def test_the_reference_library_verifies_a_real_delivery(
    school, webhook, receiver, eager, django_capture_on_commit_callbacks
):
    # given: a rotation, so the header carries two signatures
    from apps.webhooks.services.endpoints import webhook_rotate_secret

    old_secret = webhook.secret
    webhook = webhook_rotate_secret(webhook=webhook)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        user_create(school=school, email="signed@alpha.test")
    request = receiver.received[0]

    # then: both the new and the previous secret verify it, a stranger's does not
    for secret in (webhook.secret, old_secret):
        data = standardwebhooks.Webhook(secret).verify(request.body, request.headers)
        assert data["data"]["email"] == "signed@alpha.test"
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(signing.generate_secret()).verify(request.body, request.headers)
