"""Fixtures for the fault tests: a broker that is down, real Celery workers on the test DB."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

needs_postgres = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL (row locks, SKIP LOCKED)",
)
needs_broker = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL, reason="needs CELERY_BROKER_URL (Redis)"
)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reset_producer_pool(app):
    # As Celery does after a fork: the next publish builds a pool for the current broker_url.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def real_broker():
    """Tasks go to the real Redis broker (not run in-process)."""
    from nzr.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = eager


@pytest.fixture
def broker_down(real_broker):
    """Point Celery at a closed port (as if Redis were stopped); ``.restore()`` brings it back."""
    app = real_broker
    original = (app.conf.broker_url, app.conf.broker_write_url)

    class Switch:
        url = f"redis://127.0.0.1:{_closed_port()}/0"

        def restore(self):
            app.conf.broker_url, app.conf.broker_write_url = original
            _reset_producer_pool(app)
            from outbox import relay

            relay.reset_breaker()

    switch = Switch()
    app.conf.broker_url = app.conf.broker_write_url = switch.url
    _reset_producer_pool(app)
    yield switch
    switch.restore()


@pytest.fixture
def redis_client():
    # redis-py 8 reads with a 5 s socket timeout by default; BLPOP waits longer.
    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=None)


@pytest.fixture
def workers(transactional_db):
    """``workers.start(queue)`` starts `celery -A nzr worker` on the test DB and a private queue."""
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_TASK_ALWAYS_EAGER="0",
        NZR_TESTING="0",
        DB_CONN_MAX_AGE="0",
    )

    class Workers:
        procs: list[subprocess.Popen] = []

        def __init__(self):
            self.queue = f"test-{uuid.uuid4().hex[:8]}"

        def start(self):
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "nzr",
                    "worker",
                    "-Q",
                    self.queue,
                    "--concurrency",
                    "1",
                    "--pool",
                    "solo",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "-l",
                    "CRITICAL",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            self.procs.append(proc)
            return proc

    w = Workers()
    w.procs = []
    yield w
    for proc in w.procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def drain(queue, redis_client):
    """Publish a sentinel probe to ``queue`` and block until the (solo) worker reaches it:
    everything published before it has then been processed and committed."""
    from outbox.models import OutboxMessage
    from outbox.relay import publish

    started = f"nzr:test:started:{uuid.uuid4().hex}"
    sentinel = OutboxMessage.objects.create(
        task="outbox.probe", args=["sentinel"], kwargs={"started_list": started}, attempts=1
    )
    publish(sentinel, queue=queue)
    assert redis_client.blpop([started], timeout=60) is not None, "worker did not answer in 60 s"
