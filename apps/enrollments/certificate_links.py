"""The addresses of a certificate: its public verification page, and its downloads.

Download links carry a token signed with Django's signing (``TimestampSigner`` over the
certificate's id and the format, salted for this use), as the catalog's file links do:
anyone holding the link may fetch that rendering until it expires; a forged, altered or
expired token is refused (403, 410). The verification page needs no token: it shows only
what a certificate is meant to prove (valid or revoked, name, course, date).
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "lyceum.enrollments.certificate"
FORMATS = ("pdf", "png", "svg")
# How long a download link works; a client reads the certificate again for fresh links.
LINK_SECONDS = 3600


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def verification_url(certificate_id: str) -> str:
    """The absolute address of the certificate's public verification page."""
    return settings.LYCEUM_PUBLIC_URL + reverse("certificate-verify", args=[certificate_id])


def download_urls(certificate_id: str) -> dict[str, str]:
    """An absolute, signed link per rendering (``pdf``, ``png``, ``svg``)."""
    urls = {}
    for fmt in FORMATS:
        token = _signer().sign_object({"i": certificate_id, "f": fmt}, compress=True)
        urls[fmt] = settings.LYCEUM_PUBLIC_URL + reverse("certificate-download", args=[token])
    return urls


class LinkRefused(Exception):
    """The token is not one Lyceum signed (``expired`` False) or is past its lifetime."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def rendering_for_token(token: str) -> tuple[str, str]:
    """(certificate id, format) a token grants; LinkRefused otherwise."""
    try:
        data = _signer().unsign_object(token, max_age=LINK_SECONDS)
    except signing.SignatureExpired:
        raise LinkRefused(expired=True) from None
    except signing.BadSignature:
        raise LinkRefused(expired=False) from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("i"), str)
        or data.get("f") not in FORMATS
    ):
        raise LinkRefused(expired=False)
    return data["i"], data["f"]
