"""`make run` without Redis still runs the periodic schedule: a worker with beat on a broker in
a local folder (nzr/embedded.py)."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from nzr import embedded
from outbox.models import DeliveryProbe, OutboxMessage

ROOT = Path(__file__).resolve().parents[1]


def _settings_in(env: dict[str, str]) -> dict:
    """The broker settings a fresh process computes from this environment."""
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps({'broker': settings.CELERY_BROKER_URL,"
        " 'eager': settings.CELERY_TASK_ALWAYS_EAGER,"
        " 'options': settings.CELERY_BROKER_TRANSPORT_OPTIONS,"
        " 'db': settings.DATABASES['default'].get('OPTIONS', {})}))"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "NZR_TESTING",
            "NZR_EMBEDDED",
            "CELERY_TASK_ALWAYS_EAGER",
        }
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="nzr.settings")
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def test_make_run_uses_the_folder_broker_and_queues_sqlite_writes(tmp_path):
    chosen = _settings_in({"NZR_EMBEDDED": "1", "NZR_RUN_DIR": str(tmp_path)})
    assert chosen["broker"] == "filesystem://"
    assert chosen["eager"] is False, "tasks must go to the worker, not run in the request"
    assert chosen["options"]["data_folder_in"] == str(tmp_path / "broker")
    assert (tmp_path / "broker").is_dir()
    assert chosen["db"]["transaction_mode"] == "IMMEDIATE"


def test_without_the_embedded_worker_tasks_run_in_process():
    chosen = _settings_in({})
    assert chosen["broker"] is None
    assert chosen["eager"] is True


def test_a_configured_broker_wins_over_the_folder(tmp_path):
    chosen = _settings_in(
        {
            "NZR_EMBEDDED": "1",
            "NZR_RUN_DIR": str(tmp_path),
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/9",
        }
    )
    assert chosen["broker"] == "redis://127.0.0.1:6379/9"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_embedded_worker_runs_the_schedule(tmp_path):
    """A message the broker never got (written while it was 'down') is published by the beat's
    outbox relay (every 15 s) and run by the same worker process: the schedule runs."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share with the test (PostgreSQL)")
    key = f"embedded-{uuid.uuid4().hex[:10]}"
    OutboxMessage.objects.create(
        task="outbox.probe",
        args=[key],
        available_at=timezone.now() - timedelta(minutes=5),
        created_at=timezone.now() - timedelta(minutes=5),
    )
    db = connection.settings_dict
    env = embedded.embedded_env(tmp_path)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        NZR_TESTING="0",
        CELERY_TASK_ALWAYS_EAGER="0",
    )
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            embedded.worker_command(tmp_path),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while not DeliveryProbe.objects.filter(key=key).exists():
                assert worker.poll() is None, f"the worker stopped: {log.read_text()[-3000:]}"
                assert time.monotonic() < deadline, (
                    f"no run within 120 s: {log.read_text()[-3000:]}"
                )
                time.sleep(0.5)  # polling a condition with a deadline, not synchronising on time
        finally:
            embedded.stop(worker)
    assert worker.returncode is not None
    assert DeliveryProbe.objects.filter(key=key).count() == 1
    assert (tmp_path / "celerybeat-schedule").exists() or list(
        tmp_path.glob("celerybeat-schedule*")
    )
