"""Enqueue Celery tasks only after the surrounding transaction commits."""

from functools import partial

from django.db import transaction


def enqueue(task, *args, **kwargs) -> None:
    """Send ``task`` with the given arguments once the current transaction commits.

    Outside a transaction it is sent at once. Never call ``.delay`` inside a
    transaction: a rolled-back write must not leave a task behind, and a task
    must not start before the rows it reads are committed.
    """
    transaction.on_commit(partial(task.apply_async, args=args, kwargs=kwargs))
