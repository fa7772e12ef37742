"""Reads of certificates: the public lookup, and the API's shape of a row."""

from typing import Any

from django.conf import settings
from django.urls import reverse

from apps.core.times import format_datetime
from apps.enrollments.certificate_links import download_urls, verification_url
from apps.enrollments.models import Certificate


def certificate_public(certificate_id: str) -> Certificate | None:
    """The certificate with this id in any school (its id is its public handle), or None."""
    return Certificate.objects.filter(pk=certificate_id).first()


def certificate_api_url(certificate_id: str) -> str:
    """The absolute address of the certificate in the API."""
    return settings.LYCEUM_PUBLIC_URL + reverse(
        "api:certificate-detail", kwargs={"certificate_id": certificate_id}
    )


def certificate_row_payload(certificate: Certificate) -> dict[str, Any]:
    """The API's certificate (LearnFlow's fields, plus status, revocation and title); no
    query: everything shown is on the row."""
    valid = certificate.revoked_at is None
    return {
        "id": certificate.id,
        "user_id": certificate.user_id,
        "user_name": certificate.user_name,
        "course_id": certificate.course_id,
        "course_title": certificate.course_title,
        "title": certificate.title,
        "issued_at": format_datetime(certificate.issued_at),
        "credential_id": certificate.credential_id,
        "certificate_url": certificate_api_url(certificate.id),
        "verification_url": verification_url(certificate.id),
        "download_urls": download_urls(certificate.id) if valid else None,
        "status": "valid" if valid else "revoked",
        "revoked_at": format_datetime(certificate.revoked_at),
        "revoke_reason": certificate.revoke_reason,
        "replaced_by": certificate.replaced_by_id,
        "created_at": format_datetime(certificate.created_at),
        "updated_at": format_datetime(certificate.updated_at),
    }
