"""Publishing outbox messages to Celery: at once after the commit, or later by the relay.

Delivery is at least once (a message may be published twice: a broker that kept
a copy the relay thought lost, Redis's own redelivery, a crash between marking
and publishing); ``outbox.tasks.deliver`` claims each publish once and makes the
effect happen once. The relay (beat, every 15 s) brings back within about a
minute what the broker lost or a killed worker left unfinished.
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
    """The on-commit hook of ``enqueue``: try the broker once; on failure keep the row for the relay.

    The publish is recorded (``sent_at``, ``attempts``) just before it is made, so the
    delivery's claim answers this publish and the relay's clock for a lost copy starts
    here. The conditional update also keeps a relay that took the row first from being
    doubled. A crash between the two looks like a copy the broker lost: relayed later."""
    if time.monotonic() < _breaker["open_until"]:
        return
    marked = OutboxMessage.objects.filter(
        pk=message_id, sent_at__isnull=True, processed_at__isnull=True, dead_at__isnull=True
    ).update(sent_at=timezone.now(), attempts=F("attempts") + 1)
    message = OutboxMessage.objects.filter(pk=message_id).first() if marked else None
    if message is None:  # the relay has published it already, or it is done
        return
    try:
        publish(message)
    except broker_errors() as exc:
        _breaker["open_until"] = time.monotonic() + float(
            _setting("NZR_OUTBOX_BREAKER_SECONDS", 30)
        )
        OutboxMessage.objects.filter(pk=message_id, processed_at__isnull=True).update(
            sent_at=None, last_error=f"broker: {exc!r}"[:2000]
        )
        logger.warning(
            "Broker unreachable; outbox message %s (%s) kept for the relay: %s",
            message_id,
            message.task,
            exc.__class__.__name__,
        )


def _seconds(name: str, default: int) -> timedelta:
    return timedelta(seconds=float(_setting(name, default)))


def default_queue() -> str:
    from celery import current_app

    return current_app.conf.task_default_queue or "celery"


def broker_queue_depth(name: str) -> int:
    """How many messages the broker holds in queue ``name`` (0 in eager mode: no broker).

    Raises broker errors when the broker is unreachable."""
    from celery import current_app
    from kombu.exceptions import ChannelError

    if current_app.conf.task_always_eager:
        return 0
    with current_app.connection_for_write() as conn:
        try:
            return int(conn.default_channel.queue_declare(queue=name, passive=True).message_count)
        except ChannelError:  # no such queue: Redis drops the key of an empty list
            return 0


def relay_pending(
    *,
    batch_size: int = 200,
    min_age: timedelta | None = None,
    unstarted_after: timedelta | None = None,
    inflight_after: timedelta | None = None,
    backlog_after: timedelta | None = None,
    queue: str | None = None,
    max_batches: int | None = None,
    now=None,
) -> int:
    """Publish what the broker does not hold or no worker runs; returns how many were published.

    - pending: never published (broker was down) or handed back after a failed run
      whose back-off has passed; older than ``min_age`` so a fresh message's own
      on-commit publish is not raced needlessly;
    - lost: published more than ``unstarted_after`` ago (``NZR_OUTBOX_UNSTARTED_SECONDS``,
      45) and not started since, while the broker's queue for it is empty (a Redis
      restart or flush lost it; a message still queued behind others is not copied,
      which would only lengthen the queue), or published more than ``backlog_after``
      ago (``NZR_OUTBOX_REDELIVER_SECONDS``, 900) whatever the queue holds;
    - died: started for its latest publish more than ``inflight_after`` ago
      (``NZR_OUTBOX_INFLIGHT_SECONDS``, 45), not processed, and its row not locked: a
      live run holds the row lock until it commits, so an unlocked started row is a
      worker that was killed (PostgreSQL rolled its work back). Counted as a failure,
      so a job that kills its worker each time is given up after N runs.
    Rows are locked with ``SELECT ... FOR NO KEY UPDATE SKIP LOCKED``, so several
    relays (and a worker running a message, which holds its row ``FOR UPDATE``) never
    collide; a delivery's claim (KEY SHARE) is not turned away by this lock, it waits.
    ``now`` is the relay's clock (tests pass one). Stops at the first broker error:
    the rest stays for the next run. With nothing due it is one indexed query.
    """
    if min_age is None:
        min_age = _seconds("NZR_OUTBOX_MIN_AGE_SECONDS", 10)
    if unstarted_after is None:
        unstarted_after = _seconds("NZR_OUTBOX_UNSTARTED_SECONDS", 45)
    if inflight_after is None:
        inflight_after = _seconds("NZR_OUTBOX_INFLIGHT_SECONDS", 45)
    if backlog_after is None:
        backlog_after = _seconds("NZR_OUTBOX_REDELIVER_SECONDS", 900)
    now = now or timezone.now()
    not_started = Q(started_attempt__isnull=True) | Q(started_attempt__lt=F("attempts"))
    pending = Q(sent_at__isnull=True, available_at__lte=now, created_at__lte=now - min_age)
    lost = Q(sent_at__lte=now - unstarted_after) & not_started
    died = Q(
        sent_at__lte=now - inflight_after,  # implied (sent before started); lets the index help
        started_attempt__gte=F("attempts"),
        started_at__lte=now - inflight_after,
    )
    overdue = Q(sent_at__lte=now - backlog_after)
    depths: dict[str, int] = {}  # broker queue -> messages it holds (asked once per run)
    busy: set[str] = set()  # OutboxMessage.queue values whose broker queue is not empty
    published = 0
    batches = 0
    seen: set[int] = set()
    while max_batches is None or batches < max_batches:
        batches += 1
        if not busy:
            lost_here = lost
        elif queue:  # everything goes to this one queue, which is busy
            lost_here = lost & overdue
        else:
            lost_here = lost & (~Q(queue__in=busy) | overdue)
        with transaction.atomic():
            batch = list(
                OutboxMessage.objects.unfinished()
                .filter(pending | lost_here | died)
                .exclude(pk__in=seen)
                .select_for_update(skip_locked=True, no_key=True)
                .order_by("id")[:batch_size]
            )
            if not batch:
                break
            seen.update(m.pk for m in batch)
            dead_ids = []
            for message in batch:
                is_lost = message.sent_at is not None and (
                    message.started_attempt is None or message.started_attempt < message.attempts
                )
                if is_lost and message.sent_at > now - backlog_after:
                    target = queue or message.queue or default_queue()
                    try:
                        if target not in depths:
                            depths[target] = broker_queue_depth(target)
                    except broker_errors() as exc:
                        logger.warning("Broker unreachable; relay stops: %r", exc)
                        _give_up(dead_ids, now)
                        return published
                    if depths[target]:
                        busy.add(queue or message.queue)
                        continue  # still queued behind others: a copy would only wait too
                if message.attempts >= max_attempts():
                    dead_ids.append(message.pk)
                    continue
                is_died = message.sent_at is not None and not is_lost
                if is_died and message.failures + 1 >= max_failures():
                    _give_up_worker_lost(message, now)
                    continue
                try:
                    _mark_published(message, now, worker_lost=is_died)
                    publish(message, queue=queue)
                except broker_errors() as exc:
                    OutboxMessage.objects.filter(pk=message.pk).update(
                        sent_at=message.sent_at,
                        failures=message.failures,
                        last_error=f"broker: {exc!r}"[:2000],
                    )
                    _give_up(dead_ids, now)
                    logger.warning("Broker unreachable; relay stops after %s messages", published)
                    return published
                except Exception as exc:
                    # Eager mode only (the task ran in-process and failed): ``deliver`` has
                    # recorded the failure and handed the message back; go on with the rest.
                    logger.info("Outbox message %s failed in-process: %r", message.pk, exc)
                else:
                    published += 1
            _give_up(dead_ids, now)
    return published


def _mark_published(message: OutboxMessage, now, *, worker_lost: bool) -> None:
    """Record the publish before it is made (the row is locked by the relay, so the
    delivery's claim waits for this commit and then answers this publish)."""
    changes = {"sent_at": now, "attempts": F("attempts") + 1}
    if worker_lost:
        changes["failures"] = F("failures") + 1
        changes["last_error"] = _lost_text(message)
    OutboxMessage.objects.filter(pk=message.pk).update(**changes)


def _lost_text(message: OutboxMessage) -> str:
    return f"worker lost: run {message.runs} started at {message.started_at:%Y-%m-%d %H:%M:%S%z}"


def _give_up_worker_lost(message: OutboxMessage, now) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        failures=F("failures") + 1, last_error=_lost_text(message), dead_at=now
    )
    logger.warning(
        "Outbox message %s (%s): its worker died in %s runs; given up",
        message.pk,
        message.task,
        message.failures + 1,
    )


def _give_up(dead_ids, now):
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
