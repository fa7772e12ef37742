from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "apps.enrollments"
    label = "enrollments"
    verbose_name = "Enrollments"

    def ready(self) -> None:
        from apps.core.demo import register_demo_scale
        from apps.core.erasure import register_copies, register_no_copies
        from apps.core.event_types import register
        from apps.core.events import subscribe
        from apps.enrollments.demo import seed_demo_scale
        from apps.enrollments.event_types import EVENT_TYPES
        from apps.enrollments.services.certificates import certificate_on_completion

        register(*EVENT_TYPES)
        register_demo_scale(seed_demo_scale)
        # A completed course earns its certificate (idempotent: events may be redelivered).
        subscribe("enrollments.certificates", certificate_on_completion)
        # What a learner wrote into their own progress is theirs: erased with the person.
        register_copies("enrollments.LessonProgress", "custom_data", "validation_data")
        # A certificate prints the person's name: erased with the person.
        register_copies("enrollments.Certificate", "user_name", "title", "body")
        register_no_copies(
            "enrollments.CertificateTemplate",
            "body",
            reason="the school's text with placeholders, filled in only on certificates",
        )
        # A learner's quiz responses and the feedback staff wrote them are about the person.
        register_copies("enrollments.AttemptAnswer", "response", "feedback")
        for field in ("question_ids", "answer_order"):
            register_no_copies(
                "enrollments.QuizAttempt", field, reason="question and answer ids, in order"
            )
