"""Celery tasks of the regions (thin: ids in, services called, idempotent)."""

import logging

from celery import shared_task
from celery.schedules import crontab

from regions import importing

logger = logging.getLogger(__name__)


def _run(task, step, job_id: int) -> None:
    try:
        step(job_id, progress=True)
    except importing.ImportRefused as exc:
        importing.fail_job(job_id, str(exc))
    except Exception as exc:
        # Nothing was written (one transaction). Try again; after the last try the job
        # says it failed, so that the page stops waiting.
        if task.request.retries >= task.max_retries:
            logger.warning("Import job %s failed: %r", job_id, exc)
            importing.fail_job(job_id, "")
            raise
        raise task.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=3, default_retry_delay=30)
def check_import(self, job_id: int) -> None:
    """Dry run of a large import file, with progress on the job row."""
    _run(self, importing.run_check, job_id)


@shared_task(bind=True, max_retries=3, default_retry_delay=30)
def run_import(self, job_id: int) -> None:
    """The confirmed import of a large file: one transaction, all or nothing."""
    _run(self, importing.run_import, job_id)


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def email_region_message(self, message_id: int) -> int:
    """E-mail the copies of a region message (idempotent; retried on mail errors)."""
    from regions.engagement import email_deliveries

    try:
        return email_deliveries(message_id)
    except OSError as exc:  # SMTP down: try again later, nothing is sent twice
        raise self.retry(exc=exc) from exc


@shared_task(name="regions.apply_candidate_retention", acks_late=True)
def apply_candidate_retention() -> int:
    """Anonymise recruitment candidates who never joined, a retention period after their
    last activity (``regions.retention``). Safe to run twice."""
    from regions.retention import anonymise_stale_candidates

    return anonymise_stale_candidates()


@shared_task(name="regions.recheck_big_register", acks_late=True)
def recheck_big_register() -> dict:
    """The monthly BIG re-check: the due reservists of this minute (``regions.bigcheck``).
    Safe to run twice at once: each reservist is claimed by one run."""
    from regions.bigcheck import run_due_checks

    return run_due_checks()


@shared_task(name="regions.send_vog_reminders", ignore_result=True)
def send_vog_reminders() -> int:
    from regions.vog_reminders import send_vog_reminders as send

    return send()


BEAT_SCHEDULE = {
    "regions-vog-reminders": {
        "task": "regions.send_vog_reminders",
        "schedule": crontab(hour=7, minute=40),
    },
    "regions-recheck-big-register": {
        "task": "regions.recheck_big_register",
        "schedule": crontab(),  # every minute; NZR_BIG_CHECKS_PER_MINUTE per run
    },
    "regions-apply-candidate-retention": {
        "task": "regions.apply_candidate_retention",
        "schedule": crontab(hour=3, minute=50),
    },
}
