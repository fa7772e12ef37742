"""The catalogue tells the truth: every advertised event is really sent, in its schema's shape.

Each event type the API advertises has a trigger here that causes it through the API (or
the public page that causes it); the test delivers it to a receiver and validates the
``data`` it received against the advertised JSON Schema. An app that registers a new type
adds its trigger here, or ``test_every_advertised_event_has_a_trigger`` fails.
"""

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import jsonschema
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from apps.catalog.models import LessonType, PublishedCourse
from apps.catalog.services.courses import course_create
from apps.catalog.services.lessons import lesson_create
from apps.catalog.services.live import ilt_session_create
from apps.catalog.services.paths import path_create, path_item_create
from apps.catalog.tasks import web_package_import_task
from apps.commerce.services.plans import plan_create
from apps.commerce.services.subscriptions import (
    subscription_plan_create,
    subscriptions_renew_due,
)
from apps.core import event_types as registry
from apps.core.events import emit, emit_many
from apps.core.models import Event
from apps.enrollments.models import Enrollment, LessonProgress, QuizAttempt
from apps.enrollments.services.certificates import certificate_issue, certificate_template_save
from apps.schools.models import Domain, School, User
from apps.schools.selectors.invites import invite_token
from apps.schools.services.domains import domain_user_create
from apps.schools.services.groups import group_create
from apps.schools.services.invites import invite_create
from apps.schools.services.people import user_create
from apps.webhooks.models import Webhook
from tests.catalog.test_package_inspection import TINCAN
from tests.webhooks.receiver import Receiver, Reply

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks"
DOMAIN = "learn.alpha.test"


@dataclass
class Ctx:
    school: School
    api: APIClient
    browser: Client
    webhook: Webhook

    def domain(self) -> Domain:
        return Domain.objects.get_or_create(school=self.school, name=DOMAIN)[0]


def ok(response, *statuses: int) -> None:
    assert response.status_code in (statuses or (200, 201, 202, 204)), response.content


def _user_id(ctx: Ctx) -> str:
    return user_create(school=ctx.school, email="target@alpha.test", first_name="Ty")[0].user_id


def _domain_user_id(ctx: Ctx) -> str:
    domain_user, _ = domain_user_create(domain=ctx.domain(), email="dom@alpha.test")
    return domain_user.user_id


def _group_with_member(ctx: Ctx) -> tuple[str, str]:
    group = group_create(school=ctx.school, name="Cohort 7")
    user_id = _user_id(ctx)
    ok(ctx.api.post(f"/api/v1/groups/{group.id}/users", {"user": {"id": user_id}}, format="json"))
    return group.id, user_id


def _accept_invite(ctx: Ctx) -> None:
    domain_user, _ = domain_user_create(domain=ctx.domain(), email="inv@alpha.test")
    invite = invite_create(domain_user=domain_user, send_email=False)
    password = "a long Secret 123"
    ok(
        ctx.browser.post(
            f"/invites/{invite_token(invite)}",
            {"new_password1": password, "new_password2": password},
        )
    )


def _course_id(ctx: Ctx) -> str:
    body = {"title": "Forklifts", "short_description": "Safely.", "labels": ["Safety"]}
    response = ctx.api.post(
        "/api/v1/courses", {**body, "enforce_sequential_navigation": False}, format="json"
    )
    ok(response)
    return response.json()["id"]


def _lesson_id(ctx: Ctx) -> str:
    body = {"type": "HTML", "order": 1, "title": "Intro", "course_id": _course_id(ctx)}
    response = ctx.api.post("/api/v1/lessons", body, format="json")
    ok(response)
    return response.json()["id"]


def _live_lesson_id(ctx: Ctx) -> str:
    body = {"type": "LIVE_TRAINING", "order": 1, "title": "Live", "course_id": _course_id(ctx)}
    response = ctx.api.post("/api/v1/lessons", body, format="json")
    ok(response)
    return response.json()["id"]


def _ilt_session_id(ctx: Ctx) -> str:
    body = {
        "lesson": _live_lesson_id(ctx),
        "instructor_email": "Ada <ada@alpha.test>",
        "timezone": "US/Pacific",
        "starts_at": "2030-05-01T09:00:00Z",
        "ends_at": "2030-05-01T11:00:00Z",
        "display_name": "Forklifts, live",
        "seats_total": 12,
        "tags": "Onsite, Forklift",
    }
    response = ctx.api.post("/api/v1/ilt-sessions", body, format="json")
    ok(response)
    return response.json()["id"]


def _ilt_multi_session_event_id(ctx: Ctx) -> str:
    body = {"lesson": _live_lesson_id(ctx), "display_name": "Week", "seats_total": 20}
    response = ctx.api.post("/api/v1/ilt-multi-session-events", body, format="json")
    ok(response)
    return response.json()["id"]


def _import_package(ctx: Ctx, files: dict[str, str]) -> None:
    """Create a web package from a zip served on loopback and run its import job now."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        for name, data in files.items():
            package.writestr(name, data)
    reply = Reply(headers={"Content-Type": "application/zip"}, body=archive.getvalue())
    with (
        Receiver(lambda n, b, h: reply) as source,
        override_settings(CATALOG_IMPORT_ALLOW_HTTP=True, CATALOG_IMPORT_ALLOW_PRIVATE=True),
    ):
        response = ctx.api.post(
            "/api/v1/web-packages",
            {"content_url": source.url("/p.zip"), "web_package": {"title": "P"}},
            format="json",
        )
        ok(response, 202)
        web_package_import_task(response["Location"].rstrip("/").rsplit("/", 1)[1])


def _published_course_url(ctx: Ctx) -> str:
    course = course_create(
        school=ctx.school,
        title="Forklifts",
        short_description="",
        enforce_sequential_navigation=False,
    )
    url = f"/api/v1/domains/{ctx.domain().name}/published-courses"
    response = ctx.api.post(url, {"course_id": course.id}, format="json")
    ok(response)
    return f"{url}/{response.json()['id']}"


def _offer_url(ctx: Ctx) -> str:
    published_course_id = _published_course_url(ctx).rsplit("/", 1)[1]
    body = {"published_course_id": published_course_id, "price_cents": 4900, "currency_code": "USD"}
    response = ctx.api.post("/api/v1/offers", body, format="json")
    ok(response)
    return f"/api/v1/offers/{response.json()['id']}"


def _purchase_url(ctx: Ctx, fulfil: bool = False) -> str:
    offer_id = _offer_url(ctx).rsplit("/", 1)[1]
    body = {"offer_id": offer_id, "user_id": _user_id(ctx)}
    response = ctx.api.post("/api/v1/purchases", body, format="json")
    ok(response)
    url = f"/api/v1/purchases/{response.json()['id']}"
    if fulfil:
        ok(ctx.api.post(f"{url}/fulfill", {"state": "SUCCESS"}, format="json"))
    return url


def _promo_code_pool_url(ctx: Ctx) -> str:
    body = {
        "name": "Spring",
        "discount_type": "PERCENT_OFF",
        "percent_off": 20,
        "starts_at": "2026-01-01T00:00:00Z",
    }
    response = ctx.api.post("/api/v1/promo-code-pools", body, format="json")
    ok(response)
    return f"/api/v1/promo-code-pools/{response.json()['id']}"


def _promo_code_url(ctx: Ctx) -> str:
    pool_id = _promo_code_pool_url(ctx).rsplit("/", 1)[1]
    body = {"promo_code_pool_id": pool_id, "code": "SPRING-20", "max_uses": 5}
    response = ctx.api.post("/api/v1/promo-codes", body, format="json")
    ok(response)
    return f"/api/v1/promo-codes/{response.json()['id']}"


def _space_member_added(ctx: Ctx) -> None:
    space = ctx.api.post("/api/v1/community/spaces", {"title": "Forklift drivers"}, format="json")
    ok(space)
    url = f"/api/v1/community/spaces/{space.json()['id']}/users"
    ok(ctx.api.post(url, {"users": [_user_id(ctx)]}, format="json"))


def _cohort_member_added(ctx: Ctx) -> None:
    body = {"name": "Spring drivers", "course_id": _course_id(ctx), "start_date": "2026-03-02"}
    cohort = ctx.api.post("/api/v1/cohorts", body, format="json")
    ok(cohort)
    url = f"/api/v1/cohorts/{cohort.json()['id']}/members"
    ok(ctx.api.post(url, {"users": [_user_id(ctx)]}, format="json"))


def _community_post_id(ctx: Ctx) -> str:
    space = ctx.api.post("/api/v1/community/spaces", {"title": "Night shift"}, format="json")
    ok(space)
    body = {"space_id": space.json()["id"], "body": "<p>Checklist?</p>"}
    post = ctx.api.post("/api/v1/community/posts", body, format="json")
    ok(post)
    return post.json()["id"]


def _community_comment(ctx: Ctx) -> None:
    url = f"/api/v1/community/posts/{_community_post_id(ctx)}/comments"
    ok(ctx.api.post(url, {"body": "<p>Forks and chains.</p>"}, format="json"))


def _enrollment_url(ctx: Ctx) -> str:
    url = f"{_published_course_url(ctx)}/enrollments"
    response = ctx.api.post(url, {"user": {"id": _user_id(ctx)}}, format="json")
    ok(response)
    return f"{url}/{response.json()['id']}"


def _subscription_url(ctx: Ctx) -> str:
    published_course_id = _published_course_url(ctx).rsplit("/", 1)[1]
    plan = subscription_plan_create(
        school=ctx.school,
        title="All courses, monthly",
        interval="month",
        price_cents=2900,
        currency_code="USD",
        published_courses=[PublishedCourse.objects.get(pk=published_course_id)],
    )
    body = {"user_id": _user_id(ctx), "plan_id": plan.id}
    response = ctx.api.post("/api/v1/user-subscriptions", body, format="json")
    ok(response)
    return f"/api/v1/user-subscriptions/{response.json()['id']}"


def _past_due_subscription_url(ctx: Ctx) -> str:
    """A subscription whose first renewal, charged by the manual processor, is unpaid."""
    url = _subscription_url(ctx)
    subscriptions_renew_due(now=timezone.now() + timedelta(days=32))
    return url


def _path_enrollment_url(ctx: Ctx) -> str:
    course = course_create(
        school=ctx.school,
        title="Pallets",
        short_description="",
        enforce_sequential_navigation=False,
    )
    path = path_create(school=ctx.school, title="Warehouse")
    path_item_create(path=path, course=course)
    base = f"/api/v1/domains/{ctx.domain().name}/published-paths"
    published = ctx.api.post(base, {"path_id": path.id}, format="json")
    ok(published)
    url = f"{base}/{published.json()['id']}/published-path-enrollments"
    response = ctx.api.post(url, {"user": {"id": _user_id(ctx)}}, format="json")
    ok(response)
    return f"{url}/{response.json()['id']}"


def _plan_enrollment_url(ctx: Ctx) -> str:
    course = course_create(
        school=ctx.school,
        title="Racking",
        short_description="",
        enforce_sequential_navigation=False,
    )
    plan = plan_create(domain=ctx.domain(), title="All access", courses=[course])
    url = f"/api/v1/domains/{ctx.domain().name}/plan/{plan.id}/plan-enrollments"
    response = ctx.api.post(url, {"user": {"id": _user_id(ctx)}}, format="json")
    ok(response)
    return f"{url}/{response.json()['id']}"


def _path_item_url(ctx: Ctx) -> str:
    """A course added to a path through the API."""
    course = course_create(
        school=ctx.school,
        title="Racking",
        short_description="",
        enforce_sequential_navigation=False,
    )
    path = ctx.api.post("/api/v1/paths", {"title": "Storage"}, format="json")
    ok(path)
    url = f"/api/v1/paths/{path.json()['id']}/path-items"
    response = ctx.api.post(url, {"course_id": course.id}, format="json")
    ok(response)
    return f"{url}/{response.json()['id']}"


def _certificate_url(ctx: Ctx) -> str:
    """A certificate issued by the service staff call from the admin."""
    course = course_create(
        school=ctx.school,
        title="Ladders",
        short_description="",
        enforce_sequential_navigation=False,
    )
    certificate_template_save(course=course, title="Certificate", body="{user_name} did it.")
    user = User.objects.get(pk=_user_id(ctx))
    certificate, _ = certificate_issue(user=user, course=course)
    return f"/api/v1/certificates/{certificate.id}"


def _vilt_registration(ctx: Ctx) -> None:
    enrollment_id = _enrollment_url(ctx).rsplit("/", 1)[1]
    enrollment = Enrollment.objects.select_related("course").get(pk=enrollment_id)
    lesson = lesson_create(
        course=enrollment.course, type=LessonType.LIVE_TRAINING, title="Practice"
    )
    starts = timezone.now() + timedelta(days=3)
    session = ilt_session_create(
        school=ctx.school,
        lesson=lesson,
        display_name="Morning practice",
        instructor_email="coach@alpha.test",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        timezone="Europe/Paris",
        seats_total=5,
    )
    body = {"vilt_session": {"id": session.id}, "enrollment_id": enrollment_id}
    ok(ctx.api.post("/api/v1/vilt-session-registrations", body, format="json"), 201)


def _submitted_attempt(ctx: Ctx, question_type: str = "FREEFORM") -> str:
    """Enroll a person in a course whose QUIZ lesson shows a one-question quiz, start an
    attempt for them and submit it; the attempt's id."""
    quiz = ctx.api.post("/api/v1/quizzes", {"name": "Forklifts"}, format="json")
    ok(quiz)
    quiz_id = quiz.json()["id"]
    answers = [{"answer_text": "Helmet", "correct": True}] if question_type != "FREEFORM" else []
    question = ctx.api.post(
        "/api/v1/quiz-questions",
        {"quiz": quiz_id, "type": question_type, "html": "<p>Wear a?</p>", "answers": answers},
        format="json",
    )
    ok(question)
    enrollment = ctx.api.get(_enrollment_url(ctx)).json()
    course_id = Enrollment.objects.get(pk=enrollment["id"]).course_id
    lesson = {"type": "QUIZ", "order": 1, "title": "Check", "course_id": course_id}
    ok(ctx.api.post("/api/v1/lessons", {**lesson, "content_quiz_id": quiz_id}, format="json"))
    started = ctx.api.post(
        f"/api/v1/quizzes/{quiz_id}/attempts",
        {"user_id": enrollment["user"]["id"]},
        format="json",
    )
    ok(started)
    attempt_id = started.json()["id"]
    answer = {question.json()["id"]: "Helmet"}
    submit = f"/api/v1/quiz-attempts/{attempt_id}/submit"
    ok(ctx.api.post(submit, {"answers": answer}, format="json"))
    return attempt_id


def _graded_attempt(ctx: Ctx) -> None:
    """A free-form answer graded by staff completes the attempt's grade."""
    attempt_id = _submitted_attempt(ctx)
    question_id = QuizAttempt.objects.get(pk=attempt_id).question_ids[0]
    body = {"answers": [{"question_id": question_id, "points": 1, "feedback": "Yes."}]}
    ok(ctx.api.patch(f"/api/v1/quiz-attempts/{attempt_id}", body, format="json"))


def _submitted_assignment(ctx: Ctx) -> str:
    """Enroll a person in a course with an ASSIGNMENT lesson and hand in text for them; the
    submission's id."""
    enrollment = ctx.api.get(_enrollment_url(ctx)).json()
    course_id = Enrollment.objects.get(pk=enrollment["id"]).course_id
    lesson = ctx.api.post(
        "/api/v1/lessons",
        {"type": "ASSIGNMENT", "order": 1, "title": "Plan", "course_id": course_id},
        format="json",
    )
    ok(lesson)
    submitted = ctx.api.post(
        f"/api/v1/lessons/{lesson.json()['id']}/submissions",
        {"text": "My plan.", "user_id": enrollment["user"]["id"]},
        format="json",
    )
    ok(submitted, 201)
    return submitted.json()["id"]


def _graded_assignment(ctx: Ctx) -> None:
    """Staff grade a handed-in assignment."""
    submission_id = _submitted_assignment(ctx)
    body = {"grade": "PASSED", "score": 80, "feedback": "Good."}
    ok(ctx.api.patch(f"/api/v1/assignment-submissions/{submission_id}", body, format="json"))


def _complete_a_course(ctx: Ctx) -> None:
    """Enroll a person in a one-lesson course on a path's domain and finish the lesson: the
    lesson, the course and the path complete."""
    course = course_create(
        school=ctx.school,
        title="Racking",
        short_description="",
        enforce_sequential_navigation=False,
    )
    lesson = ctx.api.post(
        "/api/v1/lessons",
        {"type": "HTML", "order": 1, "title": "Loads", "course_id": course.id},
        format="json",
    )
    ok(lesson)
    path = path_create(school=ctx.school, title="Warehouse")
    path_item_create(path=path, course=course)
    base = f"/api/v1/domains/{ctx.domain().name}/published-paths"
    published = ctx.api.post(base, {"path_id": path.id}, format="json")
    ok(published)
    user_id = _user_id(ctx)
    ok(
        ctx.api.post(
            f"{base}/{published.json()['id']}/published-path-enrollments",
            {"user": {"id": user_id}},
            format="json",
        )
    )
    progress = LessonProgress.objects.get(user_id=user_id, lesson_id=lesson.json()["id"])
    ok(
        ctx.api.patch(
            f"/api/v1/lesson-progress/{progress.id}",
            {"finished_at": "2026-01-10T10:00:00Z", "score": 9, "max_score": 10},
            format="json",
        )
    )


def _course_member_removed(ctx: Ctx) -> None:
    url = f"/api/v1/courses/{_course_id(ctx)}/members/{_user_id(ctx)}/coursemember"
    ok(ctx.api.post(url))
    ok(ctx.api.delete(url))


def _program_member_removed(ctx: Ctx) -> None:
    path = path_create(school=ctx.school, title="Onboarding")
    url = f"/api/v1/programs/{path.id}/members/{_user_id(ctx)}/programmember"
    ok(ctx.api.post(url))
    ok(ctx.api.delete(url))


TRIGGERS: dict[str, Callable[[Ctx], None]] = {
    "course.created": _course_id,
    "course.updated": lambda ctx: ok(
        ctx.api.patch(f"/api/v1/courses/{_course_id(ctx)}", {"title": "New"}, format="json")
    ),
    "lesson.created": _lesson_id,
    "lesson.updated": lambda ctx: ok(
        ctx.api.patch(f"/api/v1/lessons/{_lesson_id(ctx)}", {"title": "New"}, format="json")
    ),
    "web_package.processed": lambda ctx: _import_package(
        ctx, {"tincan.xml": TINCAN, "story.html": "<html>"}
    ),
    "web_package.failed": lambda ctx: _import_package(ctx, {"index.html": "<html>"}),
    "ilt_session.created": _ilt_session_id,
    "ilt_session.updated": lambda ctx: ok(
        ctx.api.patch(
            f"/api/v1/ilt-sessions/{_ilt_session_id(ctx)}", {"seats_total": None}, format="json"
        )
    ),
    "ilt_multi_session_event.created": _ilt_multi_session_event_id,
    "ilt_multi_session_event.updated": lambda ctx: ok(
        ctx.api.patch(
            f"/api/v1/ilt-multi-session-events/{_ilt_multi_session_event_id(ctx)}",
            {"display_name": "Week one"},
            format="json",
        )
    ),
    "user.created": lambda ctx: ok(
        ctx.api.post("/api/v1/users", {"email": "new@alpha.test", "tags": ["a"]}, format="json")
    ),
    "user.updated": lambda ctx: ok(
        ctx.api.patch(f"/api/v1/users/{_user_id(ctx)}", {"company": "Acme"}, format="json")
    ),
    "user.suspended": lambda ctx: ok(ctx.api.put(f"/api/v1/users/{_user_id(ctx)}/suspend")),
    "user.anonymized": lambda ctx: ok(ctx.api.post(f"/api/v1/users/{_user_id(ctx)}/anonymize")),
    "domain.enrollment.created": lambda ctx: ok(
        ctx.api.post(
            f"/api/v1/domains/{ctx.domain().name}/users",
            {"user": {"email": "dom@alpha.test", "first_name": "Do"}},
            format="json",
        )
    ),
    "domain.enrollment.updated": lambda ctx: ok(
        ctx.api.patch(
            f"/api/v1/domains/{DOMAIN}/users/{_domain_user_id(ctx)}",
            {"active": False},
            format="json",
        )
    ),
    "group.created": lambda ctx: ok(
        ctx.api.post("/api/v1/groups", {"name": "Cohort 7"}, format="json")
    ),
    "group.member.added": lambda ctx: _group_with_member(ctx),
    "group.member.removed": lambda ctx: ok(
        ctx.api.delete("/api/v1/groups/{}/users/{}".format(*_group_with_member(ctx)))
    ),
    "invite.created": lambda ctx: ok(
        ctx.api.post(
            f"/api/v1/domains/{DOMAIN}/users/{_domain_user_id(ctx)}/invites",
            {"send_email": False},
            format="json",
        )
    ),
    "invite.accepted": _accept_invite,
    "course.published": _published_course_url,
    "offer.created": _offer_url,
    "community.member.added": _space_member_added,
    "cohort.member.added": _cohort_member_added,
    "community.post.created": _community_post_id,
    "community.comment.created": _community_comment,
    "offer.updated": lambda ctx: ok(
        ctx.api.patch(_offer_url(ctx), {"registration_open": False}, format="json")
    ),
    "promo_code_pool.created": _promo_code_pool_url,
    "promo_code_pool.updated": lambda ctx: ok(
        ctx.api.patch(_promo_code_pool_url(ctx), {"name": "Summer"}, format="json")
    ),
    "promo_code_pool.deleted": lambda ctx: ok(ctx.api.delete(_promo_code_pool_url(ctx))),
    "promo_code.created": _promo_code_url,
    "promo_codes.generated": lambda ctx: ok(
        ctx.api.post(
            f"{_promo_code_pool_url(ctx)}/promo-codes-bulk",
            {"count": 3, "max_uses": 1},
            format="json",
        )
    ),
    "promo_code.updated": lambda ctx: ok(
        ctx.api.patch(_promo_code_url(ctx), {"active": False}, format="json")
    ),
    "subscription.created": _subscription_url,
    "subscription.past_due": _past_due_subscription_url,
    "subscription.renewed": lambda ctx: ok(
        ctx.api.post(f"{_past_due_subscription_url(ctx)}/payments", {}, format="json")
    ),
    "subscription.cancelled": lambda ctx: ok(
        ctx.api.post(f"{_subscription_url(ctx)}/cancel", {}, format="json")
    ),
    "course.unpublished": lambda ctx: ok(ctx.api.delete(_published_course_url(ctx))),
    "enrollment.created": _enrollment_url,
    "enrollment.updated": lambda ctx: ok(
        ctx.api.patch(_enrollment_url(ctx), {"active": False}, format="json")
    ),
    "path.item.created": _path_item_url,
    "path.item.updated": lambda ctx: ok(
        ctx.api.patch(_path_item_url(ctx), {"slug": "racking-basics"}, format="json")
    ),
    "path.enrollment.created": _path_enrollment_url,
    "path.enrollment.updated": lambda ctx: ok(
        ctx.api.patch(_path_enrollment_url(ctx), {"active": False}, format="json")
    ),
    "vilt.registration.created": _vilt_registration,
    # A reissue through the API issues the replacement.
    "certificate.issued": lambda ctx: ok(ctx.api.put(_certificate_url(ctx))),
    "certificate.revoked": lambda ctx: ok(ctx.api.delete(_certificate_url(ctx))),
    "quiz.attempt.submitted": _submitted_attempt,
    "quiz.attempt.graded": _graded_attempt,
    "assignment.submitted": _submitted_assignment,
    "assignment.graded": _graded_assignment,
    "lesson.completed": _complete_a_course,
    "enrollment.progress_updated": _complete_a_course,
    "enrollment.completed": _complete_a_course,
    "path.completed": _complete_a_course,
    "enrollment.removed": _course_member_removed,
    "path.enrollment.removed": _program_member_removed,
    "ping": lambda ctx: ok(ctx.api.post(f"{URL}/{ctx.webhook.id}/test", {}, format="json")),
    "plan.enrollment.created": _plan_enrollment_url,
    "plan.enrollment.updated": lambda ctx: ok(
        ctx.api.patch(_plan_enrollment_url(ctx), {"active": False}, format="json")
    ),
    "purchase.created": _purchase_url,
    "purchase.fulfilled": lambda ctx: _purchase_url(ctx, fulfil=True),
    "payment.completed": lambda ctx: _purchase_url(ctx, fulfil=True),
    "purchase.refunded": lambda ctx: ok(
        ctx.api.patch(_purchase_url(ctx, fulfil=True), {"state": "REFUNDED"}, format="json")
    ),
}


def test_every_advertised_event_has_a_trigger(api_client):
    # when
    response = api_client.get(f"{URL}/event-types", {"page_size": 1000})

    # then
    assert response.status_code == 200
    advertised = {item["type"] for item in response.json()["results"]}
    assert advertised == set(TRIGGERS), "advertise only what a trigger here makes Lyceum send"


@pytest.mark.parametrize("name", sorted(TRIGGERS))
def test_advertised_event_is_sent_in_its_schema(
    name, school, api_client, eager, django_capture_on_commit_callbacks
):
    # given
    schema = api_client.get(f"{URL}/event-types").json()["results"]
    schema = next(item["schema"] for item in schema if item["type"] == name)
    with Receiver() as receiver:
        webhook = Webhook.objects.get(
            id=api_client.post(URL, {"target_url": receiver.url()}, format="json").json()["id"]
        )
        ctx = Ctx(school=school, api=api_client, browser=Client(), webhook=webhook)

        # when
        with django_capture_on_commit_callbacks(execute=True):
            TRIGGERS[name](ctx)

        # then
        bodies = [json.loads(request.body) for request in receiver.received]
    sent = [body for body in bodies if body["type"] == name]
    assert sent, f"{name} was advertised but not delivered; got {[b['type'] for b in bodies]}"
    for body in sent:
        jsonschema.validate(body["data"], schema)
    assert Event.objects.filter(school=school, type=name).exists()


def test_emit_refuses_an_unregistered_name(school):
    # when / then
    with pytest.raises(registry.UnregisteredEventType):
        emit(school, "path.archived", {"id": "pth_x"})
    with pytest.raises(registry.UnregisteredEventType):
        emit_many(school, "badge.awarded", [{"id": "bdg_x"}])
    assert not Event.objects.exists()


def test_a_name_or_alias_cannot_be_registered_twice():
    # given
    taken = registry.get("domain.enrollment.created")
    same_name = registry.EventType(
        name=taken.name, description="Another meaning.", schema={}, sample={}
    )
    same_alias = registry.EventType(
        name="domain.joined", description="x", schema={}, sample={}, alias=taken.alias
    )

    # when / then
    registry.register(taken)  # registering the same declaration again is harmless
    with pytest.raises(ImproperlyConfigured):
        registry.register(same_name)
    with pytest.raises(ImproperlyConfigured):
        registry.register(same_alias)
    assert registry.get("domain.joined") is None
