"""Celery application. Without REDIS_URL tasks run eagerly in-process (embedded default)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("wellness")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
