"""Publishing outbox messages to Celery: at once after the commit, or later by the relay.

Delivery is at least once (a message may be published twice: after a crash
between publish and marking it sent, or when the relay re-publishes a message
whose worker died); ``outbox.tasks.deliver`` makes the effect happen once.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)


def _setting(name, default):
    return getattr(settings, name, default)


def max_failures() -> int:
    return int(_setting("NZR_OUTBOX_MAX_FAILURES", 5))


def max_attempts() -> int:
    return int(_setting("NZR_OUTBOX_MAX_ATTEMPTS", 20))


def broker_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the broker is not reachable" (not "the task failed")."""
    from kombu.exceptions import OperationalError

    errors: list[type[BaseException]] = [OperationalError, ConnectionError, OSError, TimeoutError]
    try:
        import redis.exceptions

        errors += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    return tuple(errors)


def publish(message: OutboxMessage, *, queue: str | None = None) -> None:
    """Hand one message to the broker (or run it in-process in eager mode). Raises broker errors."""
    from outbox.tasks import deliver

    options = {"retry": False}
    target = queue or message.queue
    if target:
        options["queue"] = target
    deliver.apply_async(args=[message.pk], **options)


# A per-process circuit breaker: after the broker failed, callers in this process do not
# wait for it again (a refused Redis connection costs seconds of client retries) until
# the pause has passed; their messages wait in the outbox for the relay meanwhile.
_breaker = {"open_until": 0.0}


def reset_breaker() -> None:
    _breaker["open_until"] = 0.0


def publish_after_commit(message_id: int) -> None:
    """The on-commit hook of ``enqueue``: try the broker once; on failure keep the row for the relay."""
    if time.monotonic() < _breaker["open_until"]:
        return
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None:  # pragma: no cover - rows are never deleted before they are processed
        return
    try:
        publish(message)
    except broker_errors() as exc:
        _breaker["open_until"] = time.monotonic() + float(
            _setting("NZR_OUTBOX_BREAKER_SECONDS", 30)
        )
        OutboxMessage.objects.filter(pk=message_id).update(
            attempts=F("attempts") + 1, last_error=f"broker: {exc!r}"[:2000]
        )
        logger.warning(
            "Broker unreachable; outbox message %s (%s) kept for the relay: %s",
            message_id,
            message.task,
            exc.__class__.__name__,
        )
        return
    OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1
    )


def relay_pending(
    *,
    batch_size: int = 200,
    min_age: timedelta | None = None,
    redeliver_after: timedelta | None = None,
    queue: str | None = None,
    max_batches: int | None = None,
) -> int:
    """Publish pending messages in batches; returns how many were published.

    - pending: never published (broker was down) or handed back after a failed run
      whose back-off has passed; older than ``min_age`` so a fresh message's own
      on-commit publish is not raced needlessly;
    - stuck: published longer than ``redeliver_after`` ago and still not processed
      (the worker died, or the broker lost it): published again.
    Rows are locked with ``SELECT ... FOR UPDATE SKIP LOCKED``, so several relays
    (and a worker processing a message, which holds its row lock) never collide.
    Stops at the first broker error: the rest stays for the next run.
    """
    if min_age is None:
        min_age = timedelta(seconds=int(_setting("NZR_OUTBOX_MIN_AGE_SECONDS", 10)))
    if redeliver_after is None:
        redeliver_after = timedelta(seconds=int(_setting("NZR_OUTBOX_REDELIVER_SECONDS", 900)))
    published = 0
    batches = 0
    started = timezone.now()
    # One cut-off for the whole run: what this run publishes is not due again within it.
    due = Q(sent_at__isnull=True, available_at__lte=started, created_at__lte=started - min_age) | Q(
        sent_at__lt=started - redeliver_after
    )
    seen: set[int] = set()
    while max_batches is None or batches < max_batches:
        batches += 1
        with transaction.atomic():
            now = timezone.now()
            batch = list(
                OutboxMessage.objects.unfinished()
                .filter(due)
                .exclude(pk__in=seen)
                .select_for_update(skip_locked=True)
                .order_by("id")[:batch_size]
            )
            if not batch:
                break
            seen.update(m.pk for m in batch)
            done_ids, dead_ids = [], []
            for message in batch:
                if message.attempts >= max_attempts():
                    dead_ids.append(message.pk)
                    continue
                try:
                    publish(message, queue=queue)
                except broker_errors() as exc:
                    OutboxMessage.objects.filter(pk=message.pk).update(
                        attempts=F("attempts") + 1, last_error=f"broker: {exc!r}"[:2000]
                    )
                    _finish(done_ids, dead_ids, now)
                    logger.warning("Broker unreachable; relay stops after %s messages", published)
                    return published + len(done_ids)
                except Exception:
                    # Eager mode only (the task ran in-process and failed): ``deliver`` has
                    # recorded the failure and handed the message back; go on with the rest.
                    OutboxMessage.objects.filter(pk=message.pk).update(attempts=F("attempts") + 1)
                    continue
                done_ids.append(message.pk)
            _finish(done_ids, dead_ids, now)
            published += len(done_ids)
    return published


def _finish(done_ids, dead_ids, now):
    if done_ids:
        OutboxMessage.objects.filter(pk__in=done_ids).update(
            sent_at=now, attempts=F("attempts") + 1
        )
    if dead_ids:
        OutboxMessage.objects.filter(pk__in=dead_ids).update(dead_at=now)
        logger.warning("Outbox messages given up after too many publishes: %s", dead_ids)


def record_failure(message_id: int, exc: BaseException) -> None:
    """A run failed: hand the message back for a later retry, or give up after N failures."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.processed_at:
            return
        message.failures += 1
        message.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
        now = timezone.now()
        if message.failures >= max_failures():
            message.dead_at = now
            logger.warning(
                "Outbox message %s (%s) failed %s times; given up",
                message.pk,
                message.task,
                message.failures,
            )
        else:
            base = int(_setting("NZR_OUTBOX_RETRY_SECONDS", 30))
            message.available_at = now + timedelta(
                seconds=min(base * 2 ** (message.failures - 1), 3600)
            )
        message.sent_at = None
        message.save(update_fields=["failures", "last_error", "dead_at", "available_at", "sent_at"])
