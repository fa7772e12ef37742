"""Writes of space members: adding and inviting, accepting, declining, joining, leaving and
role changes.

Staff add people to a space at once, or invite them when the space has
``is_invitation_required``: an invitation is a ``SpaceMember`` with status ``invited``, a
notification in the person's inbox and an e-mail (sent after commit by the
``community.send_space_invitation`` task, once). ``community.member.added`` is emitted
whenever someone becomes an active member: added directly, accepting, or joining.

Adding locks the space's row, so two calls adding the same people at once cannot both
report them as newly affected.
"""

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.community.codes import CommunityErrorCode
from apps.community.models import Cohort, Notification, Space, SpaceMember
from apps.community.services.notifications import notifications_mark_read, notify
from apps.core.errors import ApiError, InvalidInput
from apps.core.events import emit
from apps.enrollments.selectors.enrollments import has_course_access
from apps.schools.models import User

INVITATION_KIND = "space.invitation"
# How many people one call may add or invite.
MAX_USERS_PER_CALL = 100


def space_member_payload(membership: SpaceMember) -> dict[str, Any]:
    """The event data of a membership: the space, the person, their role and since when."""
    user = membership.user
    return {
        "id": membership.id,
        "space": {"id": membership.space_id, "title": membership.space.title},
        "user": {
            "id": user.id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
        },
        "role": membership.role,
        "joined_at": membership.joined_at.isoformat() if membership.joined_at else None,
    }


def _activate(membership: SpaceMember) -> SpaceMember:
    membership.status = SpaceMember.Status.ACTIVE
    membership.joined_at = timezone.now()
    membership.save(update_fields=["status", "joined_at", "updated_at"])
    emit(membership.school, "community.member.added", space_member_payload(membership))
    return membership


def _invitation_text(space: Space) -> str:
    return f"You are invited to join the space “{space.title}”."


@transaction.atomic
def space_members_add(
    *, space: Space, users: list[User], invited_by: User | None = None
) -> list[SpaceMember]:
    """Add ``users`` (the space's school's) to the space, or invite them when it requires
    invitations; answers only the memberships this call created (people already in the
    space or invited to it are left as they are)."""
    from apps.community.tasks import space_invitation_send_task

    space = Space.objects.select_for_update(of=("self",)).select_related("school").get(pk=space.pk)
    if any(user.school_id != space.school_id for user in users):
        # The API resolves names inside the school first; the admin and code reach here.
        raise InvalidInput(
            "users: no such user in this school.", code="does_not_exist", field="users"
        )
    present = set(
        SpaceMember.objects.filter(space=space, user__in=users).values_list("user_id", flat=True)
    )
    invite = space.is_invitation_required
    affected = []
    for user in users:
        if user.pk in present:
            continue
        membership = SpaceMember(
            school=space.school,
            space=space,
            user=user,
            status=SpaceMember.Status.INVITED if invite else SpaceMember.Status.ACTIVE,
            invited_by=invited_by if invite else None,
            joined_at=None if invite else timezone.now(),
        )
        membership.space = space
        membership.save(force_insert=True)
        if invite:
            notify(
                user=user, kind=INVITATION_KIND, object_id=space.id, text=_invitation_text(space)
            )
            transaction.on_commit(lambda pk=membership.pk: space_invitation_send_task.delay(pk))
        else:
            emit(space.school, "community.member.added", space_member_payload(membership))
        affected.append(membership)
    return affected


def _own_invitation(space: Space, user: User) -> SpaceMember:
    membership = (
        SpaceMember.objects.select_for_update(of=("self",))
        .select_related("space", "user", "school")
        .filter(space=space, user=user, status=SpaceMember.Status.INVITED)
        .first()
    )
    if membership is None:
        raise ApiError(
            "There is no pending invitation to this space for you.",
            code=CommunityErrorCode.NO_INVITATION,
            status_code=409,
        )
    return membership


def _invitation_answered(space: Space, user: User) -> None:
    notifications_mark_read(
        notifications=Notification.objects.filter(
            user=user, kind=INVITATION_KIND, object_id=space.id
        )
    )


@transaction.atomic
def space_invitation_accept(*, space: Space, user: User) -> SpaceMember:
    """Turn ``user``'s pending invitation into an active membership; 409 ``no_invitation``
    when there is none."""
    membership = _activate(_own_invitation(space, user))
    _invitation_answered(space, user)
    return membership


@transaction.atomic
def space_invitation_decline(*, space: Space, user: User) -> None:
    """Drop ``user``'s pending invitation; 409 ``no_invitation`` when there is none."""
    _own_invitation(space, user).delete()
    _invitation_answered(space, user)


def may_join(space: Space, user: User) -> bool:
    """Whether ``user`` may join ``space`` on their own: it is public and takes no
    invitations, or they hold an active, unexpired enrollment in its linked course. A
    cohort's space is never joined this way: the cohort decides who is in it."""
    if Cohort.objects.filter(space=space).exists():
        return False
    if space.course_id is not None and has_course_access(user=user, course=space.course):
        return True
    return space.visibility == Space.Visibility.PUBLIC and not space.is_invitation_required


@transaction.atomic
def space_join(*, space: Space, user: User) -> tuple[SpaceMember, bool]:
    """Make ``user`` an active member (accepting a pending invitation too); ``(membership,
    created)``. 403 ``space_join_refused`` when ``may_join`` says no."""
    space = Space.objects.select_for_update(of=("self",)).select_related("school").get(pk=space.pk)
    membership = (
        SpaceMember.objects.select_related("space", "user", "school")
        .filter(space=space, user=user)
        .first()
    )
    if membership is not None and membership.is_active:
        return membership, False
    if membership is not None:  # invited: joining is accepting
        _activate(membership)
        _invitation_answered(space, user)
        return membership, True
    if not may_join(space, user):
        raise ApiError(
            "This space takes its members by invitation or through its course.",
            code=CommunityErrorCode.JOIN_REFUSED,
            status_code=403,
        )
    membership = SpaceMember(school=space.school, space=space, user=user)
    membership.save(force_insert=True)
    return _activate(membership), True


@transaction.atomic
def space_member_update(*, membership: SpaceMember, role: str | None = None) -> SpaceMember:
    """Change a member's role (member or moderator)."""
    if role is not None and role != membership.role:
        if role not in SpaceMember.Role.values:
            raise ApiError(
                f"role: one of {', '.join(SpaceMember.Role.values)}.",
                code="invalid_choice",
                field="role",
            )
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def space_member_remove(*, membership: SpaceMember) -> None:
    """Take a person out of a space (or withdraw their invitation)."""
    if membership.status == SpaceMember.Status.INVITED:
        _invitation_answered(membership.space, membership.user)
    membership.delete()


def space_invitation_send(*, membership_id: str) -> bool:
    """E-mail a pending invitation once; False when it was sent already or is no longer
    pending."""
    with transaction.atomic():
        membership = (
            SpaceMember.objects.select_for_update(of=("self",))
            .select_related("space", "user", "school")
            .filter(pk=membership_id, status=SpaceMember.Status.INVITED)
            .first()
        )
        if membership is None or membership.invitation_sent_at is not None:
            return False
        context = {
            "space": membership.space,
            "school": membership.school,
            "user": membership.user,
        }
        subject = render_to_string("community/space_invitation_subject.txt", context).strip()
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("community/space_invitation.txt", context),
            to=[membership.user.email],
        )
        message.send(fail_silently=False)
        membership.invitation_sent_at = timezone.now()
        membership.save(update_fields=["invitation_sent_at", "updated_at"])
    return True
