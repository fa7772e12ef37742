"""A bundle's price in integer minor units of its currency, like every amount in Lyceum.

The decimal column held two places whatever the currency; an amount is converted with its
currency's own number of decimals (``apps.core.money``), and a JPY price of ``"100.00"``
becomes 100 yen. An amount that cannot be held exactly (a third decimal it never had) stops
the migration rather than being rounded.
"""

from decimal import Decimal

from django.db import migrations, models

from apps.core.money import exponent, format_amount, to_minor_units


def to_cents(apps, schema_editor):
    Bundle = apps.get_model("catalog", "Bundle")
    for bundle in Bundle.objects.exclude(price_amount=None).iterator():
        amount = Decimal(bundle.price_amount)
        places = exponent(bundle.currency_code)
        if places < 2:
            amount = amount.normalize()  # "100.00" yen is 100 yen; "100.50" yen is refused
        bundle.price_cents = to_minor_units(amount, bundle.currency_code)
        bundle.save(update_fields=["price_cents"])


def to_amount(apps, schema_editor):
    Bundle = apps.get_model("catalog", "Bundle")
    for bundle in Bundle.objects.exclude(price_cents=None).iterator():
        bundle.price_amount = Decimal(format_amount(bundle.price_cents, bundle.currency_code))
        bundle.save(update_fields=["price_amount"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_lesson_requires_validation")]

    operations = [
        migrations.RemoveConstraint(model_name="bundle", name="catalog_bundle_price_currency"),
        migrations.AddField(
            model_name="bundle",
            name="price_cents",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(to_cents, to_amount),
        migrations.RemoveField(model_name="bundle", name="price_amount"),
        migrations.AddConstraint(
            model_name="bundle",
            constraint=models.CheckConstraint(
                condition=models.Q(price_cents__isnull=True, currency_code="")
                | (models.Q(price_cents__gte=0) & ~models.Q(currency_code="")),
                name="catalog_bundle_price_currency",
            ),
        ),
    ]
