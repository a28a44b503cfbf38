"""The "dashboard refresh": weekly pool snapshots for the trend."""

from datetime import timedelta

from django.utils import timezone

from dashboard.models import PoolSnapshot
from dashboard.services import take_pool_snapshot
from dashboard.stats import Area, pool_trend, week_key, week_start
from dashboard.tasks import BEAT_SCHEDULE, refresh_pool_snapshot
from registry.models import Region
from tests.factories import ReservistFactory


def test_snapshot_stores_each_region_once_per_week(picture):
    written = take_pool_snapshot()
    assert written == 25
    monday = week_start(timezone.localdate())
    assert PoolSnapshot.objects.filter(week=monday).count() == 25
    vr09 = PoolSnapshot.objects.get(week=monday, region__code="VR09")
    assert vr09.active == 3 and vr09.expiring_30d == 1
    # Running again in the same week overwrites, it does not add rows.
    ReservistFactory()
    take_pool_snapshot()
    assert PoolSnapshot.objects.filter(week=monday).count() == 25
    assert PoolSnapshot.objects.get(week=monday, region__code="VR09").active == 4


def test_beat_task_takes_the_snapshot(picture):
    assert "dashboard refresh" in BEAT_SCHEDULE
    assert BEAT_SCHEDULE["dashboard refresh"]["task"] == refresh_pool_snapshot.name
    refresh_pool_snapshot.delay()
    assert PoolSnapshot.objects.filter(region__code="VR13").get().active == 2


def test_trend_sums_past_snapshots_and_adds_this_week(picture):
    today = timezone.localdate()
    last_week = week_start(today) - timedelta(weeks=1)
    for code, active in (("VR09", 10), ("VR13", 5)):
        PoolSnapshot.objects.create(
            week=last_week,
            region=Region.objects.get(code=code),
            active=active,
            deployable=1,
            taken_at=timezone.now(),
        )
    current = {"active": 7, "deployable": 3, "expiring_30d": 1}
    national = pool_trend(Area(), current, today)
    assert [(r["key"], r["active"]) for r in national] == [
        (week_key(last_week), 15),
        (week_key(week_start(today)), 7),
    ]
    vr13 = Region.objects.get(code="VR13")
    regional = pool_trend(Area(region_ids=frozenset([vr13.pk])), current, today)
    assert regional[0]["active"] == 5


def test_demo_trend_is_idempotent(picture):
    from dashboard import demo

    demo.load({})
    demo.load({})
    assert PoolSnapshot.objects.count() == 25 * (demo.WEEKS + 1)
    monday = week_start(timezone.localdate())
    earlier = PoolSnapshot.objects.get(week=monday - timedelta(weeks=5), region__code="VR09")
    assert earlier.active <= PoolSnapshot.objects.get(week=monday, region__code="VR09").active


def test_snapshots_are_read_only_in_the_admin(client, superuser, picture):
    take_pool_snapshot()
    client.force_login(superuser)
    response = client.get("/admin/dashboard/poolsnapshot/")
    assert response.status_code == 200
    assert "Utrecht" in response.content.decode()
    assert client.get("/admin/dashboard/poolsnapshot/add/").status_code == 403
