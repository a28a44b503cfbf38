"""The monthly BIG re-check never asks about the same reservist twice at once: real
threads on PostgreSQL against the local fake of the register."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from regions import big, bigcheck
from regions.models import BigRegisterCheck, BigRegisterSchedule
from tests.factories import ReservistFactory
from tests.fakes.big_register import FakeBigRegister, professional

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: row locks under threads"
)


@pytest.fixture
def fake():
    with FakeBigRegister() as server:
        yield server


def due_nurses(fake, n):
    people = []
    for i in range(n):
        number = f"191{i:08d}"
        fake.people[number] = professional(number)
        people.append(
            ReservistFactory(user=None, first_name="Anna", last_name="de Vries", big_number=number)
        )
    bigcheck.schedule_missing()
    BigRegisterSchedule.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    return people


def in_threads(jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(i, job):
        try:
            barrier.wait(timeout=30)
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_runs_at_once_ask_about_each_reservist_once(fake):
    people = due_nurses(fake, 24)
    verifier = big.SoapBIGVerifier(url=fake.url)
    results = in_threads(
        [lambda: bigcheck.run_due_checks(limit=100, verifier=verifier) for _ in range(6)]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["checked"] for r in results) == 24
    assert sorted(fake.requests) == sorted(p.big_number for p in people)
    assert BigRegisterCheck.objects.count() == 24


class HeldVerifier(big.SoapBIGVerifier):
    """The SOAP verifier, waiting before it asks until the test lets it go."""

    def __init__(self, url):
        super().__init__(url=url)
        self.arrived = threading.Event()
        self.release = threading.Event()

    def verify(self, *args, **kwargs):
        self.arrived.set()
        assert self.release.wait(timeout=30)
        return super().verify(*args, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_a_run_while_another_is_asking_skips_its_reservists(fake):
    (anna,) = due_nurses(fake, 1)
    held = HeldVerifier(fake.url)
    first = threading.Thread(
        target=lambda: (bigcheck.run_due_checks(verifier=held), connection.close())
    )
    first.start()
    try:
        assert held.arrived.wait(timeout=30)
        # The first run has claimed Anna and is asking the register about her.
        assert bigcheck.run_due_checks(verifier=big.SoapBIGVerifier(url=fake.url)) == {
            "checked": 0,
            "failed": 0,
        }
    finally:
        held.release.set()
        first.join(timeout=60)
    assert fake.requests == [anna.big_number]
    assert BigRegisterCheck.objects.filter(reservist=anna).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_claim_skips_rows_another_claim_holds_instead_of_waiting(fake):
    people = due_nurses(fake, 4)
    held_ids = {p.pk for p in people[:2]}
    locked = threading.Event()
    release = threading.Event()

    def hold_two():
        with transaction.atomic():
            list(BigRegisterSchedule.objects.select_for_update().filter(reservist_id__in=held_ids))
            locked.set()
            release.wait(timeout=30)
        connection.close()

    holder = threading.Thread(target=hold_two)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with connection.cursor() as cursor:  # waiting on a lock would fail, not hang
            cursor.execute("SET lock_timeout = '2s'")
        claimed = bigcheck.claim_due(10)
    finally:
        release.set()
        holder.join(timeout=60)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert set(claimed) == {p.pk for p in people[2:]}
