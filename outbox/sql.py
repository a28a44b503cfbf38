"""Raw SQL of the outbox (house rule: raw SQL only in ``<app>/sql.py``)."""

from django.db import connection, models


def bound_idle_in_transaction(seconds: int) -> None:
    """End this transaction's session if it sits idle in the transaction for ``seconds``.

    A delivery holds its message's row lock until it commits; the relay takes an
    unlocked, started, unfinished row for a dead worker. A worker whose host vanished
    leaves a backend that PostgreSQL may keep (and its lock) until TCP keepalive gives
    up, hours later; this bound releases it. Transaction-local (``set_config(..., true)``).
    No-op outside PostgreSQL."""
    if connection.vendor != "postgresql" or seconds <= 0:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('idle_in_transaction_session_timeout', %s, true)",
            [f"{int(seconds)}s"],
        )


CLAIM = """
UPDATE outbox_outboxmessage
   SET started_at = %s, started_attempt = attempts, runs = runs + 1
 WHERE id = (SELECT id FROM outbox_outboxmessage WHERE id = %s FOR KEY SHARE SKIP LOCKED)
   AND processed_at IS NULL AND dead_at IS NULL
   AND (started_attempt IS NULL OR started_attempt < attempts)
"""


def claim(message_id: int, now) -> bool:
    """Mark message ``message_id`` started for its latest publish, if nobody has; True if won.

    The sub-select takes a KEY SHARE lock with SKIP LOCKED: it is skipped only when a
    live run holds the row ``FOR UPDATE`` (so a duplicate copy never waits for a run to
    end), but not for the relay's ``FOR NO KEY UPDATE`` batch lock, which the UPDATE
    waits for (milliseconds) and then re-checks. PostgreSQL re-evaluates the WHERE clause
    on the row's newest version after a concurrent UPDATE, so of two simultaneous claims
    exactly one matches."""
    from outbox.models import OutboxMessage

    if connection.vendor != "postgresql":  # SQLite (make run): one process, no row locks
        return bool(
            OutboxMessage.objects.claimable()
            .filter(pk=message_id)
            .update(
                started_at=now,
                started_attempt=models.F("attempts"),
                runs=models.F("runs") + 1,
            )
        )
    with connection.cursor() as cursor:
        cursor.execute(CLAIM, [now, message_id])
        return cursor.rowcount == 1
