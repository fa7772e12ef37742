"""Entry points as people type them: manage.py under any Python, make manage, a missing
SECRET_KEY said in one line, and make run's server repeating the demo key."""

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings

from apps.schools.management.commands import rundemo

ROOT = Path(settings.BASE_DIR)


def local_env(tmp_path: Path, **changes: str) -> dict[str, str]:
    """The environment of a shell where nothing Lyceum-specific is exported."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "LYCEUM_TESTING", "DJANGO_SETTINGS_MODULE", "SECRET_KEY"}
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env.update(changes)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.mark.parametrize(
    "command",
    [
        ["create_school", "--name", "Acme", "--slug", "acme"],  # an app's command
        ["migrate"],  # one of Django's
    ],
)
def test_a_missing_secret_key_is_one_line_naming_it(tmp_path, command):
    # when: DEBUG is off and SECRET_KEY unset, as in a fresh production shell
    result = run([sys.executable, "manage.py", *command], local_env(tmp_path))

    # then
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("manage.py: SECRET_KEY must be set")
    assert "DEBUG=1" in lines[0]


@pytest.mark.parametrize(
    ("changes", "variable"),
    [
        ({"SECRET_KEY": "s" * 50}, "EMAIL_BACKEND"),
        ({"SECRET_KEY": "s" * 50, "EMAIL_FILE_PATH": "/tmp/mail"}, "PUBLIC_URL"),
        (
            {"SECRET_KEY": "s" * 50, "EMAIL_FILE_PATH": "/tmp/mail", "TRUSTED_PROXIES": "proxy"},
            "TRUSTED_PROXIES",
        ),
    ],
)
def test_every_other_unusable_production_setting_is_one_line_naming_it(tmp_path, changes, variable):
    # when
    result = run([sys.executable, "manage.py", "check"], local_env(tmp_path, **changes))

    # then
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"manage.py: {variable}")


def test_an_empty_secret_key_counts_as_missing(tmp_path):
    # when
    result = run([sys.executable, "manage.py", "check"], local_env(tmp_path, SECRET_KEY=" "))

    # then
    assert result.returncode == 1
    assert result.stderr.strip().startswith("manage.py: SECRET_KEY must be set")


def test_the_wsgi_app_without_secret_key_stops_gunicorn_with_one_line(tmp_path):
    # when: gunicorn's worker imports the application
    result = run(
        [sys.executable, "-c", "import config.wsgi"],
        local_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings"),
    )

    # then: exit code 4 is gunicorn's "App failed to load" (stop, do not respawn)
    assert result.returncode == 4
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("lyceum: SECRET_KEY must be set")


def test_manage_py_under_a_python_without_django_runs_in_the_project_virtualenv(tmp_path):
    # given: the interpreter the project's virtualenv was made from, which has no Django
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("the suite is not running from the project's .venv")
    base_python = str(Path(sys.base_prefix) / "bin" / "python3")
    env = local_env(tmp_path, DEBUG="1")
    if run([base_python, "-c", "import django"], env).returncode == 0:
        pytest.skip(f"{base_python} has Django installed itself")

    # when: `python manage.py ...` as the docs write it
    result = run([base_python, "manage.py", "check"], env)

    # then
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_manage_runs_a_command_as_make_run_does(tmp_path):
    # when: no DEBUG, no SECRET_KEY exported, as right after `make run`
    result = run(
        ["make", "--no-print-directory", "manage", "ARGS=check --deploy"], local_env(tmp_path)
    )

    # then: it ran in the virtualenv with DEBUG on (check --deploy warns about it: W018)
    assert result.returncode == 0, result.stderr
    assert "System check identified" in result.stderr
    assert "security.W018" in result.stderr


def test_rundemo_repeats_the_demo_key_under_the_server_banner(tmp_path, monkeypatch):
    # given: the key seed_demo saved
    key_file = tmp_path / ".demo-credentials"
    key_file.write_text("sk_live_demo_secret\n")
    monkeypatch.setattr(rundemo, "KEY_FILE", key_file)
    out = StringIO()
    command = rundemo.Command(stdout=out)
    command.addr, command.use_ipv6, command._raw_ipv6 = "127.0.0.1", False, False

    # when: runserver has bound its port
    command.on_bind(8000)

    # then: the banner first, the key alone on the last line
    text = out.getvalue()
    assert text.index("Quit the server with") < text.index("sk_live_demo_secret")
    assert text.strip().splitlines()[-1] == "sk_live_demo_secret"
    assert "http://127.0.0.1:8000/api/docs/" in text


def test_rundemo_without_a_saved_key_prints_only_the_banner(tmp_path, monkeypatch):
    # given
    monkeypatch.setattr(rundemo, "KEY_FILE", tmp_path / "absent")
    out = StringIO()
    command = rundemo.Command(stdout=out)
    command.addr, command.use_ipv6, command._raw_ipv6 = "127.0.0.1", False, False

    # when
    command.on_bind(8000)

    # then
    assert "Quit the server with" in out.getvalue()
    assert "API key" not in out.getvalue()


@pytest.mark.parametrize("program", ["worker", "beat"])
def test_celery_without_secret_key_says_so_in_one_line(tmp_path, program):
    # when
    celery = str(Path(sys.executable).with_name("celery"))
    result = run([celery, "-A", "config", program], local_env(tmp_path))

    # then
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("celery: SECRET_KEY must be set")
