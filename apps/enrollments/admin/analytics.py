"""The catalog's course page, extended with the course's analytics: the figures of
``GET /courses/{id}/analytics``, new enrollments per week and the completion funnel by
lesson, drawn as SVG on the server. Enrollments sit above the catalog, so this app
re-registers the catalog's course admin with the panel added (the catalog never reads
enrollments)."""

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.catalog.admin.courses import CourseAdmin
from apps.catalog.models import Course
from apps.enrollments.admin.progress import stream_course_progress_csv
from apps.enrollments.charts import bar_chart, column_chart
from apps.enrollments.selectors import analytics as analytics_selectors

FIGURES = (
    ("enrolled", "enrolled"),
    ("active", "active"),
    ("started", "started"),
    ("completed", "completed"),
    ("completion_rate", "completion rate"),
    ("average_score", "average score (%)"),
    ("average_time_seconds", "average time (s)"),
)


class CourseWithAnalyticsAdmin(CourseAdmin):
    """The course page with its analytics, and ``…/progress.csv``: every person's progress
    in every lesson of the course, streamed."""

    readonly_fields = [*CourseAdmin.readonly_fields, "analytics"]
    fields = [*CourseAdmin.fields, "analytics"]

    def get_urls(self) -> list:
        urls = [
            path(
                "<path:object_id>/progress.csv",
                self.admin_site.admin_view(self.progress_csv),
                name="catalog_course_progress_csv",
            )
        ]
        return urls + super().get_urls()

    def progress_csv(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The course's progress as CSV (the course must be one the staff member may see)."""
        course = self.get_object(request, object_id)
        if course is None or not self.has_view_permission(request, course):
            raise Http404("No such course.")
        return stream_course_progress_csv(course)

    @admin.display(description="analytics")
    def analytics(self, obj: Course) -> SafeString | str:
        if obj.pk is None:
            return "—"
        figures = analytics_selectors.course_analytics(course=obj)
        table = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td></tr>",
            ((label, "—" if figures[key] is None else figures[key]) for key, label in FIGURES),
        )
        weeks = analytics_selectors.enrollments_per_week(course=obj)
        funnel = analytics_selectors.completion_funnel(course=obj)
        return format_html(
            "<table>{}</table><h4>New enrollments per week</h4>{}<h4>Completed, by lesson</h4>{}",
            table,
            column_chart(
                [(week.strftime("%d %b"), n) for week, n in weeks],
                title="New enrollments per week",
            ),
            bar_chart(funnel, title="People who completed each lesson", of=figures["enrolled"]),
        )


admin.site.unregister(Course)
admin.site.register(Course, CourseWithAnalyticsAdmin)
