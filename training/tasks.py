"""Celery tasks of training (thin: call the services; idempotent)."""

from celery import shared_task
from celery.schedules import crontab

from training import expiry, reminders


@shared_task
def send_expiry_reminders() -> int:
    """Reminders 90/30/7 days before training or BIG expiry, each sent once."""
    return reminders.send_expiry_reminders()


@shared_task(acks_late=True)
def refresh_course_expiry(course_id: int) -> int:
    """Recompute the expiry of a course's records after its interval changed (idempotent)."""
    return expiry.refresh_course(course_id)


BEAT_SCHEDULE = {
    "training-expiry-reminders": {
        "task": "training.tasks.send_expiry_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
}
