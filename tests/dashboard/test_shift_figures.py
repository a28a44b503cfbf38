"""The shift figures PostgreSQL keeps (``dashboard.rollup``: triggers append a row per
change) must say what counting the tables says, after every kind of change: shifts
made, moved, resized, cancelled and deleted, bookings made, completed, cancelled and
deleted, requests through every status and to another region, bulk and raw updates,
rolled-back transactions; and after compaction and a rebuild, also beside bookings
made at the same time in other threads."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.db.models import F

from dashboard import rollup
from dashboard.models import ShiftFigure
from dashboard.stats import Area, _shift_counts_counted, _shift_counts_kept, shift_rows
from registry.models import Profile
from requests_app.models import Assignment, DeploymentRequest, Shift
from tests.dashboard.factories import book, local, make_request, make_shift
from tests.factories import ReservistFactory, region

pytestmark = pytest.mark.django_db

WINDOWS = [(None, None), (date(2026, 3, 3), date(2026, 3, 9)), (date(2026, 3, 9), None)]


def _areas():
    return [Area(), Area(region_ids=frozenset({region("VR09").pk})), Area(region_ids=frozenset())]


def agree(label=""):
    """Kept and counted figures are the same for every grouping, area and window;
    returns the national weekly figures (to show that a step changed something)."""
    for group_by in ("week", "region", "profile"):
        for area in _areas():
            for since, until in WINDOWS:
                kept = _shift_counts_kept(group_by, area, since, until)
                counted = _shift_counts_counted(group_by, area, since, until)
                assert kept == counted, (label, group_by, area, since, until)
    return _shift_counts_counted("week", Area())


@pytest.fixture
def people(db):
    return [ReservistFactory(user=None) for _ in range(6)]


def test_every_kind_of_change_is_counted(picture, organisation, other_organisation, people):
    before = agree("the picture")
    request = make_request(organisation, status="approved")
    first = make_shift(request, "vpk-algemeen", local(2026, 3, 3, 7, 0), 4)
    night = make_shift(request, "verzorgende", local(2026, 3, 8, 23, 30), 2)  # Sunday night
    book(first, people[0])
    book(first, people[1], status="completed")
    booked = book(night, people[2])
    after = agree("new shifts and bookings")
    assert after != before

    first.count = 6
    first.save()
    agree("more places")
    Shift.objects.filter(pk=night.pk).update(cancelled_at=local(2026, 3, 1, 12, 0))
    agree("shift cancelled")
    Shift.objects.filter(pk=night.pk).update(cancelled_at=None)
    agree("cancellation undone")
    # Moved into the next week, bookings with it (the services move both).
    Shift.objects.filter(pk=night.pk).update(start=F("start") + timedelta(hours=1))
    Assignment.objects.filter(shift=night).update(start=F("start") + timedelta(hours=1))
    assert agree("moved past midnight") != after
    night.refresh_from_db()
    night.profile = Profile.objects.get(code="vpk-algemeen")
    night.save()
    agree("another profile, bookings follow")

    booked.status = Assignment.Status.COMPLETED
    booked.save()
    agree("completed")
    Assignment.objects.filter(pk=booked.pk).update(status=Assignment.Status.CANCELLED)
    agree("cancelled booking")
    Assignment.objects.filter(shift=first, status="confirmed").delete()
    agree("booking deleted")
    Assignment.objects.bulk_create(
        [Assignment(shift=first, reservist=p, start=first.start, end=first.end) for p in people[3:]]
    )
    agree("bulk bookings")
    Shift.objects.filter(request=request).update(count=F("count") + 1)
    agree("bulk resize")

    request.region = region("VR13")
    request.save()
    agree("request to another region, bookings follow")
    for status in DeploymentRequest.Status.values:
        DeploymentRequest.objects.filter(pk=request.pk).update(status=status)
        agree(f"request {status}")
    DeploymentRequest.objects.filter(pk=request.pk).update(status="approved")

    draft = make_request(other_organisation, status="draft")
    make_shift(draft, "vpk-algemeen", local(2026, 3, 4, 8, 0), 3)
    agree("draft")
    draft.status = "submitted"
    draft.save()
    agree("submitted")
    empty = make_shift(draft, "verzorgende", local(2026, 3, 5, 8, 0), 2)
    empty.delete()
    agree("shift deleted")
    draft.delete()
    agree("request deleted with its shifts")

    with pytest.raises(RuntimeError), transaction.atomic():
        make_shift(request, "vpk-algemeen", local(2026, 3, 6, 8, 0), 9)
        raise RuntimeError("rolled back")
    agree("rolled back")


def test_compaction_and_rebuild_keep_the_figures(picture, organisation, people):
    request = make_request(organisation, status="approved")
    shift = make_shift(request, "vpk-algemeen", local(2026, 3, 3, 7, 0), 4)
    for person in people[:3]:
        Assignment.objects.filter(pk=book(shift, person).pk).update(status="cancelled")
    figures = agree("changes")
    rows = ShiftFigure.objects.count()
    before, after = rollup.compact()
    assert before == rows and after < rows
    assert ShiftFigure.objects.count() == after
    assert agree("compacted") == figures
    assert not ShiftFigure.objects.filter(requested=0, planned=0, deployed=0).exists()
    ShiftFigure.objects.filter(pk=ShiftFigure.objects.first().pk).update(requested=999)
    assert _shift_counts_kept("week", Area()) != _shift_counts_counted("week", Area())
    rollup.rebuild()
    assert agree("rebuilt") == figures


def test_the_figures_api_reads_the_kept_figures(picture, api_as, national_coordinator, settings):
    """The API answers from the kept rows: a row changed behind its back shows."""
    settings.NZR_STATS_CACHE_SECONDS = 0
    url = "/api/v1/stats/shifts/?group_by=region"
    rows = {r["key"]: r for r in api_as(national_coordinator).get(url).json()["results"]}
    assert rows["VR09"]["requested"] == 5  # the picture: 3 + 2
    vr09 = region("VR09")
    ShiftFigure.objects.create(day=date(2026, 3, 2), region_id=vr09.pk, requested=10)
    rows = {r["key"]: r for r in api_as(national_coordinator).get(url).json()["results"]}
    assert rows["VR09"]["requested"] == 15
    assert shift_rows("region", Area(region_ids=frozenset({vr09.pk})))[0]["requested"] == 15


@pytest.mark.django_db(transaction=True)
def test_compaction_beside_concurrent_bookings_loses_nothing(reference, organisation):
    """Four threads book (each in its own transaction, on shifts of their own) while a
    fifth compacts again and again: every booking is counted once."""
    request = make_request(organisation, status="approved")
    shifts = [
        make_shift(request, "vpk-algemeen", local(2026, 3, 2 + i, 8, 0), 30) for i in range(4)
    ]
    people = [ReservistFactory(user=None) for _ in range(4 * 12)]
    start = threading.Barrier(5)
    done = threading.Event()
    errors = []
    compactions = []

    def booker(i):
        try:
            start.wait()
            for person in people[i * 12 : (i + 1) * 12]:
                with transaction.atomic():
                    book(shifts[i], person)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    def compactor():
        try:
            start.wait()
            while not done.is_set():
                compactions.append(rollup.compact())
            compactions.append(rollup.compact())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=booker, args=(i,)) for i in range(4)]
    worker = threading.Thread(target=compactor)
    for thread in [*threads, worker]:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    worker.join()
    assert errors == []
    assert len(compactions) >= 2
    figures = agree("after the threads")
    week = figures[date(2026, 3, 2)]
    assert week["planned"] == 48 and week["requested"] == 120
