"""The demo school's catalog: two courses with sections and lessons of many types, a quiz
with a question of each kind, an embedded video, a path of both courses, and both courses
and the path published on the demo domain (registered with ``apps.core.demo``)."""

from django.db import transaction

from apps.catalog.models import Course, LessonType
from apps.catalog.services.content import asset_create
from apps.catalog.services.courses import course_create
from apps.catalog.services.lessons import content_item_create, lesson_create, section_create
from apps.catalog.services.paths import path_create, path_item_create
from apps.catalog.services.publishing import course_publish, path_publish
from apps.catalog.services.quizzes import question_create, quiz_create
from apps.schools.models import Domain, School

SAFETY_SLUG = "workplace-safety"


@transaction.atomic
def seed_demo_catalog(school: School) -> None:
    """Create the demo courses once; a later run finds them and adds nothing."""
    if Course.objects.filter(school=school, slug=SAFETY_SLUG).exists():
        return
    video, _job = asset_create(
        school=school,
        name="Welcome video",
        embed_link_url="https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ",
    )
    quiz = quiz_create(
        school=school,
        name="Safety check",
        html="<p>Five questions on what this course covered.</p>",
        passing_percentage_correct=80,
        max_attempts=3,
    )
    question_create(
        school=school,
        quiz=quiz,
        type="MULTIPLE_CHOICE",
        html="<p>Who may drive a forklift?</p>",
        answers=[
            {"answer_text": "Anyone on shift", "correct": False},
            {"answer_text": "Trained and certified operators", "correct": True},
        ],
    )
    question_create(
        school=school,
        quiz=quiz,
        type="MULTIPLE_ANSWER",
        html="<p>Which belong in a first-aid kit?</p>",
        answers=[
            {"answer_text": "Bandages", "correct": True},
            {"answer_text": "Gloves", "correct": True},
            {"answer_text": "Matches", "correct": False},
        ],
    )
    question_create(
        school=school,
        quiz=quiz,
        type="FILL_IN_THE_BLANK",
        html="<p>The emergency number in the EU is ___.</p>",
        answers=[{"answer_text": "112"}],
    )
    question_create(
        school=school,
        quiz=quiz,
        type="FREEFORM",
        html="<p>Describe one hazard in your workplace.</p>",
        requires_manual_grading=True,
    )

    safety = course_create(
        school=school,
        title="Workplace Safety",
        slug=SAFETY_SLUG,
        short_description="Hazards, first aid, and what to do when things go wrong.",
        long_description_html="<p>A short course every new colleague takes in week one.</p>",
        enforce_sequential_navigation=True,
        labels=["Safety", "Onboarding"],
        category="Compliance",
        level="beginner",
        duration_hours=2,
    )
    lesson_create(
        course=safety,
        type=LessonType.VIDEO,
        title="Welcome",
        content_asset=video,
        time_seconds=180,
    )
    section_create(course=safety, title="Week 1: hazards")
    reading = lesson_create(
        course=safety,
        type=LessonType.HTML,
        title="Spotting hazards",
        content_html="<h2>Look up, look down</h2><p>Most accidents start with a trip.</p>",
        time_seconds=600,
    )
    content_item_create(
        lesson=reading,
        header="Checklist",
        type="HTML",
        content_html="<ul><li>Exits clear</li><li>Cables taped</li></ul>",
    )
    lesson_create(course=safety, type=LessonType.ASSIGNMENT, title="Walk your floor")
    section_create(course=safety, title="Week 2: first aid", drip_days_after_enrollment=7)
    lesson_create(course=safety, type=LessonType.LIVE_TRAINING, title="First-aid workshop")
    lesson_create(course=safety, type=LessonType.QUIZ, title="Safety check", content_quiz=quiz)

    service = course_create(
        school=school,
        title="Customer Conversations",
        short_description="Listening, de-escalation and closing the loop.",
        enforce_sequential_navigation=False,
        labels=["Service"],
        category="Service",
        level="intermediate",
    )
    lesson_create(
        course=service,
        type=LessonType.HTML,
        title="Listening first",
        content_html="<p>Let them finish. Then ask one question.</p>",
        search_keywords="listening empathy",
    )

    onboarding = path_create(
        school=school,
        title="New starter programme",
        short_description="Everything a new colleague takes in their first month.",
    )
    path_item_create(path=onboarding, course=safety)
    path_item_create(path=onboarding, course=service)
    domain = Domain.objects.filter(school=school).order_by("created_at").first()
    if domain is not None:
        course_publish(domain=domain, course=safety)
        course_publish(domain=domain, course=service)
        path_publish(domain=domain, path=onboarding)
