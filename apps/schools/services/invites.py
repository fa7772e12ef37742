"""Invitations to a domain: created through the API or the admin, e-mailed by a Celery task,
accepted once on the ``/invites/<token>`` page where the person sets a password.

The link's token is the invite id signed with Django's ``TimestampSigner`` (salted for
invites), so nothing secret is stored. It expires after ``LYCEUM_INVITE_DAYS`` (7) days and
works once: accepting stamps ``accepted_at``.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.core.events import emit
from apps.schools.models import DomainUser, Invite, Member
from apps.schools.selectors.invites import InviteInvalid, invite_activation_url, invite_lifetime
from apps.schools.services.domains import domain_user_update


def invite_payload(invite: Invite) -> dict:
    return {
        "id": invite.id,
        "domain": {"id": invite.domain_id, "name": invite.domain.name},
        "user": {"id": invite.user_id},
        "send_email": invite.send_email,
        "expires_at": invite.expires_at.isoformat(),
    }


@transaction.atomic
def invite_create(
    *,
    domain_user: DomainUser,
    send_email: bool = True,
    mail_subject: str = "",
    mail_body: str = "",
    mail_action: str = "",
) -> Invite:
    """Invite a domain user; the e-mail (unless ``send_email`` is false) goes after commit."""
    from apps.schools.tasks import invite_send_task

    invite = Invite.objects.create(
        school_id=domain_user.school_id,
        domain_user=domain_user,
        domain_id=domain_user.domain_id,
        user_id=domain_user.user_id,
        send_email=send_email,
        mail_subject=mail_subject,
        mail_body=mail_body,
        mail_action=mail_action,
        expires_at=timezone.now() + invite_lifetime(),
    )
    invite.domain_user = domain_user
    emit(domain_user.school, "invite.created", invite_payload(invite))
    if send_email:
        transaction.on_commit(lambda: invite_send_task.delay(invite.id))
    return invite


def invite_message(invite: Invite) -> EmailMultiAlternatives:
    """The invitation e-mail, rendered from ``templates/schools/``, with the overrides."""
    user = invite.domain_user.member.user
    context = {
        "invite": invite,
        "user": user,
        "school": invite.school,
        "domain": invite.domain,
        "url": invite_activation_url(invite),
        "subject": invite.mail_subject,
        "body": invite.mail_body,
        "action": invite.mail_action or "Accept the invitation",
        "days": settings.LYCEUM_INVITE_DAYS,
    }
    subject = invite.mail_subject or render_to_string("schools/invite_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("schools/invite_email.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("schools/invite_email.html", context), "text/html")
    return message


def invite_send(*, invite_id: str) -> bool:
    """Send an invite's e-mail once; False when it was sent already or is not to be sent."""
    with transaction.atomic():
        invite = (
            Invite.objects.select_for_update(of=("self",))
            .select_related("domain_user__member__user", "domain", "school")
            .filter(id=invite_id)
            .first()
        )
        if invite is None or invite.sent_at or not invite.send_email or not invite.is_usable:
            return False
        invite_message(invite).send()
        invite.sent_at = timezone.now()
        invite.save(update_fields=["sent_at", "updated_at"])
    return True


@transaction.atomic
def invite_accept(*, invite: Invite, password: str | None = None) -> Member:
    """Accept once: activate the domain access (``domain.enrollment.updated`` when it was
    inactive) and stamp the invite.

    ``password`` is set only for a person who has none yet; an existing account keeps its
    password (the link is not a password reset).
    """
    invite = (
        Invite.objects.select_for_update(of=("self",))
        .select_related("domain_user__member__user", "school", "domain")
        .get(pk=invite.pk)
    )
    if not invite.is_usable:
        raise InviteInvalid()
    member = invite.domain_user.member
    user = member.user
    if password and not user.has_usable_password():
        user.set_password(password)
        user.save(update_fields=["password", "updated_at"])
    now = timezone.now()
    invite.accepted_at = now
    invite.save(update_fields=["accepted_at", "updated_at"])
    # Through the service, so reactivated access is announced (``domain.enrollment.updated``).
    domain_user_update(domain_user=invite.domain_user, active=True)
    emit(invite.school, "invite.accepted", invite_payload(invite))
    return member
