"""What a school shows on its domains: published courses and paths, and course series.

A publication has its own id (not the course's): one course can be published on several
domains, each with its own slug, visibility and registration window. ``search_vector`` is
the publication's full-text document on PostgreSQL (title A, descriptions B, searchable
lesson content C), rewritten by the services whenever what it is made of changes; a GIN
index (created by the migration on PostgreSQL only) serves ranked search. On SQLite it
stays empty and search falls back to ``icontains``.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Lower

from apps.catalog.models.courses import Course
from apps.catalog.models.paths import Path
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel
from apps.schools.models import Domain

# The text-search configuration of every stored search vector and of the queries that
# match them (stemming and stop words of English).
SEARCH_CONFIG = "english"


class CourseSeries(SchoolOwnedModel):
    """A named run of published courses on a domain (Skilljar's course series)."""

    id = PrefixedIdField(prefix="csr", primary_key=True)
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="course_series")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        verbose_name_plural = "course series"

    def __str__(self) -> str:
        return self.title


class PublishedCourse(SchoolOwnedModel):
    """A course shown on a domain at ``https://{domain}/{slug}``."""

    id = PrefixedIdField(prefix="pcr", primary_key=True)
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="published_courses")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="publications")
    course_series = models.ForeignKey(
        CourseSeries,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="published_courses",
    )
    slug = models.SlugField(max_length=100)
    hidden = models.BooleanField(default=False)
    registration_required = models.BooleanField(default=False)
    registration_starts_at = models.DateTimeField(null=True, blank=True)
    registration_ends_at = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    search_keywords = models.TextField(blank=True, default="")
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint("domain", Lower("slug"), name="catalog_pubcourse_slug_ci"),
            models.UniqueConstraint(fields=["domain", "course"], name="catalog_pubcourse_once"),
            models.CheckConstraint(
                condition=models.Q(registration_starts_at__isnull=True)
                | models.Q(registration_ends_at__isnull=True)
                | models.Q(registration_ends_at__gt=models.F("registration_starts_at")),
                name="catalog_pubcourse_window",
            ),
        ]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["domain", "id"], name="catalog_pubcourse_domain_id"),
        ]

    def __str__(self) -> str:
        return f"{self.course} on {self.domain}"

    @property
    def course_url(self) -> str:
        return f"https://{self.domain.name}/{self.slug}"


class PublishedPath(SchoolOwnedModel):
    """A path shown on a domain at ``https://{domain}/path/{slug}``."""

    id = PrefixedIdField(prefix="ppt", primary_key=True)
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="published_paths")
    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="publications")
    slug = models.SlugField(max_length=100)
    hidden = models.BooleanField(default=False)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint("domain", Lower("slug"), name="catalog_pubpath_slug_ci"),
            models.UniqueConstraint(fields=["domain", "path"], name="catalog_pubpath_once"),
        ]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["domain", "id"], name="catalog_pubpath_domain_id"),
        ]

    def __str__(self) -> str:
        return f"{self.path} on {self.domain}"

    @property
    def path_url(self) -> str:
        return f"https://{self.domain.name}/path/{self.slug}"
