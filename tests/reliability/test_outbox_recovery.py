"""Recovery within a minute: a copy the broker lost, a worker killed mid-run, duplicates.

Issue 18: with a Redis that keeps nothing on restart (``--save "" --appendonly no``)
queued tasks came back only after the 900 s redelivery window. Now the outbox records
the publish (``sent_at``) and the start (``started_at`` for ``started_attempt``) and the
relay, every 15 s, publishes again what was not started within 45 s while its broker
queue is empty, and what was started but left by a dead worker. The relay's clock is
passed in (``now=``): no test waits for a window to pass.
"""

import threading
import uuid
from datetime import timedelta

import pytest
from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outbox.models import DeliveryProbe, OutboxMessage
from outbox.relay import publish, relay_pending
from outbox.tasks import BEAT_SCHEDULE, claim, deliver
from tests.reliability.conftest import drain, needs_broker, needs_postgres

NOW = timedelta(0)
# The requirement: what the broker lost is published again within a minute. The relay
# runs every BEAT seconds, so a run BEAT seconds before the minute is up must take it.
WITHIN = timedelta(seconds=60)
BEAT = timedelta(seconds=float(BEAT_SCHEDULE["outbox-relay"]["schedule"]))
UNSTARTED = timedelta(seconds=settings.NZR_OUTBOX_UNSTARTED_SECONDS)
INFLIGHT = timedelta(seconds=settings.NZR_OUTBOX_INFLIGHT_SECONDS)
BACKLOG = timedelta(seconds=settings.NZR_OUTBOX_REDELIVER_SECONDS)


def _key():
    return f"probe-{uuid.uuid4().hex[:10]}"


def _lists():
    return tuple(f"nzr:test:{n}:{uuid.uuid4().hex}" for n in ("started", "release"))


def _published(key, **kwargs) -> OutboxMessage:
    """A probe message as the on-commit publish leaves it: marked sent, publish number 1."""
    return OutboxMessage.objects.create(
        task="outbox.probe", args=[key], kwargs=kwargs, sent_at=timezone.now(), attempts=1
    )


@needs_postgres
@needs_broker
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_copy_the_broker_lost_is_published_again_within_a_minute_and_runs_once(
    real_broker, workers, redis_client
):
    key = _key()
    started, _ = _lists()
    message = OutboxMessage.objects.create(
        task="outbox.probe", args=[key], kwargs={"started_list": started}
    )
    sent = timezone.now()
    assert relay_pending(min_age=NOW, queue=workers.queue, now=sent) == 1
    assert redis_client.llen(workers.queue) == 1  # the broker holds it; no worker yet
    # Redis restarts without persistence: every queued task is gone.
    redis_client.flushdb()
    workers.start()

    # Within its window the message is left alone: it may still be on its way.
    assert relay_pending(queue=workers.queue, now=sent + UNSTARTED - timedelta(seconds=1)) == 0
    message.refresh_from_db()
    assert message.attempts == 1 and message.started_at is None

    # The relay run BEAT before the minute is up publishes it again; a worker runs it.
    assert relay_pending(queue=workers.queue, now=sent + WITHIN - BEAT) == 1
    assert redis_client.blpop([started], timeout=60) is not None, "not run within 60 s"
    drain(workers.queue, redis_client)
    message.refresh_from_db()
    assert message.processed_at is not None
    assert message.attempts == 2 and message.runs == 1 and message.started_attempt == 2
    assert DeliveryProbe.objects.filter(key=key).count() == 1
    # Done is done: later relay runs and a stray copy change nothing.
    assert relay_pending(queue=workers.queue, now=sent + timedelta(days=1)) == 0
    publish(message, queue=workers.queue)
    drain(workers.queue, redis_client)
    assert DeliveryProbe.objects.filter(key=key).count() == 1


@needs_postgres
@needs_broker
@pytest.mark.django_db(transaction=True)
def test_a_message_still_queued_behind_others_is_not_copied_until_the_backlog_window(
    real_broker, redis_client
):
    # No worker consumes this queue: the message waits in the broker (a backlog, or
    # workers that are down). A copy would only wait behind it and lengthen the queue.
    queue = f"test-idle-{uuid.uuid4().hex[:8]}"
    message = OutboxMessage.objects.create(task="outbox.probe", args=[_key()])
    sent = timezone.now()
    assert relay_pending(min_age=NOW, queue=queue, now=sent) == 1
    assert relay_pending(queue=queue, now=sent + UNSTARTED + timedelta(seconds=5)) == 0
    assert redis_client.llen(queue) == 1
    # After the backlog window it is copied whatever the queue holds.
    assert relay_pending(queue=queue, now=sent + BACKLOG) == 1
    message.refresh_from_db()
    assert message.attempts == 2 and message.dead_at is None
    redis_client.delete(queue)


@needs_postgres
@needs_broker
@pytest.mark.django_db(transaction=True)
def test_a_run_that_is_still_going_is_left_alone_however_long_it_takes(redis_client):
    key = _key()
    started, release = _lists()
    message = _published(key, started_list=started, wait_list=release)
    results = []
    run = threading.Thread(target=_deliver_in_thread, args=(message.pk, results))
    run.start()
    try:
        assert redis_client.blpop([started], timeout=60) is not None
        # The run holds its row lock: the relay does not take it, even a day later.
        assert relay_pending(now=timezone.now() + timedelta(days=1)) == 0
        message.refresh_from_db()
        assert message.attempts == 1 and message.failures == 0
    finally:
        redis_client.rpush(release, "go")
        run.join(timeout=60)
    assert results == ["done"]
    assert DeliveryProbe.objects.filter(key=key).count() == 1


def _deliver_in_thread(message_id, results, barrier=None):
    try:
        if barrier is not None:
            barrier.wait(timeout=30)
        results.append(deliver(message_id))
    finally:
        connection.close()


@needs_postgres
@needs_broker
@pytest.mark.django_db(transaction=True)
def test_a_second_delivery_during_a_run_is_skipped_at_once_and_the_effect_happens_once(
    redis_client,
):
    key = _key()
    started, release = _lists()
    message = _published(key, started_list=started, wait_list=release)
    first, second = [], []
    run = threading.Thread(target=_deliver_in_thread, args=(message.pk, first))
    run.start()
    copy = threading.Thread(target=_deliver_in_thread, args=(message.pk, second))
    try:
        assert redis_client.blpop([started], timeout=60) is not None
        # The copy Redis kept arrives while the relay's copy runs: it must not wait for it.
        copy.start()
        copy.join(timeout=30)
        copy_waited, first_still_running = copy.is_alive(), run.is_alive()
    finally:
        redis_client.rpush(release, "go", "go")  # one for each run, should both have started
        run.join(timeout=60)
        copy.join(timeout=60)
    assert DeliveryProbe.objects.filter(key=key).count() == 1  # the effect, once
    assert not copy_waited, "the second delivery waited for the first run"
    assert second == ["skipped"] and first_still_running
    assert first == ["done"]
    message.refresh_from_db()
    assert message.processed_at is not None and message.runs == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_deliveries_of_one_message_run_it_once():
    keys = [_key() for _ in range(8)]
    for key in keys:
        message = _published(key)
        barrier = threading.Barrier(2)
        results = []
        threads = [
            threading.Thread(target=_deliver_in_thread, args=(message.pk, results, barrier))
            for _ in range(2)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert DeliveryProbe.objects.filter(key=key).count() == 1  # the effect, once
        assert sorted(results) == ["done", "skipped"]
        message.refresh_from_db()
        assert message.runs == 1 and message.processed_at is not None


@needs_postgres
@needs_broker
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_is_rerun_after_the_inflight_window_once(
    real_broker, workers, redis_client
):
    key = _key()
    started, release = _lists()
    first = workers.start()
    message = OutboxMessage.objects.create(
        task="outbox.probe", args=[key], kwargs={"started_list": started, "wait_list": release}
    )
    assert relay_pending(min_age=NOW, queue=workers.queue) == 1
    # The worker has claimed the message, written its row (uncommitted) and waits: kill it.
    assert redis_client.blpop([started], timeout=60) is not None
    first.kill()
    first.wait(timeout=20)
    # Wait until PostgreSQL has rolled back the dead worker's transaction (a lock wait).
    with transaction.atomic():
        OutboxMessage.objects.select_for_update().get(pk=message.pk)
    assert DeliveryProbe.objects.filter(key=key).count() == 0
    message.refresh_from_db()
    assert message.started_at is not None and message.processed_at is None
    assert message.runs == 1 and message.started_attempt == message.attempts == 1
    began = message.started_at

    redis_client.rpush(release, "go")  # the re-run need not wait
    workers.start()
    # Within the in-flight window nothing happens; the run BEAT before the minute does.
    assert relay_pending(queue=workers.queue, now=began + INFLIGHT - timedelta(seconds=1)) == 0
    assert relay_pending(queue=workers.queue, now=began + WITHIN - BEAT) == 1
    drain(workers.queue, redis_client)
    message.refresh_from_db()
    assert message.processed_at is not None and message.runs == 2
    assert message.failures == 1 and message.last_error.startswith("worker lost")
    assert DeliveryProbe.objects.filter(key=key).count() == 1
    # Redis's own redelivery of the first copy, later, changes nothing.
    publish(message, queue=workers.queue)
    drain(workers.queue, redis_client)
    assert DeliveryProbe.objects.filter(key=key).count() == 1


@needs_postgres
@needs_broker
@pytest.mark.django_db(transaction=True)
@override_settings(NZR_OUTBOX_MAX_FAILURES=2)
def test_a_job_whose_worker_dies_every_time_is_given_up(real_broker, redis_client):
    queue = f"test-idle-{uuid.uuid4().hex[:8]}"
    message = _published(_key())
    later = timezone.now()
    for _ in range(2):
        assert claim(message.pk)  # a worker takes it and dies: no lock, never processed
        later = max(later, timezone.now()) + INFLIGHT
        relay_pending(queue=queue, now=later)
    message.refresh_from_db()
    assert message.failures == 2 and message.dead_at is not None
    assert message.attempts == 2  # published again once, then given up
    assert relay_pending(queue=queue, now=later + timedelta(days=1)) == 0
    redis_client.delete(queue)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_relay_with_nothing_due_is_one_query():
    _published(_key())  # in flight, not due
    with CaptureQueriesContext(connection) as queries:
        assert relay_pending() == 0
    statements = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(statements) == 1, statements


@shared_task(name="tests.reliability.idle_bound")
def idle_bound(key):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('idle_in_transaction_session_timeout')")
        DeliveryProbe.objects.create(key=f"{key}:{cursor.fetchone()[0]}")


@needs_postgres
@pytest.mark.django_db(transaction=True)
@override_settings(NZR_OUTBOX_RUN_IDLE_SECONDS=120)
def test_a_run_may_not_sit_idle_in_its_transaction_longer_than_the_bound():
    key = _key()
    message = OutboxMessage.objects.create(task="tests.reliability.idle_bound", args=[key])
    assert deliver(message.pk) == "done"
    assert DeliveryProbe.objects.filter(key=f"{key}:2min").exists()
    # Only for the run's own transaction.
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('idle_in_transaction_session_timeout')")
        assert cursor.fetchone()[0] == "0"
