"""The wire form of money: ``{"amount": "100.00", "currency_code": "USD"}``."""

from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from apps.core.api.serializers import Serializer
from apps.core.money import MAX_MINOR_UNITS, MoneyError, is_known_currency, to_minor_units

AMOUNT_PATTERN = r"^[0-9]{1,15}(\.[0-9]{1,3})?$"


class AmountField(serializers.RegexField):
    """A decimal string; a JSON number is refused, as a float cannot carry cents exactly."""

    default_error_messages = {"not_a_string": 'Give the amount as a string such as "100.00".'}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(AMOUNT_PATTERN, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class CurrencyCodeField(serializers.RegexField):
    """An ISO 4217 code in use, upper case (``USD``); an unknown one is refused."""

    default_error_messages = {
        "invalid_currency": "{value!r} is not an ISO 4217 currency code in use."
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "ISO 4217 code, upper case (USD).")
        super().__init__(r"^[A-Z]{3}$", **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if not is_known_currency(value):
            self.fail("invalid_currency", value=value)
        return value


class MinorUnitsField(serializers.IntegerField):
    """A whole, non-negative number of a currency's minor units (``*_cents``): a JSON integer
    only, as ``100.0`` or ``"100"`` would hide a float or a string amount."""

    default_error_messages = {"not_an_integer": "Give a whole number of minor units (cents)."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_MINOR_UNITS)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_an_integer")
        return super().to_internal_value(data)


class MoneySerializer(Serializer):
    """An amount as a decimal string in its currency; validated into ``(minor units,
    currency)`` with the currency's own number of decimals (no rounding)."""

    amount = AmountField(help_text='A decimal string such as "100.00", never a number.')
    currency_code = CurrencyCodeField()

    def validate(self, attrs: dict[str, Any]) -> tuple[int, str]:
        try:
            cents = to_minor_units(attrs["amount"], attrs["currency_code"])
        except MoneyError as exc:
            # ``invalid_amount``: more decimals than the currency has, or too large, which a
            # pattern on the amount alone cannot say (the decimals depend on the currency).
            raise ValidationError({"amount": [str(exc)]}, code="invalid_amount") from None
        return cents, attrs["currency_code"]


class MoneyReadSerializer(serializers.Serializer):
    """An amount as the API shows it."""

    amount = serializers.CharField(read_only=True)
    currency_code = serializers.CharField(read_only=True)
