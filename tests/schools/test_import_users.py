from io import StringIO
from pathlib import Path

import jsonschema
import pytest
from django.core.management import CommandError, call_command

from apps.core.event_types import get as event_type
from apps.core.models import Event, Job
from apps.schools.models import (
    Domain,
    DomainUser,
    Group,
    GroupMembership,
    Member,
    SignupField,
    SignupFieldValue,
    User,
)
from apps.schools.services.people import user_anonymize, user_create
from apps.schools.user_import import ImportFileError, import_users
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def domain(school) -> Domain:
    return Domain.objects.create(school=school, name="learn.alpha.test")


@pytest.fixture
def job_title(school, domain) -> SignupField:
    return SignupField.objects.create(school=school, domain=domain, label="Job Title")


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "people.csv"
    path.write_bytes(text.encode(encoding))
    return path


def _run(path: Path, *extra: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(
        "import_users",
        str(path),
        "--school",
        "alpha",
        "--domain",
        "learn.alpha.test",
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def test_import_creates_users_on_domain_with_values_and_groups(tmp_path, school, domain, job_title):
    # given
    Group.objects.create(school=school, name="Cohort A")
    path = _csv(
        tmp_path,
        "email,first_name,last_name,Job Title,groups\n"
        "ann@example.com,Ann,Lee,CEO,Cohort A\n"
        "bob@example.com,Bob,Ray,,\n",
    )

    # when
    out, err = _run(path)

    # then
    assert "2 rows" in out
    assert "2 created" in out
    assert "0 skipped" in out
    ann = Member.objects.get(school=school, user__email="ann@example.com")
    assert ann.user.first_name == "Ann"
    assert DomainUser.objects.filter(domain=domain).count() == 2
    assert SignupFieldValue.objects.get(member=ann).value == "CEO"
    assert GroupMembership.objects.get(member=ann).group.name == "Cohort A"
    assert Event.objects.filter(type="user.created").count() == 2
    assert Event.objects.filter(type="domain.enrollment.created").count() == 2
    assert Event.objects.filter(type="group.member.added").count() == 1
    assert "rows" in err  # the progress bar


def test_import_is_idempotent_on_email(tmp_path, school, domain, job_title):
    # given
    path = _csv(tmp_path, "email,first_name,Job Title\nann@example.com,Ann,CEO\n")
    _run(path)

    # when
    out, _ = _run(_csv(tmp_path, "email,first_name,Job Title\nANN@example.com,Ann,CEO\n"))

    # then
    assert "1 unchanged" in out
    assert User.objects.filter(email__iexact="ann@example.com").count() == 1
    assert DomainUser.objects.count() == 1
    assert SignupFieldValue.objects.count() == 1


def test_import_updates_existing_people(tmp_path, school, domain, job_title):
    # given
    _run(_csv(tmp_path, "email,first_name,Job Title\nann@example.com,Ann,CEO\n"))

    # when
    out, _ = _run(_csv(tmp_path, "email,first_name,Job Title\nann@example.com,Annie,CTO\n"))

    # then
    assert "1 updated" in out
    ann = User.objects.get(email="ann@example.com")
    assert ann.first_name == "Annie"
    assert SignupFieldValue.objects.get().value == "CTO"


def test_import_of_an_email_of_another_school_creates_an_account_here(
    tmp_path, school, other_school, domain
):
    # given
    theirs = MemberFactory(school=other_school, user__email="sam@example.com")
    before = User.objects.filter(pk=theirs.user_id).values().get()

    # when
    out, _ = _run(_csv(tmp_path, "email,first_name\nSAM@example.com,Changed\n"))

    # then
    assert "1 created" in out
    mine = Member.objects.select_related("user").get(school=school)
    assert mine.user_id != theirs.user_id
    assert (mine.user.school_id, mine.user.first_name) == (school.id, "Changed")
    assert User.objects.filter(pk=theirs.user_id).values().get() == before


def test_bad_rows_are_reported_by_line_and_the_rest_imported(tmp_path, school, domain):
    # given
    Group.objects.create(school=school, name="Known")
    path = _csv(
        tmp_path,
        "email,first_name,groups\n"
        "good@example.com,Good,Known\n"
        "not-an-email,Bad,\n"
        "short@example.com\n"
        "good@example.com,Again,\n"
        "group@example.com,Grp,Unknown\n"
        '"multi@example.com","Multi\nLine",Known\n'
        "last@example.com,Last,\n",
    )

    # when
    out, err = _run(path)

    # then
    assert "3 created" in out
    assert "4 skipped" in out
    assert "line 3: skipped: 'not-an-email' is not a valid e-mail address" in err
    assert "line 4: skipped: has 1 fields where the header has 3" in err
    assert "line 5: skipped: good@example.com already appears on line 2" in err
    assert "line 6: skipped: unknown group(s) Unknown" in err
    emails = set(User.objects.values_list("email", flat=True))
    assert emails == {"good@example.com", "multi@example.com", "last@example.com"}
    assert not User.objects.filter(email="group@example.com").exists()


def test_create_groups_flag_creates_missing_groups(tmp_path, school, domain):
    # when
    _run(_csv(tmp_path, "email,groups\na@example.com,New; Other\n"), "--create-groups")

    # then
    assert set(Group.objects.values_list("name", flat=True)) == {"New", "Other"}
    assert GroupMembership.objects.count() == 2


def test_create_groups_makes_one_group_of_two_spellings(tmp_path, school, domain):
    # when one file names the same new group as "Sales" and "sales"
    _run(
        _csv(tmp_path, "email,groups\na@example.com,Sales\nb@example.com,sales\n"),
        "--create-groups",
    )

    # then both people are in the one group, named as first written
    assert list(Group.objects.values_list("name", flat=True)) == ["Sales"]
    assert GroupMembership.objects.count() == 2


def test_groups_created_by_the_import_are_announced(tmp_path, school, domain):
    # given
    Group.objects.create(school=school, name="Existing")

    # when
    _run(_csv(tmp_path, "email,groups\na@example.com,New; Existing\n"), "--create-groups")
    _run(_csv(tmp_path, "email,groups\nb@example.com,New\n"), "--create-groups")

    # then
    new = Group.objects.get(name="New")
    events = Event.objects.filter(type="group.created")
    assert [(e.school_id, e.payload) for e in events] == [
        (school.id, {"id": new.id, "name": "New"})
    ]
    jsonschema.validate(events[0].payload, event_type("group.created").schema)


def test_invalid_select_value_skips_the_row(tmp_path, school, domain):
    # given
    team = SignupField.objects.create(school=school, domain=domain, label="Team", type="select")
    team.options.create(school=school, label="Red")

    # when
    out, err = _run(_csv(tmp_path, "email,team\na@example.com,Red\nb@example.com,Green\n"))

    # then
    assert "1 created" in out
    assert "line 3: skipped: Team" in err


def test_import_after_anonymizing_creates_a_new_account(tmp_path, school, domain):
    # given
    member, _ = user_create(school=school, email="gone@example.com")
    user_anonymize(member=member)

    # when
    out, _ = _run(_csv(tmp_path, "email\ngone@example.com\n"))

    # then
    assert "1 created" in out
    again = User.objects.get(school=school, email_key="gone@example.com")
    assert again.pk != member.user_id


def test_look_alike_spellings_of_one_mailbox_are_one_account(tmp_path, school, domain):
    # given
    user_create(school=school, email="ann@example.com")

    # when
    out, _ = _run(_csv(tmp_path, "email\nＡＮＮ@ｅｘａｍｐｌｅ.com\n"))

    # then
    assert "0 created" in out
    assert User.objects.filter(school=school).count() == 1


def test_invisible_characters_in_an_email_skip_the_line(tmp_path, school, domain):
    # when
    out, err = _run(_csv(tmp_path, "email\nann@exam\u200bple.com\n"))

    # then
    assert "1 skipped" in out
    assert "invisible characters (zero-width space)" in err
    assert not User.objects.filter(school=school).exists()


def test_wrong_encoding_writes_nothing(tmp_path, domain):
    # given
    path = _csv(tmp_path, "email,first_name\na@example.com,Ann\nb@example.com,Zoë\n", "latin-1")

    # when / then
    with pytest.raises(CommandError, match="not UTF-8"):
        _run(path)
    assert not User.objects.exists()
    assert Job.objects.get(kind="schools.import_users").status == "failed"


def test_missing_email_column_is_a_clear_error(tmp_path, domain):
    # given
    path = _csv(tmp_path, "mail,first_name\na@example.com,Ann\n")

    # when / then
    with pytest.raises(CommandError, match="no 'email' column"):
        _run(path)
    assert not User.objects.exists()


def test_empty_file_and_unknown_domain_are_errors(tmp_path, domain):
    # given
    empty = _csv(tmp_path, "")

    # when / then
    with pytest.raises(CommandError, match="empty"):
        _run(empty)
    with pytest.raises(CommandError, match="no domain"):
        call_command("import_users", str(empty), "--school", "alpha", "--domain", "nope.test")


def test_unknown_columns_are_ignored_and_reported(tmp_path, domain):
    # when
    out, err = _run(_csv(tmp_path, "email,shoe size\na@example.com,44\n"))

    # then
    assert "1 created" in out
    assert "ignored columns: shoe size" in err


def test_import_records_a_job_with_the_summary(tmp_path, domain):
    # when
    _run(_csv(tmp_path, "email\na@example.com\nbad\n"))

    # then
    job = Job.objects.get(kind="schools.import_users")
    assert job.status == "succeeded"
    assert job.result["created"] == 1
    assert job.result["skipped"] == [{"line": 3, "reason": "'bad' is not a valid e-mail address"}]


def test_service_runs_in_batches(tmp_path, school, domain):
    # given
    rows = "".join(f"p{i}@example.com,P{i}\n" for i in range(25))
    path = _csv(tmp_path, "email,first_name\n" + rows)
    calls = []

    # when
    summary = import_users(
        school=school,
        domain=domain,
        path=path,
        batch_size=10,
        progress=lambda done, total: calls.append((done, total)),
    )

    # then
    assert summary.created == 25
    assert calls == [(10, 25), (20, 25), (25, 25)]


def test_service_refuses_domain_of_other_school(tmp_path, other_school, school):
    # given
    theirs = Domain.objects.create(school=other_school, name="learn.beta.test")

    # when / then
    with pytest.raises(ImportFileError):
        import_users(school=school, domain=theirs, path=_csv(tmp_path, "email\n"))


def test_import_events_are_left_to_the_sweep_in_embedded_mode(
    tmp_path, domain, django_capture_on_commit_callbacks, monkeypatch
):
    # given: tasks run in-process (no broker), as in the embedded default
    from apps.core import events

    rows = "".join(f"p{i}@example.com\n" for i in range(5))
    with django_capture_on_commit_callbacks(execute=True):
        _run(_csv(tmp_path, "email\n" + rows))
    imported = Event.objects.filter(type__in=["user.created", "domain.enrollment.created"])
    waiting = imported.filter(dispatched_at__isnull=True).count()
    monkeypatch.setattr(events, "SWEEP_GRACE", events.SWEEP_GRACE * 0)

    # when
    swept = events.sweep_events()

    # then
    assert waiting == 10
    assert swept >= 10
    assert not imported.filter(dispatched_at__isnull=True).exists()


def test_an_anonymized_placeholder_address_skips_the_line(tmp_path, school, domain):
    # given
    member, _ = user_create(school=school, email="gone@example.com", first_name="Gone")
    user_anonymize(member=member)
    placeholder = User.objects.get(pk=member.user_id).email

    # when
    out, err = _run(_csv(tmp_path, f"email,first_name\n{placeholder},Revived\n"))

    # then
    assert "1 skipped" in out
    assert "reserved" in err
    assert User.objects.get(pk=member.user_id).first_name == ""
