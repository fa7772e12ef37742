"""Money in integer minor units: conversions, the one rounding rule, and the API fields."""

from decimal import Decimal

import pytest
from rest_framework.exceptions import ValidationError

from apps.core.api.money import CurrencyCodeField, MinorUnitsField, MoneySerializer
from apps.core.money import (
    MoneyError,
    format_amount,
    is_known_currency,
    money,
    percent_of,
    to_minor_units,
)


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("100.00", "USD", 10000),
        ("100", "USD", 10000),
        ("0.1", "EUR", 10),
        ("0", "USD", 0),
        ("500", "JPY", 500),
        ("1.005", "KWD", 1005),
        (Decimal("19.99"), "GBP", 1999),
        (7, "USD", 700),
    ],
)
def test_to_minor_units_is_exact(amount, currency, minor):
    assert to_minor_units(amount, currency) == minor


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("1.001", "USD"),  # more decimals than the currency has: refused, not rounded
        ("1.5", "JPY"),
        ("-1.00", "USD"),
        ("abc", "USD"),
        ("NaN", "USD"),
        ("Infinity", "USD"),
        (1.5, "USD"),  # a float, even one that is exact
        ("1.00", "usd"),
        ("1.00", "XYZ"),  # three letters, but no ISO 4217 currency
        ("10000000000000.01", "USD"),  # above MAX_MINOR_UNITS
    ],
)
def test_to_minor_units_refuses(amount, currency):
    with pytest.raises(MoneyError):
        to_minor_units(amount, currency)


def test_format_amount_and_money_use_the_currencys_decimals():
    assert format_amount(10000, "USD") == "100.00"
    assert format_amount(5, "USD") == "0.05"
    assert format_amount(500, "JPY") == "500"
    assert format_amount(1005, "KWD") == "1.005"
    assert money(0, "EUR") == {"amount": "0.00", "currency_code": "EUR"}
    assert money(None, "EUR") is None


@pytest.mark.parametrize(
    ("minor", "percent", "share"),
    [
        (1000, 10, 100),
        (5, 50, 2),  # 2.5 → 2: half to even
        (15, 50, 8),  # 7.5 → 8: half to even
        (999, Decimal("33.3"), 333),  # 332.667 → 333
        (0, 25, 0),
    ],
)
def test_percent_of_rounds_half_to_even_to_whole_units(minor, percent, share):
    assert percent_of(minor, percent) == share


def test_is_known_currency_follows_iso_4217():
    assert is_known_currency("USD")
    assert is_known_currency("KWD")
    assert not is_known_currency("XYZ")
    assert not is_known_currency("usd")
    assert not is_known_currency("US")
    assert not is_known_currency(None)


@pytest.mark.parametrize("value", [10.0, 10.5, "10", True, -1, 10**16])
def test_minor_units_field_takes_only_json_integers_in_range(value):
    with pytest.raises(ValidationError):
        MinorUnitsField().run_validation(value)


def test_minor_units_field_and_currency_code_field_accept_good_values():
    assert MinorUnitsField().run_validation(0) == 0
    assert CurrencyCodeField().run_validation("JPY") == "JPY"
    with pytest.raises(ValidationError):
        CurrencyCodeField().run_validation("ABC")


def test_money_serializer_names_the_field_at_fault():
    unknown = MoneySerializer(data={"amount": "1.00", "currency_code": "ABC"})
    too_precise = MoneySerializer(data={"amount": "1.001", "currency_code": "USD"})
    good = MoneySerializer(data={"amount": "1.5", "currency_code": "USD"})

    assert not unknown.is_valid()
    assert "currency_code" in unknown.errors
    assert not too_precise.is_valid()
    assert "amount" in too_precise.errors
    assert good.is_valid()
    assert good.validated_data == (150, "USD")
