"""Lyceum's benchmark: ``make bench`` (full) and ``make bench-smoke`` (tiny, for CI).

Starts PostgreSQL and Redis with .ci/services.sh (unless DATABASE_URL and REDIS_URL are
set), migrates, loads the demo school with ``seed_demo --users N``, serves the app with
gunicorn (2 × cores workers, DEBUG off), drives every scenario of bench/scenarios.py and its
raw-SQL baseline with wrk at 16 connections from this process, and prints one table with
the median of the repeats. Every process it starts is stopped on every exit path.
"""

import argparse
import contextlib
import ctypes
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.scenarios import SCENARIOS, Scenario

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVICES = ROOT / ".ci" / "services.sh"
DEMO_KEY_FILE = ROOT / ".demo-credentials"
LEARNER = {"email": "learner@demo.lyceum.local", "password": "lyceum-learner"}
VACUUM_ANALYZE = (
    "from django.db import connection\n"
    "with connection.cursor() as cursor:\n"
    "    cursor.execute('VACUUM ANALYZE')\n"
)


@dataclass(frozen=True)
class Profile:
    """How big and how long a run is."""

    users: int
    duration: int
    warmup: int
    repeats: int
    connections: int
    output: Path
    # Published courses the catalog-search scenario searches (``{courses}`` in ``prepare``).
    courses: int = 10_000
    # Runners scale their own work down when this is set (make bench-smoke).
    smoke: bool = False
    # Seconds of unrecorded load on a path right before each measured run of it, so the run
    # starts in that path's steady state, not in the tail of the previous scenario's run (a
    # heavy read's last requests still held the workers when a light one began).
    settle: int = 0


FULL = Profile(
    users=100_000,
    duration=10,
    warmup=2,
    repeats=3,
    connections=16,
    output=ROOT / "bench" / "results" / "latest.md",
    settle=1,
)
SMOKE = Profile(
    users=200,
    duration=1,
    warmup=0,
    repeats=1,
    connections=16,
    output=ROOT / "bench" / ".work" / "smoke.md",
    courses=300,
    smoke=True,
)


@dataclass
class Measurement:
    """One endpoint's figures: requests/s, latency percentiles and SQL queries/request."""

    rps: float
    p50_ms: float
    p99_ms: float
    queries: int | None = None
    errors: list[str] = field(default_factory=list)
    # A runner scenario may measure its own baseline; HTTP scenarios name a /bench/ path.
    baseline: "Measurement | None" = None


class BenchError(Exception):
    """The run cannot go on; the message says why."""


STARTED = time.monotonic()
# A full run took about 1,550 s on a quiet 2-core machine (26 minutes: loading, the webhook
# and promo-code jobs, three rounds of every HTTP scenario) and was still in its first round
# after 1,840 s on a busier day; the limit only stops a hung run.
DEFAULT_TIME_LIMIT = 3600


def say(message: str) -> None:
    """Progress on stderr (seconds since start), so stdout carries only the table."""
    sys.stderr.write(f"bench: [{time.monotonic() - STARTED:.0f}s] {message}\n")
    sys.stderr.flush()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_debian_package(command: str, package: str) -> None:
    """Install ``package`` with apt-get when ``command`` is missing and we are root."""
    if shutil.which(command):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise BenchError(f"{command} is missing: install the Debian package {package}")
    say(f"installing {package}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(install, env=env, check=True, capture_output=True)


@dataclass
class Context:
    """What a scenario runner can use: the server, credentials and the wrk driver."""

    profile: Profile
    env: dict[str, str]
    base_url: str = ""
    api_key: str = ""
    user_token: str = ""
    workdir: Path = ROOT / "bench" / ".work"

    def manage(self, *args: str, timeout: float = 300) -> str:
        """Run ``manage.py`` with the benchmark's environment; return its stdout."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise BenchError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def headers(self, auth: str) -> dict[str, str]:
        """The request headers for an auth kind: api_key, user or none."""
        token = {"api_key": self.api_key, "user": self.user_token, "none": ""}[auth]
        return {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, auth: str, body: object = None) -> tuple[int, bytes]:
        """One request to the server; returns status and body (redirects are not followed)."""
        host, port = self.base_url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        headers = self.headers(auth)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def wrk(
        self,
        path: str,
        *,
        auth: str = "api_key",
        method: str = "GET",
        body: object = None,
        duration: int | None = None,
        connections: int | None = None,
    ) -> Measurement:
        """Drive ``path`` with wrk for ``duration`` seconds at ``connections`` (by default the
        profile's)."""
        script = self.workdir / f"wrk-{secrets.token_hex(4)}.lua"
        lines = [f"wrk.method = {json.dumps(method)}"]
        for name, value in self.headers(auth).items():
            lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
        if body is not None:
            lines.append('wrk.headers["Content-Type"] = "application/json"')
            lines.append(f"wrk.body = {json.dumps(json.dumps(body))}")
        script.write_text("\n".join(lines) + "\n")
        seconds = self.profile.duration if duration is None else duration
        command = [
            "wrk",
            "--threads",
            "1",
            "--connections",
            str(connections or self.profile.connections),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "5s",
            "--latency",
            "--script",
            str(script),
            self.base_url + path,
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
        finally:
            script.unlink(missing_ok=True)
        if done.returncode != 0:
            raise BenchError(f"wrk failed on {path}: {done.stderr or done.stdout}")
        return parse_wrk(done.stdout)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _latency(output: str, percentile: str) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    if match is None:
        raise BenchError(f"no {percentile}% latency in wrk output:\n{output}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> Measurement:
    """Requests/s, p50 and p99 (ms) and any errors from ``wrk --latency`` output."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    if rps is None:
        raise BenchError(f"no Requests/sec in wrk output:\n{output}")
    errors = []
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if bad:
        errors.append(f"{bad.group(1)} non-2xx responses")
    sockets = re.search(r"Socket errors: (.*)", output)
    if sockets:
        errors.append(f"socket errors: {sockets.group(1).strip()}")
    return Measurement(
        rps=float(rps.group(1)),
        p50_ms=_latency(output, "50"),
        p99_ms=_latency(output, "99"),
        errors=errors,
    )


def median_of(runs: list[Measurement]) -> Measurement:
    """The median of each figure over the repeats."""
    return Measurement(
        rps=statistics.median(m.rps for m in runs),
        p50_ms=statistics.median(m.p50_ms for m in runs),
        p99_ms=statistics.median(m.p99_ms for m in runs),
        queries=runs[0].queries,
        errors=[error for m in runs for error in m.errors],
        baseline=median_of([m.baseline for m in runs if m.baseline])
        if all(m.baseline for m in runs)
        else None,
    )


@contextlib.contextmanager
def services(workdir: Path) -> Iterator[dict[str, str]]:
    """DATABASE_URL/REDIS_URL from the environment, or throwaway servers started for the run."""
    wanted = []
    urls = {}
    for name, service in (("DATABASE_URL", "postgres"), ("REDIS_URL", "redis")):
        if os.environ.get(name):
            urls[name] = os.environ[name]
        else:
            wanted.append(service)
    if not urls.get("DATABASE_URL", "postgres").startswith(("postgres", "postgresql")):
        raise BenchError("DATABASE_URL must point at PostgreSQL (the baseline is PostgreSQL SQL)")
    if not wanted:
        yield urls
        return
    if "redis" in wanted:
        ensure_debian_package("redis-server", "redis-server")
    state = Path(tempfile.mkdtemp(prefix="lyceum-bench-"))
    state.chmod(0o755)
    try:
        say(f"starting {' and '.join(wanted)}")
        subprocess.run(["bash", str(SERVICES), "start", str(state), *wanted], check=True)
        for service, name in (("postgres", "DATABASE_URL"), ("redis", "REDIS_URL")):
            if service in wanted:
                urls[name] = (state / name.lower()).read_text().strip()
        yield urls
    finally:
        say(f"stopping {' and '.join(wanted)}")
        subprocess.run(["bash", str(SERVICES), "stop", str(state)], check=False)


@contextlib.contextmanager
def gunicorn(ctx: Context, workers: int) -> Iterator[None]:
    """Serve the app with gunicorn on a free loopback port until the block ends."""
    port = free_port()
    ctx.base_url = f"http://127.0.0.1:{port}"
    log = (ctx.workdir / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=ctx.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited: {(ctx.workdir / 'gunicorn.log').read_text()}")
            with contextlib.suppress(OSError):
                if ctx.request("GET", "/api/v1/ping", "none")[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise BenchError("gunicorn did not answer /api/v1/ping within 60 s")
            time.sleep(0.2)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@contextlib.contextmanager
def kept_demo_credentials() -> Iterator[None]:
    """seed_demo saves its key in .demo-credentials; keep the developer's own file."""
    saved = DEMO_KEY_FILE.read_bytes() if DEMO_KEY_FILE.exists() else None
    try:
        yield
    finally:
        if saved is None:
            DEMO_KEY_FILE.unlink(missing_ok=True)
        else:
            DEMO_KEY_FILE.write_bytes(saved)


def load_data(ctx: Context, scenarios: list[Scenario]) -> None:
    """Migrate, seed the demo school with the profile's users, and mint the credentials."""
    say("migrating")
    ctx.manage("migrate", "--noinput")
    say(f"loading {ctx.profile.users} users (seed_demo)")
    users_seconds = ctx.profile.users // 1000
    started = time.monotonic()
    with kept_demo_credentials():
        ctx.manage("seed_demo", "--users", str(ctx.profile.users), timeout=400 + users_seconds)
    say(f"loaded in {time.monotonic() - started:.0f} s")
    done: set[tuple[str, ...]] = set()
    for scenario in scenarios:
        for command in scenario.prepare:
            command = tuple(
                arg.replace("{users}", str(ctx.profile.users)).replace(
                    "{courses}", str(ctx.profile.courses)
                )
                for arg in command
            )
            if command not in done:
                say(f"prepare: manage.py {' '.join(command)}")
                ctx.manage(*command, timeout=400)
                done.add(command)
    # Fresh bulk-loaded tables have no planner statistics until autovacuum gets to them.
    say("VACUUM ANALYZE")
    ctx.manage("shell", "-c", VACUUM_ANALYZE)
    out = ctx.manage("create_api_key", "--school", "demo", "--scopes", "*")
    ctx.api_key = out.strip().splitlines()[-1].strip()


def count_queries(ctx: Context, scenarios: list[Scenario]) -> dict[str, int]:
    """SQL queries per request of every HTTP scenario and baseline (bench/queries.py)."""
    specs = []
    for scenario in scenarios:
        if scenario.runner is None:
            specs.append(
                {
                    "name": scenario.name,
                    "method": scenario.method,
                    "path": scenario.path,
                    "body": scenario.body,
                    "headers": ctx.headers(scenario.auth),
                }
            )
        if scenario.baseline:
            specs.append(
                {
                    "name": scenario.baseline,
                    "method": scenario.baseline_method,
                    "path": scenario.baseline,
                    "body": _baseline_body(scenario),
                    "headers": ctx.headers("api_key"),
                }
            )
    done = subprocess.run(
        [sys.executable, "-m", "bench.queries"],
        cwd=ROOT,
        env=ctx.env,
        input=json.dumps(specs),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise BenchError(f"counting queries failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _baseline_body(scenario: Scenario) -> object:
    """A write's floor gets the scenario's body; a read's none."""
    return scenario.body if scenario.baseline_method != "GET" else None


def preflight(ctx: Context, scenarios: list[Scenario]) -> None:
    """Every HTTP scenario and baseline answers 2xx once before it is timed."""
    for scenario in scenarios:
        targets = [] if scenario.runner else [(scenario.path, scenario.auth, scenario.method)]
        if scenario.baseline:
            targets.append((scenario.baseline, "api_key", scenario.baseline_method))
        answers = []
        for path, auth, method in targets:
            body = scenario.body if method != "GET" else None
            status, body = ctx.request(method, path, auth, body)
            if not 200 <= status < 300:
                raise BenchError(f"{method} {path} answered {status}: {body[:300]!r}")
            answers.append(body)
        if scenario.same_results:
            difference = results_differ(*answers)
            if difference:
                raise BenchError(f"{scenario.path} and {scenario.baseline}: {difference}")


def _instants(row: dict) -> dict:
    """The row with its ``*_at`` times parsed, in nested objects too, so their formatting
    does not count."""
    return {
        name: datetime.fromisoformat(value)
        if name.endswith("_at") and isinstance(value, str)
        else _instants(value)
        if isinstance(value, dict)
        else value
        for name, value in row.items()
    }


def results_differ(api: bytes, floor: bytes) -> str | None:
    """How two list answers differ in ``count`` or in ``results`` (rows and their order, times
    as instants), or that they hold no rows; None when they agree on some rows."""
    mine, theirs = json.loads(api), json.loads(floor)
    if mine.get("count") != theirs.get("count"):
        return f"count {mine.get('count')} against the baseline's {theirs.get('count')}"
    rows, floor_rows = mine.get("results", []), theirs.get("results", [])
    if not rows:  # an empty page agrees with anything: it proves nothing
        return "no rows to compare"
    ids, floor_ids = [row.get("id") for row in rows], [row.get("id") for row in floor_rows]
    if ids != floor_ids:
        return f"rows {ids[:5]}… against the baseline's {floor_ids[:5]}…"
    for row, floor_row in zip(rows, floor_rows, strict=True):
        if _instants(row) != _instants(floor_row):
            return f"row {row.get('id')} is {row} against the baseline's {floor_row}"
    return None


def baseline_key(scenario: Scenario) -> str | None:
    """Where a scenario's baseline figures are kept: its path, and the connections when the
    scenario drives its own number (the same floor at 1 and at 16 clients are two rows)."""
    if not scenario.baseline:
        return None
    if scenario.connections:
        return f"{scenario.baseline} ({scenario.connections} connection(s))"
    return scenario.baseline


def measure(ctx: Context, scenarios: list[Scenario]) -> dict[str, Measurement]:
    """Repeat every scenario and baseline; return the median figures keyed by name/path."""
    runs: dict[str, list[Measurement]] = {}
    if ctx.profile.warmup:
        say("warming up")
        for scenario in scenarios:
            if scenario.runner is None:
                ctx.wrk(
                    scenario.path,
                    auth=scenario.auth,
                    method=scenario.method,
                    body=scenario.body,
                    duration=ctx.profile.warmup,
                )
    for repeat in range(1, ctx.profile.repeats + 1):
        measured_baselines: set[str] = set()
        for scenario in scenarios:
            say(f"run {repeat}/{ctx.profile.repeats}: {scenario.name}")
            if scenario.runner is not None:
                result = scenario.runner(ctx)
            else:
                result = _settled_wrk(
                    ctx,
                    scenario.path,
                    auth=scenario.auth,
                    method=scenario.method,
                    body=scenario.body,
                    connections=scenario.connections,
                )
            runs.setdefault(scenario.name, []).append(result)
            key = baseline_key(scenario)
            if key and key not in measured_baselines:
                say(f"run {repeat}/{ctx.profile.repeats}: baseline {key}")
                runs.setdefault(key, []).append(
                    _settled_wrk(
                        ctx,
                        scenario.baseline,
                        method=scenario.baseline_method,
                        body=_baseline_body(scenario),
                        connections=scenario.connections,
                    )
                )
                measured_baselines.add(key)
    return {name: median_of(results) for name, results in runs.items()}


def _settled_wrk(ctx: Context, path: str, **request: object) -> Measurement:
    """One measured wrk run of ``path``, after ``profile.settle`` unrecorded seconds of the
    same load (API and floor alike)."""
    if ctx.profile.settle:
        ctx.wrk(path, duration=ctx.profile.settle, **request)
    return ctx.wrk(path, **request)


def render(
    ctx: Context,
    scenarios: list[Scenario],
    results: dict[str, Measurement],
    workers: int,
    elapsed: float,
    load: float,
) -> str:
    """The results as Markdown: a header, the table, and the targets."""
    profile = ctx.profile
    rows = [
        "| endpoint | req/s | p50 ms | p99 ms | SQL/req | × baseline |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    notes = []

    def row(label: str, m: Measurement, ratio: str) -> str:
        queries = "—" if m.queries is None else str(m.queries)
        return f"| {label} | {m.rps:,.0f} | {m.p50_ms:.1f} | {m.p99_ms:.1f} | {queries} | {ratio} |"

    for scenario in scenarios:
        result = results[scenario.name]
        key = baseline_key(scenario)
        base = results.get(key) if key else result.baseline
        ratio = result.rps / base.rps if base and base.rps else None
        rows.append(row(scenario.name, result, "—" if ratio is None else f"{ratio:.2f}×"))
        if base:
            label = f"`{key}`" if key else "(measured by the scenario)"
            rows.append(row(f"↳ baseline {label}", base, "1.00×"))
        targets = (scenario.rps_target, scenario.p99_target, scenario.p50_target)
        if base and (any(targets) or scenario.p50_ms_max):
            missed = []
            if scenario.p50_ms_max and result.p50_ms > scenario.p50_ms_max:
                missed.append(f"p50 {result.p50_ms:.1f} ms > {scenario.p50_ms_max:.0f} ms")
            if scenario.rps_target and (ratio or 0) < scenario.rps_target:
                missed.append(f"req/s {ratio or 0:.2f}× < {scenario.rps_target}× baseline")
            for figure, target in (("p99", scenario.p99_target), ("p50", scenario.p50_target)):
                mine, theirs = getattr(result, f"{figure}_ms"), getattr(base, f"{figure}_ms")
                if target and mine > target * theirs:
                    missed.append(f"{figure} {mine:.1f} ms > {target}× baseline's {theirs:.1f} ms")
            verdict = "missed: " + ", ".join(missed) if missed else "met"
            notes.append(f"- target for `{scenario.name}`: {verdict}")
        for label, m in ((scenario.name, result), (key, base)):
            if m and m.errors:
                notes.append(f"- errors on `{label}`: {'; '.join(sorted(set(m.errors)))}")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    header = [
        f"Lyceum benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit `{commit or '?'}`, "
        f"{os.cpu_count()} cores ({platform.machine()}), load average {load:.1f} at the start "
        f"and {os.getloadavg()[0]:.1f} at the end, PostgreSQL + Redis on loopback.",
        f"gunicorn {workers} sync workers, DEBUG off; wrk 1 thread, {profile.connections} "
        f"connections, {profile.duration} s per run, median of {profile.repeats} "
        f"run(s); {profile.users:,} users in school `demo`; whole run {elapsed:.0f} s.",
        "SQL/req is counted in-process on a warm request. Baseline = plain Django view, one raw "
        "SQL query, orjson (bench/baseline.py).",
        "",
    ]
    targets = ["", "Targets (each against its own baseline, bench/scenarios.py):", *notes]
    return "\n".join(header + rows + targets) + "\n"


def bench_env(urls: dict[str, str]) -> dict[str, str]:
    """The environment of the served app: production settings, loopback only, baseline on."""
    return {
        **os.environ,
        **urls,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PUBLIC_URL": "http://127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SECURE_SSL_REDIRECT": "0",
        "LYCEUM_BENCH_BASELINE": "1",
        # Throttling stays on (its cache round trip is part of the cost), never trips.
        "API_RATE_LIMIT_PER_MINUTE": str(10**9),
        "API_ANON_RATE_LIMIT_PER_MINUTE": str(10**9),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Have orphaned descendants (a runner's workers, say) re-parented to this process."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _children() -> list[int]:
    """Process ids whose parent is this process (Linux /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
            pids.append(int(entry.name))
    return pids


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def stop_leftovers(grace: float = 5.0) -> None:
    """TERM, then KILL, whatever process the run left behind; reap them all."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        _reap()
        pids = _children()
        if not pids:
            return
        say(f"stopping {len(pids)} leftover process(es) with {signal.Signals(signum).name}")
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            _reap()
            if not _children():
                return
            time.sleep(0.1)


def _stop_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _time_limit(_signum: int, _frame: object) -> None:
    raise BenchError("the run took longer than its time limit")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when every figure was measured, 1 otherwise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny run for CI (a few seconds)")
    parser.add_argument("--users", type=int, help="users to load (default 100000, smoke 200)")
    parser.add_argument("--duration", type=int, help="seconds per wrk run")
    parser.add_argument("--repeats", type=int, help="runs per endpoint (median is printed)")
    parser.add_argument("--only", help="run only scenarios whose name contains this text")
    parser.add_argument("--output", type=Path, help="Markdown file for the table")
    parser.add_argument(
        "--time-limit",
        type=int,
        help=f"seconds for the whole run (default {DEFAULT_TIME_LIMIT}, more for more users)",
    )
    args = parser.parse_args(argv)

    base = SMOKE if args.smoke else FULL
    profile = Profile(
        users=args.users if args.users is not None else base.users,
        duration=args.duration or base.duration,
        warmup=base.warmup,
        repeats=args.repeats or base.repeats,
        connections=base.connections,
        output=(args.output or base.output).resolve(),
        courses=base.courses,
        smoke=base.smoke,
    )
    scenarios = [
        s
        for s in SCENARIOS
        if (not args.only or args.only in s.name) and profile.users >= s.min_users
    ]
    if not scenarios:
        say(f"no scenario matches {args.only!r}")
        return 1
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)
    signal.signal(signal.SIGALRM, _time_limit)
    # Loading users takes about a minute per million on top of the measuring.
    signal.alarm(args.time_limit or DEFAULT_TIME_LIMIT + profile.users // 1000)
    started = time.monotonic()
    load = os.getloadavg()[0]
    workdir = ROOT / "bench" / ".work"
    workdir.mkdir(parents=True, exist_ok=True)
    workers = 2 * (os.cpu_count() or 1)
    become_subreaper()
    try:
        ensure_debian_package("wrk", "wrk")
        with services(workdir) as urls:
            ctx = Context(profile=profile, env=bench_env(urls), workdir=workdir)
            load_data(ctx, scenarios)
            say("counting SQL queries per request")
            queries = count_queries(ctx, scenarios)
            say(f"serving with gunicorn, {workers} workers")
            with gunicorn(ctx, workers):
                if any(s.auth == "user" for s in scenarios):
                    status, body = ctx.request("POST", "/api/v1/auth/token", "none", LEARNER)
                    if status != 200:
                        raise BenchError(f"could not get a user token: {status} {body[:200]!r}")
                    ctx.user_token = json.loads(body)["access_token"]
                preflight(ctx, scenarios)
                results = measure(ctx, scenarios)
        for name, result in results.items():
            if result.queries is None:
                result.queries = queries.get(name)
        elapsed = time.monotonic() - started
        table = render(ctx, scenarios, results, workers, elapsed, load)
    except BenchError as error:
        say(f"FAILED: {error}")
        return 1
    finally:
        signal.alarm(0)
        stop_leftovers()
    profile.output.parent.mkdir(parents=True, exist_ok=True)
    profile.output.write_text(table)
    sys.stdout.write("\n" + table)
    shown = profile.output
    if shown.is_relative_to(ROOT):
        shown = shown.relative_to(ROOT)
    say(f"written to {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
