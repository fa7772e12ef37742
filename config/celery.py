"""The Celery app: broker and results on REDIS_URL, in-process when it is unset."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("lyceum")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
