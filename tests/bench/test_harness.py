import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

from bench import queries
from bench.run import (
    FULL,
    BenchError,
    Context,
    Measurement,
    measure,
    median_of,
    parse_wrk,
    preflight,
    render,
    results_differ,
)
from bench.scenarios import SCENARIOS, Scenario

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:40000/api/v1/users?page_size=100
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    48.10ms   12.00ms 180.00ms   80.00%
    Req/Sec   330.00     20.00   400.00     70.00%
  Latency Distribution
     50%   45.50ms
     75%   52.00ms
     90%   60.00ms
     99%    1.20s
  3300 requests in 10.00s, 5.00MB read
Requests/sec:    330.25
Transfer/sec:    512.00KB
"""


def test_parse_wrk_reads_rate_and_percentiles_in_milliseconds():
    result = parse_wrk(WRK_OUTPUT)

    assert result.rps == 330.25
    assert result.p50_ms == 45.5
    assert result.p99_ms == 1200.0
    assert result.errors == []


def test_parse_wrk_reports_non_2xx_and_socket_errors():
    # given
    output = WRK_OUTPUT.replace(
        "Requests/sec",
        "  Socket errors: connect 0, read 2, write 0, timeout 1\n"
        "  Non-2xx or 3xx responses: 7\nRequests/sec",
    )

    # when
    result = parse_wrk(output)

    # then
    assert result.errors == [
        "7 non-2xx responses",
        "socket errors: connect 0, read 2, write 0, timeout 1",
    ]


def test_parse_wrk_refuses_output_without_figures():
    with pytest.raises(BenchError):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_median_of_takes_each_figure_separately():
    runs = [Measurement(100, 5, 50), Measurement(300, 1, 10), Measurement(200, 9, 30)]

    result = median_of(runs)

    assert (result.rps, result.p50_ms, result.p99_ms) == (200, 5, 30)


def test_render_prints_one_table_with_ratios_and_targets():
    # given
    scenarios = [
        Scenario(
            name="GET /a",
            path="/a",
            baseline="/bench/a",
            is_list=True,
            rps_target=0.6,
            p99_target=1.5,
        ),
        Scenario(name="GET /b", path="/b"),
    ]
    results = {
        "GET /a": Measurement(50, 20, 150, queries=4),
        "/bench/a": Measurement(200, 5, 20, queries=1),
        "GET /b": Measurement(900, 2, 9, queries=0),
    }
    ctx = Context(profile=FULL, env={})

    # when
    table = render(ctx, scenarios, results, workers=4, elapsed=12.0, load=0.5)

    # then
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    assert rows[0] == "| endpoint | req/s | p50 ms | p99 ms | SQL/req | × baseline |"
    assert rows[2] == "| GET /a | 50 | 20.0 | 150.0 | 4 | 0.25× |"
    assert rows[3] == "| ↳ baseline `/bench/a` | 200 | 5.0 | 20.0 | 1 | 1.00× |"
    assert rows[4] == "| GET /b | 900 | 2.0 | 9.0 | 0 | — |"
    assert "missed: req/s 0.25× < 0.6× baseline, p99 150.0 ms > 1.5× baseline's 20.0 ms" in table


def test_render_checks_latency_against_a_runner_baseline():
    # given
    scenarios = [Scenario(name="deep", runner=lambda ctx: None, p50_target=1.5)]
    near = Measurement(90, 12, 40, baseline=Measurement(100, 10, 30))
    far = Measurement(60, 16, 40, baseline=Measurement(100, 10, 30))
    ctx = Context(profile=FULL, env={})

    # when
    met = render(ctx, scenarios, {"deep": near}, workers=4, elapsed=1.0, load=0.5)
    missed = render(ctx, scenarios, {"deep": far}, workers=4, elapsed=1.0, load=0.5)

    # then
    assert "- target for `deep`: met" in met
    assert "missed: p50 16.0 ms > 1.5× baseline's 10.0 ms" in missed


def test_million_member_scenarios_are_opt_in():
    from bench.run import SMOKE

    scale = [s for s in SCENARIOS if s.min_users]

    assert [s.min_users for s in scale] == [1_000_000, 1_000_000]
    assert all(s.min_users > max(FULL.users, SMOKE.users) for s in scale)


def test_scenarios_have_unique_names_and_mounted_baselines():
    names = [scenario.name for scenario in SCENARIOS]

    assert len(names) == len(set(names))
    for scenario in SCENARIOS:
        assert scenario.runner is not None or scenario.path.startswith("/api/v1/")
        if scenario.baseline:
            try:
                resolve(scenario.baseline.split("?")[0], urlconf="tests.bench.baseline_urls")
            except Resolver404:
                pytest.fail(f"{scenario.baseline} is not a baseline route")


def _page(count: int, *rows: dict) -> bytes:
    return json.dumps({"count": count, "next": None, "results": list(rows)}).encode()


def test_results_differ_compares_counts_rows_order_and_instants():
    # given
    a = {"id": "pcr_a", "title": "A", "created_at": "2026-01-01T00:00:00.000000Z"}
    b = {"id": "pcr_b", "title": "B", "created_at": "2026-01-01T00:00:00Z"}
    api = _page(2, a, b)

    # then
    assert results_differ(api, _page(2, {**a, "created_at": "2026-01-01T00:00:00Z"}, b)) is None
    assert "count 2" in results_differ(api, _page(3, a, b))
    assert "rows" in results_differ(api, _page(2, b, a))
    assert "pcr_b" in results_differ(api, _page(2, a, {**b, "title": "C"}))
    assert "created_at" in results_differ(api, _page(2, a, {**b, "created_at": "2026-01-02"}))
    assert results_differ(_page(0), _page(0)) == "no rows to compare"


def test_results_differ_compares_nested_times_as_instants():
    # given a row whose times sit in nested objects, as a user's published courses do
    row = {"id": "pcr_a", "enrollment": {"enrolled_at": "2026-01-01T00:00:00.000000Z"}}
    api = _page(1, row)

    # then the formatting of a nested time does not count, its instant does
    assert (
        results_differ(
            api, _page(1, {**row, "enrollment": {"enrolled_at": "2026-01-01T00:00:00Z"}})
        )
        is None
    )
    later = {**row, "enrollment": {"enrolled_at": "2026-01-01T00:00:01Z"}}
    assert "pcr_a" in results_differ(api, _page(1, later))


def test_preflight_refuses_a_baseline_that_answers_other_rows(monkeypatch):
    # given a scenario whose baseline answers its rows in another order
    row_a, row_b = {"id": "pcr_a"}, {"id": "pcr_b"}
    answers = {"/api/v1/x": _page(2, row_a, row_b), "/bench/x": _page(2, row_b, row_a)}
    ctx = Context(profile=FULL, env={})
    monkeypatch.setattr(ctx, "request", lambda method, path, auth, body: (200, answers[path]))
    scenario = Scenario(name="x", path="/api/v1/x", baseline="/bench/x", same_results=True)

    # when / then
    with pytest.raises(BenchError, match="rows"):
        preflight(ctx, [scenario])
    preflight(ctx, [replace(scenario, same_results=False)])


def test_every_search_scenario_checks_its_rows_against_the_floor():
    searches = [s for s in SCENARIOS if "search=" in s.path]

    assert searches
    assert all(s.same_results and s.baseline for s in searches)


def test_smoke_results_never_overwrite_the_committed_table():
    from bench.run import SMOKE

    assert SMOKE.output != FULL.output
    assert FULL.output == Path(__file__).resolve().parents[2] / "bench/results/latest.md"


@pytest.mark.parametrize("profile", ["smoke", "full"])
def test_webhook_runners_keep_smoke_runs_tiny(profile, monkeypatch, tmp_path):
    # given: every webhook scenario, with the subprocess it starts recorded, not run
    from bench import webhooks_throughput
    from bench.run import SMOKE

    started: list[list[str]] = []
    figures = (
        '{"per_second": 1, "p50_ms": 1, "p99_ms": 1, "baseline_per_second": 1, '
        '"baseline_p50_ms": 1, "baseline_p99_ms": 1}'
    )

    def fake_run(command, **kwargs):
        started.append(command)
        return subprocess.CompletedProcess(command, 0, stdout=figures + "\n", stderr="")

    monkeypatch.setattr(webhooks_throughput.subprocess, "run", fake_run)
    chosen = SMOKE if profile == "smoke" else FULL
    ctx = Context(profile=chosen, env={}, workdir=tmp_path)
    runners = [s for s in SCENARIOS if s.name.startswith("webhooks:")]

    # when
    for scenario in runners:
        scenario.runner(ctx)

    # then: a smoke run emits a few dozen events at most, a full one what the name says
    events = [int(command[command.index("--events") + 1]) for command in started]
    assert len(events) == len(runners) == 3
    if profile == "smoke":
        assert all(count <= 20 for count in events)
    else:
        assert sorted(events) == [1000, 10000, 10000]


@pytest.mark.django_db
def test_count_queries_counts_a_warm_request(api_key):
    # given
    requests = [
        {"name": "ping", "method": "GET", "path": "/api/v1/ping", "headers": {}},
        {
            "name": "me",
            "method": "GET",
            "path": "/api/v1/me",
            "headers": {"Authorization": f"Bearer {api_key[1]}"},
        },
    ]

    # when
    counts = queries.count_queries(requests)

    # then
    assert counts == {"ping": 1, "me": 1}


@pytest.mark.django_db
def test_count_queries_refuses_a_failing_request():
    requests = [{"name": "me", "method": "GET", "path": "/api/v1/me", "headers": {}}]

    with pytest.raises(SystemExit, match="HTTP 401"):
        queries.count_queries(requests)


def test_runner_scenarios_report_their_own_baseline_as_the_median_of_the_repeats():
    # given
    figures = iter([(10, 40), (30, 60), (20, 50)])

    def runner(ctx: Context) -> Measurement:
        rps, baseline_rps = next(figures)
        return Measurement(rps, 1, 2, baseline=Measurement(baseline_rps, 1, 2))

    scenario = Scenario(name="webhooks", runner=runner)
    ctx = Context(profile=replace(FULL, warmup=0, repeats=3), env={})

    # when
    results = measure(ctx, [scenario])
    table = render(ctx, [scenario], results, workers=4, elapsed=1.0, load=0.1)

    # then
    assert results["webhooks"].rps == 20
    assert results["webhooks"].baseline.rps == 50
    assert "| webhooks | 20 | 1.0 | 2.0 | — | 0.40× |" in table
    assert "| ↳ baseline (measured by the scenario) | 50 | 1.0 | 2.0 | — | 1.00× |" in table


def test_a_scenario_with_its_own_connections_keeps_its_floor_apart_and_checks_a_ceiling():
    # given: the same path and floor at the profile's 16 connections and at one
    calls = []

    class Recorder(Context):
        def wrk(self, path, *, connections=None, **kwargs):
            calls.append((path, connections))
            one = connections == 1
            return Measurement(5 if one else 7, 150 if one else 2000, 300, queries=None)

    shared = dict(path="/r", baseline="/bench/r", rps_target=0.5)
    crowd = Scenario(name="GET /r", **shared)
    alone = Scenario(name="GET /r, one client", connections=1, p50_ms_max=120, **shared)
    ctx = Recorder(profile=replace(FULL, warmup=0, repeats=1, settle=0), env={})

    # when
    results = measure(ctx, [crowd, alone])
    table = render(ctx, [crowd, alone], results, workers=4, elapsed=1.0, load=0.1)

    # then: each floor is measured once at its scenario's connections, and reported apart
    assert sorted(calls, key=str) == sorted(
        [("/r", None), ("/bench/r", None), ("/r", 1), ("/bench/r", 1)], key=str
    )
    assert "| ↳ baseline `/bench/r (1 connection(s))` | 5 | 150.0 | 300.0 | — | 1.00× |" in table
    assert "- target for `GET /r, one client`: missed: p50 150.0 ms > 120 ms" in table
    assert "- target for `GET /r`: met" in table


ORPHAN_SCRIPT = """
import os, subprocess, sys, time
from bench.run import become_subreaper, stop_leftovers
become_subreaper()
leave = "sleep 60 >/dev/null 2>&1 & echo $!"
out = subprocess.run(["sh", "-c", leave], capture_output=True, text=True)
orphan = int(out.stdout)
time.sleep(0.2)
with open(f"/proc/{orphan}/stat") as stat:
    adopted = int(stat.read().rsplit(")", 1)[1].split()[1]) == os.getpid()
stop_leftovers(grace=2)
print(orphan, adopted, os.path.exists(f"/proc/{orphan}"))
"""


def test_stop_leftovers_ends_processes_orphaned_by_a_step_of_the_run():
    # given a step that leaves a background process behind and exits

    # when
    done = subprocess.run(
        [sys.executable, "-c", ORPHAN_SCRIPT],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=30,
    )

    # then
    assert done.returncode == 0, done.stderr
    _orphan, adopted, still_there = done.stdout.split()
    assert adopted == "True"
    assert still_there == "False"


def test_each_measured_run_follows_unrecorded_load_on_its_own_path():
    # given a profile that settles for a second before each measured run
    calls = []

    class Recorder(Context):
        def wrk(self, path, *, duration=None, connections=None, **kwargs):
            calls.append((path, duration))
            return Measurement(100 if duration is None else 1, 10, 20, queries=None)

    scenarios = [
        Scenario(name="GET /heavy", path="/heavy", baseline="/bench/heavy"),
        Scenario(name="GET /light", path="/light", baseline="/bench/light"),
    ]
    ctx = Recorder(profile=replace(FULL, warmup=0, repeats=1, settle=1), env={})

    # when
    results = measure(ctx, scenarios)

    # then: every measured run is preceded by a settling run of the same path (API and
    # floor alike), and only the measured runs are reported
    assert calls == [
        ("/heavy", 1),
        ("/heavy", None),
        ("/bench/heavy", 1),
        ("/bench/heavy", None),
        ("/light", 1),
        ("/light", None),
        ("/bench/light", 1),
        ("/bench/light", None),
    ]
    assert {name: result.rps for name, result in results.items()} == {
        "GET /heavy": 100,
        "/bench/heavy": 100,
        "GET /light": 100,
        "/bench/light": 100,
    }
