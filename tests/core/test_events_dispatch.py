"""The batched outbox: commits queue one dispatcher, which claims events in batches."""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.core import events
from apps.core.models import Event
from apps.core.tasks import dispatch_pending_task
from apps.webhooks.models import Delivery
from apps.webhooks.services.deliveries import events_fan_out
from tests.factories import EventFactory, SchoolFactory, WebhookFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _thing_events(register_event_types):
    register_event_types("thing.happened")


@pytest.fixture
def batches(monkeypatch) -> list[list[str]]:
    """The only subscriber is a batch subscriber recording the ids of each call."""
    got: list[list[str]] = []
    monkeypatch.setattr(events, "_subscribers", {})
    events.subscribe_batch("test", lambda batch: got.append([e.id for e in batch]))
    return got


@pytest.fixture
def broker(monkeypatch) -> list[str]:
    """Tasks are queued, not run: what was queued is recorded."""
    queued: list[str] = []
    monkeypatch.setitem(dispatch_pending_task.app.conf, "task_always_eager", False)
    monkeypatch.setattr(dispatch_pending_task, "delay", lambda: queued.append("dispatch"))
    return queued


def test_a_burst_of_commits_queues_one_dispatcher(
    school, broker, django_capture_on_commit_callbacks
):
    # when
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            events.emit(school, "thing.happened", {"n": n})

    # then
    assert broker == ["dispatch"]


def test_events_of_one_transaction_wake_the_dispatcher_once(
    school, broker, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            for n in range(5):
                events.emit(school, "thing.happened", {"n": n})

    # then
    assert len(callbacks) == 1
    assert broker == ["dispatch"]


def test_commits_after_a_dispatcher_started_queue_another(
    school, broker, batches, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(school, "thing.happened", {"n": 1})
    events.dispatch_pending()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(school, "thing.happened", {"n": 2})

    # then
    assert broker == ["dispatch", "dispatch"]


def test_dispatcher_hands_over_claimed_batches_oldest_first(school, other_school, batches):
    # given
    made = [events.emit(s, "thing.happened", {}) for s in (school, other_school) * 3]

    # when
    dispatched = events.dispatch_pending(batch=4)
    again = events.dispatch_pending(batch=4)

    # then
    assert (dispatched, again) == (6, 0)
    assert batches == [[e.id for e in made[:4]], [e.id for e in made[4:]]]
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert set(Event.objects.values_list("dispatch_attempts", flat=True)) == {1}


def test_a_failing_event_does_not_hold_back_its_claimed_batch(school, monkeypatch):
    # given
    made = [events.emit(school, "thing.happened", {"n": n}) for n in range(3)]

    def picky(batch: list[Event]) -> None:
        if any(e.payload["n"] == 1 for e in batch):
            raise ValueError("cannot take this one")

    monkeypatch.setattr(events, "_subscribers", {})
    events.subscribe_batch("picky", picky)

    # when
    dispatched = events.dispatch_pending()

    # then
    assert dispatched == 2
    left = Event.objects.filter(dispatched_at__isnull=True)
    assert [e.id for e in left] == [made[1].id]


def test_dispatcher_over_budget_queues_a_successor(school, batches, broker):
    # given
    for n in range(3):
        events.emit(school, "thing.happened", {"n": n})

    # when
    dispatched = events.dispatch_pending(batch=1, budget_seconds=1e-9)

    # then
    assert dispatched == 1
    assert broker == ["dispatch"]


def test_fan_out_of_a_batch_runs_constant_queries():
    # given
    schools = [SchoolFactory() for _ in range(3)]
    for school in schools:
        for n in range(3):
            WebhookFactory(school=school, target_url=f"https://hooks.example.com/{n}")
    batch = [
        Event.objects.create(school=school, type="user.created", payload={})
        for school in schools
        for _ in range(40)
    ]

    # when
    with CaptureQueriesContext(connection) as queries:
        pending = events_fan_out(batch)

    # then: the schools' webhooks, the inserts (as many rows each as the database
    # takes), and one read back of what is pending
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    inserts = statements.count("INSERT")
    assert len(statements) - inserts == 2
    assert inserts <= -(-len(pending) // 40)
    assert len(pending) == Delivery.objects.count() == 3 * 40 * 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_dispatchers_side_by_side_never_take_the_same_event(batches):
    # given
    school = SchoolFactory()
    made = [EventFactory(school=school, payload={"n": n}) for n in range(6)]
    claimed, release = threading.Event(), threading.Event()
    held: list[str] = []

    def other_dispatcher() -> None:
        try:
            with transaction.atomic():
                rows = Event.objects.select_for_update(skip_locked=True).filter(
                    dispatched_at__isnull=True
                )
                held.extend(rows.order_by("created_at", "id").values_list("id", flat=True)[:2])
                claimed.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_dispatcher)
    thread.start()
    assert claimed.wait(10)

    # when
    try:
        dispatched = events.dispatch_pending()
    finally:
        release.set()
        thread.join(10)

    # then
    assert held == [e.id for e in made[:2]]
    assert dispatched == 4
    assert sum(batches, []) == [e.id for e in made[2:]]
