"""Load the catalog-search benchmark: ``--courses`` courses (default 10,000) published on their
own domain of the demo school, each with sections and lessons whose titles, keywords and
descriptions are searchable, made from a fixed vocabulary so every run loads the same words.

One course in every ``TERM_EVERY`` carries "forklift" in its title, one in its short
description and one in a lesson's description (different courses), so at 10,000 courses the
word matches 50, ranked by where it appears; the other words are shared by thousands.
Rows are bulk-inserted; the search documents are then written by
``published_course_search_refresh_many``, the same documents the services write.
Idempotent: a domain that already holds courses is left as it is.
"""

import random
from itertools import islice

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from apps.catalog.models import Course, Lesson, LessonType, PublishedCourse
from apps.catalog.services.search import published_course_search_refresh_many
from apps.schools.models import Domain, School

DOMAIN = "search.bench.lyceum.local"
TERM_EVERY = 600
BATCH = 1000
SECTIONS = 2
LESSONS_PER_SECTION = 4

SUBJECTS = (
    "warehouse safety",
    "customer service",
    "project management",
    "data privacy",
    "first aid",
    "conflict resolution",
    "food hygiene",
    "fire safety",
    "spreadsheet modelling",
    "negotiation",
    "public speaking",
    "cloud security",
    "manual handling",
    "inventory control",
    "sales forecasting",
    "team leadership",
    "workplace ergonomics",
    "hazardous materials",
    "quality assurance",
    "supply chain planning",
    "phishing awareness",
    "accessible design",
    "budgeting",
    "onboarding",
    "time management",
    "contract law",
    "electrical safety",
    "machine learning",
    "incident response",
    "retail merchandising",
)
LEVELS = ("Introduction to", "Foundations of", "Advanced", "Practical", "Essentials of")
AUDIENCES = ("for managers", "for new starters", "for supervisors", "in practice", "refresher")
LESSON_FORMS = (
    "Why {s} matters",
    "Key terms in {s}",
    "Common mistakes in {s}",
    "A case study: {s}",
    "Checklist for {s}",
    "Assessing risk in {s}",
    "Tools for {s}",
    "Reviewing {s}",
)
SENTENCES = (
    "Learners compare good and poor {s} on a real shift.",
    "This lesson walks through the policy behind {s} and who owns each step.",
    "Short videos show how teams report problems with {s}.",
    "You will practise the checklist and record what you observed.",
    "A quiz at the end checks that the procedure is clear.",
    "Supervisors explain how {s} is audited every quarter.",
    "Examples come from logistics, retail and healthcare sites.",
)
# Where the search term appears in the courses that carry it (offsets within TERM_EVERY).
IN_TITLE, IN_DESCRIPTION, IN_LESSON = 7, 211, 419


def _paragraph(rng: random.Random, subject: str, sentences: int) -> str:
    return " ".join(rng.choice(SENTENCES).format(s=subject) for _ in range(sentences))


def _course(
    rng: random.Random, school: School, prefix: str, number: int
) -> tuple[Course, list[Lesson]]:
    """Course ``number`` and its lessons (not saved); its slug starts with ``prefix``."""
    subject = rng.choice(SUBJECTS)
    title = f"{rng.choice(LEVELS)} {subject} {rng.choice(AUDIENCES)}".capitalize()
    short = f"{_paragraph(rng, subject, 1)} {rng.choice(SENTENCES).format(s=subject)}"
    slot = number % TERM_EVERY
    if slot == IN_TITLE:
        title = f"Forklift operation: {title.lower()}"
    elif slot == IN_DESCRIPTION:
        short += " Includes loading bays where forklifts work."
    course = Course(
        school=school,
        title=title,
        slug=f"{prefix}-{number:06d}",
        short_description=short,
        long_description_html=f"<p>{_paragraph(rng, subject, 3)}</p>",
        category=subject,
    )
    lessons, order = [], 0
    for section in range(SECTIONS):
        order += 1
        heading = f"Part {section + 1}: {subject}"
        lessons.append(
            Lesson(
                school=school, course=course, type=LessonType.SECTION, order=order, title=heading
            )
        )
        for _ in range(LESSONS_PER_SECTION):
            order += 1
            description = f"<p>{_paragraph(rng, subject, 2)}</p>"
            lessons.append(
                Lesson(
                    school=school,
                    course=course,
                    type=LessonType.HTML,
                    order=order,
                    title=rng.choice(LESSON_FORMS).format(s=subject),
                    content_html=description,
                    description_html=description,
                    search_keywords=" ".join(rng.sample(subject.split() + ["policy", "audit"], 2)),
                    time_seconds=300 + 60 * rng.randrange(10),
                )
            )
    if slot == IN_LESSON:
        lessons[-1].description_html = "<p>Moving pallets with a <em>forklift</em> safely.</p>"
    return course, lessons


class Command(BaseCommand):
    help = "Publish the catalog-search benchmark's courses (with lessons) on their own domain."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--courses", type=int, default=10_000, help="How many to publish.")
        parser.add_argument("--school", default="demo", help="The school's slug.")
        parser.add_argument("--domain", default=DOMAIN, help="The domain to publish on.")

    @transaction.atomic
    def handle(self, *args, courses: int, school: str, domain: str, **options) -> None:
        owner = School.objects.get(slug=school)
        site, _ = Domain.objects.get_or_create(
            name=domain, defaults={"school": owner, "catalog_title": "Search benchmark"}
        )
        if site.school_id != owner.pk:  # never publish one school's courses on another's domain
            raise CommandError(f"The domain {domain} belongs to another school.")
        if PublishedCourse.objects.filter(domain=site).exists():
            return
        rng = random.Random(12)  # the same catalog on every run
        prefix = slugify(site.name)[:80]  # course slugs are unique in the school
        numbers = iter(range(courses))
        course_ids: list[str] = []
        while batch := [_course(rng, owner, prefix, number) for number in islice(numbers, BATCH)]:
            made = Course.objects.bulk_create([course for course, _ in batch])
            Lesson.objects.bulk_create([lesson for _, lessons in batch for lesson in lessons])
            PublishedCourse.objects.bulk_create(
                PublishedCourse(school=owner, domain=site, course=course, slug=course.slug)
                for course in made
            )
            course_ids.extend(course.pk for course in made)
        published_course_search_refresh_many(course_ids=course_ids)
