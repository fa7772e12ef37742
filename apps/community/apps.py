from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "apps.community"
    label = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        from apps.community.demo import seed_demo_cohort, seed_demo_community
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
        # A cohort's name is staff's, like a space's title: no copy of a learner's data.
        register_no_copies("community.Cohort", "name", reason="the school's community setup")
        # A cohort's space is kept (soft-deleted, restorable) while the cohort holds it.
        from apps.community.selectors.cohorts import space_holds_cohort
        from apps.community.services.spaces import register_space_content

        register_space_content(space_holds_cohort)
        register_demo(seed_demo_cohort)
        # Posts: a space holding them is soft-deleted (the import registers the check).
        import apps.community.services.posts  # noqa: F401

        # Posts and comments are what people write: they can name and quote people.
        register_copies("community.Post", "body")
        register_copies("community.Comment", "body")
