"""Inserting a row unless its unique key is taken: one statement, no savepoint, only the
named constraint forgiven, and an event written only with its row."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.core.event_types import UnregisteredEventType
from apps.core.events import pending
from apps.core.inserts import insert_unless_taken
from apps.core.models import Event
from apps.enrollments.models import Enrollment
from tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


def _twin(of: Enrollment, **changes) -> Enrollment:
    """A new, unsaved enrollment with ``of``'s key (publication, person, moment)."""
    fields = {
        "school_id": of.school_id,
        "user_id": of.user_id,
        "course_id": of.course_id,
        "published_course_id": of.published_course_id,
        "enrolled_at": of.enrolled_at,
    }
    return Enrollment(**{**fields, **changes})


def test_a_free_key_is_inserted_in_one_statement_and_the_row_is_saved():
    # given an enrollment, and a new one of the same person a moment later
    first = EnrollmentFactory()
    later = _twin(first, enrolled_at=first.enrolled_at.replace(microsecond=1))

    # when
    with CaptureQueriesContext(connection) as queries:
        inserted = insert_unless_taken(later, "enr_enrollment_once")

    # then: one INSERT, no savepoint; the row is stored and marked saved, timestamps set
    assert inserted is True
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    assert later._state.adding is False
    assert later.created_at is not None
    stored = Enrollment.objects.get(pk=later.pk)
    assert (stored.enrolled_at, stored.created_at) == (later.enrolled_at, later.created_at)


def test_a_taken_key_does_nothing_and_the_transaction_goes_on():
    # given
    first = EnrollmentFactory()
    twin = _twin(first)

    # when, inside one transaction
    with transaction.atomic():
        inserted = insert_unless_taken(twin, "enr_enrollment_once")
        # then the transaction is still usable (PostgreSQL aborts it after a failed insert)
        count = Enrollment.objects.filter(user_id=first.user_id).count()

    assert inserted is False
    assert twin._state.adding is True
    assert count == 1
    assert not Enrollment.objects.filter(pk=twin.pk).exists()


def test_another_constraint_still_raises():
    # given a new row whose key is free but whose id is taken
    first = EnrollmentFactory()
    clash = _twin(first, id=first.id, enrolled_at=first.enrolled_at.replace(microsecond=2))

    # when / then: only the named constraint is forgiven
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_unless_taken(clash, "enr_enrollment_once")


@pytest.mark.parametrize(
    "constraint",
    [
        "enr_no_such_constraint",
        # A partial unique index (a condition) cannot be named as a conflict target here.
        "enr_enrollment_member_once",
    ],
)
def test_a_constraint_that_cannot_be_a_conflict_target_is_refused(constraint):
    with pytest.raises(ImproperlyConfigured, match=constraint):
        insert_unless_taken(Enrollment(), constraint)


def test_an_event_is_written_with_its_row_and_dispatched_after_commit(
    django_capture_on_commit_callbacks,
):
    # given
    first = EnrollmentFactory()
    later = _twin(first, enrolled_at=first.enrolled_at.replace(microsecond=3))
    event = pending(first.school, "enrollment.created", {"id": later.id})

    # when
    with (
        django_capture_on_commit_callbacks() as callbacks,
        CaptureQueriesContext(connection) as queries,
    ):
        inserted = insert_unless_taken(later, "enr_enrollment_once", event=event)

    # then: on PostgreSQL one statement writes both; elsewhere the event follows the row
    assert inserted is True
    expected = ["WITH"] if connection.vendor == "postgresql" else ["INSERT", "INSERT"]
    assert [q["sql"].split()[0] for q in queries.captured_queries] == expected
    stored = Event.objects.get(pk=event.pk)
    assert (stored.school_id, stored.type, stored.payload) == (
        first.school_id,
        "enrollment.created",
        {"id": later.id},
    )
    assert event._state.adding is False
    assert Enrollment.objects.filter(pk=later.pk).exists()
    # and its dispatch waits for the commit, as emit's does
    assert len(callbacks) == 1


def test_no_event_is_written_when_the_key_is_taken(django_capture_on_commit_callbacks):
    # given
    first = EnrollmentFactory()
    event = pending(first.school, "enrollment.created", {"id": "enr_twin"})

    # when
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        inserted = insert_unless_taken(_twin(first), "enr_enrollment_once", event=event)

    # then
    assert inserted is False
    assert not Event.objects.filter(pk=event.pk).exists()
    assert event._state.adding is True
    assert callbacks == []


def test_an_unregistered_event_type_is_refused_before_anything_is_written():
    first = EnrollmentFactory()
    later = _twin(first, enrolled_at=first.enrolled_at.replace(microsecond=4))

    with pytest.raises(UnregisteredEventType):
        insert_unless_taken(
            later, "enr_enrollment_once", event=pending(first.school, "no.such", {})
        )

    assert not Enrollment.objects.filter(pk=later.pk).exists()


def test_each_insert_writes_its_own_values_from_the_kept_statement():
    # given: a first insert compiles the statement; the next ones reuse its text
    first = EnrollmentFactory()
    rows = [
        _twin(first, enrolled_at=first.enrolled_at.replace(microsecond=10 + n), source=source)
        for n, source in enumerate(["api", "admin", "import"])
    ]

    # when
    for row in rows:
        assert insert_unless_taken(row, "enr_enrollment_once") is True

    # then: every row holds its own values, timestamps set at its insert
    for row in rows:
        stored = Enrollment.objects.get(pk=row.pk)
        assert (stored.source, stored.enrolled_at, stored.created_at) == (
            row.source,
            row.enrolled_at,
            row.created_at,
        )
    assert rows[0].created_at <= rows[1].created_at <= rows[2].created_at
