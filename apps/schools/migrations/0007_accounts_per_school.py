"""Accounts are per school: a user row gets its school (none for platform operators) and
the comparison form of its e-mail; schools get their sandbox link; login tokens become
stored, single-use rows. The unique rules arrive in 0009, after 0008 splits the people
shared by several schools into one account per school."""

import django.db.models.deletion
from django.db import migrations, models

import apps.core.ids


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("schools", "0006_admin_names"),
    ]

    operations = [
        migrations.CreateModel(
            name='LoginToken',
            fields=[
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('id', apps.core.ids.PrefixedIdField(prefix='ltk', primary_key=True, serialize=False)),
                ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('expires_at', models.DateTimeField()),
                ('used_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'login token',
                'ordering': ['-id'],
                'abstract': False,
            },
        ),
        migrations.RemoveConstraint(
            model_name='member',
            name='schools_member_unique_user',
        ),
        migrations.RemoveConstraint(
            model_name='user',
            name='schools_user_email_ci_unique',
        ),
        migrations.AddField(
            model_name='school',
            name='live_school',
            field=models.OneToOneField(blank=True, editable=False, help_text='Set on a sandbox: the live school whose test keys act here.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='sandbox', to='schools.school'),
        ),
        migrations.AddField(
            model_name='user',
            name='email_key',
            field=models.CharField(default='', editable=False, max_length=254),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='user',
            name='school',
            field=models.ForeignKey(blank=True, help_text='Empty for platform operators.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='accounts', to='schools.school'),
        ),
        migrations.AlterField(
            model_name='user',
            name='email',
            field=models.EmailField(max_length=254),
        ),
        migrations.AddIndex(
            model_name='user',
            index=models.Index(fields=['email_key'], name='schools_user_email_key'),
        ),
        migrations.AddField(
            model_name='logintoken',
            name='member',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='login_tokens', to='schools.member'),
        ),
        migrations.AddField(
            model_name='logintoken',
            name='school',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='schools.school'),
        ),
        migrations.AddIndex(
            model_name='logintoken',
            index=models.Index(fields=['school', 'created_at'], name='schools_logintoken_sc_cr'),
        ),
        migrations.AddIndex(
            model_name='logintoken',
            index=models.Index(fields=['school', 'updated_at'], name='schools_logintoken_sc_up'),
        ),
    ]
