"""The monthly BIG re-check: due once a month, retried after a failure, never the same
reservist twice at once (real threads on PostgreSQL)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from regions import bigcheck
from regions.models import BigRegisterCheck, BigRegisterSchedule
from tests.factories import ReservistFactory
from tests.fakes.big_register import FakeBigRegister, professional

NUMBER = "19012345601"


@pytest.fixture
def fake():
    with FakeBigRegister() as server:
        server.people[NUMBER] = professional(NUMBER)
        with override_settings(
            NZR_BIG_VERIFIER="regions.big.SoapBIGVerifier", NZR_BIG_SOAP_URL=server.url
        ):
            yield server


def reservists(n):
    return [
        ReservistFactory(user=None, first_name="Anna", last_name="de Vries", big_number=NUMBER)
        for _ in range(n)
    ]


@pytest.mark.django_db
def test_each_reservist_is_checked_once_a_month(fake):
    people = reservists(3)
    now = timezone.now()
    month = now + timedelta(days=bigcheck.RECHECK_DAYS)
    # spread: first due moments lie within the month
    bigcheck.schedule_missing(now)
    for s in BigRegisterSchedule.objects.all():
        assert now <= s.due_at < month
    BigRegisterSchedule.objects.update(due_at=now)
    run_at = timezone.now()
    assert bigcheck.run_due_checks(now=run_at, limit=10)["checked"] == 3
    # run again the same moment, and two weeks later: nobody is due
    assert bigcheck.run_due_checks(now=run_at, limit=10)["checked"] == 0
    assert bigcheck.run_due_checks(now=run_at + timedelta(days=14), limit=10)["checked"] == 0
    assert BigRegisterCheck.objects.count() == 3
    assert (
        bigcheck.run_due_checks(now=timezone.now() + timedelta(days=31), limit=10)["checked"] == 3
    )
    assert BigRegisterCheck.objects.filter(reservist=people[0]).count() == 2


@pytest.mark.django_db
def test_rate_limit_per_run(fake):
    reservists(4)
    bigcheck.schedule_missing()
    BigRegisterSchedule.objects.update(due_at=timezone.now())
    later = timezone.now()
    with override_settings(NZR_BIG_CHECKS_PER_MINUTE=3):
        assert bigcheck.run_due_checks(now=later)["checked"] == 3
        assert bigcheck.run_due_checks(now=later)["checked"] == 1


@pytest.mark.django_db
def test_a_failure_is_retried_with_backoff(fake):
    (reservist,) = reservists(1)
    bigcheck.schedule_missing()
    later = timezone.now() + timedelta(days=31)
    fake.down = True
    assert bigcheck.run_due_checks(now=later, limit=5) == {"checked": 0, "failed": 1}
    schedule = BigRegisterSchedule.objects.get(reservist=reservist)
    assert schedule.attempts == 1 and "unable" in schedule.last_error
    assert timezone.now() + timedelta(minutes=4) < schedule.due_at
    assert schedule.due_at < timezone.now() + timedelta(hours=1)
    assert not BigRegisterCheck.objects.exists()
    fake.down = False
    assert bigcheck.run_due_checks(now=schedule.due_at, limit=5)["checked"] == 1
    schedule.refresh_from_db()
    assert schedule.attempts == 0


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_never_claim_the_same_reservist():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under threads need PostgreSQL")
    people = reservists(20)
    BigRegisterSchedule.objects.bulk_create(
        [BigRegisterSchedule(reservist=r, due_at=timezone.now()) for r in people]
    )
    later = timezone.now() + timedelta(minutes=1)
    barrier = threading.Barrier(4)
    claimed = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            ids = bigcheck.claim_due(8, now=later)
            with lock:
                claimed.extend(ids)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed) == 20
    assert len(set(claimed)) == len(claimed)
