"""Admin for enrollments in courses and paths: filters for what staff ask (active, completed,
domain, expiring), enrolling a person through the same service as the API (same rules,
same events), and changing only ``active`` and ``expires_at`` afterwards."""

from collections.abc import Callable
from datetime import timedelta

from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from apps.core.admin import SchoolScopedAdmin
from apps.enrollments.models import CourseProgress, Enrollment, EnrollmentSource, PathEnrollment
from apps.enrollments.models.purchase import PURCHASE_COLUMNS
from apps.enrollments.services import enrollments as enrollment_services
from apps.schools.admin.base import SchoolFormMixin

EXPIRING_DAYS = 30


class ExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [
            ("soon", f"expires within {EXPIRING_DAYS} days"),
            ("expired", "expired"),
            ("never", "never expires"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        match self.value():
            case "soon":
                return queryset.filter(
                    expires_at__gt=now, expires_at__lte=now + timedelta(days=EXPIRING_DAYS)
                )
            case "expired":
                return queryset.filter(expires_at__lte=now)
            case "never":
                return queryset.filter(expires_at__isnull=True)
        return queryset


class CompletedFilter(admin.SimpleListFilter):
    """Whether the person has completed the enrollment's course (progress is per person and
    course, so every enrollment of theirs in it counts as completed)."""

    title = "completed"
    parameter_name = "completed"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("yes", "completed"), ("no", "not completed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        done = Exists(
            CourseProgress.objects.filter(
                user=OuterRef("user"), course=OuterRef("course"), completed_at__isnull=False
            )
        )
        match self.value():
            case "yes":
                return queryset.filter(done)
            case "no":
                return queryset.filter(~Q(done))
        return queryset


class _EnrollmentForm(forms.ModelForm):
    enrolled_at = forms.DateTimeField(
        required=False, help_text="Default now. The same person and moment is one enrollment."
    )


def _add_fields(publication: str) -> list[str]:
    """What adding an enrollment asks for, ``publication`` naming where."""
    return [publication, "user", "enrolled_at", "expires_at", "active"]


def _enrollment_form(model: type, publication: str) -> type[forms.ModelForm]:
    """The add form of ``model``: the publication, the person and the dates."""
    return forms.modelform_factory(
        model, form=_EnrollmentForm, fields=["school", *_add_fields(publication)]
    )


class _EnrollmentAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """What the course and path enrollment admins share: adding one enrolls the person
    through ``create_service`` on the ``publication`` chosen; afterwards only ``active`` and
    ``expires_at`` change, through ``update_service``. Subclasses name the publication
    field, the fields locked after creation, the change page's fields and the services."""

    publication: str
    locked_fields: tuple[str, ...]
    change_fields: tuple[str, ...]
    create_service: Callable[..., tuple[Enrollment | PathEnrollment, bool]]
    update_service: Callable[..., Enrollment | PathEnrollment]

    date_hierarchy = "enrolled_at"
    ordering = ["-enrolled_at"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        fields = [*super().get_readonly_fields(request, obj), "id", "source", *PURCHASE_COLUMNS]
        if obj is not None:
            fields += [self.publication, "user", "enrolled_at", *self.locked_fields]
        return fields

    def get_fields(self, request: HttpRequest, obj=None) -> list[str]:
        if obj is None:
            return _add_fields(self.publication)
        return ["id", "user", *self.change_fields, *PURCHASE_COLUMNS]

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            self.update_service(
                enrollment=obj, active=data["active"], expires_at=data["expires_at"]
            )
            return
        enrollment, _ = self.create_service(
            **{self.publication: data[self.publication]},
            user=data["user"],
            enrolled_at=data.get("enrolled_at"),
            expires_at=data.get("expires_at"),
            active=data.get("active", True),
            source=EnrollmentSource.ADMIN,
        )
        obj.pk, obj.school = enrollment.pk, enrollment.school


@admin.register(Enrollment)
class EnrollmentAdmin(_EnrollmentAdmin):
    """Course enrollments. Adding one enrolls the person through ``enrollment_create``
    (domain access, progress rows, ``enrollment.created``); afterwards only ``active`` and
    ``expires_at`` change, through ``enrollment_update``."""

    publication = "published_course"
    form = _enrollment_form(Enrollment, publication)
    locked_fields = ("path_enrollment", "course")
    change_fields = (
        "course",
        "published_course",
        "path_enrollment",
        "source",
        "enrolled_at",
        "expires_at",
        "active",
    )
    create_service = staticmethod(enrollment_services.enrollment_create)
    update_service = staticmethod(enrollment_services.enrollment_update)

    list_display = ["user", "course", "domain", "enrolled_at", "expires_at", "active", "source"]
    list_filter = ["active", ExpiryFilter, CompletedFilter, "source", "published_course__domain"]
    list_select_related = ["user", "course", "published_course__domain"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "course__title"]

    @admin.display(description="domain", ordering="published_course__domain__name")
    def domain(self, obj: Enrollment) -> str:
        return obj.published_course.domain.name if obj.published_course else "—"


@admin.register(PathEnrollment)
class PathEnrollmentAdmin(_EnrollmentAdmin):
    """Path enrollments; adding one enrolls the person in each of the path's courses."""

    publication = "published_path"
    form = _enrollment_form(PathEnrollment, publication)
    locked_fields = ("path", "completed_at")
    change_fields = (
        "path",
        "published_path",
        "source",
        "enrolled_at",
        "expires_at",
        "active",
        "completed_at",
    )
    create_service = staticmethod(enrollment_services.path_enrollment_create)
    update_service = staticmethod(enrollment_services.path_enrollment_update)

    list_display = ["user", "path", "enrolled_at", "expires_at", "active", "source"]
    list_filter = ["active", ExpiryFilter, "source", "published_path__domain"]
    list_select_related = ["user", "path"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "path__title"]
