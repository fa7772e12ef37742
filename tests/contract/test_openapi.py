"""The API is what its OpenAPI schema says: schemathesis fuzzes every operation.

The schema comes from the running app (drf-spectacular at /api/schema/, in-process over
WSGI), so every operation another app adds is fuzzed from the day it lands; nothing here
lists operations. Detail routes draw their ids from real rows (the school's own and another
school's) as well as random ones. Every operation is fuzzed twice: with an all-scopes API
key of a seeded school, and as a learner of that school with a user JWT, to whom the
key-only and staff-only operations answer their documented 403 and personal resources show
only the learner's own rows.

Operations that cannot be fuzzed: none. Every operation of the schema runs; one that truly
cannot must be listed here with the reason, and only then filtered out below. Never exclude
an operation to get a green run: fix the code or its schema annotations instead.
"""

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi import checks as builtin_checks

from apps.schools.tokens import tokens_issue
from tests.contract.seed import (
    ContractWorld,
    KnownRows,
    real_paths,
    rolled_back,
    seed_contract_data,
)

pytestmark = pytest.mark.contract

# The fuzzing budget: about FUZZ_BUDGET generated requests spread over all operations
# (10 to 100 each), so the suite takes minutes however many endpoints land. Coverage-phase
# cases (boundaries, missing fields, wrong types) come on top. Raise either to dig deeper:
# LYCEUM_CONTRACT_EXAMPLES=500 pins the examples per operation.
FUZZ_BUDGET = int(os.environ.get("LYCEUM_CONTRACT_BUDGET", "2500"))
STATEFUL_EXAMPLES = int(os.environ.get("LYCEUM_CONTRACT_STATEFUL_EXAMPLES", "40"))
# The learner's run: most operations refuse a user token at once (403), so a smaller budget
# covers the ones it may call as deeply.
USER_FUZZ_BUDGET = int(os.environ.get("LYCEUM_CONTRACT_USER_BUDGET", "1000"))
# Generation is reproducible by default so CI answers the same for the same code;
# LYCEUM_CONTRACT_SEED=random explores new inputs on every run.
SEED = os.environ.get("LYCEUM_CONTRACT_SEED", "20261123")
# A generous per-example deadline: catches a hung request without flaking on a busy machine.
DEADLINE_MS = 10_000
HTTP_METHODS = {"get", "put", "post", "patch", "delete"}

CONFIG_DATA = {
    **({} if SEED == "random" else {"seed": int(SEED)}),
    # Valid and invalid input alike: whatever is sent, the answer must be documented.
    "generation": {"mode": "all", "with-security-parameters": False},
    # Every built-in check runs (not_a_server_error, status_code_conformance,
    # content_type_conformance, response_schema_conformance, response_headers_conformance,
    # ignored_auth, use_after_free, ensure_resource_availability, missing_required_header,
    # unsupported_method, negative_data_rejection, ...). positive_data_acceptance runs
    # as ``positive_data_accepted`` below, which adds the documented exceptions.
    "checks": {
        "positive_data_acceptance": {"enabled": False},
        # Invalid input is refused with one of these: 413 is the 1 MiB body limit.
        "negative_data_rejection": {
            "expected-statuses": [
                "400",
                "401",
                "403",
                "404",
                "405",
                "406",
                "409",
                "413",
                "415",
                "422",
                "428",
                "429",
            ]
        },
    },
}
CONFIG = schemathesis.Config.from_dict(CONFIG_DATA)
# Scenarios of linked calls feed each answer into the next request, so their steps are valid
# requests (schemathesis' negative mode in a chain marks valid steps as "invalid data
# accepted"); invalid input of every operation is covered by the two runs above.
STATEFUL_CONFIG = schemathesis.Config.from_dict(
    {**CONFIG_DATA, "generation": {**CONFIG_DATA["generation"], "mode": "positive"}}
)
APP = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/schema/", APP, config=CONFIG)
# The same schema again, for the run as a learner (each schema holds its own auth).
user_schema = schemathesis.openapi.from_wsgi("/api/schema/", APP, config=CONFIG)
stateful_schema = schemathesis.openapi.from_wsgi("/api/schema/", APP, config=STATEFUL_CONFIG)
OPERATIONS = sum(
    1 for item in schema.raw_schema["paths"].values() for method in item if method in HTTP_METHODS
)
MAX_EXAMPLES = int(
    os.environ.get("LYCEUM_CONTRACT_EXAMPLES") or max(10, min(100, FUZZ_BUDGET // OPERATIONS))
)
USER_MAX_EXAMPLES = int(
    os.environ.get("LYCEUM_CONTRACT_EXAMPLES") or max(10, min(100, USER_FUZZ_BUDGET // OPERATIONS))
)

# Rows of both schools, filled by the ``contract_world`` fixture; read when hypothesis
# draws path parameters and when responses are checked for the other school's data.
KNOWN = KnownRows()
# The seeded school's API key secret and its learner's access token (and the ids of the
# school's other people, which that token must never see), set by ``contract_world``.
CURRENT_SECRET: dict[str, str] = {}
OTHER_PEOPLE: set[str] = set()
# The schools seeded so far in this run: one per module, however many operations there are.
SEEDS_MADE: list[str] = []


@stateful_schema.hook
@user_schema.hook
@schema.hook
def flatmap_path_parameters(context, path_parameters: dict | None) -> st.SearchStrategy:
    """Often address a seeded row (this school's or the other's) instead of random ids."""
    real = KNOWN.params_by_path.get(context.operation.path)
    if not path_parameters or not real:
        return st.just(path_parameters)
    return st.one_of(
        st.sampled_from(real).map(lambda values: {**path_parameters, **values}),
        st.just(path_parameters),
    )


# Rules no schema can state: schema-valid input these refuse with 400 and this code is
# still a right answer. Each says why; everything else a schema can say, it says.
DOCUMENTED_EXCEPTIONS = {
    "does_not_exist": "a body id (user_id, group_category_id, a signup field or option id, "
    "an access-code pool id) must name an existing row of the caller's school; a schema "
    "states an id's form, not that the row exists",
    "login_token_invalid": "a login token must be one Lyceum issued, unspent and unexpired",
    "cursor_invalid": "a list's cursor must be one Lyceum signed (from a next link) for that "
    "list and ordering, and comes without page (a not-both rule OpenAPI 3.0 cannot state)",
    "unsafe_target_url": "whether a URL's host resolves to a public address is known only "
    "when it is resolved",
    # Rules between two fields: OpenAPI 3.0 (what drf-spectacular writes) has no
    # dependentRequired or not-both; the field descriptions say them.
    "incomplete_basic_auth": "basic_auth_password needs basic_auth_username",
    "conflicting_event_filters": "events and event_type, if both given, must agree",
    "conflicting_enforce_flags": "sign_up_field_rule's enforce and enforced, if both given, "
    "must agree",
    "invalid_window": "an access-code pool's end_date must be after its start_date",
    "drip_schedule_conflict": "a drip schedule is drip_days_after_enrollment or "
    "drip_release_at, not both",
    "content_does_not_match_type": "a lesson's or content item's content reference must fit "
    "its type (content_quiz_id for QUIZ, …)",
    "instructor_email_invalid": "an ILT session's instructor_email is one RFC 5322 address, "
    "bare or as 'Name <address>' (no pattern states an address with an optional name)",
    "ilt_session_parent_invalid": "an ILT session has exactly one of lesson and "
    "multi_session_event",
    "lesson_not_live_training": "a lesson id given for live training must name a "
    "LIVE_TRAINING lesson; the schema states an id's form, not its row's type",
    "not_for_multi_session_child": "seats_total and tags are not set on a session of a "
    "multi-session event (seats live on the event)",
    "calendar_provider_only": "location, event_link and a named instructor_email are only "
    "for calendar sessions",
    "session_ends_before_start": "an ILT session's ends_at must be after its starts_at",
    "expires_before_enrolled": "an enrollment's expires_at must be after its enrolled_at "
    "(stored, on an update)",
    "user_not_in_school": "the user enrolled must be an active account of the caller's "
    "school; the schema states an id's form, not that the person exists",
    "score_above_max_score": "a lesson progress's score may not exceed its max_score, the "
    "one sent or the one stored",
    "lesson_not_in_course": "a learning activity (lesson_id) given to complete or reset must "
    "be a lesson of the course in the path",
    # A position among rows the request does not carry: 1 to n + 1 when adding, 1 to n
    # when moving, where n is how many rows the course or lesson has now.
    "order_out_of_range": "an order must be a position among the parent's rows",
    "question_parent_invalid": "a question belongs to exactly one of quiz and "
    "quiz_question_bank (one of two)",
    "answers_invalid": "a question's answers follow its type (exactly one correct for "
    "MULTIPLE_CHOICE, none for FREEFORM, distinct texts)",
    "case_sensitive_fill_in_only": "case_sensitive is for FILL_IN_THE_BLANK questions only",
    "invalid_timezone": "a time zone must be a name of the IANA database (some 600 names, "
    "more than a schema should enumerate)",
    "registration_window_invalid": "a published course's registration_ends_at must be after "
    "its registration_starts_at",
    "asset_source_required": "an asset needs content_url or asset.embed_link_url (one of two)",
    "content_url_refused": "a content_url the fetcher refuses by this server's settings (http "
    "when disabled) or by a form the pattern allows (a non-ASCII path to percent-encode)",
    # Free-form JSON objects (metadata) hold any value, but PostgreSQL can store no NUL in a
    # string and no integer past 64 bits, at any depth. Named fields say it in the schema.
    "null_characters_not_allowed": "no NUL in any string inside a free-form JSON object",
    "number_out_of_range": "no integer past 64 bits inside a free-form JSON object",
    # Quiz attempts: which lesson, which person and which questions depend on rows.
    "lesson_not_for_quiz": "a lesson_id given to start an attempt must name a QUIZ lesson "
    "showing that quiz; the schema states an id's form, not its row",
    "lesson_required": "lesson_id is needed when several lessons show the quiz",
    # Assignments: what a file is, is known from its bytes; one of two fields.
    "submission_empty": "an assignment submission holds text, a file or both (one of two), "
    "and a file is not empty",
    "file_type_refused": "a submitted file's type is judged from its bytes (PDF, images, "
    "plain text, zip), which no schema states",
    "due_date_assignment_only": "due_at and allow_late_submissions are for ASSIGNMENT lessons only",
    "grade_required": "a score or feedback grades a submission only with its grade (a rule "
    "between fields)",
    "user_required": "an API key names the person taking a quiz (user_id); a user token "
    "takes it for itself (which credential is calling, no schema states)",
    "question_not_in_attempt": "answers name questions the attempt gave, which it chose at "
    "random when it started",
    "quiz_response_incorrect": "a quiz with require_correct_response takes a submission "
    "only when every automatically graded answer is right",
    "answer_not_manually_graded": "points are set only on answers waiting for a person "
    "(free-form or manually graded questions)",
    "sync_item_kind_invalid": "an offline sync item is a lesson progress write "
    "(lesson_progress_id and its fields) or a quiz attempt (quiz_attempt), exactly one of "
    "them (a not-both rule between fields, which the item's description states)",
    # Money and offers (commerce).
    "invalid_amount": "an amount has at most its currency's number of decimals (ISO 4217: "
    "2 for USD, 0 for JPY, 3 for KWD), which a pattern on the amount alone cannot state, "
    "and at most 10^15 minor units",
    "invalid_currency": "a currency_code must be an ISO 4217 code in use (some 180 codes, "
    "more than a schema should enumerate in every money field)",
    "offer_target_required": "an offer has exactly one of published_course_id, "
    "published_path_id and bundle_id (one of three)",
    "offer_target_fixed": "an update may name only the offer's own target again",
    "price_required": "an offer's price is price, or price_cents with currency_code (one "
    "of two forms, which OpenAPI 3.0 cannot make required)",
    "price_ambiguous": "price and price_cents with currency_code, if both given, must agree",
    "promo_discount_invalid": "a PERCENT_OFF pool takes percent_off, a PRICE_OVERRIDE pool "
    "price_cents and currency_code, and not the other type's (a rule between fields)",
    "promo_window_invalid": "a pool's expires_at comes after its starts_at",
    "promo_discount_fixed": "an update may only repeat a pool's discount, never change it",
    "promo_code_invalid": "a code keeps its pool; an update may only name the same pool",
    "promo_bulk_invalid": "a bulk generation's length must give at least ten times count "
    "possible codes (a rule between fields)",
    # An Idempotency-Key names one request: the fuzzer draws keys at random, and one drawn
    # twice for two requests is refused (422), as it must be.
    "idempotency_key_path_mismatch": "an Idempotency-Key reused on another path",
    "idempotency_key_reused": "an Idempotency-Key reused with another body",
    "student_groups_required": "a training credit code needs student_groups unless "
    "available_to_all_students (a field required by another's value)",
    "offers_required": "a training credit code needs offers unless available_for_all_offers",
    "seat_target_unsupported": "a seat offering's offer must sell a published course or "
    "path; the schema states an id's form, not its row's target",
}


@schemathesis.check
def positive_data_accepted(ctx, response, case) -> bool | None:
    """Schema-valid input is accepted (schemathesis' positive_data_acceptance), except where
    it breaks a rule listed in DOCUMENTED_EXCEPTIONS, answered as 400 (422 for reused
    Idempotency-Keys) with that code."""
    try:
        return builtin_checks.positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code in (400, 422) and _code(response) in DOCUMENTED_EXCEPTIONS:
            return None
        raise


def _code(response) -> str | None:
    try:
        return response.json().get("code")
    except ValueError:
        return None


@schemathesis.check
def no_other_school_data(ctx, response, case) -> bool | None:
    """Tenancy: an answer never carries an id only the other school can see."""
    sent = f"{case.formatted_path}?{case.query}{case.body!r}"
    leaked = [i for i in KNOWN.foreign_ids if i in response.text and i not in sent]
    if leaked:
        raise AssertionError(f"The answer carries the other school's ids: {sorted(leaked)}")
    return None


@schemathesis.check
def no_other_peoples_data_to_a_learner(ctx, response, case) -> bool | None:
    """A learner's token sees only its own person: no other user id of its school."""
    token = CURRENT_SECRET.get("user_token")
    if not token or (case.headers or {}).get("Authorization") != f"Bearer {token}":
        return None
    sent = f"{case.formatted_path}?{case.query}{case.body!r}"
    leaked = [i for i in OTHER_PEOPLE if i in response.text and i not in sent]
    if leaked:
        raise AssertionError(f"A learner's answer carries other people's ids: {sorted(leaked)}")
    return None


class _Bearer:
    """Sends ``Authorization: Bearer <CURRENT_SECRET[key]>`` (auth checks strip it)."""

    key = ""

    def get(self, case, context) -> str | None:
        return CURRENT_SECRET.get(self.key)

    def set(self, case, data: str | None, context) -> None:
        if data:
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {data}"


@stateful_schema.auth(refresh_interval=None)
@schema.auth(refresh_interval=None)
class SchoolApiKey(_Bearer):
    """Every request carries the seeded school's all-scopes key."""

    key = "secret"


@user_schema.auth(refresh_interval=None)
class LearnerToken(_Bearer):
    """Every request carries the learner's user access token (a JWT)."""

    key = "user_token"


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Keep the test's database connection open across in-process WSGI calls."""
    # The real handler's end-of-request hook closes a connection that is inside a
    # transaction (the test's); Django's test client unhooks it the same way. Without
    # this every call after the first fails on PostgreSQL.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(scope="module")
def seeded_world(django_db_setup, django_db_blocker) -> Iterator[tuple[ContractWorld, KnownRows]]:
    """The seed, made once for the module inside a transaction rolled back at its end.

    Seeding (two schools, their people and a row of every model the API serves) and finding
    the rows' paths take seconds; done per operation they were most of the gate's time.
    Each test still runs in its own savepoint inside this transaction (pytest-django's
    ``db``), and each example in one of its own, so every example starts from this seed,
    as Django's ``TestCase.setUpTestData`` does for a class.
    """
    with django_db_blocker.unblock():
        atomics = {}
        for alias in connections:
            atomics[alias] = transaction.atomic(using=alias)
            # Like TestCase's class-level block: a durable block inside a test stays legal.
            atomics[alias]._from_testcase = True
            atomics[alias].__enter__()
        try:
            world = seed_contract_data()
            SEEDS_MADE.append(world.school.pk)
            yield world, real_paths(schema.raw_schema, world)
        finally:
            for alias, atomic in reversed(atomics.items()):
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


@pytest.fixture
def contract_world(
    seeded_world: tuple[ContractWorld, KnownRows], db, settings, keep_test_connection
) -> Iterator[ContractWorld]:
    """Seeded schools, rate limits out of the way, and the ids of their rows."""
    world, known = seeded_world
    settings.LYCEUM_RATE_LIMITS = {key: 10**9 for key in settings.LYCEUM_RATE_LIMITS}
    KNOWN.params_by_path, KNOWN.foreign_ids = known.params_by_path, known.foreign_ids
    CURRENT_SECRET["secret"] = world.secret
    # A fresh access token per test: the seed outlives the token's 15-minute lifetime.
    CURRENT_SECRET["user_token"] = tokens_issue(member=world.learner).access_token
    OTHER_PEOPLE.update(world.other_people_ids())
    yield world
    KNOWN.params_by_path, KNOWN.foreign_ids = {}, set()
    CURRENT_SECRET.clear()
    OTHER_PEOPLE.clear()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=DEADLINE_MS,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_conforms_to_the_schema(case, contract_world: ContractWorld) -> None:
    """Every response has a documented status, content type, headers and body; no 5xx."""
    with rolled_back():
        case.call_and_validate()


@user_schema.parametrize()
@settings(
    max_examples=USER_MAX_EXAMPLES,
    deadline=DEADLINE_MS,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_conforms_to_the_schema_as_a_learner(
    case, contract_world: ContractWorld
) -> None:
    """With a learner's user JWT too: staff-only operations answer their documented 403."""
    with rolled_back():
        case.call_and_validate()


def test_linked_operations_conform_to_the_schema(contract_world: ContractWorld) -> None:
    """Sequences of calls that feed one response into the next request also conform."""

    class Workflow(stateful_schema.as_state_machine()):
        """Each scenario starts from the seeded rows, so a replayed scenario sees the same."""

        def setup(self) -> None:
            self._savepoint = transaction.savepoint()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self._savepoint)

    Workflow.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=8,
            deadline=DEADLINE_MS,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=SEED != "random",
        )
    )


def test_one_seed_serves_every_operation(contract_world: ContractWorld) -> None:
    """Runs last: the hundreds of tests above shared one seed instead of making their own."""
    assert SEEDS_MADE == [contract_world.school.pk]
