"""Private, expiring links to a payment's invoice (HTML, or PDF with ``.pdf``/``?format=pdf``).

A link carries a token signed with Django's signing (a ``TimestampSigner`` over the
payment's id, salted for this use), as the catalog's download links do: anyone holding it
may read that one invoice until it expires (``COMMERCE_INVOICE_LINK_SECONDS``); a forged
or altered token is refused (403 ``link_invalid``), an expired one answers 410
``link_expired``.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

SALT = "lyceum.commerce.invoice"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def invoice_url(payment_id: str) -> tuple[str, datetime]:
    """An absolute signed link to the payment's invoice, and when it stops working."""
    token = _signer().sign_object({"p": payment_id}, compress=True)
    expires_at = timezone.now() + timedelta(seconds=settings.COMMERCE_INVOICE_LINK_SECONDS)
    return settings.LYCEUM_PUBLIC_URL + reverse("commerce-invoice", args=[token]), expires_at


class LinkRefused(Exception):
    """The token is not one Lyceum signed (``expired`` False) or is past its lifetime."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def payment_for_token(token: str) -> str:
    """The payment id a token grants; LinkRefused otherwise."""
    try:
        data = _signer().unsign_object(token, max_age=settings.COMMERCE_INVOICE_LINK_SECONDS)
    except signing.SignatureExpired:
        raise LinkRefused(expired=True) from None
    except signing.BadSignature:
        raise LinkRefused(expired=False) from None
    if not isinstance(data, dict) or not isinstance(data.get("p"), str):
        raise LinkRefused(expired=False)
    return data["p"]
