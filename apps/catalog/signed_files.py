"""Download links to hosted files that work without credentials for one hour.

``download_url(kind, row)`` gives a link carrying a token signed with Django's signing
(``TimestampSigner`` over the kind, the row's id and the stored name, salted for this use):
anyone holding the link may fetch that one file until it expires, as Skilljar's
``download_url`` promises; a forged, altered or expired token is refused (403, 410). A store
that makes its own links (S3-compatible storage through django-storages) presigns them
instead, with the same lifetime.
"""

from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from apps.catalog.services.content import catalog_storage

SALT = "lyceum.catalog.download"

# Kinds of hosted files apps above the catalog serve through the same links (an assignment
# submission's file): kind -> whether (row id, stored name) is still that row's current
# file. Registered in the owning app's ``ready``; the catalog never imports those apps.
_KINDS: dict[str, Callable[[str, str], bool]] = {}


def download_kind_register(kind: str, is_current: Callable[[str, str], bool]) -> None:
    """Serve files of ``kind`` by signed link while ``is_current(row_id, name)`` holds."""
    _KINDS[kind] = is_current


def registered_file_current(kind: str, row_id: str, name: str) -> bool | None:
    """Whether a registered kind's file is current; None when ``kind`` is not registered."""
    is_current = _KINDS.get(kind)
    return None if is_current is None else is_current(row_id, name)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def download_url(*, kind: str, row_id: str, name: str) -> str | None:
    """An absolute link to the stored file ``name`` valid for the configured lifetime."""
    if not name:
        return None
    storage = catalog_storage()
    lifetime = settings.CATALOG_DOWNLOAD_URL_SECONDS
    if not isinstance(storage, FileSystemStorage):
        return storage.url(name, expire=lifetime)
    token = _signer().sign_object({"k": kind, "i": row_id, "n": name}, compress=True)
    return settings.LYCEUM_PUBLIC_URL + reverse("catalog-download", args=[token])


class LinkRefused(Exception):
    """The token is not one Lyceum signed (``expired`` False) or is past its lifetime."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def file_for_token(token: str) -> tuple[str, str, str]:
    """(kind, row id, stored name) a token grants; LinkRefused otherwise."""
    try:
        data = _signer().unsign_object(token, max_age=settings.CATALOG_DOWNLOAD_URL_SECONDS)
    except signing.SignatureExpired:
        raise LinkRefused(expired=True) from None
    except signing.BadSignature:
        raise LinkRefused(expired=False) from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "kin"):
        raise LinkRefused(expired=False)
    return data["k"], data["i"], data["n"]
