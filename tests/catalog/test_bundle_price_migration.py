"""The migration that moves a bundle's price to integer minor units converts each amount
with its own currency's number of decimals, and back."""

import pytest

from apps.core.ids import new_id
from tests.migrations import at_migration, migrate

BEFORE = [("catalog", "0004_lesson_requires_validation")]
AFTER = [("catalog", "0005_bundle_price_minor_units")]


@pytest.fixture
def old_apps(transactional_db):
    yield from at_migration(BEFORE)


def test_prices_become_minor_units_of_their_own_currency_and_back(old_apps):
    # given
    School = old_apps.get_model("schools", "School")
    Bundle = old_apps.get_model("catalog", "Bundle")
    school = School.objects.create(id=new_id("sch"), name="Alpha", slug="alpha")
    prices = {"USD": "100.50", "JPY": "1500.00", "KWD": "12.34", None: None}
    ids = {}
    for currency, amount in prices.items():
        ids[currency] = Bundle.objects.create(
            id=new_id("bnd"),
            school=school,
            title=f"Pack {currency}",
            price_amount=amount,
            currency_code=currency or "",
        ).pk

    # when
    apps = migrate(AFTER)

    # then
    Bundle = apps.get_model("catalog", "Bundle")
    cents = {currency: Bundle.objects.get(pk=pk).price_cents for currency, pk in ids.items()}
    assert cents == {"USD": 10050, "JPY": 1500, "KWD": 12340, None: None}

    # and back
    apps = migrate(BEFORE)
    Bundle = apps.get_model("catalog", "Bundle")
    amounts = {currency: Bundle.objects.get(pk=pk).price_amount for currency, pk in ids.items()}
    assert {k: (str(v) if v is not None else None) for k, v in amounts.items()} == {
        "USD": "100.50",
        "JPY": "1500.00",
        "KWD": "12.34",
        None: None,
    }
