"""Webhook delivery throughput: N deliveries to a fast local receiver through real workers.

Emits events in this process (the outbox kicks them to Redis), lets a Celery worker with
the default settings (``celery -A config worker``, one process per core) fan them out and
deliver them to a receiver process on 127.0.0.1, plays celery beat (the pump every 5 s, the
events sweep every 30 s) and times until every delivery has succeeded. The baseline is the
same number of signed POSTs sent straight to the receiver by one process through the same
fetcher, without the database, Redis or Celery; the figure is printed as a ratio against it.

Standalone: ``DATABASE_URL=postgres://... REDIS_URL=redis://... python -m
bench.webhooks_throughput [--events 1000 --endpoints 10]``. ``make bench`` runs it through
``bench/scenarios.py`` (``runner``), with the harness's PostgreSQL and Redis.
"""

import argparse
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300.0
# Large runs get longer: at least this many deliveries a second, or the run fails.
MIN_RATE = 200.0


def timeout_for(deliveries: int) -> float:
    """How long a run of ``deliveries`` may take before it counts as failed."""
    return max(TIMEOUT, deliveries / MIN_RATE)


PUMP_EVERY = 5.0
SWEEP_EVERY = 30.0  # as config/settings.py schedules core.sweep_events


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def receive(port: int) -> None:
    """The receiver process: answer every POST with 204 at once (TCP_NODELAY, keep-alive)."""
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


def wait_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def run(events: int, endpoints: int, workdir: Path) -> dict:
    """Measure ``events`` × ``endpoints`` deliveries; returns the figures as a dict."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["WEBHOOKS_ALLOW_PRIVATE_TARGETS"] = "1"
    os.environ["WEBHOOKS_ALLOW_HTTP"] = "1"
    os.environ["CELERY_QUEUE"] = f"bench-webhooks-{uuid.uuid4().hex[:8]}"
    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import transaction
    from django.db.models import Max, Min

    from apps.core import http
    from apps.core.events import DISPATCH_WAKE_KEY, emit, sweep_events
    from apps.core.models import Event
    from apps.schools.services.schools import school_create
    from apps.webhooks import delivery as engine
    from apps.webhooks.models import Delivery
    from apps.webhooks.services.endpoints import webhook_create

    if not settings.REDIS_URL or "postgres" not in settings.DATABASES["default"]["ENGINE"]:
        raise SystemExit("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ}
    receiver = subprocess.Popen(
        [sys.executable, "-m", "bench.webhooks_throughput", "--receive", str(port)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    log = (workdir / "webhooks-worker.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel",
            os.environ.get("BENCH_WORKER_LOGLEVEL", "WARNING"),
        ]
        + ["--queues", os.environ["CELERY_QUEUE"], "--without-heartbeat", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    school = None
    try:
        wait_port(port)
        slug = f"bench-webhooks-{uuid.uuid4().hex[:8]}"
        school, _ = school_create(name="Webhook benchmark", slug=slug)
        hooks = [
            webhook_create(school=school, target_url=f"http://127.0.0.1:{port}/hook/{n}")
            for n in range(endpoints)
        ]
        total = events * endpoints

        # Baseline: the same number of signed POSTs, one process, no database or broker.
        body = json.dumps({"id": "evt_x", "type": "user.created", "data": {}}).encode()
        started = time.monotonic()
        baseline_latencies = []
        for n in range(total):
            headers, _ = engine.request_headers(hooks[0], f"evt_{n}", body, django_now())
            response = http.safe_request(
                "POST",
                hooks[n % endpoints].target_url,
                headers=headers,
                body=body,
                allow_http=True,
                allow_private=True,
            )
            baseline_latencies.append(response.elapsed_ms)
        baseline_seconds = time.monotonic() - started

        time.sleep(2)  # let the worker finish starting
        # A dispatcher woken earlier in the harness's run (seed_demo's events, say) went to
        # the default queue, which no worker here serves; its wake-up key would keep this
        # run's commits from queueing one for up to a minute, leaving the events to the sweep.
        cache.delete(DISPATCH_WAKE_KEY)
        started = time.monotonic()
        for first in range(0, events, 100):
            with transaction.atomic():
                for n in range(first, min(first + 100, events)):
                    emit(school, "user.created", {"id": f"usr_bench_{n}", "n": n})
        emitted = time.monotonic() - started
        last_pump = last_sweep = time.monotonic()
        # The progress COUNT competes for the same 2 cores: on long runs it polls once a
        # second (at most 1 s of the figure), on short ones four times a second.
        poll = 0.25 if total < 20000 else 1.0
        done = 0
        while done < total:
            if time.monotonic() - started > timeout_for(total):
                raise RuntimeError(
                    f"only {done} of {total} deliveries after {timeout_for(total):.0f} s"
                )
            time.sleep(poll)
            if time.monotonic() - last_pump >= PUMP_EVERY:
                engine.pump()
                last_pump = time.monotonic()
            if time.monotonic() - last_sweep >= SWEEP_EVERY:
                sweep_events()
                last_sweep = time.monotonic()
            done = Delivery.objects.filter(school=school, status=Delivery.Status.SUCCEEDED).count()
        seconds = time.monotonic() - started
        latencies = [
            (delivered - created).total_seconds() * 1000
            for delivered, created in Delivery.objects.filter(school=school).values_list(
                "delivered_at", "event__created_at"
            )
        ]
        attempts = sum(
            Delivery.objects.filter(school=school).values_list("attempt_count", flat=True)
        )
        dispatched = Event.objects.filter(school=school).aggregate(
            first=Min("created_at"), last=Max("dispatched_at")
        )
        dispatch_seconds = (dispatched["last"] - dispatched["first"]).total_seconds()
        return {
            "events": events,
            "endpoints": endpoints,
            "deliveries": total,
            "attempts": attempts,
            "seconds": round(seconds, 2),
            "emit_seconds": round(emitted, 2),
            "all_dispatched_after_seconds": round(dispatch_seconds, 2),
            "per_second": round(total / seconds, 1),
            "p50_ms": round(statistics.median(latencies), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1),
            "baseline_seconds": round(baseline_seconds, 2),
            "baseline_per_second": round(total / baseline_seconds, 1),
            "baseline_p50_ms": round(statistics.median(baseline_latencies), 1),
            "baseline_p99_ms": round(percentile(baseline_latencies, 0.99), 1),
            "ratio": round((total / seconds) / (total / baseline_seconds), 3),
            "worker_concurrency": os.cpu_count(),
        }
    finally:
        stop(worker)
        stop(receiver)
        if school is not None:
            school.delete()


def django_now():
    from django.utils import timezone

    return timezone.now()


def runner(events: int, endpoints: int, smoke_events: int = 20):
    """A ``bench/scenarios.py`` runner: run this module in a subprocess with the harness's env
    (``smoke_events`` instead of ``events`` in the smoke profile). It takes one to several
    minutes, so it is measured once per run and the repeats report that one measurement."""
    measured: dict = {}  # by run profile: the repeats of one run report one measurement

    def run_in(ctx) -> object:
        if ctx.profile not in measured:
            measured[ctx.profile] = _measure(ctx)
        return measured[ctx.profile]

    def _measure(ctx) -> object:
        from bench.run import Measurement

        count = smoke_events if getattr(ctx.profile, "smoke", False) else events

        env = {**ctx.env, "SECRET_KEY": ctx.env.get("SECRET_KEY") or secrets.token_urlsafe(50)}
        done = subprocess.run(
            [sys.executable, "-m", "bench.webhooks_throughput", "--json"]
            + ["--events", str(count), "--endpoints", str(endpoints)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            # the baseline (same number of sends) runs first, then the measured run
            timeout=2 * timeout_for(count * endpoints) + 120,
        )
        if done.returncode != 0:
            return Measurement(rps=0, p50_ms=0, p99_ms=0, errors=[done.stderr[-500:]])
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        sys.stderr.write(f"bench: webhooks {json.dumps(figures)}\n")
        result = Measurement(
            rps=figures["per_second"], p50_ms=figures["p50_ms"], p99_ms=figures["p99_ms"]
        )
        if "baseline" in Measurement.__dataclass_fields__:
            result.baseline = Measurement(
                rps=figures["baseline_per_second"],
                p50_ms=figures["baseline_p50_ms"],
                p99_ms=figures["baseline_p99_ms"],
            )
        return result

    return run_in


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--endpoints", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    parser.add_argument("--receive", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receive:
        receive(args.receive)
        return
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    figures = run(args.events, args.endpoints, ROOT / "bench" / ".work")
    if args.json:
        sys.stdout.write(json.dumps(figures) + "\n")
        return
    sys.stdout.write(
        f"{figures['deliveries']:,} deliveries ({figures['events']:,} events × "
        f"{figures['endpoints']} endpoints) in {figures['seconds']:.1f} s = "
        f"{figures['per_second']:,.0f}/s with {figures['worker_concurrency']} worker processes; "
        f"event-to-delivery p50 {figures['p50_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms; "
        f"{figures['attempts']:,} attempts.\n"
        f"baseline (signed POSTs from one process, no DB/broker): "
        f"{figures['baseline_per_second']:,.0f}/s; ratio {figures['ratio']:.2f}× baseline.\n"
    )


if __name__ == "__main__":
    main()
