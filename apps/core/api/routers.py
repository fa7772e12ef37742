from rest_framework.routers import SimpleRouter


class OptionalSlashRouter(SimpleRouter):
    """Routes answer with and without a trailing slash, without redirects."""

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"
