"""Admin for enrollments in courses and paths: filters for what staff ask (active, completed,
domain, expiring), enrolling a person through the same service as the API (same rules,
same events), and changing only ``active`` and ``expires_at`` afterwards."""

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


class EnrollmentForm(forms.ModelForm):
    enrolled_at = forms.DateTimeField(
        required=False, help_text="Default now. The same person and moment is one enrollment."
    )

    class Meta:
        model = Enrollment
        fields = ["school", "published_course", "user", "enrolled_at", "expires_at", "active"]


@admin.register(Enrollment)
class EnrollmentAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """Course enrollments. Adding one enrolls the person through ``enrollment_create``
    (domain access, progress rows, ``enrollment.created``); afterwards only ``active`` and
    ``expires_at`` change, through ``enrollment_update``."""

    form = EnrollmentForm
    list_display = ["user", "course", "domain", "enrolled_at", "expires_at", "active", "source"]
    list_filter = ["active", ExpiryFilter, CompletedFilter, "source", "published_course__domain"]
    list_select_related = ["user", "course", "published_course__domain"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "course__title"]
    date_hierarchy = "enrolled_at"
    ordering = ["-enrolled_at"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        fields = [*super().get_readonly_fields(request, obj), "id", "source", *PURCHASE_COLUMNS]
        if obj is not None:
            fields += ["published_course", "user", "enrolled_at", "path_enrollment", "course"]
        return fields

    def get_fields(self, request: HttpRequest, obj=None) -> list[str]:
        if obj is None:
            return ["published_course", "user", "enrolled_at", "expires_at", "active"]
        return [
            "id",
            "user",
            "course",
            "published_course",
            "path_enrollment",
            "source",
            "enrolled_at",
            "expires_at",
            "active",
            *PURCHASE_COLUMNS,
        ]

    @admin.display(description="domain", ordering="published_course__domain__name")
    def domain(self, obj: Enrollment) -> str:
        return obj.published_course.domain.name if obj.published_course else "—"

    def save_model(self, request: HttpRequest, obj: Enrollment, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            enrollment_services.enrollment_update(
                enrollment=obj, active=data["active"], expires_at=data["expires_at"]
            )
            return
        enrollment, _ = enrollment_services.enrollment_create(
            published_course=data["published_course"],
            user=data["user"],
            enrolled_at=data.get("enrolled_at"),
            expires_at=data.get("expires_at"),
            active=data.get("active", True),
            source=EnrollmentSource.ADMIN,
        )
        obj.pk, obj.school = enrollment.pk, enrollment.school


class PathEnrollmentForm(forms.ModelForm):
    enrolled_at = forms.DateTimeField(
        required=False, help_text="Default now. The same person and moment is one enrollment."
    )

    class Meta:
        model = PathEnrollment
        fields = ["school", "published_path", "user", "enrolled_at", "expires_at", "active"]


@admin.register(PathEnrollment)
class PathEnrollmentAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """Path enrollments; adding one enrolls the person in each of the path's courses."""

    form = PathEnrollmentForm
    list_display = ["user", "path", "enrolled_at", "expires_at", "active", "source"]
    list_filter = ["active", ExpiryFilter, "source", "published_path__domain"]
    list_select_related = ["user", "path"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "path__title"]
    date_hierarchy = "enrolled_at"
    ordering = ["-enrolled_at"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        fields = [*super().get_readonly_fields(request, obj), "id", "source", *PURCHASE_COLUMNS]
        if obj is not None:
            fields += ["published_path", "user", "enrolled_at", "path", "completed_at"]
        return fields

    def get_fields(self, request: HttpRequest, obj=None) -> list[str]:
        if obj is None:
            return ["published_path", "user", "enrolled_at", "expires_at", "active"]
        return [
            "id",
            "user",
            "path",
            "published_path",
            "source",
            "enrolled_at",
            "expires_at",
            "active",
            "completed_at",
            *PURCHASE_COLUMNS,
        ]

    def save_model(self, request: HttpRequest, obj: PathEnrollment, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            enrollment_services.path_enrollment_update(
                enrollment=obj, active=data["active"], expires_at=data["expires_at"]
            )
            return
        enrollment, _ = enrollment_services.path_enrollment_create(
            published_path=data["published_path"],
            user=data["user"],
            enrolled_at=data.get("enrolled_at"),
            expires_at=data.get("expires_at"),
            active=data.get("active", True),
            source=EnrollmentSource.ADMIN,
        )
        obj.pk, obj.school = enrollment.pk, enrollment.school
