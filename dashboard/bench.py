"""Timing of the national figures, for the benchmarks in bench/ (no assertions).

    from dashboard.bench import measure
    print(measure(user))   # user: a national coordinator with MFA

Returns server-side times in milliseconds: ``compute`` (all figures straight
from the database, what the "dashboard refresh" task does), ``page_cold``
(the page with an empty figures cache), ``page_warm`` (median of the page
served from the cache, as users get it) and the query count of each.
"""

import statistics
import time

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dashboard import figures, stats

URL = "/figures/"


def _timed(fn):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = fn()
        elapsed = (time.perf_counter() - start) * 1000
    return result, round(elapsed), len(queries)


def measure(user, runs: int = 5, host: str = "localhost") -> dict:
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    _, compute_ms, compute_q = _timed(lambda: figures.compute(stats.Area()))
    cache.delete(figures._cache_key(stats.Area(), figures.timezone.localdate()))
    response, cold_ms, cold_q = _timed(lambda: client.get(URL))
    warm = [_timed(lambda: client.get(URL)) for _ in range(runs)]
    return {
        "status": response.status_code,
        "compute_ms": compute_ms,
        "compute_queries": compute_q,
        "page_cold_ms": cold_ms,
        "page_cold_queries": cold_q,
        "page_warm_ms": round(statistics.median(ms for _r, ms, _q in warm)),
        "page_warm_queries": warm[-1][2],
    }
