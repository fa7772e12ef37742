"""Celery entry points of the community app. Each takes ids and calls one service."""

from celery import shared_task

from apps.community.services import members


@shared_task(name="community.send_space_invitation", acks_late=True)
def space_invitation_send_task(membership_id: str) -> bool:
    """E-mail a space invitation once (a redelivered task finds it sent and does nothing)."""
    return members.space_invitation_send(membership_id=membership_id)
