from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from apps.catalog.demo import seed_demo_catalog
        from apps.catalog.event_types import EVENT_TYPES
        from apps.core.demo import register_demo
        from apps.core.erasure import register_copies, register_no_copies
        from apps.core.event_types import register

        register(*EVENT_TYPES)
        register_demo(seed_demo_catalog)
        # The school's own teaching material: it never holds a copy of a learner's data.
        for field in (
            "Course.title",
            "Course.short_description",
            "Course.long_description_html",
            "Course.slug",
            "Course.category",
            "Course.thumbnail_url",
            "Label.name",
            "Label.key",
            "Lesson.title",
            "Lesson.content_html",
            "Lesson.description_html",
            "Lesson.tooltip_html",
            "Lesson.search_keywords",
            "ContentItem.header",
            "ContentItem.content_html",
            "Asset.name",
            "Asset.type",
            "Asset.embed_link_url",
            "Asset.content_url",
            "Asset.failure_reason",
            "Asset.file",
            "Asset.content_type",
            "WebPackage.title",
            "WebPackage.version",
            "WebPackage.content_url",
            "WebPackage.failure_reason",
            "WebPackage.launch_path",
            "WebPackage.storage_prefix",
            "WebPackage.archive",
            "QuestionBank.name",
            "Quiz.name",
            "Quiz.html",
            "Question.html",
            "Question.correct_answer_feedback_html",
            "Question.incorrect_answer_feedback_html",
            "Answer.answer_text",
            "IltMultiSessionEvent.display_name",
            "IltSession.display_name",
            "IltSession.description",
            "IltSession.post_registration_instructions",
            "IltSession.location",
            "IltSession.event_link",
            "Path.title",
            "Path.slug",
            "Path.short_description",
            "Path.long_description_html",
            "Path.search_keywords",
            "PathItem.slug",
            "Bundle.title",
            "Bundle.description",
            "Bundle.currency_code",
            "CourseSeries.title",
            "CourseSeries.description",
            "PublishedCourse.slug",
            "PublishedCourse.timezone",
            "PublishedCourse.search_keywords",
            "PublishedPath.slug",
        ):
            model, _, name = field.partition(".")
            register_no_copies(f"catalog.{model}", name, reason="the school's teaching material")
        # An instructor is a person: the address and name a session names are theirs.
        register_copies("catalog.IltInstructor", "email", "email_key", "name")
        register_copies("catalog.IltSession", "instructor_email")
