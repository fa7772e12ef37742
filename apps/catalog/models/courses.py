"""Courses, their labels, lessons (section headings included) and lesson content items."""

from django.db import models
from django.db.models.functions import Lower

from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel
from apps.core.validators import label_key
from apps.schools.models import Member


class Label(SchoolOwnedModel):
    """A word courses are filed under (Skilljar's ``labels``); unique in a school in any case."""

    id = PrefixedIdField(prefix="lbl", primary_key=True)
    name = models.CharField(max_length=100)
    key = models.CharField(max_length=400, editable=False, help_text="label_key(name)")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "key"], name="catalog_label_key"),
        ]

    def save(self, *args, **kwargs) -> None:
        self.key = label_key(self.name)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name


class Course(SchoolOwnedModel):
    """What a school teaches: a titled, ordered set of lessons."""

    class Level(models.TextChoices):
        BEGINNER = "beginner", "Beginner"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"

    id = PrefixedIdField(prefix="crs", primary_key=True)
    title = models.CharField(max_length=255)
    short_description = models.TextField(max_length=1000)
    long_description_html = models.TextField(blank=True, default="")
    enforce_sequential_navigation = models.BooleanField(default=False)
    slug = models.SlugField(max_length=100)
    category = models.CharField(max_length=100, blank=True, default="")
    level = models.CharField(max_length=20, choices=Level.choices, null=True, blank=True)
    instructor = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="courses_taught"
    )
    thumbnail_url = models.URLField(max_length=2000, null=True, blank=True)
    duration_hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    labels = models.ManyToManyField(Label, blank=True, related_name="courses")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint("school", Lower("slug"), name="catalog_course_slug_ci"),
        ]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["school", "id"], name="catalog_course_school_id"),
        ]

    def __str__(self) -> str:
        return self.title


class LessonType(models.TextChoices):
    HTML = "HTML", "HTML"
    VIDEO = "VIDEO", "Video"
    ASSET = "ASSET", "Asset"
    QUIZ = "QUIZ", "Quiz"
    WEB_PACKAGE = "WEB_PACKAGE", "Web package"
    LIVE_TRAINING = "LIVE_TRAINING", "Live training"
    ASSIGNMENT = "ASSIGNMENT", "Assignment"
    SECTION = "SECTION", "Section heading"


class Lesson(SchoolOwnedModel):
    """One step of a course at position ``order`` (1, 2, … without gaps).

    A ``SECTION`` lesson is a heading: the lessons after it, up to the next heading, are its
    section. A drip schedule releases a lesson (or, on a heading, its whole section) a number
    of days after enrollment or at a date; at most one of the two is set.
    """

    id = PrefixedIdField(prefix="les", primary_key=True)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    type = models.CharField(max_length=20, choices=LessonType.choices)
    order = models.PositiveIntegerField()
    title = models.CharField(max_length=255)
    content_html = models.TextField(blank=True, default="")
    content_asset = models.ForeignKey(
        "catalog.Asset", null=True, blank=True, on_delete=models.PROTECT, related_name="lessons"
    )
    content_quiz = models.ForeignKey(
        "catalog.Quiz", null=True, blank=True, on_delete=models.PROTECT, related_name="lessons"
    )
    content_web_package = models.ForeignKey(
        "catalog.WebPackage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lessons",
    )
    description_html = models.TextField(blank=True, default="")
    tooltip_html = models.TextField(blank=True, default="")
    display_fullscreen = models.BooleanField(default=False)
    optional = models.BooleanField(default=False)
    # Finishing the content does not complete the lesson: a reviewer's validation does
    # (Skilljar's proctoring review).
    requires_validation = models.BooleanField(default=False)
    search_keywords = models.TextField(blank=True, default="")
    time_seconds = models.PositiveIntegerField(null=True, blank=True)
    drip_days_after_enrollment = models.PositiveIntegerField(null=True, blank=True)
    drip_release_at = models.DateTimeField(null=True, blank=True)
    # An ASSIGNMENT lesson's deadline, the same for every learner (it appears in the school's
    # calendar); submissions after it are refused unless late ones are allowed.
    due_at = models.DateTimeField(null=True, blank=True)
    allow_late_submissions = models.BooleanField(default=False)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["course_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["course", "order"], name="catalog_lesson_order"),
            models.CheckConstraint(
                condition=models.Q(drip_days_after_enrollment__isnull=True)
                | models.Q(drip_release_at__isnull=True),
                name="catalog_lesson_one_drip",
            ),
        ]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            # The heading above a lesson (its section's drip and ``optional``) is looked up
            # once per lesson in progress summaries and contents: one backward probe here
            # instead of walking the course's lessons.
            models.Index(
                fields=["course", "order"],
                condition=models.Q(type="SECTION"),
                name="catalog_lesson_headings",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ContentItemType(models.TextChoices):
    HTML = "HTML", "HTML"
    ASSET = "ASSET", "Asset"
    QUIZ = "QUIZ", "Quiz"


class ContentItem(SchoolOwnedModel):
    """One block of a lesson's page, at position ``order`` (1, 2, … without gaps)."""

    id = PrefixedIdField(prefix="lci", primary_key=True)
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="content_items")
    header = models.CharField(max_length=255)
    order = models.PositiveIntegerField()
    type = models.CharField(max_length=20, choices=ContentItemType.choices)
    content_html = models.TextField(blank=True, default="")
    content_asset = models.ForeignKey(
        "catalog.Asset",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="content_items",
    )
    content_quiz = models.ForeignKey(
        "catalog.Quiz",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="content_items",
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["lesson_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "order"], name="catalog_contentitem_order"),
        ]

    def __str__(self) -> str:
        return self.header
