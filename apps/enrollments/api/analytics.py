"""``courses/{course_id}/analytics`` and ``courses/{course_id}/units/{lesson_id}/analytics``
(LearnWorlds): a course's and one learning unit's figures, aggregated by the database. API
keys with ``read:progress`` only: a learner's token never reads the school's figures."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.catalog.models import Course, Lesson
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.enrollments.selectors import analytics as analytics_selectors


class CourseAnalyticsSerializer(serializers.Serializer):
    course_id = serializers.CharField(read_only=True)
    enrolled = serializers.IntegerField(read_only=True, help_text="People with an enrollment.")
    active = serializers.IntegerField(
        read_only=True, help_text="People with an active, unexpired enrollment."
    )
    started = serializers.IntegerField(read_only=True, help_text="People who began the course.")
    completed = serializers.IntegerField(read_only=True, help_text="People who completed it.")
    completion_rate = serializers.FloatField(
        read_only=True, allow_null=True, help_text="completed / enrolled (0 to 1)."
    )
    average_score = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Mean percentage of the scored lesson results."
    )
    average_time_seconds = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Time spent per enrolled person."
    )
    lessons = serializers.IntegerField(read_only=True, help_text="Lessons (headings left out).")


class LessonAnalyticsSerializer(serializers.Serializer):
    course_id = serializers.CharField(read_only=True)
    lesson_id = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    type = serializers.CharField(read_only=True)
    learners = serializers.IntegerField(read_only=True, help_text="People with progress in it.")
    started = serializers.IntegerField(read_only=True)
    completed = serializers.IntegerField(read_only=True)
    completion_rate = serializers.FloatField(read_only=True, allow_null=True)
    passed = serializers.IntegerField(read_only=True)
    failed = serializers.IntegerField(read_only=True)
    average_score = serializers.FloatField(read_only=True, allow_null=True)
    average_time_seconds = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Mean time of those who spent any."
    )


class CourseAnalyticsViewSet(SchoolScopedViewSet):
    """One course's figures."""

    queryset = Course.objects.all()
    serializer_class = CourseAnalyticsSerializer
    scopes = ("read:progress", "read:progress")
    allow_user_tokens = False
    lookup_url_kwarg = "course_id"

    @extend_schema(summary="Analytics of a course", responses=CourseAnalyticsSerializer)
    def retrieve(self, request, course_id: str | None = None) -> Response:
        return Response(analytics_selectors.course_analytics(course=self.get_object()))


class LessonAnalyticsViewSet(SchoolScopedViewSet):
    """One learning unit's (lesson's) figures."""

    course = Parent(Course.objects.all(), url_kwarg="course_id", detail="No such course.")
    queryset = Lesson.objects.all()
    serializer_class = LessonAnalyticsSerializer
    scopes = ("read:progress", "read:progress")
    allow_user_tokens = False
    lookup_url_kwarg = "lesson_id"

    def scope_queryset(self, queryset):
        return queryset.filter(course=self.course)

    @extend_schema(summary="Analytics of a learning unit", responses=LessonAnalyticsSerializer)
    def retrieve(self, request, course_id: str | None = None, lesson_id: str | None = None):
        return Response(analytics_selectors.lesson_analytics(lesson=self.get_object()))
