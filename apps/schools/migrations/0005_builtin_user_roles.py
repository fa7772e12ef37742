"""Give every existing school its four built-in user roles (new schools get them from
``school_create``), so reading roles never has to create them."""

from django.db import migrations

from apps.core.ids import new_id

BUILTIN_ROLE_TITLES = {
    "learner": "Learner",
    "instructor": "Instructor",
    "reporter": "Reporter",
    "admin": "Admin",
}


def create_builtin_roles(apps, schema_editor):
    School = apps.get_model("schools", "School")
    UserRole = apps.get_model("schools", "UserRole")
    for school_id in School.objects.values_list("id", flat=True).iterator():
        have = set(
            UserRole.objects.filter(school_id=school_id, builtin=True).values_list(
                "role", flat=True
            )
        )
        UserRole.objects.bulk_create(
            [
                UserRole(
                    id=new_id("rol"), school_id=school_id, title=title, role=role, builtin=True
                )
                for role, title in BUILTIN_ROLE_TITLES.items()
                if role not in have
            ],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [("schools", "0004_denormalized_parents_and_group_pools")]

    operations = [migrations.RunPython(create_builtin_roles, migrations.RunPython.noop)]
