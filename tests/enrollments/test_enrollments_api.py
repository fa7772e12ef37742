"""Enrollments in published courses and paths (Skilljar's shapes and idempotency)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.models import Event
from apps.enrollments.models import Enrollment, LessonProgress, PathEnrollment
from apps.schools.models import DomainUser
from apps.schools.services.people import member_suspend
from tests.factories import (
    DomainFactory,
    LessonFactory,
    MemberFactory,
    PathItemFactory,
    PublishedCourseFactory,
    PublishedPathFactory,
)

pytestmark = pytest.mark.django_db

SEED_KEYS = {"id", "user", "enrolled_at", "expires_at", "active", "purchase"}


@pytest.fixture
def domain(school):
    return DomainFactory(school=school, name="learn.example.com")


@pytest.fixture
def published(school, domain):
    published = PublishedCourseFactory(school=school, domain=domain)
    LessonFactory(school=school, course=published.course, type="SECTION")
    LessonFactory(school=school, course=published.course, type="HTML")
    LessonFactory(school=school, course=published.course, type="VIDEO")
    return published


def _url(published) -> str:
    return f"/api/v1/domains/{published.domain.name}/published-courses/{published.id}/enrollments"


def test_enroll_answers_the_seed_shape_and_grants_domain_and_progress(
    api_client, school, published, learner
):
    body = {
        "user": {"id": learner.user_id},
        "enrolled_at": "2018-03-12T10:12:45Z",
        "expires_at": "2030-05-12T10:12:45Z",
        "active": True,
        "purchase": {
            "purchase_state": "SUCCESS",
            "purchase_price": {"amount": "5.00", "currency_code": "USD"},
            "purchased_at": "2018-02-12T10:12:45Z",
            "tax_price_cents": 100,
        },
    }
    response = api_client.post(_url(published), body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert SEED_KEYS <= set(data)
    assert data["user"] == {
        "id": learner.user_id,
        "email": "learner@alpha.test",
        "first_name": "Lee",
        "last_name": "Learner",
    }
    assert data["enrolled_at"] == "2018-03-12T10:12:45.000000Z"
    assert data["purchase"] == {
        "order_id": "",
        "offer_price": None,
        "purchase_price": {"amount": "5.00", "currency_code": "USD"},
        "quantity": 1,
        "purchase_state": "SUCCESS",
        "payment_processor": "",
        "purchase_id": "",
        "purchased_at": "2018-02-12T10:12:45.000000Z",
        "tax_price_cents": 100,
    }
    enrollment = Enrollment.objects.get(pk=data["id"])
    assert enrollment.purchase_price_cents == 500
    assert DomainUser.objects.filter(domain=published.domain, member=learner).exists()
    # Every lesson but the section heading has a progress row with a token.
    rows = LessonProgress.objects.filter(user=learner.user, course=published.course)
    assert rows.count() == 2
    assert all(row.token for row in rows)
    assert Event.objects.filter(type="enrollment.created").count() == 1


def test_enrolling_leaves_an_existing_access_record_as_it_is(
    api_client, school, published, learner
):
    # given: the learner's access to the domain was switched off by staff
    record = DomainUser.objects.create(
        school=school,
        domain=published.domain,
        member=learner,
        user_id=learner.user_id,
        active=False,
    )
    # when
    response = api_client.post(_url(published), {"user": {"id": learner.user_id}}, format="json")
    # then: enrolled, and the record is neither duplicated nor switched back on
    assert response.status_code == 201, response.json()
    assert list(DomainUser.objects.filter(domain=published.domain, member=learner)) == [record]
    record.refresh_from_db()
    assert record.active is False
    assert not Event.objects.filter(type="domain.enrollment.created").exists()


def test_same_user_and_enrolled_at_answer_the_existing_enrollment(api_client, published, learner):
    first = api_client.post(
        _url(published),
        {"user": {"id": learner.user_id}, "enrolled_at": "2018-03-12T10:12:45Z"},
        format="json",
    )
    # The same instant spelt with an offset and explicit microseconds is the same enrollment.
    again = api_client.post(
        _url(published),
        {"user": {"id": learner.user_id}, "enrolled_at": "2018-03-12T12:12:45.000000+02:00"},
        format="json",
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    later = api_client.post(
        _url(published),
        {"user": {"id": learner.user_id}, "enrolled_at": "2018-03-12T10:12:46Z"},
        format="json",
    )
    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]
    # No enrolled_at means now: a new enrollment each time.
    now1 = api_client.post(_url(published), {"user": {"id": learner.user_id}}, format="json")
    now2 = api_client.post(_url(published), {"user": {"id": learner.user_id}}, format="json")
    assert now1.json()["id"] != now2.json()["id"]
    assert Enrollment.objects.filter(user=learner.user).count() == 4
    assert Event.objects.filter(type="enrollment.created").count() == 4


def test_update_changes_only_expiry_and_active(api_client, published, learner):
    created = api_client.post(
        _url(published), {"user": {"id": learner.user_id}}, format="json"
    ).json()
    url = f"{_url(published)}/{created['id']}"
    response = api_client.patch(url, {"active": False}, format="json")
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert Event.objects.filter(type="enrollment.updated").count() == 1
    # What was read may be sent back: read-only keys are accepted and ignored.
    ignored = api_client.patch(url, {"enrolled_at": "2020-01-01T00:00:00Z"}, format="json")
    assert ignored.status_code == 200
    assert ignored.json()["enrolled_at"] == created["enrolled_at"]
    refused = api_client.patch(url, {"enroled_at": "2020-01-01T00:00:00Z"}, format="json")
    assert refused.status_code == 400
    assert "enroled_at" in refused.json()["errors"]
    unchanged = api_client.put(url, {"active": False}, format="json")
    assert unchanged.status_code == 200
    assert Event.objects.filter(type="enrollment.updated").count() == 1


def test_another_schools_user_is_refused_and_nothing_is_written(
    api_client, other_school, published
):
    stranger = MemberFactory(school=other_school)
    response = api_client.post(_url(published), {"user": {"id": stranger.user_id}}, format="json")
    assert response.status_code == 400
    assert "user.id" in response.json()["errors"]
    assert not Enrollment.objects.exists()


def test_a_suspended_member_cannot_be_enrolled(api_client, published, learner):
    member_suspend(member=learner)
    response = api_client.post(_url(published), {"user": {"id": learner.user_id}}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "user_suspended"


def test_registration_window_is_enforced(api_client, published, learner):
    published.registration_ends_at = timezone.now() - timedelta(days=1)
    published.registration_starts_at = timezone.now() - timedelta(days=10)
    published.save()
    response = api_client.post(_url(published), {"user": {"id": learner.user_id}}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "registration_closed"
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    ("purchase", "field"),
    [
        (
            {
                "purchase_state": "SUCCESS",
                "purchase_price": {"amount": "5.001", "currency_code": "USD"},
            },
            "purchase.purchase_price.amount",
        ),
        (
            {"purchase_state": "SUCCESS", "purchase_price": {"amount": 5, "currency_code": "USD"}},
            "purchase.purchase_price.amount",
        ),
        ({"purchase_state": "PAID"}, "purchase.purchase_state"),
        (
            {
                "purchase_state": "SUCCESS",
                "offer_price": {"amount": "5.00", "currency_code": "EUR"},
                "purchase_price": {"amount": "5.00", "currency_code": "USD"},
            },
            "purchase.purchase_price",
        ),
    ],
)
def test_bad_purchase_blocks_name_the_field(api_client, published, learner, purchase, field):
    response = api_client.post(
        _url(published), {"user": {"id": learner.user_id}, "purchase": purchase}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Enrollment.objects.exists()


def test_expiry_before_enrollment_is_refused(api_client, published, learner):
    response = api_client.post(
        _url(published),
        {
            "user": {"id": learner.user_id},
            "enrolled_at": "2020-01-02T00:00:00Z",
            "expires_at": "2020-01-01T00:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "expires_before_enrolled"


def test_a_learner_token_lists_only_its_own_enrollments_and_cannot_enroll(
    api_client, user_client, school, published, learner
):
    other = MemberFactory(school=school)
    for member in (learner, other):
        api_client.post(_url(published), {"user": {"id": member.user_id}}, format="json")
    listed = user_client.get(_url(published))
    assert listed.status_code == 200
    assert [row["user"]["id"] for row in listed.json()["results"]] == [learner.user_id]
    refused = user_client.post(_url(published), {"user": {"id": learner.user_id}}, format="json")
    assert refused.status_code == 403


def test_unknown_publication_is_404(api_client, domain, learner):
    response = api_client.post(
        f"/api/v1/domains/{domain.name}/published-courses/pcr_missing/enrollments",
        {"user": {"id": learner.user_id}},
        format="json",
    )
    assert response.status_code == 404


# --- paths ---------------------------------------------------------------------------------


def test_path_enrollment_enrolls_in_each_course_and_follows_updates(
    api_client, school, domain, learner
):
    published_path = PublishedPathFactory(school=school, domain=domain)
    first = PathItemFactory(school=school, path=published_path.path)
    second = PathItemFactory(school=school, path=published_path.path)
    on_domain = PublishedCourseFactory(school=school, domain=domain, course=first.course)
    url = (
        f"/api/v1/domains/{domain.name}/published-paths/{published_path.id}"
        "/published-path-enrollments"
    )
    response = api_client.post(
        url, {"user": {"id": learner.user_id}, "enrolled_at": "2025-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 201, response.json()
    path_enrollment = PathEnrollment.objects.get(pk=response.json()["id"])
    granted = {e.course_id: e for e in path_enrollment.course_enrollments.all()}
    assert set(granted) == {first.course_id, second.course_id}
    assert granted[first.course_id].published_course == on_domain
    assert granted[second.course_id].published_course is None
    assert Event.objects.filter(type="path.enrollment.created").count() == 1
    assert Event.objects.filter(type="enrollment.created").count() == 2
    again = api_client.post(
        url, {"user": {"id": learner.user_id}, "enrolled_at": "2025-01-01T00:00:00Z"}, format="json"
    )
    assert again.status_code == 200
    assert Enrollment.objects.count() == 2

    expires = "2031-01-01T00:00:00Z"
    patched = api_client.patch(
        f"{url}/{path_enrollment.id}", {"expires_at": expires}, format="json"
    )
    assert patched.status_code == 200
    assert {e.expires_at.year for e in path_enrollment.course_enrollments.all()} == {2031}
    assert Event.objects.filter(type="enrollment.updated").count() == 2


def test_a_course_in_two_paths_is_granted_once_in_this_paths_order(
    api_client, school, domain, learner
):
    # given: a course first in another path and second in this one
    shared = PathItemFactory(school=school).course
    published_path = PublishedPathFactory(school=school, domain=domain)
    first = PathItemFactory(school=school, path=published_path.path)
    PathItemFactory(school=school, path=published_path.path, course=shared)
    PathItemFactory(school=school, course=shared)  # a third path holding it too
    url = (
        f"/api/v1/domains/{domain.name}/published-paths/{published_path.id}"
        "/published-path-enrollments"
    )

    # when
    response = api_client.post(url, {"user": {"id": learner.user_id}}, format="json")

    # then
    assert response.status_code == 201
    granted = Enrollment.objects.filter(path_enrollment_id=response.json()["id"]).order_by("id")
    assert [e.course_id for e in granted] == [first.course_id, shared.id]


@pytest.mark.parametrize("lessons", [2, 12])
def test_enroll_takes_the_same_few_queries_however_many_lessons(
    api_client, school, domain, learner, lessons
):
    # given a published course of 2 or 12 lessons and a section heading
    published = PublishedCourseFactory(school=school, domain=domain)
    LessonFactory(school=school, course=published.course, type="SECTION")
    for _ in range(lessons):
        LessonFactory(school=school, course=published.course, type="HTML")

    # when a new member is enrolled (domain access, progress rows and tokens, two events)
    with CaptureQueriesContext(connection) as queries:
        response = api_client.post(
            _url(published), {"user": {"id": learner.user_id}}, format="json"
        )

    # then the statements are the same few, in bulk, whatever the number of lessons (on
    # PostgreSQL the enrollment and its event are one statement)
    assert response.status_code == 201, response.json()
    expected = 16 if connection.vendor == "postgresql" else 17
    assert len(queries.captured_queries) == expected, "\n".join(
        query["sql"][:120] for query in queries.captured_queries
    )
    assert LessonProgress.objects.filter(user_id=learner.user_id).count() == lessons


def test_a_known_persons_new_enrollment_reads_what_they_lack_in_one_statement(
    api_client, school, domain, learner
):
    # given a person enrolled once: access to the domain and progress rows exist
    published = PublishedCourseFactory(school=school, domain=domain)
    for _ in range(3):
        LessonFactory(school=school, course=published.course, type="HTML")
    first = api_client.post(_url(published), {"user": {"id": learner.user_id}}, format="json")
    assert first.status_code == 201, first.json()

    # when they are enrolled again (a new enrollment: no enrolled_at)
    with CaptureQueriesContext(connection) as queries:
        response = api_client.post(
            _url(published), {"user": {"id": learner.user_id}}, format="json"
        )

    # then: one read of what is missing (nothing), the enrollment and the event; no savepoint
    assert response.status_code == 201, response.json()
    statements = [query["sql"] for query in queries.captured_queries]
    reads_of_missing = [sql for sql in statements if "schools_domainuser" in sql]
    assert len(reads_of_missing) == 1
    assert "enrollments_courseprogress" in reads_of_missing[0]
    # The service's one transaction (a savepoint inside the test's): none for the insert
    assert len([sql for sql in statements if sql.startswith("SAVEPOINT")]) == 1
    writes = [sql for sql in statements if sql.startswith(("INSERT", "WITH"))]
    if connection.vendor == "postgresql":
        # the enrollment, and its event only when it was inserted: one statement
        assert len(writes) == 1, "\n".join(statements)
        assert writes[0].startswith('WITH taken AS (INSERT INTO "enrollments_enrollment"')
        assert 'INSERT INTO "core_event"' in writes[0]
    else:
        inserts = sorted(sql.split()[2] for sql in writes)
        assert inserts == ['"core_event"', '"enrollments_enrollment"'], "\n".join(statements)
