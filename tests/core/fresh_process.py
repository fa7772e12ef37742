"""Run a script in a fresh Python process on the embedded default's settings (a SQLite file,
no Redis: what ``make run`` serves), for what only a new process shows (start-up, locks)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings


def run_fresh_django(
    script: str, *, tmp_path: Path, timeout: float, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``script`` with ``DEBUG=1`` on a SQLite file in ``tmp_path`` (plus ``env``); it must
    exit 0, and its last output line is the JSON report returned."""
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"LYCEUM_TESTING", "REDIS_URL"}},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **(env or {}),
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
