"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

A secret is ``whsec_`` followed by the base64 of 24 to 64 random bytes; the key is those
bytes. The signature of a message is ``v1,`` + base64(HMAC-SHA256(key,
"{webhook-id}.{webhook-timestamp}.{body}")); several signatures (during a secret
rotation) are separated by spaces in the ``webhook-signature`` header.
"""

import base64
import binascii
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
MIN_KEY_BYTES = 24
MAX_KEY_BYTES = 64
GENERATED_KEY_BYTES = 32
_B64 = "[A-Za-z0-9+/]"
# The same rule as ``secret_key`` as a regular expression (for the API schema): strict
# base64 of 24 to 64 bytes, by the length of its last group of four.
SECRET_PATTERN = (
    f"^{SECRET_PREFIX}(?:(?:{_B64}{{4}}){{8,21}}"
    f"|(?:{_B64}{{4}}){{8,20}}{_B64}{{3}}="
    f"|(?:{_B64}{{4}}){{8,21}}{_B64}{{2}}==)$"
)


class InvalidSecret(ValueError):
    """The secret is not ``whsec_`` + base64 of 24 to 64 bytes."""


def generate_secret() -> str:
    """A new random signing secret."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(GENERATED_KEY_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key a secret stands for; InvalidSecret when it is malformed or too short."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        raise InvalidSecret(f"The secret must start with {SECRET_PREFIX!r}.")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSecret(f"The secret must be {SECRET_PREFIX!r} followed by base64.") from None
    if len(key) < MIN_KEY_BYTES:
        raise InvalidSecret(
            f"The secret is {len(key)} bytes long; it must be at least {MIN_KEY_BYTES} bytes."
        )
    if len(key) > MAX_KEY_BYTES:
        raise InvalidSecret(f"The secret must be at most {MAX_KEY_BYTES} bytes.")
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,<base64>`` signature of one message."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: one signature per valid secret, space-separated."""
    return " ".join(sign(secret, msg_id, timestamp, body) for secret in secrets_)


def verify(secret: str, msg_id: str, timestamp: int, body: bytes, header: str) -> bool:
    """True when one of the header's signatures was made with ``secret``."""
    expected = sign(secret, msg_id, timestamp, body)
    return any(hmac.compare_digest(expected, part) for part in header.split())
