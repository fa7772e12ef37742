from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "apps.enrollments"
    label = "enrollments"
    verbose_name = "Enrollments"

    def ready(self) -> None:
        from apps.catalog.signed_files import download_kind_register
        from apps.core.demo import register_demo_scale
        from apps.core.erasure import register_copies, register_no_copies
        from apps.core.event_types import register
        from apps.core.events import subscribe
        from apps.enrollments.demo import seed_demo_scale
        from apps.enrollments.event_types import EVENT_TYPES
        from apps.enrollments.selectors.assignments import DOWNLOAD_KIND, submission_file_current
        from apps.enrollments.services.certificates import certificate_on_completion
        from apps.enrollments.services.enrollments import path_course_grant_on_event
        from apps.enrollments.services.progress import lesson_progress_follow_lesson

        register(*EVENT_TYPES)
        # Submitted files are served by the catalog's signed links while they are current.
        download_kind_register(DOWNLOAD_KIND, submission_file_current)
        register_demo_scale(seed_demo_scale)
        # A completed course earns its certificate (idempotent: events may be redelivered).
        subscribe("enrollments.certificates", certificate_on_completion)
        # A course that joins a path is granted to the people enrolled in the path (a job).
        subscribe("enrollments.path_courses", path_course_grant_on_event)
        # A lesson moved to another course takes its progress rows along (course summaries).
        subscribe("enrollments.lesson_moves", lesson_progress_follow_lesson)
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
        # What a learner handed in, and what staff wrote back, is about the person.
        register_copies("enrollments.AssignmentSubmission", "text", "feedback", "file_name")
        register_no_copies(
            "enrollments.AssignmentSubmission", "file", reason="a storage path made of ids"
        )
        register_no_copies(
            "enrollments.AssignmentSubmission",
            "content_type",
            reason="a media type judged from the file's bytes",
        )
        for field in ("question_ids", "answer_order"):
            register_no_copies(
                "enrollments.QuizAttempt", field, reason="question and answer ids, in order"
            )
