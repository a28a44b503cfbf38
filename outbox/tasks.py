"""Celery side of the outbox: ``deliver`` runs a message once; ``relay`` is the beat job."""

from celery import current_app, shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outbox import sql
from outbox.models import DeliveryProbe, OutboxMessage
from outbox.relay import record_failure, relay_pending

BEAT_SCHEDULE = {
    # Every 15 s: with nothing due this is one indexed query on the unfinished rows.
    "outbox-relay": {"task": "outbox.relay", "schedule": 15.0},
}


def claim(message_id: int) -> bool:
    """Take the latest publish of message ``message_id`` for this delivery, atomically.

    Committed before the run (outside a caller's transaction), so the relay sees that
    a worker took the message (``started_at``). A second copy of the same publish
    (Redis kept the original and the relay sent another, or Redis redelivered it)
    finds ``started_attempt == attempts`` and is skipped at once, also while the first
    run still holds the row (see ``outbox.sql.claim``)."""
    return sql.claim(message_id, timezone.now())


@shared_task(name="outbox.deliver", acks_late=True, ignore_result=True)
def deliver(message_id: int):
    """Run the task of outbox message ``message_id`` at most once.

    First the claim (see ``claim``). Then the run, in one transaction that locks the
    message row ``FOR UPDATE`` and writes ``processed_at`` with the task's own writes:
    if the worker dies half-way, both roll back, PostgreSQL releases the lock, and the
    relay publishes the message again. The lock is waited for, not skipped: after a won
    claim only short locks remain (a losing claim's statement, a relay batch), and
    skipping them would leave the message unrun. The transaction may not sit idle
    longer than ``NZR_OUTBOX_RUN_IDLE_SECONDS`` (300), so a vanished worker's lock does
    not outlive it for long.
    """
    if not claim(message_id):
        return "skipped"
    try:
        with transaction.atomic():
            sql.bound_idle_in_transaction(
                int(getattr(settings, "NZR_OUTBOX_RUN_IDLE_SECONDS", 300))
            )
            message = (
                OutboxMessage.objects.unfinished().select_for_update().filter(pk=message_id).first()
            )
            if message is None:
                return "skipped"
            task = current_app.tasks[message.task]
            task(*message.args, **message.kwargs)
            message.processed_at = timezone.now()
            message.save(update_fields=["processed_at"])
    except Exception as exc:
        record_failure(message_id, exc)
        raise
    return "done"


@shared_task(name="outbox.relay", ignore_result=True)
def relay():
    """Beat job: publish what the broker missed."""
    return relay_pending()


@shared_task(name="outbox.probe", ignore_result=True)
def probe(key: str, *, wait_list: str = "", started_list: str = "", fail: bool = False):
    """Write a probe row (end-to-end check of the task pipeline; used by the reliability tests).

    ``started_list``: push ``key`` to this Redis list once the row is written;
    ``wait_list``: then block until something is pushed to it (simulates a long job).
    """
    DeliveryProbe.objects.create(key=key)
    if started_list or wait_list:
        import redis

        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=None)
        if started_list:
            client.rpush(started_list, key)
            client.expire(started_list, 300)
        if wait_list:
            client.blpop([wait_list], timeout=120)
    if fail:
        raise RuntimeError(f"probe {key} asked to fail")
    return key
