"""E-mail addresses as identities: one normal form to store, one key to compare.

Mail systems deliver ``ｅｘａｍｐｌｅ.com``, ``EXAMPLE.com``, ``xn--exmple-qta.com`` and
``exámple.com`` (composed or not) to the same mailbox, so they must name one account. An
address is stored in its normal form (``normalize_email``) and compared through its key
(``email_key``), a column computed here in Python: the database never applies a case rule
of its own (PostgreSQL's ``upper('ſ')`` is ``S`` while Python's is ``ſ``), so lookups, the
unique constraint and rate-limit buckets all agree.
"""

import unicodedata

import idna

# Invisible characters that would make two spellings of one mailbox look different.
# Every Unicode "format" (Cf) and "control" (Cc) character is refused; these are named
# in the error because they are the ones people paste by accident.
_NAMED = {
    "\u00ad": "soft hyphen",
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\ufeff": "zero-width no-break space",
}


class EmailRefused(ValueError):
    """The text cannot be an e-mail identity; the message says why."""


class InvisibleCharacter(EmailRefused):
    """The text holds an invisible or control character."""


def normalize_email(value: str) -> str:
    """The stored form: NFKC, trimmed, domain lower-cased and IDNA-encoded (punycode).

    Raises ``EmailRefused`` for invisible or control characters, a missing ``@`` part or
    a domain IDNA refuses. The local part keeps its case (the key ignores it).
    """
    text = unicodedata.normalize("NFKC", value).strip()
    for char in text:
        if char in _NAMED or unicodedata.category(char) in ("Cc", "Cf"):
            name = _NAMED.get(char) or f"U+{ord(char):04X}"
            raise InvisibleCharacter(
                f"E-mail addresses may not contain invisible characters ({name})."
            )
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise EmailRefused("Enter a valid e-mail address.")
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise EmailRefused("The e-mail address's domain is not a valid host name.") from None
    return f"{local}@{ascii_domain}"


def email_key(value: str) -> str:
    """The comparison form of any text: the normal form, lower-cased.

    Never raises: text that is not a valid address gets a key that no valid address has,
    so a lookup with it finds nothing (login attempts, rate-limit buckets).
    """
    try:
        return normalize_email(value).lower()
    except EmailRefused:
        return unicodedata.normalize("NFKC", value).strip().lower()
