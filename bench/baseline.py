"""The framework floor each scenario is compared with: plain Django views, one raw SQL
query, orjson. Mounted under ``/bench/`` only when ``LYCEUM_BENCH_BASELINE=1``.
"""

import hashlib
from urllib.parse import urlencode

import orjson
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from apps.core.money import money
from apps.core.pagination import exact_count_limit
from apps.schools.models import ApiKey, Member, School, Tag, User

JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def _json(data: object, status: int = 200) -> HttpResponse:
    """Serialize ``data`` with orjson into a JSON response."""
    return HttpResponse(
        orjson.dumps(data, option=JSON_OPTIONS), status=status, content_type="application/json"
    )


def _int_param(request: HttpRequest, name: str, default: int, ceiling: int) -> int:
    """A positive integer query parameter, clamped to ``ceiling``."""
    try:
        value = int(request.GET.get(name, default))
    except ValueError:
        value = default
    return max(1, min(value, ceiling))


def _key_hash(request: HttpRequest) -> str:
    """The SHA-256 of the request's bearer secret, as API keys are stored."""
    _scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return hashlib.sha256(secret.strip().encode()).hexdigest()


def _page(
    request: HttpRequest, count: int, page: int, size: int, query: dict, results: list
) -> HttpResponse:
    """A numbered page's answer: ``count``, ``next``/``previous`` links carrying ``query``
    and the page's ``results``."""
    base = request.build_absolute_uri(request.path)
    query = {**query, "page_size": size}
    more = page * size < count
    return _json(
        {
            "count": count,
            "next": f"{base}?{urlencode({**query, 'page': page + 1})}" if more else None,
            "previous": f"{base}?{urlencode({**query, 'page': page - 1})}" if page > 1 else None,
            "results": results,
        }
    )


def _users_sql() -> str:
    """The users page (count, members + users + sorted tag names) as ONE statement.

    The count stops at the API's exact-count limit as the API's does (apps/core/pagination.py);
    above it the API adds the planner's estimate, a second statement the floor leaves out."""
    member, user, tag = Member._meta.db_table, User._meta.db_table, Tag._meta.db_table
    school = School._meta.db_table
    through = Member.tags.through._meta.db_table
    return f"""
        WITH s AS (SELECT id FROM {school} WHERE slug = %s)
        SELECT
            (SELECT count(*) FROM (SELECT 1 FROM {member} WHERE school_id = (SELECT id FROM s)
                                   LIMIT {exact_count_limit() + 1}) bounded),
            u.id, u.email, u.first_name, u.last_name, m.role, m.status, m.external_id,
            m.company, m.department, m.country,
            COALESCE((SELECT array_agg(t.name ORDER BY t.name) FROM {through} mt
                      JOIN {tag} t ON t.id = mt.tag_id WHERE mt.member_id = m.id),
                     ARRAY[]::varchar[]),
            m.metadata, m.anonymized_at IS NOT NULL, m.created_at, m.updated_at
        FROM {member} m JOIN {user} u ON u.id = m.user_id
        WHERE m.school_id = (SELECT id FROM s)
        ORDER BY m.id
        LIMIT %s OFFSET %s
    """


USER_FIELDS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "role",
    "status",
    "external_id",
    "company",
    "department",
    "country",
    "tags",
    "metadata",
    "anonymized",
    "created_at",
    "updated_at",
)


def users(request: HttpRequest) -> HttpResponse:
    """``/bench/users?school=SLUG&page=N&page_size=M``: the users list page, raw (PostgreSQL)."""
    page = _int_param(request, "page", 1, 10**6)
    size = _int_param(request, "page_size", 1000, 1000)
    with connection.cursor() as cursor:
        cursor.execute(_users_sql(), [request.GET.get("school", ""), size, (page - 1) * size])
        rows = cursor.fetchall()
    count = rows[0][0] if rows else 0
    results = []
    for row in rows:
        item = dict(zip(USER_FIELDS, row[1:], strict=True))
        # Django's PostgreSQL backend hands jsonb over as text.
        item["metadata"] = orjson.loads(item["metadata"])
        results.append(item)
    base = request.build_absolute_uri(request.path)
    more = page * size < count
    return _json(
        {
            "count": count,
            "next": f"{base}?page={page + 1}&page_size={size}" if more else None,
            "previous": f"{base}?page={page - 1}&page_size={size}" if page > 1 else None,
            "results": results,
        }
    )


def me(request: HttpRequest) -> HttpResponse:
    """``/bench/me``: the API key's school, scopes and summary, looked up in one query."""
    key_hash = _key_hash(request)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT k.id, k.name, k.prefix, k.is_test, k.created_at, k.scopes,
                   s.id, s.name, s.slug
            FROM {ApiKey._meta.db_table} k JOIN {School._meta.db_table} s ON s.id = k.school_id
            WHERE k.key_hash = %s AND k.revoked_at IS NULL AND s.is_active
            """,
            [key_hash],
        )
        row = cursor.fetchone()
    if row is None:
        return _json({"detail": "The API key is invalid or revoked."}, status=401)
    key_id, name, prefix, is_test, created_at, scopes, school_id, school_name, slug = row
    if is_test:  # a test key acts on the school's sandbox; the baseline measures live keys
        return _json({"detail": "The baseline answers for live keys only."}, status=400)
    return _json(
        {
            "type": "api_key",
            "mode": "live",
            "school": {"id": school_id, "name": school_name, "slug": slug},
            "scopes": sorted(orjson.loads(scopes)),
            "api_key": {
                "id": key_id,
                "name": name,
                "prefix": prefix,
                "test": is_test,
                "created_at": created_at,
            },
            "user": None,
        }
    )


def ping(request: HttpRequest) -> HttpResponse:
    """``/bench/ping``: ``SELECT 1`` and ``{"status": "ok"}``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return _json({"status": "ok"})


def contents(request: HttpRequest) -> HttpResponse:
    """``/bench/contents?course=ID``: the course's sections and lessons in ONE query (the
    course is the caller's school's: joined with the API key), grouped as the API groups them."""
    from apps.catalog.models import Course, Lesson
    from apps.catalog.selectors.courses import LESSON_COLUMNS

    key_hash = _key_hash(request)
    columns = ", ".join(f'l."{name}"' for name in LESSON_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT {columns}
            FROM {Lesson._meta.db_table} l
            JOIN {Course._meta.db_table} c ON c.id = l.course_id
            JOIN {ApiKey._meta.db_table} k ON k.school_id = c.school_id
            WHERE c.id = %s AND k.key_hash = %s AND k.revoked_at IS NULL
            ORDER BY l."order"
            """,
            [request.GET.get("course", ""), key_hash],
        )
        rows = [dict(zip(LESSON_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    sections: list[dict] = []
    for row in rows:
        if row["type"] == "SECTION":
            sections.append(
                {
                    "id": row["id"],
                    "title": row["title"],
                    "order": row["order"],
                    "drip_days_after_enrollment": row["drip_days_after_enrollment"],
                    "drip_release_at": row["drip_release_at"],
                    "lessons": [],
                }
            )
            continue
        if not sections:
            sections.append(
                {
                    "id": None,
                    "title": "",
                    "order": None,
                    "drip_days_after_enrollment": None,
                    "drip_release_at": None,
                    "lessons": [],
                }
            )
        sections[-1]["lessons"].append(row)
    return _json({"course_id": request.GET.get("course", ""), "sections": sections})


def _school_of_key(cursor, request: HttpRequest) -> int | None:
    """The school id of the request's live API key (one indexed lookup), or None."""
    key_hash = _key_hash(request)
    cursor.execute(
        f"SELECT school_id FROM {ApiKey._meta.db_table} WHERE key_hash = %s AND revoked_at IS NULL",
        [key_hash],
    )
    row = cursor.fetchone()
    return row[0] if row else None


ENROLLMENT_FIELDS = (
    "id",
    "user_id",
    "email",
    "first_name",
    "last_name",
    "enrolled_at",
    "expires_at",
    "active",
    "source",
    "created_at",
    "updated_at",
    "purchase_state",
    "purchase_currency_code",
    "purchase_price_cents",
)


def enrollments(request: HttpRequest) -> HttpResponse:
    """``/bench/enrollments?published_course=ID&page_size=M``: a page of a published course's
    enrollments with their people, and the count, in ONE statement (the publication joined
    with the API key's school)."""
    from apps.catalog.models import PublishedCourse
    from apps.enrollments.models import Enrollment

    size = _int_param(request, "page_size", 1000, 1000)
    key_hash = _key_hash(request)
    enrollment, user = Enrollment._meta.db_table, User._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH p AS (
                SELECT p.id FROM {PublishedCourse._meta.db_table} p
                JOIN {ApiKey._meta.db_table} k ON k.school_id = p.school_id
                WHERE p.id = %s AND k.key_hash = %s AND k.revoked_at IS NULL
            )
            SELECT (SELECT count(*) FROM {enrollment}
                    WHERE published_course_id = (SELECT id FROM p)),
                   e.id, e.user_id, u.email, u.first_name, u.last_name, e.enrolled_at,
                   e.expires_at, e.active, e.source, e.created_at, e.updated_at,
                   e.purchase_state, e.purchase_currency_code, e.purchase_price_cents
            FROM {enrollment} e JOIN {user} u ON u.id = e.user_id
            WHERE e.published_course_id = (SELECT id FROM p)
            ORDER BY e.id LIMIT %s
            """,
            [request.GET.get("published_course", ""), key_hash, size],
        )
        rows = cursor.fetchall()
    results = []
    for row in rows:
        item = dict(zip(ENROLLMENT_FIELDS, row[1:], strict=True))
        price = item.pop("purchase_price_cents")
        currency = item.pop("purchase_currency_code")
        state = item.pop("purchase_state")
        item["user"] = {k: item.pop(k) for k in ("user_id", "email", "first_name", "last_name")}
        item["purchase"] = (
            {"purchase_state": state, "purchase_price": {"cents": price, "currency": currency}}
            if state
            else None
        )
        results.append(item)
    return _json({"count": rows[0][0] if rows else 0, "next": None, "results": results})


@csrf_exempt
def enroll(request: HttpRequest) -> HttpResponse:
    """``POST /bench/enroll?published_course=ID`` with ``{"user": {"id": …}}``: the writes of
    an enrollment done raw in one transaction (the enrollment row, a progress row per lesson
    and the event row), after checking the key and the person's membership."""
    from apps.catalog.models import Lesson, PublishedCourse
    from apps.core.ids import new_id
    from apps.core.models import Event
    from apps.enrollments.models import Enrollment, LessonProgress

    user_id = orjson.loads(request.body)["user"]["id"]
    published_id = request.GET.get("published_course", "")
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        school_id = _school_of_key(cursor, request)
        cursor.execute(
            f"""
            SELECT p.course_id FROM {PublishedCourse._meta.db_table} p
            JOIN {Member._meta.db_table} m ON m.school_id = p.school_id AND m.user_id = %s
            WHERE p.id = %s AND p.school_id = %s
            """,
            [user_id, published_id, school_id],
        )
        course_id = cursor.fetchone()[0]
        enrollment_id = new_id("enr")
        cursor.execute(
            f"""
            INSERT INTO {Enrollment._meta.db_table}
                (id, school_id, user_id, course_id, published_course_id, enrolled_at, active,
                 source, purchase_order_id, purchase_id, purchase_currency_code,
                 purchase_tax_price_cents, purchase_quantity, purchase_payment_processor,
                 completion_redirect, created_at, updated_at)
            VALUES (%s, %s, %s, %s, %s, %s, true, 'api', '', '', '', 0, 1, '', '', %s, %s)
            """,
            [enrollment_id, school_id, user_id, course_id, published_id, now, now, now],
        )
        cursor.execute(
            f"""
            INSERT INTO {LessonProgress._meta.db_table}
                (id, school_id, user_id, course_id, lesson_id, custom_data, time_spent_seconds,
                 created_at, updated_at)
            SELECT 'lpg_' || substr(md5(random()::text || l.id), 1, 26),
                   %s, %s, %s, l.id, '', 0, %s, %s
            FROM {Lesson._meta.db_table} l WHERE l.course_id = %s AND l.type <> 'SECTION'
            ON CONFLICT DO NOTHING
            """,
            [school_id, user_id, course_id, now, now, course_id],
        )
        cursor.execute(
            f"""
            INSERT INTO {Event._meta.db_table}
                (id, school_id, type, payload, dispatch_attempts, created_at, updated_at)
            VALUES (%s, %s, 'enrollment.created', %s, 0, %s, %s)
            """,
            [new_id("evt"), school_id, orjson.dumps({"id": enrollment_id}).decode(), now, now],
        )
    return _json({"id": enrollment_id, "user": {"id": user_id}, "enrolled_at": now}, 201)


def analytics(request: HttpRequest) -> HttpResponse:
    """``/bench/analytics?course=ID``: the course analytics' counts and lesson-progress
    aggregates in ONE statement (the course joined with the API key's school)."""
    from apps.catalog.models import Course, Lesson
    from apps.enrollments.models import CourseProgress, Enrollment, LessonProgress

    course = request.GET.get("course", "")
    key_hash = _key_hash(request)
    enrollment, progress = Enrollment._meta.db_table, CourseProgress._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH c AS (
                SELECT c.id FROM {Course._meta.db_table} c
                JOIN {ApiKey._meta.db_table} k ON k.school_id = c.school_id
                WHERE c.id = %(course)s AND k.key_hash = %(key)s AND k.revoked_at IS NULL
            )
            SELECT
              (SELECT count(DISTINCT user_id) FROM {enrollment} WHERE course_id = %(course)s),
              (SELECT count(DISTINCT user_id) FROM {enrollment} WHERE course_id = %(course)s
                 AND active AND (expires_at IS NULL OR expires_at > now())),
              (SELECT count(*) FROM {progress} WHERE course_id = %(course)s
                 AND started_at IS NOT NULL),
              (SELECT count(*) FROM {progress} WHERE course_id = %(course)s
                 AND completed_at IS NOT NULL),
              (SELECT count(*) FROM {Lesson._meta.db_table} WHERE course_id = %(course)s
                 AND type <> 'SECTION'),
              lp.score, lp.time
            FROM c, LATERAL (
              SELECT avg(score * 100.0 / max_score)
                       FILTER (WHERE score IS NOT NULL AND max_score > 0) AS score,
                     sum(time_spent_seconds) AS time
              FROM {LessonProgress._meta.db_table} WHERE course_id = c.id
            ) lp
            """,
            {"course": course, "key": key_hash},
        )
        row = cursor.fetchone()
    if row is None:
        return _json({"detail": "No such course."}, status=404)
    enrolled, active, started, completed, lessons, score, time = row
    return _json(
        {
            "course_id": course,
            "enrolled": enrolled,
            "active": active,
            "started": started,
            "completed": completed,
            "completion_rate": round(completed / enrolled, 4) if enrolled else None,
            "average_score": None if score is None else round(float(score), 2),
            "average_time_seconds": round((time or 0) / enrolled) if enrolled else None,
            "lessons": lessons,
        }
    )


# The columns of the search floor's statement after its count, in order.
SEARCH_COLUMNS = (
    "id",
    "course_id",
    "course_title",
    "slug",
    "domain",
    "hidden",
    "registration_required",
    "registration_starts_at",
    "registration_ends_at",
    "timezone",
    "course_series_id",
    "created_at",
    "updated_at",
    "offer_id",
    "offer_registration_open",
    "offer_price_cents",
    "offer_currency_code",
)


def _published_course_search_sql() -> str:
    """A domain's published courses matching a websearch query, best match first (ranked as
    the API ranks them), with the count of all matches, as ONE statement; the domain is the
    API key's school's."""
    from apps.catalog.models import Course, PublishedCourse
    from apps.catalog.models.publishing import SEARCH_CONFIG
    from apps.commerce.models import Offer
    from apps.schools.models import Domain

    published, course = PublishedCourse._meta.db_table, Course._meta.db_table
    offer = Offer._meta.db_table
    domain, key = Domain._meta.db_table, ApiKey._meta.db_table
    return f"""
        WITH q AS (SELECT websearch_to_tsquery('{SEARCH_CONFIG}'::regconfig, %s) AS query),
        matches AS (
            SELECT p.id, p.course_id, p.slug, p.hidden, p.registration_required,
                   p.registration_starts_at, p.registration_ends_at, p.timezone,
                   p.course_series_id, p.created_at, p.updated_at, d.name AS domain,
                   ts_rank(p.search_vector, q.query) AS rank
            FROM {published} p
            JOIN {domain} d ON d.id = p.domain_id
            JOIN {key} k ON k.school_id = d.school_id
            CROSS JOIN q
            WHERE d.name = %s AND k.key_hash = %s AND k.revoked_at IS NULL
              AND p.school_id = d.school_id AND p.search_vector @@ q.query
        )
        SELECT count(*) OVER (), m.id, c.id, c.title, m.slug, m.domain, m.hidden,
               m.registration_required, m.registration_starts_at, m.registration_ends_at,
               m.timezone, m.course_series_id, m.created_at, m.updated_at,
               o.id, o.registration_open, o.price_cents, o.currency_code
        FROM matches m JOIN {course} c ON c.id = m.course_id
        LEFT JOIN {offer} o ON o.published_course_id = m.id
        ORDER BY m.rank DESC, m.id
        LIMIT %s OFFSET %s
    """


def published_courses(request: HttpRequest) -> HttpResponse:
    """``/bench/published-courses?domain=NAME&search=TERM&page=N&page_size=M``: a catalog
    search page, raw (PostgreSQL full-text search, the API's ranking and shape)."""
    page = _int_param(request, "page", 1, 10**6)
    size = _int_param(request, "page_size", 100, 100)
    key_hash = _key_hash(request)
    term, domain = request.GET.get("search", ""), request.GET.get("domain", "")
    with connection.cursor() as cursor:
        cursor.execute(
            _published_course_search_sql(), [term, domain, key_hash, size, (page - 1) * size]
        )
        rows = cursor.fetchall()
    count = rows[0][0] if rows else 0
    results = []
    for row in rows:
        item = dict(zip(SEARCH_COLUMNS, row[1:], strict=True))
        item["course"] = {"id": item.pop("course_id"), "title": item.pop("course_title")}
        domain_name = item.pop("domain")
        item["course_url"] = f"https://{domain_name}/{item['slug']}"
        offer_id = item.pop("offer_id")
        open_, cents, currency = (
            item.pop("offer_registration_open"),
            item.pop("offer_price_cents"),
            item.pop("offer_currency_code"),
        )
        item["offer"] = (
            None
            if offer_id is None
            else {
                "id": offer_id,
                "registration_open": open_,
                "registration_url": f"https://{domain_name}/checkout/{offer_id}",
                "price": money(cents, currency),
            }
        )
        results.append(item)
    return _page(request, count, page, size, {"domain": domain, "search": term}, results)


def _user_published_courses_sql() -> str:
    """A person's published courses (the latest enrollment in each), each with the course
    progress summary the API computes, and their count, as ONE statement; the person is a
    member of the API key's school."""
    from apps.catalog.models import Course, Lesson, LessonType
    from apps.enrollments.models import CourseProgress, Enrollment, LessonProgress

    enrollment, course = Enrollment._meta.db_table, Course._meta.db_table
    lesson, progress = Lesson._meta.db_table, CourseProgress._meta.db_table
    lesson_progress, member = LessonProgress._meta.db_table, Member._meta.db_table
    section = LessonType.SECTION.value
    required = "NOT l.optional AND NOT COALESCE(h.optional, false)"
    return f"""
        WITH k AS (
            SELECT school_id FROM {ApiKey._meta.db_table}
            WHERE key_hash = %(key)s AND revoked_at IS NULL
        ),
        latest AS (
            SELECT max(e.id) AS id FROM {enrollment} e
            JOIN {member} m ON m.school_id = e.school_id AND m.user_id = e.user_id
            WHERE e.user_id = %(user)s AND e.school_id = (SELECT school_id FROM k)
              AND e.published_course_id IS NOT NULL
            GROUP BY e.published_course_id
        )
        SELECT count(*) OVER (), e.id, e.user_id, e.course_id, c.title, e.published_course_id,
               e.enrolled_at, e.expires_at, e.active,
               cp.id, cp.started_at, cp.completed_at, cp.success_status, cp.last_accessed_at,
               cp.current_lesson_id, s.total, s.completed, s.required, s.required_completed,
               s.time_spent, s.position,
               (SELECT r.completion_redirect FROM {enrollment} r
                WHERE r.user_id = e.user_id AND r.course_id = e.course_id
                  AND r.completion_redirect <> ''
                ORDER BY r.enrolled_at DESC, r.id DESC LIMIT 1)
        FROM latest
        JOIN {enrollment} e ON e.id = latest.id
        JOIN {course} c ON c.id = e.course_id
        LEFT JOIN {progress} cp ON cp.user_id = e.user_id AND cp.course_id = e.course_id
        LEFT JOIN {lesson} cl ON cl.id = cp.current_lesson_id
        LEFT JOIN LATERAL (
            SELECT count(*) AS total,
                   count(lp.completed_at) AS completed,
                   count(*) FILTER (WHERE {required}) AS required,
                   count(lp.completed_at) FILTER (WHERE {required}) AS required_completed,
                   COALESCE(sum(lp.time_spent_seconds), 0) AS time_spent,
                   count(*) FILTER (WHERE l."order" <= cl."order") AS position
            FROM {lesson} l
            -- One probe of the (user, lesson) unique index per lesson (LIMIT keeps the
            -- planner from hashing all of the person's rows for every course).
            LEFT JOIN LATERAL (
                SELECT completed_at, time_spent_seconds FROM {lesson_progress}
                WHERE user_id = e.user_id AND lesson_id = l.id LIMIT 1
            ) lp ON true
            LEFT JOIN LATERAL (
                SELECT optional FROM {lesson} heading
                WHERE heading.course_id = l.course_id AND heading.type = '{section}'
                  AND heading."order" < l."order"
                ORDER BY heading."order" DESC LIMIT 1
            ) h ON true
            WHERE l.course_id = e.course_id AND l.type <> '{section}'
        ) s ON cp.id IS NOT NULL
        ORDER BY e.id
        LIMIT %(size)s OFFSET %(offset)s
    """


def _course_progress(row: tuple) -> dict | None:
    """The API's course progress summary of a floor row's progress columns (None without a
    course progress row)."""
    user_id, course_id, title = row[2:5]
    (
        progress_id,
        started_at,
        completed_at,
        success_status,
        last_accessed_at,
        current_lesson_id,
        total,
        completed,
        required,
        required_completed,
        time_spent,
        position,
        redirect,
    ) = row[9:]
    if progress_id is None:
        return None
    if completed_at is not None:
        status = "completed"
    elif started_at is not None:
        status = "in_progress"
    else:
        status = "not_started"
    return {
        "id": progress_id,
        "user_id": user_id,
        "course_id": course_id,
        "course_title": title,
        "status": status,
        "current_lesson": position if current_lesson_id else min(1, total),
        "current_lesson_id": current_lesson_id,
        "total_lessons": total,
        "lessons_completed": completed,
        "required_lessons": required,
        "required_lessons_completed": required_completed,
        "percent_complete": round(completed * 100 / total, 1) if total else 0.0,
        "time_spent_minutes": time_spent // 60,
        "time_spent_seconds": time_spent,
        "started_at": started_at,
        "last_accessed_at": last_accessed_at,
        "completed_at": completed_at,
        "success_status": success_status,
        "completion_redirect": redirect or None,
    }


def user_published_courses(request: HttpRequest) -> HttpResponse:
    """``/bench/user-published-courses?user=ID&page=N&page_size=M``: the published courses a
    person is enrolled in, each with their progress summary, raw (PostgreSQL)."""
    page = _int_param(request, "page", 1, 10**6)
    size = _int_param(request, "page_size", 1000, 1000)
    params = {
        "key": _key_hash(request),
        "user": request.GET.get("user", ""),
        "size": size,
        "offset": (page - 1) * size,
    }
    with connection.cursor() as cursor:
        cursor.execute(_user_published_courses_sql(), params)
        rows = cursor.fetchall()
    count = rows[0][0] if rows else 0
    results = [
        {
            "id": row[5],
            "published_course_id": row[5],
            "course": {"id": row[3], "title": row[4]},
            "enrollment": {
                "id": row[1],
                "enrolled_at": row[6],
                "expires_at": row[7],
                "active": row[8],
            },
            "course_progress": _course_progress(row),
        }
        for row in rows
    ]
    return _page(request, count, page, size, {"user": params["user"]}, results)


POST_FIELDS = (
    "id",
    "space_id",
    "author_id",
    "author_email",
    "author_first_name",
    "author_last_name",
    "title",
    "body",
    "tags",
    "is_pinned",
    "pinned_at",
    "is_hidden",
    "hidden_reason",
    "hidden_at",
    "comments_count",
    "like",
    "love",
    "celebrate",
    "insightful",
    "curious",
    "created_at",
    "updated_at",
)


def _posts_sql() -> str:
    """A space's first page of posts (pinned first, then newest) with their authors, visible
    comment counts and reaction counts by kind, and the bounded count, as ONE statement (the
    space joined with the API key's school)."""
    from apps.community.models import Comment, Post, Reaction, Space

    post, comment, reaction = Post._meta.db_table, Comment._meta.db_table, Reaction._meta.db_table
    kinds = ", ".join(f"count(*) FILTER (WHERE kind = '{kind}')" for kind in Reaction.Kind.values)
    return f"""
        WITH s AS (
            SELECT sp.id FROM {Space._meta.db_table} sp
            JOIN {ApiKey._meta.db_table} k ON k.school_id = sp.school_id
            WHERE sp.id = %s AND sp.deleted_at IS NULL AND k.key_hash = %s
              AND k.revoked_at IS NULL
        )
        SELECT
            (SELECT count(*) FROM (SELECT 1 FROM {post} WHERE space_id = (SELECT id FROM s)
                                   LIMIT {exact_count_limit() + 1}) bounded),
            p.id, p.space_id, u.id, u.email, u.first_name, u.last_name, p.title, p.body,
            p.tags, p.is_pinned, p.pinned_at, p.is_hidden, p.hidden_reason, p.hidden_at,
            (SELECT count(*) FROM {comment} c WHERE c.post_id = p.id AND NOT c.is_hidden),
            r.*, p.created_at, p.updated_at
        FROM {post} p
        LEFT JOIN {User._meta.db_table} u ON u.id = p.author_id
        CROSS JOIN LATERAL (SELECT {kinds} FROM {reaction} WHERE post_id = p.id) r
        WHERE p.space_id = (SELECT id FROM s)
        ORDER BY p.is_pinned DESC, p.id DESC
        LIMIT %s
    """


def posts(request: HttpRequest) -> HttpResponse:
    """``/bench/posts?space=ID&page_size=M``: the first page of a space's posts, raw."""
    size = _int_param(request, "page_size", 10, 100)
    space = request.GET.get("space", "")
    with connection.cursor() as cursor:
        cursor.execute(_posts_sql(), [space, _key_hash(request), size])
        rows = cursor.fetchall()
    count = rows[0][0] if rows else 0
    results = []
    for row in rows:
        item = dict(zip(POST_FIELDS, row[1:], strict=True))
        author = {k: item.pop(f"author_{k}") for k in ("id", "email", "first_name", "last_name")}
        item["author"] = author if author["id"] else None
        item["tags"] = item["tags"].split()
        item["reactions"] = {
            k: item.pop(k) for k in ("like", "love", "celebrate", "insightful", "curious")
        }
        results.append(item)
    return _page(request, count, 1, size, {"space_id": space}, results)
