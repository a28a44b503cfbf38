"""The Celery app. Broker from CELERY_BROKER_URL; JSON only; late acks.

Tasks are thin: they take ids, call a service and are idempotent. They are
enqueued with ``transaction.on_commit`` (see ``nzr.tasks.enqueue``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nzr.settings")

app = Celery("nzr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _setup_beat(sender, **kwargs):
    # Each app may expose BEAT_SCHEDULE in its tasks module; merged here so
    # that the schedule lives next to the tasks it runs.
    from importlib import import_module

    from django.conf import settings

    for label in (
        "accounts",
        "outbox",
        "registry",
        "training",
        "regions",
        "escalation",
        "requests_app",
        "dashboard",
    ):
        try:
            module = import_module(f"{label}.tasks")
        except ModuleNotFoundError:
            continue
        sender.conf.beat_schedule.update(getattr(module, "BEAT_SCHEDULE", {}))
    sender.conf.beat_schedule.update(settings.CELERY_BEAT_SCHEDULE)
