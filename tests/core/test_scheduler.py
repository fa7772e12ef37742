"""The embedded scheduler (make run without Redis): tasks registered, entries run when due."""

import logging
import textwrap

import pytest
from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from freezegun import freeze_time

from apps.core.scheduler import EmbeddedScheduler
from config.celery import app
from tests.core.fresh_process import run_fresh_django

calls: list[str] = []


@shared_task(name="tests.scheduler.record")
def record_task(label: str) -> None:
    calls.append(label)


@shared_task(name="tests.scheduler.explode")
def explode_task() -> None:
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _clear_calls() -> None:
    calls.clear()


def test_a_fresh_serving_process_registers_every_scheduled_task(tmp_path):
    # given: a new interpreter started the way `make run` starts the server (embedded
    # scheduler on, no Redis); nothing in it has imported any tasks module yet
    script = textwrap.dedent(
        """
        import json, threading
        import django
        django.setup()
        from django.conf import settings
        from config.celery import app
        names = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
        print(json.dumps({
            "missing": [name for name in names if name not in app.tasks],
            "threads": [thread.name for thread in threading.enumerate()],
        }))
        """
    )

    # when
    report = run_fresh_django(
        script, tmp_path=tmp_path, timeout=60, env={"LYCEUM_EMBEDDED_SCHEDULER": "1"}
    )

    # then
    assert report["missing"] == []
    assert "lyceum-scheduler" in report["threads"]


def test_interval_entries_run_at_start_up_and_then_on_their_interval():
    # given
    schedule = {"every-10s": {"task": "tests.scheduler.record", "schedule": 10.0, "args": ["i"]}}

    with freeze_time("2026-03-01T09:59:30Z") as clock:
        scheduler = EmbeddedScheduler(app, schedule)

        # when / then: due at once (a restart catches up), then every 10 s
        assert scheduler.run_due() == ["every-10s"]
        assert scheduler.run_due() == []
        clock.tick(9)
        assert scheduler.run_due() == []
        clock.tick(1)
        assert scheduler.run_due() == ["every-10s"]

    assert calls == ["i", "i"]


def test_crontab_entries_run_at_their_minute_only():
    # given: an hourly crontab entry beside a 10-second interval
    schedule = {
        "every-10s": {"task": "tests.scheduler.record", "schedule": 10.0, "args": ["i"]},
        "hourly": {"task": "tests.scheduler.record", "schedule": crontab(minute=0), "args": ["c"]},
    }

    with freeze_time("2026-03-01T09:59:30Z") as clock:
        scheduler = EmbeddedScheduler(app, schedule)

        # when / then: the crontab waits for 10:00, runs once, and waits for 11:00
        assert scheduler.run_due() == ["every-10s"]
        clock.move_to("2026-03-01T10:00:00Z")
        assert scheduler.run_due() == ["every-10s", "hourly"]
        clock.tick(1)
        assert scheduler.run_due() == []
        clock.move_to("2026-03-01T10:30:00Z")
        assert scheduler.run_due() == ["every-10s"]
        clock.move_to("2026-03-01T11:00:05Z")
        assert scheduler.run_due() == ["every-10s", "hourly"]

    assert calls == ["i", "i", "c", "i", "i", "c"]


def test_a_failing_task_is_logged_and_the_other_entries_still_run(caplog):
    # given
    schedule = {
        "explode": {"task": "tests.scheduler.explode", "schedule": 5.0},
        "record": {"task": "tests.scheduler.record", "schedule": 5.0, "args": ["after"]},
    }
    scheduler = EmbeddedScheduler(app, schedule)

    # when
    with caplog.at_level(logging.ERROR, logger="apps.core.scheduler"):
        ran = scheduler.run_due()

    # then
    assert ran == ["explode", "record"]
    assert calls == ["after"]
    assert "scheduled task tests.scheduler.explode failed" in caplog.text


def test_an_entry_naming_an_unknown_task_stops_start_up():
    # given
    schedule = {"typo": {"task": "webhooks.pmup", "schedule": 5.0}}

    # when / then
    with pytest.raises(ImproperlyConfigured, match="'webhooks.pmup'"):
        EmbeddedScheduler(app, schedule)


@pytest.mark.django_db
def test_the_configured_schedule_runs_cleanly(caplog):
    # given: the project's own schedule (outbox sweep, webhook pump, pruning)
    scheduler = EmbeddedScheduler(app, settings.CELERY_BEAT_SCHEDULE)

    # when
    with caplog.at_level(logging.ERROR):
        ran = scheduler.run_due()

    # then: every entry ran at start-up and none failed
    assert ran == list(settings.CELERY_BEAT_SCHEDULE)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
