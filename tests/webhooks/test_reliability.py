"""Reliability with real Redis and real Celery workers (CI runs these; skipped without them).

Each test starts its own ``celery -A config worker`` subprocess on a queue of its own,
pointed at the same Redis and at the test database (``transaction=True`` tests commit, so
the worker sees the rows). Receivers bind to 127.0.0.1. The test process plays celery
beat: it calls the pump and the outbox sweep itself. Every wait is bounded.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction

from apps.core import events
from apps.core.events import emit
from apps.core.models import Event
from apps.webhooks import delivery as engine
from apps.webhooks import signing
from apps.webhooks.models import Delivery, Webhook
from apps.webhooks.services.endpoints import webhook_create
from config.celery import app as celery_app
from tests.webhooks.receiver import Receiver, Reply, always

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
WORKER_START_TIMEOUT = 60
SETTINGS = {
    "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1",
    "WEBHOOKS_ALLOW_HTTP": "1",
    "WEBHOOKS_TIMEOUT_SECONDS": "2",
    "WEBHOOKS_LEASE_SECONDS": "4",
    "WEBHOOKS_MAX_ATTEMPTS": "4",
    "WEBHOOKS_RETRY_WINDOW_SECONDS": "3",
    "WEBHOOKS_ENDPOINT_CONCURRENCY": "1",
}


def database_url() -> str:
    """The test database, as a URL the worker subprocess can use."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "localhost"
    if "/" in host:  # a Unix socket directory
        return f"postgres://{auth}@/{db['NAME']}?host={quote(host, safe='')}"
    return f"postgres://{auth}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def queue(monkeypatch, settings) -> str:
    """A queue of this test's own; this process publishes there and its worker consumes it."""
    name = f"lyceum-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setitem(celery_app.conf, "task_default_queue", name)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    for key, value in SETTINGS.items():
        setattr(settings, key, float(value) if "." in value or "SECONDS" in key else int(value))
    return name


@contextmanager
def worker(queue: str, tmp_path: Path, *, concurrency: int = 2, name: str = "w") -> Iterator:
    """A Celery worker subprocess on ``queue``, stopped (its whole group) on exit."""
    from django.conf import settings

    env = {
        **os.environ,
        **SETTINGS,
        # The production settings: tasks go through Redis (the test settings run them
        # in-process), so the worker behaves as deployed.
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "reliability-test-only-" + "x" * 40,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        # The worker shares this process's cache, as deployed processes share theirs (the
        # outbox's dispatcher wake-up key lives there).
        "CACHE_URL": settings.CACHES["default"]["LOCATION"],
        "CELERY_QUEUE": queue,
    }
    log = tmp_path / f"worker-{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel",
                "INFO",
                "--queues",
                queue,
                "--concurrency",
                str(concurrency),
                "--hostname",
                f"{name}-{queue}@%h",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: b" ready." in log.read_bytes(), WORKER_START_TIMEOUT, "worker start")
        yield process
    finally:
        stop(process)
        if os.environ.get("LYCEUM_SHOW_WORKER_LOG"):
            sys.stderr.write(log.read_text(errors="replace"))


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with_suppressed_kill(process.pid)
            process.wait(timeout=15)


def with_suppressed_kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (the prefork pool of a worker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def wait_for(check: Callable[[], bool], timeout: float, what: str, tick: Callable = None) -> None:
    """Poll ``check`` until true; ``tick`` runs between polls (the test plays beat)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if tick:
            tick()
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def pump() -> None:
    engine.pump()


def emit_events(school, count: int, batch: int = 100) -> list[str]:
    ids = []
    for start in range(0, count, batch):
        with transaction.atomic():
            for n in range(start, min(start + batch, count)):
                ids.append(emit(school, "user.created", {"id": f"usr_{n}", "n": n}).id)
    return ids


def verified(webhook: Webhook, received) -> bool:
    headers = received.headers
    return signing.verify(
        webhook.secret,
        headers["webhook-id"],
        int(headers["webhook-timestamp"]),
        received.body,
        headers["webhook-signature"],
    )


def test_thousand_events_are_each_delivered_and_signed(school, queue, tmp_path):
    # given
    with Receiver(always(200)) as receiver, worker(queue, tmp_path):
        hook = webhook_create(school=school, target_url=receiver.url())

        # when
        ids = emit_events(school, 1000)
        # Received and recorded: a worker records a drained batch after sending it, so the
        # worker is stopped only once the log has caught up with the receiver.
        wait_for(
            lambda: (
                len({r.headers["webhook-id"] for r in receiver.received}) >= 1000
                and Delivery.objects.filter(status=Delivery.Status.SUCCEEDED).count() >= 1000
            ),
            180,
            "1,000 deliveries",
            tick=pump,
        )

    # then
    assert {r.headers["webhook-id"] for r in receiver.received} == set(ids)
    assert all(verified(hook, r) for r in receiver.received)
    assert Delivery.objects.filter(status=Delivery.Status.SUCCEEDED).count() == 1000


def _use_broker(url: str) -> None:
    """Point this process's Celery producer at ``url`` (new connections from now on)."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_events_emitted_while_broker_is_down_are_delivered_after_the_sweep(
    school, queue, tmp_path, monkeypatch, settings
):
    # given
    monkeypatch.setattr(events, "SWEEP_GRACE", events.SWEEP_GRACE * 0)
    real_broker = celery_app.conf.broker_url
    with Receiver(always(200)) as receiver, worker(queue, tmp_path):
        webhook_create(school=school, target_url=receiver.url())
        _use_broker("redis://127.0.0.1:9/0")  # nothing listens: the broker is down
        try:
            ids = emit_events(school, 10, batch=10)
            undispatched = Event.objects.filter(id__in=ids, dispatched_at__isnull=True).count()
        finally:
            _use_broker(real_broker)

        # when
        events.sweep_events()
        wait_for(lambda: receiver.count >= 10, 60, "deliveries after the sweep", tick=pump)

    # then
    assert undispatched == 10
    assert {r.headers["webhook-id"] for r in receiver.received} == set(ids)


@pytest.mark.parametrize("kill", ["pool-process", "whole-worker"])
def test_worker_killed_mid_delivery_is_redelivered_with_same_webhook_id(
    school, queue, tmp_path, kill
):
    # given
    release = threading.Event()

    def hang_first(number: int, body: bytes, headers: dict) -> Reply:
        if number == 0:
            release.wait(10)
        return Reply(200)

    with Receiver(hang_first) as receiver:
        webhook_create(school=school, target_url=receiver.url())
        with worker(queue, tmp_path, name="first") as first:
            (event_id,) = emit_events(school, 1)
            wait_for(lambda: receiver.count >= 1, 60, "the first attempt to arrive")

            # when
            if kill == "pool-process":
                for pid in children(first.pid):
                    os.kill(pid, signal.SIGKILL)
                wait_for(lambda: receiver.count >= 2, 60, "redelivery", tick=pump)
                # The receiver counts a request as it arrives: the worker must live until
                # it has recorded the answer, or stopping it leaves the delivery unfinished.
                wait_for(_delivered, 60, "the redelivery to be recorded", tick=pump)
            else:
                stop(first, signal.SIGKILL)
        if kill == "whole-worker":
            with worker(queue, tmp_path, name="second"):
                wait_for(lambda: receiver.count >= 2, 60, "redelivery", tick=pump)
                wait_for(_delivered, 60, "the redelivery to be recorded", tick=pump)
        release.set()

    # then
    delivery = Delivery.objects.get()
    wait_for(lambda: delivery_status(delivery) == "succeeded", 60, "the delivery to finish")
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert ids == {event_id}


def _delivered() -> bool:
    return Delivery.objects.filter(status="succeeded").exists()


def delivery_status(delivery: Delivery) -> str:
    delivery.refresh_from_db()
    return delivery.status


def test_retries_follow_the_schedule_and_a_dead_endpoint_is_disabled(school, queue, tmp_path):
    # given
    seen: set[str] = set()
    lock = threading.Lock()

    def fail_first_attempt(number: int, body: bytes, headers: dict) -> Reply:
        with lock:
            first = headers["webhook-id"] not in seen
            seen.add(headers["webhook-id"])
        return Reply(500 if first else 200)

    with (
        Receiver(fail_first_attempt) as flaky,
        Receiver(always(500)) as broken,
        worker(queue, tmp_path),
    ):
        flaky_hook = webhook_create(school=school, target_url=flaky.url())
        broken_hook = webhook_create(school=school, target_url=broken.url())

        # when
        emit_events(school, 5)
        wait_for(
            lambda: (
                Delivery.objects.filter(
                    webhook=flaky_hook, status=Delivery.Status.SUCCEEDED
                ).count()
                == 5
            ),
            60,
            "the flaky endpoint's deliveries",
            tick=pump,
        )
        wait_for(
            lambda: not Webhook.objects.get(id=broken_hook.id).active,
            60,
            "the broken endpoint to be disabled",
            tick=pump,
        )

    # then
    for delivery in Delivery.objects.filter(webhook=flaky_hook):
        first, second = delivery.attempts.order_by("number")
        assert (first.status_code, second.status_code) == (500, 200)
        gap = (second.started_at - first.started_at).total_seconds()
        assert gap >= engine.retry_delays()[0] * 0.8
    broken_hook.refresh_from_db()
    assert "The receiver answered 500." in broken_hook.deactivate_reason
    assert Delivery.objects.filter(webhook=broken_hook, status=Delivery.Status.FAILED).count()


def test_a_hanging_receiver_does_not_slow_down_other_endpoints(school, queue, tmp_path):
    # given
    with (
        Receiver(always(200, delay=30)) as hanging,
        Receiver(always(200)) as healthy,
        worker(queue, tmp_path),
    ):
        webhook_create(school=school, target_url=hanging.url())
        webhook_create(school=school, target_url=healthy.url())

        # when
        started = time.monotonic()
        emit_events(school, 20)
        wait_for(lambda: healthy.count >= 20, 30, "the healthy endpoint", tick=pump)
        elapsed = time.monotonic() - started

    # then
    assert elapsed < 25  # a hanging attempt takes the 2 s timeout; 20 of them in series = 40 s
    assert hanging.count <= 10
