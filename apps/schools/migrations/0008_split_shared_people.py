"""Split every person shared by several schools into one account per school.

The oldest membership keeps the user (and its id); each other membership gets a new
account in its school with the same password hash, names and flags, and that school's
rows naming the person (domain users, invites, group members, signup answers, API keys
and jobs they created) move to it. A platform operator (superuser) stays an account of
no school, and each of their memberships gets an account of its own. Everyone else's
account takes the school of their one membership.

Every e-mail gets its comparison key. Look-alike spellings of one mailbox that earlier
became separate accounts in one school (full-width letters, a decomposed accent) cannot
share a key: the oldest keeps it, the others get a key no address has (``~`` and their
id), so they keep their data and sign in again once staff correct their e-mail.
"""

from django.db import migrations
from django.db.models import Count

from apps.core.email_identity import email_key
from apps.core.ids import new_id

PERSON_FIELDS = (
    "password",
    "last_login",
    "email",
    "email_key",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "token_generation",
    "anonymized_at",
)
# Models of the schools app whose rows repeat a member's user, and the job model.
USER_COPIES = ("DomainUser", "Invite", "GroupMembership", "SignupFieldValue")


def _move_rows(apps, school_id: str, old_user_id: str, new_user_id: str) -> None:
    for name in USER_COPIES:
        model = apps.get_model("schools", name)
        model.objects.filter(school_id=school_id, user_id=old_user_id).update(user_id=new_user_id)
    ApiKey = apps.get_model("schools", "ApiKey")
    ApiKey.objects.filter(school_id=school_id, created_by_id=old_user_id).update(
        created_by_id=new_user_id
    )
    Job = apps.get_model("core", "Job")
    Job.objects.filter(school_id=school_id, created_by_id=old_user_id).update(
        created_by_id=new_user_id
    )


def _account_for(apps, user, member):
    User = apps.get_model("schools", "User")
    account = User(id=new_id("usr"), school_id=member.school_id, is_superuser=False)
    for name in PERSON_FIELDS:
        setattr(account, name, getattr(user, name))
    account.save()
    # The account is as old as the membership it was split from.
    User.objects.filter(pk=account.pk).update(created_at=member.created_at)
    return account


def split_shared_people(apps, schema_editor) -> None:
    User = apps.get_model("schools", "User")
    Member = apps.get_model("schools", "Member")
    for user in User.objects.only("id", "email").iterator():
        User.objects.filter(pk=user.pk).update(email_key=email_key(user.email))
    shared = (
        Member.objects.values("user_id").annotate(n=Count("id")).filter(n__gt=1)
    ).values_list("user_id", flat=True)
    operators = User.objects.filter(is_superuser=True, memberships__isnull=False).values_list(
        "id", flat=True
    )
    for user_id in {*shared, *operators}:
        user = User.objects.get(pk=user_id)
        memberships = list(Member.objects.filter(user_id=user_id).order_by("created_at", "id"))
        if not user.is_superuser:
            User.objects.filter(pk=user_id).update(school_id=memberships[0].school_id)
            memberships = memberships[1:]
        for member in memberships:
            account = _account_for(apps, user, member)
            Member.objects.filter(pk=member.pk).update(user_id=account.pk)
            _move_rows(apps, member.school_id, user_id, account.pk)
    for member in Member.objects.filter(user__school__isnull=True, user__is_superuser=False):
        User.objects.filter(pk=member.user_id).update(school_id=member.school_id)
    _separate_look_alikes(User)


def _separate_look_alikes(User) -> None:
    clashes = (
        User.objects.values("school_id", "email_key").annotate(n=Count("id")).filter(n__gt=1)
    )
    for clash in clashes:
        users = User.objects.filter(
            school_id=clash["school_id"], email_key=clash["email_key"]
        ).order_by("created_at", "id")
        for user in list(users)[1:]:
            User.objects.filter(pk=user.pk).update(email_key=f"{user.email_key}~{user.pk}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_job_scope"),
        ("schools", "0007_accounts_per_school"),
    ]

    operations = [
        migrations.RunPython(split_shared_people, migrations.RunPython.noop),
    ]
