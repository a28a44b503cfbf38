"""Shared helpers for the benchmark scripts: Django set-up, timers, percentiles.

Benchmarks print figures; they assert nothing about time and do not run in CI.
Run them against a seeded PostgreSQL database (see bench/results.md), never the test DBs.
"""

import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nzr.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nzr_bench")
# As in production: DEBUG on keeps every query in memory and formats it for the log.
os.environ.setdefault("DJANGO_DEBUG", "0")


def setup():
    import django

    django.setup()
    from django.db import connection

    import nzr.wsgi  # noqa: F401  # as a server worker starts (it freezes the loaded objects)

    if connection.vendor != "postgresql" or not connection.settings_dict["NAME"].startswith(
        "nzr_bench"
    ):
        raise SystemExit(f"refusing to benchmark database {connection.settings_dict['NAME']!r}")


def calibration_ms(rounds: int = 5) -> float:
    """This machine's speed for pure Python: the best of ``rounds`` runs of a fixed loop
    (2,000,000 additions), in ms. Figures from machines that differ in this one differ
    for that reason (the 2-vCPU VMs of this project gave 190-290 ms)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        best = min(best, time.perf_counter() - start)
    return best * 1000


def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def report(name, seconds, target=None, unit="ms"):
    ms = [s * 1000 for s in seconds]
    line = (
        f"{name:<48} n={len(ms):<4} p50={pct(ms, 50):8.1f} {unit}  p95={pct(ms, 95):8.1f} {unit}"
        f"  max={max(ms):8.1f} {unit}  mean={statistics.fmean(ms):8.1f} {unit}"
    )
    if target:
        line += f"   (target {target})"
    print(line, flush=True)


@contextmanager
def timed(store):
    start = time.perf_counter()
    yield
    store.append(time.perf_counter() - start)


def user(email):
    from accounts.models import User

    return User.objects.get(email=email)


def token_client(email):
    from rest_framework.test import APIClient

    from accounts.services import api_token_for

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user(email))}")
    return client
