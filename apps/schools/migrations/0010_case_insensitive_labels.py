"""Role titles, signup field labels and option labels are unique regardless of case, in the
database as in the services. Rows that differ only by case (written at the same moment
before this) are kept: the oldest keeps its text, each later one gets " (2)", " (3)", ...
and answers naming a renamed option follow it."""

from collections import defaultdict

import django.db.models.functions.text
from django.db import migrations, models


def _free_text(text: str, taken: set[str], max_length: int) -> str:
    """``text (n)`` for the smallest n >= 2 whose lower case nobody in ``taken`` has."""
    n = 2
    while True:
        suffix = f" ({n})"
        candidate = text[: max_length - len(suffix)] + suffix
        if candidate.lower() not in taken:
            return candidate
        n += 1


def _rename_case_duplicates(model, scope: str, attr: str, max_length: int) -> list:
    """Rename every row whose ``attr`` repeats another's in lower case within ``scope``;
    returns ``(row, old_text)`` for each renamed row."""
    rows = defaultdict(list)
    for row in model.objects.order_by("created_at", "pk"):
        rows[getattr(row, f"{scope}_id")].append(row)
    renamed = []
    for siblings in rows.values():
        taken = {getattr(row, attr).lower() for row in siblings}
        seen = set()
        for row in siblings:
            text = getattr(row, attr)
            if text.lower() not in seen:
                seen.add(text.lower())
                continue
            new_text = _free_text(text, taken | seen, max_length)
            seen.add(new_text.lower())
            setattr(row, attr, new_text)
            row.save(update_fields=[attr])
            renamed.append((row, text))
    return renamed


def rename_case_duplicates(apps, schema_editor) -> None:
    UserRole = apps.get_model("schools", "UserRole")
    SignupField = apps.get_model("schools", "SignupField")
    SignupFieldOption = apps.get_model("schools", "SignupFieldOption")
    SignupFieldValue = apps.get_model("schools", "SignupFieldValue")
    _rename_case_duplicates(UserRole, "school", "title", 100)
    _rename_case_duplicates(SignupField, "domain", "label", 200)
    for option, old_label in _rename_case_duplicates(SignupFieldOption, "field", "label", 200):
        SignupFieldValue.objects.filter(field_id=option.field_id, value=old_label).update(
            value=option.label
        )


class Migration(migrations.Migration):

    dependencies = [
        ('schools', '0009_account_constraints'),
    ]

    operations = [
        migrations.RunPython(rename_case_duplicates, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='signupfield',
            name='schools_signupfield_label',
        ),
        migrations.RemoveConstraint(
            model_name='signupfieldoption',
            name='schools_sfoption_label',
        ),
        migrations.RemoveConstraint(
            model_name='userrole',
            name='schools_userrole_title',
        ),
        migrations.AddConstraint(
            model_name='signupfield',
            constraint=models.UniqueConstraint(models.F('domain'), django.db.models.functions.text.Lower('label'), name='schools_signupfield_label_ci'),
        ),
        migrations.AddConstraint(
            model_name='signupfieldoption',
            constraint=models.UniqueConstraint(models.F('field'), django.db.models.functions.text.Lower('label'), name='schools_sfoption_label_ci'),
        ),
        migrations.AddConstraint(
            model_name='userrole',
            constraint=models.UniqueConstraint(models.F('school'), django.db.models.functions.text.Lower('title'), name='schools_userrole_title_ci'),
        ),
    ]
