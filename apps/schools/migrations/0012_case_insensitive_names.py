"""Group names, group category names and segment names are unique regardless of case, in the
database as in the services (groups were already matched by name in any case on import). Rows
that differ only by case (written at the same moment before this) are kept, as migration 0010
kept role titles and labels: within a school the oldest keeps its name, each later one gets
" (2)", " (3)", ... so nothing pointing at them by id changes."""

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


def _rename_case_duplicates(model, attr: str, max_length: int) -> None:
    """Rename every row whose ``attr`` repeats another's in lower case within its school,
    oldest first (ties by id), so a re-run renames nothing."""
    rows = defaultdict(list)
    for row in model.objects.order_by("created_at", "pk"):
        rows[row.school_id].append(row)
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


def rename_case_duplicates(apps, schema_editor) -> None:
    for name in ("Group", "GroupCategory", "Segment"):
        _rename_case_duplicates(apps.get_model("schools", name), "name", 200)



class Migration(migrations.Migration):

    dependencies = [
        ('schools', '0011_member_school_id_index'),
    ]

    operations = [
        migrations.RunPython(rename_case_duplicates, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='group',
            name='schools_group_unique_name',
        ),
        migrations.RemoveConstraint(
            model_name='groupcategory',
            name='schools_groupcat_name',
        ),
        migrations.RemoveConstraint(
            model_name='segment',
            name='schools_segment_name',
        ),
        migrations.AddConstraint(
            model_name='group',
            constraint=models.UniqueConstraint(models.F('school'), django.db.models.functions.text.Lower('name'), name='schools_group_name_ci'),
        ),
        migrations.AddConstraint(
            model_name='groupcategory',
            constraint=models.UniqueConstraint(models.F('school'), django.db.models.functions.text.Lower('name'), name='schools_groupcat_name_ci'),
        ),
        migrations.AddConstraint(
            model_name='segment',
            constraint=models.UniqueConstraint(models.F('school'), django.db.models.functions.text.Lower('name'), name='schools_segment_name_ci'),
        ),
    ]
