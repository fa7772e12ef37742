"""What ``make bench`` measures: ONE list, in table order. Add a scenario by appending here.

Each HTTP scenario is driven by wrk against gunicorn and compared with its ``baseline``
(a path under ``/bench/``, see bench/baseline.py) measured in the same run. A scenario
that is not a plain HTTP request (e.g. webhook delivery throughput) sets ``runner``: a
callable taking the run's ``bench.run.Context`` and returning a ``bench.run.Measurement``
(whose own ``baseline`` Measurement, if set, is shown and used for the ratio); it should do
very little when ``ctx.profile.smoke`` is set, since CI runs every scenario in the smoke run.
``min_users`` keeps a scenario out of runs loading fewer users (the million-member ones are
opt-in: ``make bench BENCH_ARGS="--users 1000000"``). Targets: ``rps_target`` (req/s at least
this × the baseline's), ``p99_target`` and ``p50_target`` (latency at most this × the
baseline's).
``prepare`` lists extra ``manage.py`` commands (argument lists; ``{users}`` is replaced
with the run's user count, ``{courses}`` with its catalog size: 10,000, or a few hundred in a
smoke run) that load the data it needs; each distinct command runs once. ``same_results``
has the run check, before timing, that the scenario and its baseline answer the same
``count`` and the same ``results`` in the same order (times compared as instants).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from bench import promo_codes_bulk, scale, webhooks_throughput

_scale_first_page, _scale_deep_cursor = scale.runners()

# The contents scenario's course, loaded by ``manage.py seed_bench_catalog --id``.
BENCH_COURSE_ID = "crs_0000000000benchcontents00"
# The enrollment scenarios' publication and learner (``manage.py seed_bench_enrollments``).
BENCH_PUBLISHED_ID = "pcr_0000000000benchenrolls00"
BENCH_LEARNER_ID = "usr_0000000000benchenroller0"
_ENROLLMENTS = f"/api/v1/domains/demo.lyceum.local/published-courses/{BENCH_PUBLISHED_ID}"
# The learner of the ``users/{id}/published-courses`` scenario: enrolled in 100 published
# courses with their progress (``manage.py seed_bench_user_courses``).
BENCH_COURSES_LEARNER_ID = "usr_0000000000benchcourses00"
BENCH_LEARNER_COURSES = 100
# The analytics scenario's course: 50,000 learners × 20 lessons = 1,000,000 lesson progress
# rows at the default --users (seed_bench_analytics; a smoke run loads what its users allow).
BENCH_ANALYTICS_ID = "crs_0000000000benchanalytics"
_SEED_ENROLLMENTS = (
    ("seed_bench_enrollments", "--id", BENCH_PUBLISHED_ID, "--user-id", BENCH_LEARNER_ID),
)
# The catalog-search scenario's domain and term (``manage.py seed_bench_search``: the term
# matches 50 of its 10,000 courses, in titles, descriptions and lessons).
SEARCH_DOMAIN = "search.bench.lyceum.local"
SEARCH_TERM = "forklift"
# The posts scenario's space: as many posts as the run has users (100,000 by default), ten
# comments each (``manage.py seed_bench_posts``).
BENCH_SPACE_ID = "spc_0000000000benchposts0000"


@dataclass(frozen=True)
class Scenario:
    """One row of the results table."""

    name: str
    path: str = ""
    baseline: str | None = None
    # A write's floor is requested like the scenario (method and body).
    baseline_method: str = "GET"
    auth: Literal["api_key", "user", "none"] = "api_key"
    method: str = "GET"
    body: dict[str, Any] | None = None
    is_list: bool = False
    rps_target: float | None = None
    p99_target: float | None = None
    p50_target: float | None = None
    # An absolute ceiling on the median latency, for targets stated in milliseconds.
    p50_ms_max: float | None = None
    # wrk's connections for this scenario and its baseline (default: the profile's).
    connections: int | None = None
    min_users: int = 0
    prepare: tuple[tuple[str, ...], ...] = ()
    same_results: bool = False
    runner: Callable[[Any], Any] | None = field(default=None, compare=False)


SCENARIOS: list[Scenario] = [
    Scenario(
        name="GET /api/v1/users?page_size=100",
        path="/api/v1/users?page_size=100",
        baseline="/bench/users?school=demo&page_size=100",
        is_list=True,
        rps_target=0.6,
        p99_target=1.5,
    ),
    Scenario(
        name="GET /api/v1/me",
        path="/api/v1/me",
        baseline="/bench/me",
        rps_target=0.7,
        p99_target=1.5,
    ),
    Scenario(name="GET /api/v1/ping", path="/api/v1/ping", baseline="/bench/ping", auth="none"),
    # A course of 50 sections × 20 lessons in one answer (seed_bench_catalog).
    Scenario(
        name="GET /api/v1/courses/{id}/contents (50 sections × 20 lessons)",
        path=f"/api/v1/courses/{BENCH_COURSE_ID}/contents",
        baseline=f"/bench/contents?course={BENCH_COURSE_ID}",
        rps_target=0.5,
        prepare=(("seed_bench_catalog", "--id", BENCH_COURSE_ID),),
    ),
    # A published course's 1,000 enrollments in one page (seed_bench_enrollments).
    Scenario(
        name="GET …/published-courses/{id}/enrollments?page_size=1000",
        path=f"{_ENROLLMENTS}/enrollments?page_size=1000",
        baseline=f"/bench/enrollments?published_course={BENCH_PUBLISHED_ID}&page_size=1000",
        is_list=True,
        rps_target=0.5,
        prepare=_SEED_ENROLLMENTS,
    ),
    # Each POST (no enrolled_at: now) is a new enrollment of the same learner; the floor
    # does the same writes raw in one transaction (enrollment, progress rows, event).
    Scenario(
        name="POST …/published-courses/{id}/enrollments (a new enrollment each)",
        path=f"{_ENROLLMENTS}/enrollments",
        method="POST",
        body={"user": {"id": BENCH_LEARNER_ID}},
        baseline=f"/bench/enroll?published_course={BENCH_PUBLISHED_ID}",
        baseline_method="POST",
        rps_target=0.5,
        prepare=_SEED_ENROLLMENTS,
    ),
    # One person's 100 published courses with their course progress summaries in one page
    # (the seed's 1,000 a page); the floor computes the same summaries in one statement.
    Scenario(
        name=f"GET /api/v1/users/{{id}}/published-courses ({BENCH_LEARNER_COURSES} courses)",
        path=f"/api/v1/users/{BENCH_COURSES_LEARNER_ID}/published-courses",
        baseline=f"/bench/user-published-courses?user={BENCH_COURSES_LEARNER_ID}",
        is_list=True,
        rps_target=0.5,
        prepare=(
            (
                "seed_bench_user_courses",
                "--user-id",
                BENCH_COURSES_LEARNER_ID,
                "--courses",
                str(BENCH_LEARNER_COURSES),
            ),
        ),
        same_results=True,
    ),
    # A course's analytics over a million lesson progress rows, sixteen clients at once.
    Scenario(
        name="GET /api/v1/courses/{id}/analytics (1,000,000 lesson progress rows)",
        path=f"/api/v1/courses/{BENCH_ANALYTICS_ID}/analytics",
        baseline=f"/bench/analytics?course={BENCH_ANALYTICS_ID}",
        rps_target=0.5,
        prepare=(("seed_bench_analytics", "--id", BENCH_ANALYTICS_ID, "--enrollments", "50000"),),
    ),
    # The same report for one client at a time: what a person opening it waits (target: p50
    # under 200 ms; sixteen clients on two cores queue behind each other).
    Scenario(
        name="GET /api/v1/courses/{id}/analytics (1,000,000 rows), one client",
        path=f"/api/v1/courses/{BENCH_ANALYTICS_ID}/analytics",
        baseline=f"/bench/analytics?course={BENCH_ANALYTICS_ID}",
        connections=1,
        rps_target=0.5,
        p50_ms_max=200,
        prepare=(("seed_bench_analytics", "--id", BENCH_ANALYTICS_ID, "--enrollments", "50000"),),
    ),
    # Ranked full-text search over a domain's published courses (seed_bench_search); the floor
    # runs the same ranked query raw. Default page size (100): all the matches, best first.
    Scenario(
        name=f"GET /api/v1/domains/{{d}}/published-courses?search={SEARCH_TERM} (10,000 courses)",
        path=f"/api/v1/domains/{SEARCH_DOMAIN}/published-courses?search={SEARCH_TERM}",
        baseline=f"/bench/published-courses?domain={SEARCH_DOMAIN}&search={SEARCH_TERM}",
        is_list=True,
        rps_target=0.5,
        p99_target=1.5,
        prepare=(("seed_bench_search", "--courses", "{courses}", "--domain", SEARCH_DOMAIN),),
        same_results=True,
    ),
    # A space's first page of posts (pinned first, newest next) with comment and reaction
    # counts, in a space of 100,000 posts and 1,000,000 comments (seed_bench_posts).
    Scenario(
        name="GET /api/v1/community/posts?space_id= (100,000 posts, 1,000,000 comments)",
        path=f"/api/v1/community/posts?space_id={BENCH_SPACE_ID}",
        baseline=f"/bench/posts?space={BENCH_SPACE_ID}",
        is_list=True,
        rps_target=0.5,
        p99_target=1.5,
        prepare=(("seed_bench_posts", "--id", BENCH_SPACE_ID, "--posts", "{users}"),),
    ),
    # req/s = deliveries/s, p50/p99 = event-to-delivery latency (bench/webhooks_throughput.py).
    Scenario(
        name="webhooks: 10,000 deliveries (1,000 events × 10 endpoints), measured once",
        runner=webhooks_throughput.runner(events=1000, endpoints=10),
    ),
    # The outbox's own cost: one endpoint, so every event is a dispatch (target < 60 s).
    Scenario(
        name="webhooks: 10,000 deliveries (10,000 events × 1 endpoint), measured once",
        runner=webhooks_throughput.runner(events=10000, endpoints=1),
    ),
    # Many events to many endpoints (target ≥ 0.5× the same run's raw-send floor).
    Scenario(
        name="webhooks: 100,000 deliveries (10,000 events × 10 endpoints), measured once",
        runner=webhooks_throughput.runner(events=10000, endpoints=10),
    ),
    # req/s = codes/s, p50/p99 = the job's seconds; baseline = a raw multi-row insert of the
    # same rows (bench/promo_codes_bulk.py). Targets: < 10 s and < 200 MB peak RSS for
    # 100,000, ≥ 0.5× the floor; 1,000,000 completes.
    Scenario(
        name="promo codes: 100,000 generated by a bulk job, measured once",
        runner=promo_codes_bulk.runner(count=100_000),
        rps_target=0.5,
    ),
    Scenario(
        name="promo codes: 1,000,000 generated by a bulk job, measured once",
        runner=promo_codes_bulk.runner(count=1_000_000, smoke_count=5000),
    ),
    # Opt-in (--users 1000000): the baseline is the same page in a school of 100,000 members.
    Scenario(
        name="GET /api/v1/users?page_size=100 at --users members (vs 100,000)",
        runner=_scale_first_page,
        rps_target=0.5,
        min_users=1_000_000,
    ),
    # The baseline is the first page of the same school, measured right after.
    Scenario(
        name="GET /api/v1/users?page_size=100&cursor= 5,000 pages deep (vs first page)",
        runner=_scale_deep_cursor,
        p50_target=1.5,
        min_users=1_000_000,
    ),
]
