"""Who is calling: the credential every authenticated API request carries as ``request.auth``."""

from dataclasses import dataclass, field
from typing import Any

# Scopes an API key can hold (``*`` grants all of them).
ALL_SCOPES: tuple[str, ...] = (
    "read:users",
    "write:users",
    "read:courses",
    "write:courses",
    "read:enrollments",
    "write:enrollments",
    "read:progress",
    "read:certificates",
    "read:commerce",
    "write:commerce",
    "read:community",
    "write:community",
    "read:webhooks",
    "write:webhooks",
)
WILDCARD_SCOPE = "*"

# What a user's own token may do: read, and only what belongs to that user where the
# resource is personal (views narrow the rows with ``owner_field``).
USER_TOKEN_SCOPES: frozenset[str] = frozenset(
    {
        "read:users",
        "read:courses",
        "read:enrollments",
        "read:progress",
        "read:certificates",
        "read:community",
    }
)


@dataclass(frozen=True)
class Credential:
    """An authenticated caller: a school API key, or a user acting inside one school."""

    kind: str  # "api_key" or "user"
    school: Any
    scopes: frozenset[str]
    api_key: Any = None
    user: Any = None
    member: Any = None
    extra: dict = field(default_factory=dict)

    @property
    def is_api_key(self) -> bool:
        return self.kind == "api_key"

    @property
    def is_user(self) -> bool:
        return self.kind == "user"

    @property
    def mode(self) -> str:
        """``test`` when acting on a school's sandbox (test keys, sandbox users), else
        ``live``."""
        return "test" if getattr(self.school, "live_school_id", None) else "live"

    @property
    def identity(self) -> str:
        """A stable string naming this caller, for throttles and idempotency records."""
        if self.is_api_key:
            return f"key:{self.api_key.pk}"
        return f"user:{self.user.pk}"

    def has_scope(self, scope: str) -> bool:
        return WILDCARD_SCOPE in self.scopes or scope in self.scopes
