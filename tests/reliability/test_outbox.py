"""Broker down, relayed twice, worker killed, poison jobs: nothing lost, nothing run twice."""

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from nzr.tasks import enqueue, enqueue_unique
from outbox.models import DeliveryProbe, OutboxMessage
from outbox.relay import publish, relay_pending
from outbox.tasks import probe
from tests.reliability.conftest import drain, needs_broker, needs_postgres

NOW = timedelta(0)


def _key():
    return f"probe-{uuid.uuid4().hex[:10]}"


@pytest.mark.django_db
def test_rolled_back_transaction_enqueues_nothing(django_capture_on_commit_callbacks):
    key = _key()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(probe, key)
        raise RuntimeError("the domain change failed")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert not DeliveryProbe.objects.filter(key=key).exists()


@pytest.mark.django_db(transaction=True)
def test_eager_mode_runs_the_task_after_commit_once():
    key = _key()
    with transaction.atomic():
        message = enqueue(probe, key)
        # Not before the commit: the task must never see uncommitted rows.
        assert not DeliveryProbe.objects.filter(key=key).exists()
    message.refresh_from_db()
    assert DeliveryProbe.objects.filter(key=key).count() == 1
    assert message.processed_at is not None and message.sent_at is not None
    # Relaying it again (as after a crash before "sent" was written) does not run it again.
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=None)
    assert relay_pending(min_age=NOW) == 0
    publish(message)
    assert DeliveryProbe.objects.filter(key=key).count() == 1


@pytest.mark.django_db
def test_enqueue_unique_keeps_one_message_per_key():
    assert enqueue_unique("approve-request-1", probe, "a") is not None
    assert enqueue_unique("approve-request-1", probe, "b") is None
    assert OutboxMessage.objects.filter(dedup_key="approve-request-1").count() == 1


@pytest.mark.django_db
def test_arguments_that_are_not_json_fail_in_the_caller():
    with pytest.raises(TypeError):
        enqueue(probe, object())


@needs_postgres
@needs_broker
@pytest.mark.django_db(transaction=True)
def test_broker_down_keeps_the_message_and_the_caller_succeeds(broker_down):
    key = _key()
    started = time.monotonic()
    with transaction.atomic():
        message = enqueue(probe, key)
    elapsed = time.monotonic() - started
    message.refresh_from_db()
    assert message.sent_at is None and message.processed_at is None
    assert message.attempts == 1 and message.last_error.startswith("broker:")
    assert elapsed < 15, f"the caller waited {elapsed:.1f} s for a broker that is down"
    # The next callers in this process do not wait for the broker at all (circuit breaker).
    started = time.monotonic()
    with transaction.atomic():
        second = enqueue(probe, _key())
    assert time.monotonic() - started < 1
    assert OutboxMessage.objects.pending().filter(pk=second.pk).exists()
    # The relay cannot publish either, and keeps the row.
    assert relay_pending(min_age=NOW) == 0
    assert OutboxMessage.objects.pending().filter(pk=message.pk).exists()


@needs_postgres
@needs_broker
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_after_the_outage_the_relay_sends_once_and_a_worker_runs_it_once(
    broker_down, workers, redis_client
):
    key = _key()
    with transaction.atomic():
        message = enqueue(probe, key)
    assert OutboxMessage.objects.pending().count() == 1

    broker_down.restore()
    workers.start()
    assert relay_pending(min_age=NOW, queue=workers.queue) == 1
    assert relay_pending(min_age=NOW, queue=workers.queue) == 0  # sent exactly once
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 2

    # Relayed twice anyway (e.g. a crash between publishing and marking it sent).
    publish(message, queue=workers.queue)
    publish(message, queue=workers.queue)
    drain(workers.queue, redis_client)
    message.refresh_from_db()
    assert message.processed_at is not None
    assert DeliveryProbe.objects.filter(key=key).count() == 1


@pytest.mark.allow_error_log
@pytest.mark.django_db(transaction=True)
@override_settings(NZR_OUTBOX_MAX_FAILURES=3, NZR_OUTBOX_RETRY_SECONDS=0)
def test_a_poison_job_stops_after_n_failures():
    key = _key()
    with pytest.raises(RuntimeError), transaction.atomic():
        message = enqueue(probe, key, fail=True)
    runs = 1
    while relay_pending(min_age=NOW) == 0 and OutboxMessage.objects.pending().exists():
        runs += 1
        assert runs < 10, "the poison job was never given up"
    message = OutboxMessage.objects.get(dedup_key=message.dedup_key)
    assert message.failures == 3 and message.dead_at is not None
    assert "asked to fail" in message.last_error
    assert relay_pending(min_age=NOW, now=timezone.now() + timedelta(days=1)) == 0
    assert not DeliveryProbe.objects.filter(key=key).exists()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_relays_publish_each_message_once():
    keys = [_key() for _ in range(40)]
    OutboxMessage.objects.bulk_create([OutboxMessage(task="outbox.probe", args=[k]) for k in keys])
    barrier = threading.Barrier(4)
    counts, errors = [], []

    def run():
        from django.db import connection

        try:
            barrier.wait(timeout=30)
            counts.append(relay_pending(min_age=NOW, batch_size=5))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sum(counts) == 40
    for k in keys:
        assert DeliveryProbe.objects.filter(key=k).count() == 1
    assert not OutboxMessage.objects.unfinished().exists()


@pytest.mark.django_db(transaction=True)
def test_relay_outbox_command_publishes_pending_messages():
    key = _key()
    OutboxMessage.objects.create(task="outbox.probe", args=[key])
    out = open("/dev/null", "w")  # noqa: SIM115
    call_command("relay_outbox", stdout=out)
    assert DeliveryProbe.objects.filter(key=key).count() == 1


def test_the_relay_runs_on_beat():
    from nzr.celery import app

    app.finalize()
    entry = app.conf.beat_schedule["outbox-relay"]
    assert entry["task"] == "outbox.relay"
    # Part of "back within a minute": the relay runs at least every 15 s.
    assert float(entry["schedule"]) <= 15
