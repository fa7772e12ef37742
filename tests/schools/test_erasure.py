"""Anonymizing reaches every stored copy of the person: events (and so webhook deliveries),
jobs, idempotency records, receivers' responses, signup answers, invites, admin history."""

import json

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from apps.core.erasure import undeclared_fields
from apps.core.models import IdempotencyRecord
from apps.schools.models import Domain, Invite, Member, SignupField, SignupFieldValue
from apps.schools.services.people import user_anonymize, user_create
from apps.webhooks.models import DeliveryAttempt
from tests.factories import DeliveryFactory, WebhookFactory

pytestmark = pytest.mark.django_db

EMAIL = "adaline.lovelacey@example.test"
FIRST, LAST, EXTERNAL = "Adaline", "Lovelacey", "crm-7731"
NEEDLES = (EMAIL, FIRST, LAST, EXTERNAL)
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def _found_anywhere() -> list[str]:
    """``app.Model.field`` of every stored value that still holds one of the needles."""
    hits = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        for row in model._default_manager.values(*[f.attname for f in fields]):
            for name, value in row.items():
                if value is None:
                    continue
                if isinstance(value, bytes | memoryview):
                    text = bytes(value).decode("utf-8", "replace")
                elif isinstance(value, dict | list):
                    text = json.dumps(value, ensure_ascii=False)
                else:
                    text = str(value)
                if any(needle.lower() in text.lower() for needle in NEEDLES):
                    hits.append(f"{model._meta.label}.{name}")
    return sorted(set(hits))


def test_anonymize_leaves_no_copy_of_the_person_in_any_table(
    api_client, school, tmp_path, admin_user
):
    # given: the person, and a copy of them in every kind of store
    domain = Domain.objects.create(school=school, name="learn.alpha.test")
    created = api_client.post(
        "/api/v1/users",
        {"email": EMAIL, "first_name": FIRST, "last_name": LAST, "external_id": EXTERNAL},
        format="json",
        HTTP_IDEMPOTENCY_KEY="create-1",
    ).json()
    api_client.patch(f"/api/v1/users/{created['id']}", {"company": "Lovelace Labs"})
    api_client.post(
        f"/api/v1/domains/{domain.name}/users", {"user": {"email": EMAIL}}, format="json"
    )
    member = Member.objects.get(user_id=created["id"])
    field = SignupField.objects.create(school=school, domain=domain, label="Bio", type="text")
    SignupFieldValue.objects.create(
        school=school,
        field=field,
        member=member,
        domain=domain,
        user=member.user,
        value=f"I am {FIRST} {LAST}",
    )
    invite = api_client.post(
        f"/api/v1/domains/{domain.name}/users/{created['id']}/invites",
        {"send_email": False, "mail": {"body": f"Dear {FIRST}, welcome."}},
        format="json",
    )
    csv = tmp_path / "people.csv"
    csv.write_text(f"email\n{EMAIL}\n{EMAIL}\n", encoding="utf-8")
    quiet = {"stdout": open("/dev/null", "w"), "stderr": open("/dev/null", "w")}
    call_command("import_users", str(csv), "--school", "alpha", "--domain", domain.name, **quiet)
    delivery = DeliveryFactory(school=school, webhook=WebhookFactory(school=school))
    DeliveryAttempt.objects.create(
        school=school,
        delivery=delivery,
        number=1,
        outcome="succeeded",
        started_at=timezone.now(),
        request_url="https://hooks.example.com/",
        status_code=200,
        response_body=f'{{"echo": "{EMAIL}", "name": "{FIRST} {LAST}"}}',
    )
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(Member),
        object_id=member.pk,
        object_repr=str(member),
        action_flag=CHANGE,
    )
    assert invite.status_code in (200, 201), invite.content
    assert set(_found_anywhere()) >= {
        "core.Event.payload",
        "core.IdempotencyRecord.response_body",
        "core.Job.result",
        "webhooks.DeliveryAttempt.response_body",
        "schools.SignupFieldValue.value",
        "schools.Invite.mail_body",
        "admin.LogEntry.object_repr",
        "schools.User.email",
    }

    # when
    response = api_client.post(f"/api/v1/users/{created['id']}/anonymize")

    # then
    assert response.status_code == 200
    assert _found_anywhere() == []
    assert Invite.objects.filter(user_id=created["id"]).exists()  # the record stays


def test_every_free_text_column_is_declared_for_erasure():
    # then: a new model or column that may hold a person's data must say how it is erased
    assert undeclared_fields() == [], (
        "Declare these columns with apps.core.erasure.register_copies (they may hold copies "
        "of a person, and person_scrub must rewrite them) or register_no_copies (with why "
        "they never do)."
    )


def test_anonymizing_two_users_in_turn_and_again_never_fails(api_client):
    # given: the stateful sequence that once answered 500 on SQLite
    ids = [
        api_client.post("/api/v1/users", {"email": f"u{n}@example.test"}, format="json").json()[
            "id"
        ]
        for n in range(3)
    ]

    # when
    answers = [
        api_client.post(f"/api/v1/users/{user_id}/anonymize").status_code
        for user_id in (ids[0], ids[1], ids[0], ids[2], ids[1])
    ]

    # then
    assert answers == [200] * 5


def test_the_placeholder_address_of_an_anonymized_user_cannot_be_taken(api_client):
    # given
    user_id = api_client.post("/api/v1/users", {"email": EMAIL}, format="json").json()["id"]
    placeholder = api_client.post(f"/api/v1/users/{user_id}/anonymize").json()["email"]

    # when
    created = api_client.post("/api/v1/users", {"email": placeholder}, format="json")
    renamed = api_client.post("/api/v1/users", {"email": "x@example.test"}, format="json")
    patched = api_client.patch(
        f"/api/v1/users/{renamed.json()['id']}", {"email": placeholder}, format="json"
    )

    # then
    assert placeholder.endswith("@anonymized.invalid")
    assert created.status_code == patched.status_code == 400
    assert created.json()["code"] == "email_invalid"


def _record(school, key: str, body: bytes, content_type: str | None) -> IdempotencyRecord:
    headers = {"Content-Type": content_type} if content_type else {}
    return IdempotencyRecord.objects.create(
        school=school,
        credential="key_1",
        key=key,
        request_hash="0" * 64,
        state=IdempotencyRecord.State.DONE,
        response_status=201,
        response_body=body,
        response_headers=headers,
    )


def test_anonymize_scrubs_the_schools_text_records_only(school, other_school):
    # given: the person's e-mail in a JSON body, a text body, a file and another school's body
    member, _ = user_create(school=school, email=EMAIL, first_name=FIRST, last_name=LAST)
    json_body = json.dumps({"email": EMAIL, "first_name": FIRST}).encode()
    as_json = _record(school, "json", json_body, "application/json")
    as_text = _record(school, "text", f"Welcome {FIRST} <{EMAIL}>".encode(), "text/plain")
    unlabelled = _record(school, "bare", json_body, None)
    file_bytes = b"%PDF-1.7\xff\xfe " + EMAIL.encode() + b" \x80\x81"
    as_file = _record(school, "file", file_bytes, "application/pdf")
    elsewhere = _record(other_school, "json", json_body, "application/json")

    # when
    user_anonymize(member=member)

    # then
    for record in (as_json, as_text, unlabelled):
        record.refresh_from_db()
        assert EMAIL not in bytes(record.response_body).decode()
        assert FIRST not in bytes(record.response_body).decode()
    as_file.refresh_from_db()
    assert bytes(as_file.response_body) == file_bytes
    elsewhere.refresh_from_db()
    assert bytes(elsewhere.response_body) == json_body
