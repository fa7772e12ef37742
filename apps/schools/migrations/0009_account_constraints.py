"""Accounts are per school: an e-mail is unique per school (and among operators), and an
account has exactly one membership."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0008_split_shared_people"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='member',
            constraint=models.UniqueConstraint(fields=('user',), name='schools_member_one_per_account'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(fields=('school', 'email_key'), name='schools_user_school_email_unique'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(condition=models.Q(('school__isnull', True)), fields=('email_key',), name='schools_user_operator_email_unique'),
        ),
    ]
