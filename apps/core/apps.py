from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Platform"

    def ready(self) -> None:
        from apps.core import idempotency, scheduler
        from apps.core.erasure import register_copies, register_no_copies

        register_copies("core.Event", "payload")
        register_copies("core.Job", "params", "result", "error")
        register_copies("core.IdempotencyRecord", "response_body", where=idempotency.text_bodies())
        for field, reason in {
            "core.IdempotencyRecord.request_path": "paths name ids, never people",
            "core.IdempotencyRecord.response_headers": "Location and content headers only",
            "admin.LogEntry.change_message": "names of changed fields only",
            "admin.LogEntry.object_id": "an id",
            "sessions.Session.session_data": "signed ids; an anonymized account is inactive",
            "token_blacklist.OutstandingToken.token": "JWTs carry ids and times only",
        }.items():
            model, _, name = field.rpartition(".")
            register_no_copies(model, name, reason=reason)

        scheduler.start_if_embedded()
