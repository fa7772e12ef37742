"""Money: integer minor units in storage and arithmetic, decimal strings on the wire.

An amount is stored as an integer count of its currency's minor unit (``*_cents``) and is
written in API bodies as Skilljar's ``{"amount": "100.00", "currency_code": "USD"}``. An
amount with more decimals than its currency has is refused, never rounded; the one rounding
rule Lyceum applies (to percentages of an amount) is ``percent_of`` below. Floats are never
used.
"""

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

import pycountry

# ISO 4217 currencies whose minor unit is not a hundredth.
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        (
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
# The largest amount accepted, in minor units (fits a signed 64-bit column comfortably).
MAX_MINOR_UNITS = 10**15


class MoneyError(ValueError):
    """An amount or currency that cannot be stored exactly."""


def exponent(currency_code: str) -> int:
    """How many decimals ``currency_code``'s amounts have (2 unless ISO 4217 says else)."""
    return _EXPONENTS.get(currency_code.upper(), 2)


def is_currency_code(value: object) -> bool:
    """Three upper-case ASCII letters, as ISO 4217 codes are."""
    return isinstance(value, str) and len(value) == 3 and value.isascii() and value.isupper()


def is_known_currency(value: object) -> bool:
    """An ISO 4217 code in use (the list pycountry ships), written in upper case."""
    return is_currency_code(value) and pycountry.currencies.get(alpha_3=value) is not None


def to_minor_units(amount: str | Decimal | int, currency_code: str) -> int:
    """``"100.00"`` USD → 10000. Refuses negatives, non-numbers, too many decimals and
    currencies ISO 4217 does not list."""
    if not is_known_currency(currency_code):
        raise MoneyError(f"{currency_code!r} is not an ISO 4217 currency code.")
    if isinstance(amount, float):
        raise MoneyError("Amounts are decimal strings, never floats.")
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise MoneyError(f"{amount!r} is not an amount.") from None
    if not value.is_finite() or value < 0:
        raise MoneyError(f"{amount!r} is not an amount.")
    minor = value.scaleb(exponent(currency_code))
    if minor != minor.to_integral_value():
        raise MoneyError(
            f"{amount!r} has more than {exponent(currency_code)} decimals for {currency_code}."
        )
    if minor > MAX_MINOR_UNITS:
        raise MoneyError(f"{amount!r} is too large.")
    return int(minor)


def format_amount(minor_units: int, currency_code: str) -> str:
    """10000 USD → ``"100.00"``; 500 JPY → ``"500"``."""
    places = exponent(currency_code)
    value = Decimal(minor_units).scaleb(-places)
    return f"{value:.{places}f}"


def money(minor_units: int | None, currency_code: str) -> dict[str, str] | None:
    """The wire form ``{"amount", "currency_code"}``; None when there is no amount."""
    if minor_units is None:
        return None
    return {"amount": format_amount(minor_units, currency_code), "currency_code": currency_code}


def percent_of(minor_units: int, percent: Decimal | int) -> int:
    """``percent`` % of an amount in minor units, rounded half to even to a whole unit."""
    share = Decimal(minor_units) * Decimal(percent) / Decimal(100)
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def percent_off(minor_units: int, percent: Decimal | int) -> int:
    """What is left of an amount after ``percent`` % off, the discount rounded by
    ``percent_of``'s rule; never below zero (a percent above 100 takes it all)."""
    return max(minor_units - percent_of(minor_units, percent), 0)
