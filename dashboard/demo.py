"""Demo data of the figures: a pool trend for the past weeks (called by ``load_demo``).

The other apps' demo hooks create the reservists and requests; this one takes
this week's snapshot from them and adds earlier weeks, growing towards today,
so that the trend chart has something to show. Idempotent (update_or_create).
"""

from datetime import timedelta

from django.utils import timezone

from dashboard.models import PoolSnapshot
from dashboard.services import take_pool_snapshot
from dashboard.stats import week_start

WEEKS = 11


def load(users) -> None:
    today = timezone.localdate()
    take_pool_snapshot(today)
    this_week = week_start(today)
    current = list(PoolSnapshot.objects.filter(week=this_week))
    now = timezone.now()
    for back in range(1, WEEKS + 1):
        week = this_week - timedelta(weeks=back)
        share = 1 - back * 0.06  # the pool grew by a few per cent a week
        for snap in current:
            PoolSnapshot.objects.update_or_create(
                week=week,
                region_id=snap.region_id,
                defaults={
                    "active": round(snap.active * share),
                    "deployable": round(snap.deployable * share * 0.95),
                    "expiring_30d": round(snap.expiring_30d * share),
                    "readiness_24h": round(snap.readiness_24h * share),
                    "taken_at": now - timedelta(weeks=back),
                },
            )
