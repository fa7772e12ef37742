from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "apps.community"
    label = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        from apps.community.demo import seed_demo_community
        from apps.community.event_types import EVENT_TYPES
        from apps.core.demo import register_demo
        from apps.core.erasure import register_copies, register_no_copies
        from apps.core.event_types import register

        register(*EVENT_TYPES)
        register_demo(seed_demo_community)
        # What staff write about the community's places: no copy of a learner's data.
        for field in ("Collection.description", "Space.description"):
            model, _, name = field.partition(".")
            register_no_copies(f"community.{model}", name, reason="the school's community setup")
        # A notification's text can name people (who invited, who replied, who was mentioned).
        register_copies("community.Notification", "text")
