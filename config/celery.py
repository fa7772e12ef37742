"""The Celery app: broker and results on REDIS_URL, in-process when it is unset."""

import os
import sys
from pathlib import Path

from celery import Celery

from config.environment import EnvironmentSettingError, exit_with

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# ``celery worker`` and ``celery beat`` read the settings lazily, deep in start-up, where a
# missing SECRET_KEY would be a traceback; read them first and say it in one line.
if Path(sys.argv[0]).name == "celery":
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018  (loads the settings module)
    except EnvironmentSettingError as error:
        exit_with(error, program="celery")

app = Celery("lyceum")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
