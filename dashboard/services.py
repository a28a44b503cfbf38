"""Writing the weekly pool snapshot (the only data this app stores)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from dashboard.models import PoolSnapshot
from dashboard.stats import Area, pool_grouped, week_start
from registry.models import Region


def take_pool_snapshot(on: date | None = None) -> int:
    """Store this week's pool per region (idempotent: the week's rows are
    overwritten). Returns the number of rows written. One grouped query."""
    on = on or timezone.localdate()
    monday = week_start(on)
    now = timezone.now()
    rows = pool_grouped(Area(), on, ["home_region_id"])
    region_ids = set(Region.objects.values_list("pk", flat=True))
    found = {row["home_region_id"]: row for row in rows}
    with transaction.atomic():
        written = 0
        for region_id in sorted(region_ids) + [None]:
            row = found.get(region_id)
            if row is None and region_id is None:
                continue
            values = {
                "active": row["active"] if row else 0,
                "deployable": row["deployable"] if row else 0,
                "expiring_30d": row["expiring_30d"] if row else 0,
                "readiness_24h": row["readiness_24h"] if row else 0,
                "taken_at": now,
            }
            PoolSnapshot.objects.update_or_create(week=monday, region_id=region_id, defaults=values)
            written += 1
    return written


def refresh_national_figures(today: date | None = None) -> dict:
    """Recompute the national figures and put them in the cache (the beat task)."""
    from dashboard.figures import cached

    return cached(Area(), today, refresh=True)
