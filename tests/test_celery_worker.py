"""A real Celery worker against Redis runs a task that reads the test database."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="needs CELERY_BROKER_URL (Redis)"),
]


@pytest.fixture
def worker(transactional_db):
    """Start `celery -A nzr worker` on the test database and a private queue."""
    db = connection.settings_dict
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_TASK_ALWAYS_EAGER="0",
        NZR_TESTING="0",
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nzr",
            "worker",
            "-Q",
            queue,
            "--concurrency",
            "1",
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_real_worker_runs_a_task(worker):
    if "postgres" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("the worker shares the test database only on PostgreSQL")
    from accounts.tasks import ping

    user = UserFactory(email="worker-test@example.org")
    reply = f"nzr:test:reply:{uuid.uuid4().hex}"
    from nzr.celery import app

    app.conf.task_always_eager = False
    try:
        ping.apply_async(args=[user.pk, reply], queue=worker)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    # No socket timeout: BLPOP itself waits at most 60 s.
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=None)
    # BLPOP blocks until the worker pushes its answer (or 60 s pass): no sleeping.
    answer = client.blpop([reply], timeout=60)
    assert answer is not None, "the worker did not run the task within 60 s"
    assert answer[1].decode() == "worker-test@example.org"
