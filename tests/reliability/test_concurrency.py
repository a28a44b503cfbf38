"""Booking under contention (real threads, real PostgreSQL, a barrier, no sleeps).

- 50 simultaneous accepts on a 5-place shift: exactly 5 bookings, 45 clear refusals;
- one reservist accepting 6 overlapping shifts at once: one booking;
- cancelling a shift while its last places are taken: never above capacity, nothing
  live on a cancelled shift, no deadlock;
- a lock wait ends in a conflict within seconds, never a hang;
- a canary: the same race without the lock (check-then-insert) does overbook, which
  proves the test can see overbooking at all.
"""

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import Q

from accounts.errors import ConflictError
from registry.models import Reservist
from requests_app.errors import OverlapError, RestTimeError, ShiftFullError
from requests_app.models import Assignment, Invitation, Shift
from requests_app.services.booking import accept_invitation
from requests_app.services.requests import cancel_shift
from tests.factories import CareOrganisationFactory, make_persona, region
from tests.reliability.conftest import needs_postgres
from tests.requests_app.factories import at, invite, make_candidate, make_request

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]
LIVE = ~Q(status=Assignment.Status.CANCELLED)


def run_together(jobs, timeout=120):
    """Run each job in its own thread, all released at once by a barrier; return outcomes."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(i, job):
        try:
            barrier.wait(timeout=60)
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test asserts on
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a booking thread hangs (lock wait?)"
    return results


def _invitations(shift, candidates):
    ids = [invite(shift, c).pk for c in candidates]
    return list(Invitation.objects.filter(pk__in=ids).select_related("reservist__user"))


def _accept(inv):
    return lambda: accept_invitation(inv, actor=inv.reservist.user)


@pytest.fixture
def organisation_vr09(db):
    return CareOrganisationFactory(region=region("VR09"))


def test_fifty_accepts_on_five_places_book_exactly_five(organisation_vr09):
    req = make_request(organisation_vr09, shifts=[(at(2, 7), at(2, 15), 5, "verzorgende")])
    shift = req.shifts.get()
    invitations = _invitations(shift, [make_candidate() for _ in range(50)])

    results = run_together([_accept(inv) for inv in invitations])

    booked = [r for r in results if isinstance(r, Assignment)]
    full = [r for r in results if isinstance(r, ShiftFullError)]
    assert len(booked) == 5, results
    assert len(full) == 45, [r for r in results if not isinstance(r, (Assignment, ShiftFullError))]
    assert all(str(e) for e in full), "every refusal says why"
    assert Assignment.objects.filter(LIVE, shift=shift).count() == 5
    assert Invitation.objects.filter(shift=shift, status="accepted").count() == 5


def test_one_reservist_accepting_overlapping_shifts_at_once_gets_one(organisation_vr09):
    candidate = make_candidate()
    shifts = []
    for hour in (7, 8, 9, 10, 11, 12):
        req = make_request(
            organisation_vr09, shifts=[(at(3, hour), at(3, hour + 6), 3, "verzorgende")]
        )
        shifts.append(req.shifts.get())
    invitations = [
        Invitation.objects.select_related("reservist__user").get(pk=invite(s, candidate).pk)
        for s in shifts
    ]

    results = run_together([_accept(inv) for inv in invitations])

    assert sum(isinstance(r, Assignment) for r in results) == 1, results
    assert all(isinstance(r, (Assignment, OverlapError, RestTimeError)) for r in results), results
    assert Assignment.objects.filter(LIVE, reservist=candidate).count() == 1


@pytest.mark.parametrize("round_", range(5))
def test_cancel_and_accept_races_never_exceed_capacity(organisation_vr09, round_):
    """The organisation cancels a shift while reservists take its last places."""
    member = make_persona("care_org", organisation=organisation_vr09)
    req = make_request(
        organisation_vr09,
        shifts=[(at(4, 7), at(4, 15), 3, "verzorgende"), (at(5, 7), at(5, 15), 3, "verzorgende")],
    )
    shift, other = req.shifts.order_by("start")
    invitations = _invitations(shift, [make_candidate() for _ in range(8)])
    jobs = [_accept(inv) for inv in invitations]
    jobs.insert(round_, lambda: cancel_shift(Shift.objects.get(pk=shift.pk), actor=member))

    results = run_together(jobs)

    deadlocks = [r for r in results if isinstance(r, OperationalError)]
    assert not deadlocks, f"lock-order problem: {deadlocks}"
    unexpected = [r for r in results if not isinstance(r, (Assignment, Shift, ConflictError))]
    assert not unexpected, unexpected
    shift.refresh_from_db()
    live = Assignment.objects.filter(LIVE, shift=shift).count()
    assert live <= shift.count
    if shift.cancelled_at is not None:
        assert live == 0, "a cancelled shift keeps no live bookings"
    assert other.assignments.count() == 0


@pytest.mark.parametrize("held", ["shift", "reservist"])
def test_a_lock_wait_ends_in_a_conflict_within_seconds(organisation_vr09, held):
    """Someone holds the shift row (e.g. a long cancellation) or the reservist's row: an
    accept must not hang (the lock timeout is set before the first lock is asked for)."""
    req = make_request(organisation_vr09, shifts=[(at(2, 7), at(2, 15), 2, "verzorgende")])
    shift = req.shifts.get()
    (inv,) = _invitations(shift, [make_candidate()])
    locked, release = threading.Event(), threading.Event()
    row = (
        Shift.objects.filter(pk=shift.pk)
        if held == "shift"
        else Reservist.objects.filter(pk=inv.reservist_id)
    )

    def holder():
        try:
            with transaction.atomic():
                row.select_for_update().get()
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert locked.wait(timeout=30)
    started = time.monotonic()
    outcome: list = []

    def acceptor():
        try:
            outcome.append(accept_invitation(inv, actor=inv.reservist.user))
        except Exception as exc:  # noqa: BLE001
            outcome.append(exc)
        finally:
            connection.close()

    waiter = threading.Thread(target=acceptor)
    waiter.start()
    waiter.join(timeout=15)
    hung = waiter.is_alive()
    elapsed = time.monotonic() - started
    release.set()
    thread.join(timeout=30)
    waiter.join(timeout=30)
    assert not hung, "accept_invitation waited more than 15 s for a row lock"
    assert isinstance(outcome[0], ConflictError), outcome
    assert outcome[0].code == "busy"
    assert elapsed < 15


def test_canary_without_the_lock_the_same_race_overbooks(organisation_vr09):
    """Check-then-insert with no row lock: the race the booking service prevents."""
    req = make_request(organisation_vr09, shifts=[(at(2, 7), at(2, 15), 5, "verzorgende")])
    shift = req.shifts.get()
    candidates = [make_candidate() for _ in range(30)]
    gate = threading.Barrier(len(candidates))

    def unlocked_book(reservist):
        def job():
            with transaction.atomic():
                taken = Assignment.objects.filter(LIVE, shift=shift).count()
                gate.wait(timeout=60)  # everyone has counted before anyone inserts
                if taken >= shift.count:
                    raise ShiftFullError()
                return Assignment.objects.create(
                    shift=shift, reservist=reservist, start=shift.start, end=shift.end
                )

        return job

    results = run_together([unlocked_book(c) for c in candidates])

    assert Assignment.objects.filter(LIVE, shift=shift).count() > shift.count, (
        "the canary did not overbook: the concurrency tests could not detect a race"
    )
    assert sum(isinstance(r, Assignment) for r in results) == 30
