"""Serializer fields shared by every app's API."""

from rest_framework import serializers

from apps.core.email_identity import EmailRefused, normalize_email


class EmailIdentityField(serializers.EmailField):
    """An e-mail address in its normal form (``apps.core.email_identity``).

    Look-alike spellings of one mailbox (full-width letters, a decomposed accent, an
    upper-case or punycode domain) arrive as one value; invisible characters are refused.
    The address is validated after normalising.
    """

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        try:
            return normalize_email(value)
        except EmailRefused as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from None
