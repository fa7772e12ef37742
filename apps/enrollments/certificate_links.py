"""The addresses of a certificate: its public verification page, and its downloads.

Download links carry a token signed with Django's signing (a ``Signer`` over the
certificate's id and the format, salted for this use): anyone holding the link may fetch
that rendering while the certificate is valid; a forged or altered token is refused (403),
and a revoked certificate's links answer 410. Unlike the catalog's file links they do not
expire: a rendering shows only what the certificate states, and the learner hands it on as
they please; being stable, the same certificate reads the same on every request (pages of a
list compare equal, caches keep working). The verification page needs no token: it shows
only what a certificate is meant to prove (valid or revoked, name, course, date).
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "lyceum.enrollments.certificate"
FORMATS = ("pdf", "png", "svg")


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def verification_url(certificate_id: str) -> str:
    """The absolute address of the certificate's public verification page."""
    return settings.LYCEUM_PUBLIC_URL + reverse("certificate-verify", args=[certificate_id])


def download_urls(certificate_id: str) -> dict[str, str]:
    """An absolute, signed link per rendering (``pdf``, ``png``, ``svg``); the same on every
    call."""
    urls = {}
    for fmt in FORMATS:
        token = _signer().sign_object({"i": certificate_id, "f": fmt}, compress=True)
        urls[fmt] = settings.LYCEUM_PUBLIC_URL + reverse("certificate-download", args=[token])
    return urls


class LinkRefused(Exception):
    """The token is not one Lyceum signed for a certificate's rendering."""


def rendering_for_token(token: str) -> tuple[str, str]:
    """(certificate id, format) a token grants; LinkRefused otherwise."""
    try:
        data = _signer().unsign_object(token)
    except signing.BadSignature:
        raise LinkRefused() from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("i"), str)
        or data.get("f") not in FORMATS
    ):
        raise LinkRefused()
    return data["i"], data["f"]
