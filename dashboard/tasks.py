"""Celery tasks of the figures: the "dashboard refresh" (weekly pool snapshot, national
figures) and the compaction of the shift figures' change rows."""

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings

from dashboard import rollup, services


@shared_task(name="dashboard.refresh_pool_snapshot", autoretry_for=(Exception,), max_retries=3)
def refresh_pool_snapshot() -> int:
    """Take (or overwrite) this week's pool snapshot; idempotent."""
    return services.take_pool_snapshot()


@shared_task(name="dashboard.refresh_figures", autoretry_for=(Exception,), max_retries=2)
def refresh_figures() -> None:
    """Recompute the national figures into the cache, so the page never waits."""
    services.refresh_national_figures()


@shared_task(name="dashboard.compact_shift_figures", autoretry_for=(Exception,), max_retries=2)
def compact_shift_figures() -> tuple[int, int]:
    """Sum the shift figures' change rows per day, region and profile (rows before, after)."""
    return rollup.compact()


BEAT_SCHEDULE = {
    "dashboard compact shift figures": {
        "task": "dashboard.compact_shift_figures",
        # Each booking adds a row; summing them keeps the figures' reads small.
        "schedule": float(getattr(settings, "NZR_FIGURES_COMPACT_SECONDS", 300)),
    },
    "dashboard refresh figures": {
        "task": "dashboard.refresh_figures",
        # Seconds; shorter than the life of the cached figures (NZR_FIGURES_CACHE_SECONDS, 300).
        "schedule": float(getattr(settings, "NZR_FIGURES_REFRESH_SECONDS", 240)),
    },
    "dashboard refresh": {
        "task": "dashboard.refresh_pool_snapshot",
        # Every night: the row of the running week keeps the latest figures.
        "schedule": crontab(hour=2, minute=15),
    },
}
