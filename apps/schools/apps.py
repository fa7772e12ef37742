from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "apps.schools"
    label = "schools"
    verbose_name = "Schools and people"

    def ready(self) -> None:
        from apps.core.erasure import register_no_copies
        from apps.core.event_types import register
        from apps.schools import schema  # noqa: F401  (registers OpenAPI extensions)
        from apps.schools.event_types import EVENT_TYPES

        register(*EVENT_TYPES)

        for field, reason in {
            "schools.User.email": "replaced by user_anonymize",
            "schools.Member.metadata": "emptied by user_anonymize",
            "schools.Invite.mail_body": "blanked by user_anonymize on the person's invites",
            "schools.SignupFieldValue.value": "the person's answers, deleted by user_anonymize",
            "schools.ApiKey.scopes": "scope names",
            "schools.Domain.access_code_message_html": "the school's own text",
            "schools.Domain.catalog_title": "the school's own text",
            "schools.Domain.marketing_message": "the school's own text",
            "schools.Segment.description": "the school's own text",
            "schools.Segment.filters": "filter definitions (roles, tags, dates)",
            "schools.UserRole.description": "the school's own text",
        }.items():
            model, _, name = field.rpartition(".")
            register_no_copies(model, name, reason=reason)
