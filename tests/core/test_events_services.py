"""The events outbox: written in the caller's transaction, handed to subscribers once after
commit, and swept up again when the first hand-over never happened."""

import pytest
from django.db import transaction
from freezegun import freeze_time

from apps.core import events
from apps.core.models import Event
from apps.core.tasks import dispatch_event_task, dispatch_pending_task, sweep_events_task
from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _thing_events(register_event_types):
    register_event_types("thing.happened", "thing.stale", "thing.done", "thing.fresh")


@pytest.fixture
def received(monkeypatch) -> list[Event]:
    """The only subscriber during the test records what it receives; tasks run in-process."""
    got: list[Event] = []
    monkeypatch.setattr(events, "_subscribers", {"test": got.append})
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    return got


def test_emit_writes_the_event_in_the_callers_transaction(school, received):
    # when
    with transaction.atomic():
        event = events.emit(school, "thing.happened", {"n": 1})
        inside = Event.objects.filter(pk=event.pk).exists()

    # then
    assert inside
    assert event.id.startswith("evt_")
    assert Event.objects.get(pk=event.pk).payload == {"n": 1}


def test_a_rolled_back_event_is_neither_stored_nor_dispatched(
    school, received, django_capture_on_commit_callbacks
):
    # given
    def emit_then_fail() -> None:
        with transaction.atomic():
            events.emit(school, "thing.happened", {})
            raise RuntimeError("the change failed")

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            emit_then_fail()

    # then
    assert callbacks == []
    assert not Event.objects.exists()
    assert received == []


def test_a_committed_event_reaches_subscribers_once(
    school, received, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        event = events.emit(school, "thing.happened", {"n": 1})

    # when: the sweep or a redelivered task tries again
    again = events.dispatch_event(event.id)

    # then
    assert [e.id for e in received] == [event.id]
    assert again is False
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert event.dispatch_attempts == 1


def test_nothing_is_dispatched_before_commit(school, received, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        events.emit(school, "thing.happened", {})

    # then
    assert len(callbacks) == 1
    assert received == []


def test_a_failing_subscriber_leaves_the_event_for_the_sweep(school, monkeypatch):
    # given
    def broken(event: Event) -> None:
        raise ConnectionError("receiver down")

    monkeypatch.setattr(events, "_subscribers", {"broken": broken})

    # when
    with freeze_time("2026-01-01T00:00:00Z"):
        event = events.emit(school, "thing.happened", {})
        with pytest.raises(ConnectionError):
            events.dispatch_event(event.id)

    # then
    event.refresh_from_db()
    assert event.dispatched_at is None
    assert event.dispatch_attempts == 1


def test_kick_survives_a_broker_outage(school, monkeypatch, caplog):
    # given
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(dispatch_event_task, "delay", refuse)
    monkeypatch.setattr(dispatch_pending_task, "delay", refuse)
    event = events.emit(school, "thing.happened", {})

    # when
    events.kick(event.id)

    # then
    assert "the sweep will retry" in caplog.text
    event.refresh_from_db()
    assert event.dispatched_at is None


def test_sweep_rekicks_undispatched_events_older_than_the_grace_period(school, received):
    # given
    with freeze_time("2026-01-01T00:00:00Z"):
        stale = events.emit(school, "thing.stale", {})
        done = events.emit(school, "thing.done", {})
        events.dispatch_event(done.id)
    with freeze_time("2026-01-01T00:00:50Z"):
        fresh = events.emit(school, "thing.fresh", {})
    received.clear()

    # when
    with freeze_time("2026-01-01T00:01:00Z"):
        swept = sweep_events_task.apply().get()

    # then
    assert swept == 1
    assert [e.id for e in received] == [stale.id]
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.dispatched_at is not None
    assert fresh.dispatched_at is None


def test_sweep_is_in_the_periodic_schedule(settings):
    # then
    entry = settings.CELERY_BEAT_SCHEDULE["core.sweep_events"]
    assert entry["task"] == sweep_events_task.name == "core.sweep_events"
    assert entry["schedule"] <= 60


def test_subscribe_registers_one_handler_per_name(monkeypatch):
    # given
    monkeypatch.setattr(events, "_subscribers", {})

    # when
    events.subscribe("a", print)
    events.subscribe("a", repr)

    # then
    assert events.subscribers() == {"a": repr}
