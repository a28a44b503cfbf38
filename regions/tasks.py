"""Celery tasks of the regions: large imports (thin: ids in, services called)."""

from celery import shared_task

from regions import importing


@shared_task(bind=True, max_retries=3, default_retry_delay=30)
def check_import(self, job_id: int) -> None:
    """Dry run of a large import file, with progress on the job row."""
    try:
        importing.run_check(job_id, progress=True)
    except importing.ImportRefused as exc:
        importing.fail_job(job_id, str(exc))


@shared_task(bind=True, max_retries=3, default_retry_delay=30)
def run_import(self, job_id: int) -> None:
    """The confirmed import of a large file: one transaction, all or nothing."""
    try:
        importing.run_import(job_id, progress=True)
    except importing.ImportRefused as exc:
        importing.fail_job(job_id, str(exc))


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def email_region_message(self, message_id: int) -> int:
    """E-mail the copies of a region message (idempotent; retried on mail errors)."""
    from regions.engagement import email_deliveries

    try:
        return email_deliveries(message_id)
    except OSError as exc:  # SMTP down: try again later, nothing is sent twice
        raise self.retry(exc=exc) from exc
