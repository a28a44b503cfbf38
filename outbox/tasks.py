"""Celery side of the outbox: ``deliver`` runs a message once; ``relay`` is the beat job."""

from celery import current_app, shared_task
from django.db import transaction
from django.utils import timezone

from outbox.models import DeliveryProbe, OutboxMessage
from outbox.relay import record_failure, relay_pending

BEAT_SCHEDULE = {
    "outbox-relay": {"task": "outbox.relay", "schedule": 60.0},
}


@shared_task(name="outbox.deliver", acks_late=True, ignore_result=True)
def deliver(message_id: int):
    """Run the task of outbox message ``message_id`` at most once.

    The message row is locked for the whole run, so a second delivery of the
    same message waits and then sees ``processed_at`` set. ``processed_at`` is
    written in the same transaction as the task's own writes: if the worker
    dies half-way, both roll back and the relay publishes the message again.
    """
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
            if message is None or message.processed_at or message.dead_at:
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
        from django.conf import settings

        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=None)
        if started_list:
            client.rpush(started_list, key)
            client.expire(started_list, 300)
        if wait_list:
            client.blpop([wait_list], timeout=120)
    if fail:
        raise RuntimeError(f"probe {key} asked to fail")
    return key
