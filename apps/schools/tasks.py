"""Celery entry points of the schools app. Each takes ids and calls one service."""

from celery import shared_task

from apps.schools.services import invites


@shared_task(name="schools.send_invite", acks_late=True)
def invite_send_task(invite_id: str) -> bool:
    """E-mail an invite once (a redelivered task finds it sent and does nothing)."""
    return invites.invite_send(invite_id=invite_id)
