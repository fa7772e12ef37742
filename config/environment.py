"""The error settings raise when the environment cannot run Lyceum, so the entry points
(manage.py, wsgi.py, asgi.py) report it as one line naming the variable, not a traceback."""

import sys

from django.core.exceptions import ImproperlyConfigured

# gunicorn's "App failed to load": its master stops instead of respawning the worker.
APP_LOAD_ERROR = 4


class EnvironmentSettingError(ImproperlyConfigured):
    """A required environment variable is missing or unsafe; the message names it."""


def exit_with(error: EnvironmentSettingError, *, program: str, code: int = 1) -> None:
    """Print ``error`` on one line to stderr and exit with ``code``."""
    sys.stderr.write(f"{program}: {error}\n")
    sys.exit(code)
