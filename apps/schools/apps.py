from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "apps.schools"
    label = "schools"
    verbose_name = "Schools and people"

    def ready(self) -> None:
        from apps.schools import schema  # noqa: F401  (registers OpenAPI extensions)
