"""Enqueue Celery tasks through the transactional outbox (see ``outbox``).

``enqueue(task, *args, **kwargs)`` writes an outbox row in the current
transaction; after the commit the message is published at once, or, if the
broker is down, later by the relay (beat job ``outbox.relay`` and
``manage.py relay_outbox``). A rolled-back transaction enqueues nothing; a
message published twice runs once. Never call ``.delay`` inside a transaction.

Arguments must be JSON (ids, strings, numbers); dates arrive as ISO strings.
"""

from functools import partial

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction


def _task_name(task) -> str:
    return task if isinstance(task, str) else task.name


def _encode(args, kwargs):
    import json

    # Round-trip through JSON now, so a bad argument fails in the caller, not in the worker.
    return json.loads(json.dumps([list(args), kwargs], cls=DjangoJSONEncoder))


def enqueue(task, *args, **kwargs):
    """Run ``task(*args, **kwargs)`` once, after the current transaction commits.

    Returns the ``OutboxMessage``. ``task`` is a Celery task or its registered name.
    """
    from outbox.models import OutboxMessage
    from outbox.relay import publish_after_commit

    encoded_args, encoded_kwargs = _encode(args, kwargs)
    message = OutboxMessage.objects.create(
        task=_task_name(task),
        args=encoded_args,
        kwargs=encoded_kwargs,
        queue=getattr(task, "queue", None) or "",
    )
    transaction.on_commit(partial(publish_after_commit, message.pk))
    return message


def enqueue_for_relay(task, *args, **kwargs):
    """Like ``enqueue``, but not published at the commit: the relay (beat, every 15 s,
    messages older than ``NZR_OUTBOX_MIN_AGE_SECONDS``) hands it to the broker.

    For side effects that may wait a minute, on hot paths: publishing at once costs the
    request a read, a broker round trip and a second commit (the ``sent_at`` update).

    Without a broker (``make run`` on a laptop: tasks in-process, no beat, so no relay)
    it is ``enqueue``: the task runs at the commit instead of never."""
    from django.conf import settings

    from outbox.models import OutboxMessage

    if not settings.CELERY_BROKER_URL:
        return enqueue(task, *args, **kwargs)
    from nzr import fastsql

    encoded_args, encoded_kwargs = _encode(args, kwargs)
    return fastsql.create(
        OutboxMessage,
        task=_task_name(task),
        args=encoded_args,
        kwargs=encoded_kwargs,
        queue=getattr(task, "queue", None) or "",
    )


def enqueue_unique(key: str, task, *args, **kwargs):
    """Like ``enqueue``, but at most one message per ``key`` ever (e.g. "approve-request-42").

    Returns the message, or ``None`` when one with this key exists already.
    """
    from outbox.models import OutboxMessage
    from outbox.relay import publish_after_commit

    encoded_args, encoded_kwargs = _encode(args, kwargs)
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                task=_task_name(task),
                args=encoded_args,
                kwargs=encoded_kwargs,
                queue=getattr(task, "queue", None) or "",
                dedup_key=key[:200],
            )
    except IntegrityError:
        return None
    transaction.on_commit(partial(publish_after_commit, message.pk))
    return message
