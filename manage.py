#!/usr/bin/env python
"""Django's command-line utility for Lyceum."""

import os
import sys
from pathlib import Path

VENV = Path(__file__).resolve().parent / ".venv"


def use_project_virtualenv() -> None:
    """Re-run under the checkout's ``.venv`` (made by ``make install``) when this Python has
    no Django, so ``python manage.py ...`` works as written; else say what to do, in a line."""
    try:
        import django  # noqa: F401
    except ModuleNotFoundError:
        python = VENV / "bin" / "python"
        if python.exists() and Path(sys.prefix).resolve() != VENV.resolve():
            os.execv(python, [str(python), *sys.argv])
        sys.exit(
            "manage.py: Django is not installed for this Python; run `make install`, then "
            'make manage ARGS="..." (or .venv/bin/python manage.py ...).'
        )


def main() -> None:
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    use_project_virtualenv()
    from django.core.management import execute_from_command_line

    from config.environment import EnvironmentSettingError, exit_with

    try:
        execute_from_command_line(sys.argv)
    except EnvironmentSettingError as error:
        exit_with(error, program="manage.py")


if __name__ == "__main__":
    main()
