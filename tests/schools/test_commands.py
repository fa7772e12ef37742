"""Management commands: create_school, create_api_key, seed_demo; and the deploy check."""

import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from apps.schools.management.commands import seed_demo
from apps.schools.models import ApiKey, Domain, Member, School, User
from apps.schools.services.schools import api_key_revoke
from tests.conftest import make_client

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_school_is_idempotent():
    # when
    first, _ = run("create_school", "--name", "Alpha", "--slug", "alpha")
    second, _ = run("create_school", "--name", "Alpha Academy", "--slug", "alpha")

    # then
    school = School.objects.get()
    assert first.startswith("Created school alpha (sch_")
    assert second.startswith("Exists: school alpha")
    assert school.name == "Alpha Academy"


def test_create_school_refuses_a_bad_slug():
    with pytest.raises(CommandError, match="--slug"):
        run("create_school", "--name", "X", "--slug", "Not A Slug")


def test_create_api_key_prints_the_key_alone_on_the_last_line_and_it_works(school):
    # when
    out, err = run("create_api_key", "--school", "alpha", "--scopes", "read:users write:users")

    # then
    secret = out.rstrip("\n").splitlines()[-1]
    assert secret.startswith("sk_live_")
    assert secret.strip() == secret
    assert "read:users write:users" in err
    response = make_client(secret).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["scopes"] == ["read:users", "write:users"]


def test_create_api_key_test_mode_with_every_scope(school):
    # when
    out, _ = run("create_api_key", "--school", "alpha", "--test")

    # then
    secret = out.splitlines()[-1]
    assert secret.startswith("sk_test_")
    assert ApiKey.objects.get().scopes == ["*"]


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--school", "nope"], "No school"), (["--school", "alpha", "--scopes", "root"], "root")],
)
def test_create_api_key_refuses_bad_input(school, args, message):
    with pytest.raises(CommandError, match=message):
        run("create_api_key", *args)
    assert not ApiKey.objects.exists()


@pytest.fixture
def key_file(tmp_path, monkeypatch) -> Path:
    """seed_demo keeps its key here instead of in the checkout."""
    path = tmp_path / ".demo-credentials"
    monkeypatch.setattr(seed_demo, "KEY_FILE", path)
    return path


def test_seed_demo_is_idempotent_and_prints_a_working_key(key_file):
    # when
    first, _ = run("seed_demo")
    second, _ = run("seed_demo")

    # then
    secret = first.rstrip().splitlines()[-1]
    assert second.rstrip().splitlines()[-1] == secret
    assert key_file.read_text().strip() == secret
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    school = School.objects.get(slug="demo")
    assert Member.objects.filter(school=school).count() == 2
    assert User.objects.filter(is_superuser=True).count() == 1
    assert Domain.objects.filter(school=school).count() == 1
    assert ApiKey.objects.filter(school=school).count() == 1
    assert make_client(secret).get("/api/v1/users").json()["count"] == 2


def test_seed_demo_logins_work(key_file, client):
    # given
    run("seed_demo")

    # when
    token = client.post(
        "/api/v1/auth/token",
        {"email": seed_demo.LEARNER_EMAIL, "password": seed_demo.LEARNER_PASSWORD},
        content_type="application/json",
    )
    admin = client.login(email=seed_demo.STAFF_EMAIL, password=seed_demo.STAFF_PASSWORD)

    # then
    assert token.status_code == 200
    assert admin


def test_seed_demo_makes_a_new_key_when_the_saved_one_was_revoked(key_file):
    # given
    run("seed_demo")
    for key in ApiKey.objects.all():
        api_key_revoke(api_key=key)

    # when
    out, _ = run("seed_demo")

    # then
    secret = out.rstrip().splitlines()[-1]
    assert make_client(secret).get("/api/v1/me").status_code == 200
    assert ApiKey.objects.count() == 2


def test_seed_demo_bulk_learners_are_idempotent(key_file):
    # when
    run("seed_demo", "--users", "5")
    run("seed_demo", "--users", "5")

    # then
    school = School.objects.get(slug="demo")
    assert Member.objects.filter(school=school, user__email__startswith="learner-").count() == 5


# --- deploy check -----------------------------------------------------------------------------


def production_env(**changes: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DEBUG", "LYCEUM_TESTING", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "PUBLIC_URL"}
        and not key.startswith("EMAIL_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="lyceum.example.com",
        PUBLIC_URL="https://lyceum.example.com",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    env.update(changes)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    # when
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_on_the_default_secret():
    # given
    env = production_env()
    del env["SECRET_KEY"]

    # when
    result = manage("check", env=env)

    # then
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "email_backend",
    ["", "django.core.mail.backends.console.EmailBackend"],
    ids=["unset", "console"],
)
def test_production_refuses_to_start_printing_invite_links_to_the_log(email_backend):
    # given
    env = production_env(EMAIL_BACKEND=email_backend)

    # when
    result = manage("check", env=env)

    # then
    assert result.returncode != 0
    assert "EMAIL_BACKEND is the console backend" in result.stderr
    assert "EMAIL_FILE_PATH" in result.stderr


def test_production_writes_e_mails_to_the_directory_the_operator_chose(tmp_path):
    # given
    env = production_env(EMAIL_BACKEND="", EMAIL_FILE_PATH=str(tmp_path))

    # when
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)", env=env
    )

    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "django.core.mail.backends.filebased.EmailBackend"


def test_production_refuses_to_start_without_a_public_url():
    # given
    env = production_env()
    del env["PUBLIC_URL"]

    # when
    result = manage("check", env=env)

    # then
    assert result.returncode != 0
    assert "PUBLIC_URL must be set outside DEBUG" in result.stderr


def test_seed_demo_bulk_loads_learners_that_the_api_lists(key_file):
    # when: twice, the second run only tops up
    call_command("seed_demo", "--users", "30", stdout=StringIO(), stderr=StringIO())
    call_command("seed_demo", "--users", "45", stdout=StringIO(), stderr=StringIO())

    # then
    school = School.objects.get(slug=seed_demo.DEMO_SLUG)
    learners = Member.objects.filter(school=school, user__email__startswith="learner-")
    assert learners.count() == 45
    member = learners.select_related("user").order_by("id").first()
    assert member.user.school_id == school.id
    assert member.created_at is not None
    assert member.metadata == {}
    assert member.id.startswith("mem_")
