"""Celery tasks of training (thin: call the services; idempotent)."""

from celery import shared_task
from celery.schedules import crontab

from training import reminders


@shared_task
def send_expiry_reminders() -> int:
    """Reminders 90/30/7 days before training or BIG expiry, each sent once."""
    return reminders.send_expiry_reminders()


BEAT_SCHEDULE = {
    "training-expiry-reminders": {
        "task": "training.tasks.send_expiry_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
}
