"""What a credential may see and do in the community: the one place visibility is decided.

Every community route reads it here, and so must the items built on spaces (posts,
comments, reactions, cohorts' spaces):

- ``spaces_visible_to(credential)``: the spaces a credential may know exist. An API key
  (the school's staff) sees every live space of its school. A user token sees public and
  private spaces, and a secret one only when it is an active member, holds a pending
  invitation, or holds an active, unexpired enrollment in the space's linked course; any
  other secret space is 404 to it, exactly like another school's.
- ``spaces_readable_by(credential)``: the spaces whose members and content (posts) a
  credential may read: every visible public space, and the others it is an active member
  of; staff read all. A private space's members list is 403 ``not_space_member`` to others.
- ``space_access(credential, space)``: one space's answers (``can_read``, ``can_write``,
  ``is_moderator``) for checks inside an action; ``require_readable`` and
  ``require_member`` raise the refusals.

Soft-deleted spaces are invisible to everyone through the API.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.community.codes import CommunityErrorCode
from apps.community.models import Space, SpaceMember
from apps.core.credentials import Credential
from apps.core.errors import ApiError
from apps.enrollments.models import Enrollment
from apps.enrollments.selectors.enrollments import current


def live_spaces(queryset: QuerySet[Space] | None = None) -> QuerySet[Space]:
    """Spaces that are not soft-deleted."""
    return (Space.objects.all() if queryset is None else queryset).filter(deleted_at__isnull=True)


def _membership(user_id: str, *statuses: str) -> Exists:
    return Exists(
        SpaceMember.objects.filter(space=OuterRef("pk"), user_id=user_id, status__in=statuses)
    )


def _enrolled_in_course(user_id: str) -> Exists:
    """The space's linked course gives the person access now (active and unexpired)."""
    return Exists(
        current(Enrollment.objects.filter(course_id=OuterRef("course_id"), user_id=user_id))
    )


def spaces_visible_to(
    *, credential: Credential, queryset: QuerySet[Space] | None = None
) -> QuerySet[Space]:
    """The live spaces of the credential's school that it may know exist (see the module)."""
    spaces = live_spaces(queryset).filter(school=credential.school)
    if not credential.is_user:
        return spaces
    user_id = credential.user.pk
    return spaces.filter(
        ~Q(visibility=Space.Visibility.SECRET)
        | _membership(user_id, SpaceMember.Status.ACTIVE, SpaceMember.Status.INVITED)
        | (Q(course__isnull=False) & _enrolled_in_course(user_id))
    )


def spaces_readable_by(
    *, credential: Credential, queryset: QuerySet[Space] | None = None
) -> QuerySet[Space]:
    """The live spaces whose members and content the credential may read (see the module)."""
    spaces = live_spaces(queryset).filter(school=credential.school)
    if not credential.is_user:
        return spaces
    return spaces.filter(
        Q(visibility=Space.Visibility.PUBLIC)
        | _membership(credential.user.pk, SpaceMember.Status.ACTIVE)
    )


@dataclass(frozen=True)
class SpaceAccess:
    """What one credential may do in one space it can see."""

    is_staff: bool
    membership: SpaceMember | None

    @property
    def is_member(self) -> bool:
        """An active member (an invitation not yet accepted is not one)."""
        return self.membership is not None and self.membership.is_active

    @property
    def is_moderator(self) -> bool:
        """Staff, or an active member with the moderator role."""
        return self.is_staff or (
            self.is_member and self.membership.role == SpaceMember.Role.MODERATOR
        )

    def can_read(self, space: Space) -> bool:
        """Whether its members and content are readable: staff, public, or an active member."""
        return self.is_staff or space.visibility == Space.Visibility.PUBLIC or self.is_member

    @property
    def can_write(self) -> bool:
        """Whether it may write in the space (post, comment, react): staff or active members."""
        return self.is_staff or self.is_member


def space_access(*, credential: Credential, space: Space) -> SpaceAccess:
    """The credential's standing in ``space`` (one query for a user token, none for a key)."""
    if not credential.is_user:
        return SpaceAccess(is_staff=True, membership=None)
    membership = SpaceMember.objects.filter(space=space, user_id=credential.user.pk).first()
    return SpaceAccess(is_staff=False, membership=membership)


def _not_member() -> ApiError:
    return ApiError(
        "Only the space's members may do this.",
        code=CommunityErrorCode.NOT_SPACE_MEMBER,
        status_code=403,
    )


def require_readable(*, credential: Credential, space: Space) -> SpaceAccess:
    """The credential's access when it may read the space's members and content; else 403
    ``not_space_member`` (the space was already found visible)."""
    access = space_access(credential=credential, space=space)
    if not access.can_read(space):
        raise _not_member()
    return access


def require_member(*, credential: Credential, space: Space) -> SpaceAccess:
    """The credential's access when it may write in the space; else 403 ``not_space_member``."""
    access = space_access(credential=credential, space=space)
    if not access.can_write:
        raise _not_member()
    return access
