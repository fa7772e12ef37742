"""Regression tests for what the OpenAPI fuzzer found; each names the bug it pins down."""

import json
import re
import warnings
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from urllib.parse import quote

import pytest
import yaml
from django.core.cache import CacheKeyWarning
from django.core.management import call_command
from django.test import Client, RequestFactory
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from apps.core.filters import UtcIsoDateTimeField
from apps.core.models import Job
from apps.core.renderers import JSONRenderer
from apps.core.throttling import AuthRateThrottle
from apps.core.times import format_datetime
from tests.factories import (
    AccessCodePoolFactory,
    DomainUserFactory,
    SignupFieldValueFactory,
    WebhookFactory,
)


def openapi_schema() -> dict:
    """The schema /api/schema/ serves, post-processing hooks included."""
    return SchemaGenerator().get_schema(request=None, public=True)


def idempotency_parameter(schema: dict) -> dict:
    operation = schema["paths"]["/api/v1/users/"]["post"]
    return next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")


def test_idempotency_key_schema_refuses_the_blank_keys_the_server_refuses(api_client) -> None:
    # given the documented Idempotency-Key header
    documented = idempotency_parameter(openapi_schema())["schema"]

    # when a blank key is sent
    response = api_client.post(
        "/api/v1/users",
        {"email": "blank-key@alpha.test"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="   ",
    )

    # then the server refuses it, and the schema already calls it invalid
    assert response.status_code == 400
    assert response.json()["errors"] == {"Idempotency-Key": [response.json()["detail"]]}
    assert documented["minLength"] == 1
    assert re.search(documented["pattern"], "   ") is None
    assert re.search(documented["pattern"], "") is None
    assert re.search(documented["pattern"], " retry-42 ") is not None


@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/v1/auth/token", "email"), ("/api/v1/auth/token/refresh", "refresh_token")],
)
def test_auth_throttle_cache_key_stays_short_when_the_account_is_huge(
    db, client, path: str, field: str
) -> None:
    # given a login attempt naming an account of 100,000 characters
    huge = "a" * 100_000 + "@alpha.test"

    # when it is throttled
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        response = client.post(path, {field: huge}, content_type="application/json")

    # then it is answered normally, without a cache key too long for a cache
    assert response.status_code in (400, 401)


def test_auth_throttle_buckets_by_a_digest_of_the_account() -> None:
    # given two views naming a huge account and a normal one
    huge, normal = "b" * 50_000, "lee@alpha.test"
    request = RequestFactory().post("/api/v1/auth/token")

    # when their buckets are computed
    buckets = [
        AuthRateThrottle().buckets(request, SimpleNamespace(throttle_account=lambda r, n=n: n))
        for n in (huge, normal, normal.upper().lower())
    ]

    # then keys are short, and one account keeps one bucket
    assert all(len(name) < 80 for pair in buckets for name, _ in pair)
    assert buckets[1] == buckets[2]
    assert buckets[0] != buckets[1]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unknown_api_path_is_a_json_404_for_writes_too(api_key, method: str) -> None:
    # given an API client that, like every integrator, sends no CSRF cookie
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {api_key[1]}")

    # when it writes to a path no route matches (a "." in an id, a typo)
    response = getattr(client, method)("/api/v1/webhooks/a.b/deliveries/c/replay/")

    # then it gets the JSON 404 envelope, not Django's HTML CSRF page
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "moment", ["0201-12-06T13:32:09-18:37", "1245-11-28T19:55:01.7+16:44", "0001-01-01T00:00Z"]
)
def test_updated_since_with_any_valid_offset_is_answered(api_client, moment: str) -> None:
    # given an ISO 8601 time whose offset PostgreSQL would refuse as it is

    # when a list is filtered with it
    response = api_client.get("/api/v1/users", {"updated_since": moment})

    # then it is compared in UTC instead of failing with a 500
    assert response.status_code == 200


def test_updated_since_offset_is_applied(api_client, learner) -> None:
    # given a user changed at a known moment
    changed = learner.updated_at.astimezone(UTC)
    later = (changed + timedelta(minutes=1)).astimezone(timezone(timedelta(hours=17)))

    # when filtering with a far-east offset just after that change, then just before it
    after = api_client.get("/api/v1/users", {"updated_since": later.isoformat()})
    earlier = (later - timedelta(minutes=2)).isoformat()
    before = api_client.get("/api/v1/users", {"updated_since": earlier})

    # then the offset is honoured
    assert after.json()["count"] == 0
    assert before.json()["count"] == 1


@pytest.mark.parametrize("moment", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"])
def test_updated_since_past_the_calendar_is_a_400(api_client, moment: str) -> None:
    # given a time that leaves the representable range once in UTC

    # when a list is filtered with it
    response = api_client.get("/api/v1/users", {"updated_since": moment})

    # then the parameter is named in a 400
    assert response.status_code == 400
    assert "updated_since" in response.json()["errors"]


@pytest.mark.parametrize("param", ["created_after", "created_before"])
def test_event_log_time_filters_accept_any_valid_offset(api_client, param: str) -> None:
    # given a time whose offset PostgreSQL would refuse as it is
    moment = "1319-10-22T04:11:00.78-22:52"

    # when the event log is filtered with it
    response = api_client.get("/api/v1/event-logs", {param: moment})

    # then it is compared in UTC instead of failing with a 500
    assert response.status_code == 200


def test_event_log_time_filter_past_the_calendar_is_a_400(api_client) -> None:
    # given a time past the last representable one once in UTC

    # when the event log is filtered with it
    response = api_client.get("/api/v1/event-logs", {"created_after": "9999-12-31T23:00-05:00"})

    # then the parameter is named in a 400
    assert response.status_code == 400
    assert "created_after" in response.json()["errors"]


def test_utc_date_time_field_keeps_the_instant() -> None:
    # given a time with a far-west offset
    field = UtcIsoDateTimeField()

    # when it is cleaned
    cleaned = field.clean("2026-01-31T01:00:00-20:00")

    # then it is the same instant, in UTC
    assert cleaned == datetime(2026, 1, 31, 21, 0, tzinfo=UTC)
    assert cleaned.utcoffset() == timedelta(0)


ISO_8601_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


@pytest.mark.parametrize("year", [1, 493, 999, 2026, 9999])
def test_api_times_are_iso_8601_for_every_year(year: int) -> None:
    # given a time in a year before 1000 (accepted on input, e.g. a typo in a start date)
    moment = datetime(year, 8, 18, 15, 43, 55, tzinfo=UTC)

    # when serializers and the shared helper write it
    drf = serializers.DateTimeField().to_representation(moment)
    helper = format_datetime(moment)

    # then both write a four-digit year, as ISO 8601 and the schema's date-time require
    assert drf == helper == f"{year:04d}-08-18T15:43:55.000000Z"
    assert ISO_8601_UTC.match(drf)


def test_access_code_max_uses_beyond_the_column_is_a_400(api_client, school) -> None:
    # given a pool of access codes
    pool = AccessCodePoolFactory(school=school)
    path = f"/api/v1/domains/{pool.domain.name}/access-code-pools/{pool.id}/access-codes"

    # when a code is created with a max_uses no database column holds
    response = api_client.post(path, {"max_uses": 2**53 + 1}, format="json")

    # then the field is named in a 400 (it was a PostgreSQL 500)
    assert response.status_code == 400
    assert "max_uses" in response.json()["errors"]


def _unbounded_integers(node: object, where: str) -> list[str]:
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in _unbounded_integers(item, f"{where}.{i}")]
    if not isinstance(node, dict):
        return []
    found = []
    if node.get("type") == "integer" and "maximum" not in node and not node.get("readOnly"):
        found.append(where)
    for key, value in node.items():
        found += _unbounded_integers(value, f"{where}.{key}")
    return found


def test_every_integer_a_request_body_takes_has_a_maximum() -> None:
    # given the request bodies the schema documents
    components = openapi_schema()["components"]["schemas"]

    # when their integer fields are read
    unbounded = [
        path
        for name, component in components.items()
        if name.endswith("Request")
        for path in _unbounded_integers(component, name)
    ]

    # then each has a maximum, so no input overflows a column (PostgreSQL answers 500)
    assert unbounded == []


def test_domain_users_filter_by_signup_field_id_ignores_case(api_client, school) -> None:
    # given a domain user who answered a signup field, and one who did not
    answer = SignupFieldValueFactory(school=school)
    DomainUserFactory(school=school, domain=answer.domain)
    path = f"/api/v1/domains/{answer.domain.name}/users"

    # when the domain's users are filtered by that field's id, in upper case
    response = api_client.get(path, {"signup_field_id": answer.field.id.upper()})

    # then only the one who answered is listed (it was a FieldError 500)
    assert response.status_code == 200
    assert [row["user"]["id"] for row in response.json()["results"]] == [answer.user.id]


@pytest.mark.parametrize(
    "since", ["0001-01-01T00:00:01+00:01", "9999-12-31T23:00:00-05:00", "2026-02-30T00:00:00Z"]
)
def test_webhook_replay_since_out_of_range_is_a_400(api_client, school, since: str) -> None:
    # given a webhook endpoint
    webhook = WebhookFactory(school=school)

    # when its failed deliveries are replayed since a time that is no real UTC instant
    response = api_client.post(f"/api/v1/webhooks/{webhook.id}/replay?since={quote(since)}")

    # then "since" is named in a 400 (the first two were an OverflowError 500)
    assert response.status_code == 400
    assert "since" in response.json()["errors"]


def test_webhook_replay_since_an_early_year_runs_the_job(
    api_client, school, django_capture_on_commit_callbacks
) -> None:
    # given a webhook endpoint
    webhook = WebhookFactory(school=school)

    # when its failed deliveries are replayed since a year before 1000, at a far offset
    since = quote("0493-08-18T15:43:55+18:30")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/webhooks/{webhook.id}/replay?since={since}")

    # then the replay job runs (the time it stored was "493-..." and could not be read back)
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == Job.Status.SUCCEEDED, job.error


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"metadata": {"a": "\\udc00"}}', "metadata.a"),
        ('{"metadata": {"\\ud800": 1}}', "metadata"),
        ('{"metadata": {"a": 18446744073709551616}}', "metadata.a"),
        ('{"metadata": {"a": [-9223372036854775809]}}', "metadata.a.0"),
        ('{"metadata": {"a": 1e400}}', "metadata.a"),
        ('{"metadata": {"a": 1.5e300}}', "metadata.a"),
    ],
)
def test_json_the_api_could_not_store_or_write_back_is_a_400(
    api_client, learner, body: str, field: str
) -> None:
    # given a user, and a body PostgreSQL's jsonb refuses or no JSON encoder writes back
    path = f"/api/v1/users/{learner.user_id}"

    # when it is sent
    response = api_client.generic("PATCH", path, body, content_type="application/json")

    # then the field is named in a 400, and the user can still be read
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert api_client.get(path).status_code == 200


def test_paired_surrogates_and_64_bit_numbers_are_accepted(api_client, learner) -> None:
    # given metadata with an emoji sent as an escaped pair and the 64-bit extremes
    body = '{"metadata": {"mood": "\\ud83d\\ude00", "lo": -9223372036854775808, "hi": 1.5e18}}'

    # when it is sent
    path = f"/api/v1/users/{learner.user_id}"
    response = api_client.generic("PATCH", path, body, content_type="application/json")

    # then it is stored and read back as sent
    assert response.status_code == 200
    assert api_client.get(path).json()["metadata"]["mood"] == "\U0001f600"


def test_renderer_writes_stored_json_that_orjson_refuses() -> None:
    # given data as it may come back from the database (written through the admin)
    data = {"id": "usr_1", "metadata": {"big": 2**70, "odd": "\udc00", "ok": "é"}}

    # when the API renders it
    body = JSONRenderer().render(data)

    # then it is valid JSON holding the same values, not an encoding error (a 500)
    assert json.loads(body) == data


def _one_of_branches(node, path: str):
    if isinstance(node, dict):
        if "oneOf" in node:
            yield path, node["oneOf"]
        for key, value in node.items():
            yield from _one_of_branches(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _one_of_branches(value, f"{path}[{index}]")


def test_a_blank_string_matches_one_branch_of_every_one_of() -> None:
    # given every oneOf the schema writes (a blank-allowed string with a pattern or format
    # gets one: the constrained string, or the empty string)
    schema = openapi_schema()["components"]["schemas"]

    # when the empty string is tried against each branch of the string ones
    ambiguous = [
        path
        for path, branches in _one_of_branches(schema, "components")
        if all(branch.get("type") == "string" for branch in branches)
        and sum(
            re.search(branch.get("pattern", ""), "") is not None
            and branch.get("minLength", 0) == 0
            and "format" not in branch
            for branch in branches
        )
        > 1
    ]

    # then it matches exactly one: a blank first_name was schema-invalid yet accepted
    assert ambiguous == []


def test_schema_passes_drf_spectacular_validation(tmp_path) -> None:
    """``spectacular --validate`` checks the schema against the OpenAPI 3.0 meta-schema.

    The domain user's null-only ``access_code`` once came out of the enum post-processing
    hook as ``AccessCodeEnum: {enum: []}``, which the meta-schema refuses (minItems 1).
    """
    # given the schema file the command writes
    target = tmp_path / "schema.yaml"

    # when it is generated and validated (a SchemaValidationError fails the test)
    call_command("spectacular", "--validate", "--file", str(target))

    # then the null-only field is drf-spectacular's NullEnum, with no empty enum anywhere
    schema = yaml.safe_load(target.read_text())
    access_code = schema["components"]["schemas"]["DomainUserUpdateRequest"]["properties"][
        "access_code"
    ]
    assert access_code["allOf"] == [{"$ref": "#/components/schemas/NullEnum"}]
    assert schema["components"]["schemas"]["NullEnum"] == {"enum": [None]}
    assert "enum: []" not in target.read_text()
