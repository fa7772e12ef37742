from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "apps.enrollments"
    label = "enrollments"
    verbose_name = "Enrollments"

    def ready(self) -> None:
        from apps.core.erasure import register_copies
        from apps.core.event_types import register
        from apps.enrollments.event_types import EVENT_TYPES

        register(*EVENT_TYPES)
        # What a learner wrote into their own progress is theirs: erased with the person.
        register_copies("enrollments.LessonProgress", "custom_data", "validation_data")
