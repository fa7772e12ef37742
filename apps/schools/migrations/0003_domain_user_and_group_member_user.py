import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_users(apps, schema_editor):
    for name in ("DomainUser", "GroupMembership"):
        model = apps.get_model("schools", name)
        for row in model.objects.select_related("member").filter(user__isnull=True):
            row.user_id = row.member.user_id
            row.save(update_fields=["user"])


class Migration(migrations.Migration):

    dependencies = [
        ("schools", "0002_domains_groups_access_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="domainuser",
            name="user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="groupmembership",
            name="user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(fill_users, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="domainuser",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="groupmembership",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
