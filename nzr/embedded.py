"""``make run``'s background half: a Celery worker with beat on a broker in a local folder.

Without Redis (the embedded default) the periodic schedule must still run: invitation
expiry, next waves, reminders, crisis waves, the escalation of unfilled requests and the
outbox relay. ``python -m nzr.embedded HOST:PORT`` starts two processes with
``NZR_EMBEDDED=1`` in their environment:

- a Celery worker with ``--beat`` in one process (``--pool solo``), on kombu's
  ``filesystem://`` transport: messages are files under ``.nzr-run/broker/``;
- Django's ``runserver``, whose tasks go to that broker instead of running in-process.

Both use the same SQLite file (settings open it with ``transaction_mode=IMMEDIATE`` and
WAL in this mode, so the two processes queue for writes instead of failing). Ctrl-C, or
either process ending, stops both.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_dir() -> Path:
    """Where the broker's folders and beat's schedule file live (``NZR_RUN_DIR``)."""
    return Path(os.environ.get("NZR_RUN_DIR") or ROOT / ".nzr-run")


def broker_folders(base: Path | None = None) -> dict[str, str]:
    """The filesystem transport's options: one folder that both sides read and write."""
    folder = (base or run_dir()) / "broker"
    for sub in ("processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(folder / "control"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }


def worker_command(base: Path | None = None, loglevel: str = "INFO") -> list[str]:
    """The worker with beat in one process; no gossip, mingle or remote control (the
    filesystem transport has no broadcast)."""
    base = base or run_dir()
    base.mkdir(parents=True, exist_ok=True)
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "nzr",
        "worker",
        "--beat",
        "--schedule",
        str(base / "celerybeat-schedule"),
        "--pool",
        "solo",
        "--concurrency",
        "1",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-l",
        loglevel,
    ]


def embedded_env(base: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["NZR_EMBEDDED"] = "1"
    env["NZR_RUN_DIR"] = str(base or run_dir())
    env.pop("CELERY_BROKER_URL", None)
    return env


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str]) -> int:
    address = argv[0] if argv else "127.0.0.1:8000"
    env = embedded_env()
    worker = subprocess.Popen(worker_command(), cwd=ROOT, env=env)  # noqa: S603 (own argv)
    server = subprocess.Popen(  # noqa: S603 (own argv)
        [sys.executable, "manage.py", "runserver", address], cwd=ROOT, env=env
    )
    print(
        f"Background jobs and their schedule run in a Celery worker (pid {worker.pid}) "
        f"on the broker in {run_dir() / 'broker'}.",
        flush=True,
    )
    # Ctrl-C reaches both children (same process group); wait for them to finish.
    signal.signal(signal.SIGINT, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        while True:
            for process in (server, worker):
                try:
                    code = process.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    continue
                other = worker if process is server else server
                stop(other)
                return code
    finally:
        stop(server)
        stop(worker)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
