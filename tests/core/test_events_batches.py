"""Batches of events: emit_many, dispatch_events and the batched sweep."""

import pytest

from apps.core import events
from apps.core.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _thing_events(register_event_types):
    register_event_types("thing.bulk")


@pytest.fixture
def received():
    got: list[Event] = []
    events.subscribe("test-batches", got.append)
    yield got
    events._subscribers.pop("test-batches", None)


def test_emit_many_queues_one_task_per_batch_with_a_broker(
    school, monkeypatch, settings, django_capture_on_commit_callbacks
):
    # given
    queued: list[list[str]] = []
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(events, "DISPATCH_BATCH", 2)
    monkeypatch.setattr(events, "kick_batch", queued.append)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        made = events.emit_many(school, "thing.bulk", [{"n": n} for n in range(5)])

    # then
    assert [len(batch) for batch in queued] == [2, 2, 1]
    assert sum(queued, []) == [event.id for event in made]


def test_emit_many_in_embedded_mode_leaves_events_to_the_sweep(
    school, received, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        events.emit_many(school, "thing.bulk", [{"n": 1}, {"n": 2}])

    # then
    assert received == []
    assert Event.objects.filter(type="thing.bulk", dispatched_at__isnull=True).count() == 2


def test_dispatch_events_hands_each_event_over_once(school, received):
    # given
    made = events.emit_many(school, "thing.bulk", [{"n": 1}, {"n": 2}])
    ids = [event.id for event in made]

    # when
    first = events.dispatch_events(ids)
    second = events.dispatch_events(ids)

    # then
    assert (first, second) == (2, 0)
    assert [event.id for event in received] == ids
    assert not Event.objects.filter(id__in=ids, dispatched_at__isnull=True).exists()


def test_a_failing_event_does_not_hold_back_its_batch(school):
    # given
    made = events.emit_many(school, "thing.bulk", [{"n": 1}, {"poison": True}, {"n": 3}])

    def picky(event: Event) -> None:
        if event.payload.get("poison"):
            raise ValueError("cannot take this one")

    events.subscribe("test-picky", picky)

    # when
    try:
        dispatched = events.dispatch_events([event.id for event in made])
    finally:
        events._subscribers.pop("test-picky", None)

    # then
    assert dispatched == 2
    undispatched = Event.objects.filter(type="thing.bulk", dispatched_at__isnull=True)
    assert [event.payload for event in undispatched] == [{"poison": True}]
