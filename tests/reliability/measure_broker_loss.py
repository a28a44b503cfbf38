"""Measure recovery after a broker loss, in real time, with a real worker and beat.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nzr_h6 REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python tests/reliability/measure_broker_loss.py [--messages 5]

Starts a private Redis (``--save "" --appendonly no``, as in the hostile round: a
restart loses every queued task) on a free port, a Celery worker (prefork, 2
processes, as in docker-compose) and Celery beat (the relay every 15 s), all on the
database of ``DATABASE_URL`` (migrated first). Two scenarios:

1. *Redis restart*: with the worker stopped, N probe messages are enqueued (published
   after their commit, so the broker holds them); Redis is restarted at once, losing
   them; the worker is started. Measured: seconds from the restart to each message's
   ``processed_at``.
2. *Worker killed mid-run*: a probe that blocks is running; the whole worker (its
   process group) is SIGKILLed; a new worker is started. Measured: seconds from the
   kill to ``processed_at`` of the re-run.

A measurement may poll (every 0.2 s); tests may not. Prints the figures; exits
non-zero if a message is not processed within 180 s or runs twice.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    def __init__(self, port: int, workdir: Path):
        self.port = port
        self.workdir = workdir
        self.redis = self.worker = self.beat = None
        self.env = dict(os.environ)
        self.env.update(
            CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0",
            CELERY_TASK_ALWAYS_EAGER="0",
            NZR_TESTING="0",
            DB_CONN_MAX_AGE="0",
        )

    def _spawn(self, args, log):
        out = open(self.workdir / log, "ab")  # noqa: SIM115 - closed with the process
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_redis(self):
        self.redis = self._spawn(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            "redis.log",
        )
        _wait_for_port(self.port)

    def restart_redis(self):
        self.redis.kill()
        self.redis.wait(timeout=20)
        self.start_redis()

    def start_worker(self):
        self.worker = self._spawn(
            [PY, "-m", "celery", "-A", "nzr", "worker", "--concurrency", "2", "-l", "WARNING"],
            "worker.log",
        )

    def kill_worker(self):
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=20)

    def stop_worker(self):
        os.killpg(self.worker.pid, signal.SIGTERM)
        self.worker.wait(timeout=60)

    def start_beat(self):
        schedule = self.workdir / "beat-schedule"
        self.beat = self._spawn(
            [PY, "-m", "celery", "-A", "nzr", "beat", "-l", "WARNING", "--schedule", str(schedule)],
            "beat.log",
        )

    def stop(self):
        for proc in (self.worker, self.beat, self.redis):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)


def _wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"redis on port {port} did not start")


def _wait_processed(ids, since: float, limit: float = 180) -> dict[int, float]:
    from outbox.models import OutboxMessage

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        rows = OutboxMessage.objects.filter(pk__in=ids, processed_at__isnull=False)
        if rows.count() == len(ids):
            return {m.pk: m.processed_at.timestamp() - since for m in rows}
        time.sleep(0.2)
    raise SystemExit(f"not processed within {limit:.0f} s: {ids}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=5)
    options = parser.parse_args()
    port = _free_port()
    workdir = Path(f"/tmp/nzr-broker-loss-{uuid.uuid4().hex[:8]}")
    workdir.mkdir()
    stack = Stack(port, workdir)
    os.environ.update(stack.env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nzr.settings")
    sys.path.insert(0, str(ROOT))
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=stack.env, check=True)
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.db import transaction

    from nzr.tasks import enqueue
    from outbox.models import DeliveryProbe, OutboxMessage
    from outbox.tasks import probe

    print(
        f"windows: unstarted {settings.NZR_OUTBOX_UNSTARTED_SECONDS} s, in flight "
        f"{settings.NZR_OUTBOX_INFLIGHT_SECONDS} s; relay every 15 s; logs in {workdir}"
    )
    failed = False
    try:
        stack.start_redis()
        stack.start_beat()

        # 1. Redis restart loses the queued tasks.
        keys = [f"loss-{uuid.uuid4().hex[:8]}" for _ in range(options.messages)]
        with transaction.atomic():
            ids = [enqueue(probe, key).pk for key in keys]
        client = redis.Redis(port=port)
        queued = client.llen("celery")
        stack.restart_redis()
        lost_at = time.time()
        queued_after = redis.Redis(port=port).llen("celery")
        stack.start_worker()
        took = _wait_processed(ids, lost_at)
        runs = {k: DeliveryProbe.objects.filter(key=k).count() for k in keys}
        print(
            f"1. Redis restart: {queued} queued before, {queued_after} after; "
            f"processed {min(took.values()):.1f}-{max(took.values()):.1f} s after the loss; "
            f"runs per message {sorted(set(runs.values()))}"
        )
        failed |= set(runs.values()) != {1}

        # 2. Worker killed mid-run.
        key = f"kill-{uuid.uuid4().hex[:8]}"
        started, release = f"nzr:measure:started:{key}", f"nzr:measure:release:{key}"
        with transaction.atomic():
            message = enqueue(probe, key, started_list=started, wait_list=release)
        client = redis.Redis(port=port, socket_timeout=None)
        if client.blpop([started], timeout=60) is None:
            raise SystemExit("the blocking probe did not start")
        stack.kill_worker()
        killed_at = time.time()
        client.rpush(release, "go")  # the re-run need not block
        stack.start_worker()
        took = _wait_processed([message.pk], killed_at)[message.pk]
        message.refresh_from_db()
        count = DeliveryProbe.objects.filter(key=key).count()
        print(
            f"2. worker SIGKILL mid-run: processed {took:.1f} s after the kill; "
            f"runs started {message.runs}, effect {count} time(s)"
        )
        failed |= count != 1
        OutboxMessage.objects.filter(pk__in=[*ids, message.pk]).delete()
    finally:
        stack.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
