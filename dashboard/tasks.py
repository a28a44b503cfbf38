"""Celery tasks of the figures: the "dashboard refresh" (weekly pool snapshot)."""

from celery import shared_task
from celery.schedules import crontab

from dashboard import services


@shared_task(name="dashboard.refresh_pool_snapshot", autoretry_for=(Exception,), max_retries=3)
def refresh_pool_snapshot() -> int:
    """Take (or overwrite) this week's pool snapshot; idempotent."""
    return services.take_pool_snapshot()


BEAT_SCHEDULE = {
    "dashboard refresh": {
        "task": "dashboard.refresh_pool_snapshot",
        # Every night: the row of the running week keeps the latest figures.
        "schedule": crontab(hour=2, minute=15),
    },
}
