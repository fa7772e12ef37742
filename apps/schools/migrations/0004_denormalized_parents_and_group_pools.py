import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import apps.core.ids


def fill_parents(apps, schema_editor):
    SignupFieldValue = apps.get_model("schools", "SignupFieldValue")
    for row in SignupFieldValue.objects.select_related("field", "member"):
        row.domain_id = row.field.domain_id
        row.user_id = row.member.user_id
        row.save(update_fields=["domain", "user"])
    Invite = apps.get_model("schools", "Invite")
    for row in Invite.objects.select_related("domain_user"):
        row.domain_id = row.domain_user.domain_id
        row.user_id = row.domain_user.user_id
        row.save(update_fields=["domain", "user"])


def _fk(to, *, null: bool):
    return models.ForeignKey(
        null=null, on_delete=django.db.models.deletion.CASCADE, related_name="+", to=to
    )


class Migration(migrations.Migration):

    dependencies = [
        ("schools", "0003_domain_user_and_group_member_user"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(
            model_name="accesscode", old_name="pool", new_name="access_code_pool"
        ),
        migrations.AddField("signupfieldvalue", "domain", _fk("schools.domain", null=True)),
        migrations.AddField("signupfieldvalue", "user", _fk(settings.AUTH_USER_MODEL, null=True)),
        migrations.AddField("invite", "domain", _fk("schools.domain", null=True)),
        migrations.AddField("invite", "user", _fk(settings.AUTH_USER_MODEL, null=True)),
        migrations.RunPython(fill_parents, migrations.RunPython.noop),
        migrations.AlterField("signupfieldvalue", "domain", _fk("schools.domain", null=False)),
        migrations.AlterField(
            "signupfieldvalue", "user", _fk(settings.AUTH_USER_MODEL, null=False)
        ),
        migrations.AlterField("invite", "domain", _fk("schools.domain", null=False)),
        migrations.AlterField("invite", "user", _fk(settings.AUTH_USER_MODEL, null=False)),
        migrations.RemoveField(model_name="group", name="access_code_pools"),
        migrations.CreateModel(
            name="GroupAccessCodePool",
            fields=[
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "id",
                    apps.core.ids.PrefixedIdField(prefix="gap", primary_key=True, serialize=False),
                ),
                (
                    "access_code_pool",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="group_links",
                        to="schools.accesscodepool",
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pool_links",
                        to="schools.group",
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="schools.school",
                    ),
                ),
            ],
            options={
                "verbose_name": "group access code pool",
                "ordering": ["id"],
                "abstract": False,
                "indexes": [
                    models.Index(fields=["school", "created_at"], name="schools_grouppool_sc_cr"),
                    models.Index(fields=["school", "updated_at"], name="schools_grouppool_sc_up"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("group", "access_code_pool"), name="schools_grouppool_unique"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="group",
            name="access_code_pools",
            field=models.ManyToManyField(
                blank=True,
                related_name="groups",
                through="schools.GroupAccessCodePool",
                to="schools.accesscodepool",
            ),
        ),
    ]
