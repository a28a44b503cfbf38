"""Changing a shift's places while reservists accept (real threads, real PostgreSQL,
a barrier, no sleeps).

- many accepts racing a decrease: the live bookings never exceed the final number of
  places, whichever commits first; a refused decrease was refused because more were
  already booked;
- a decrease below bookings committed before the race is always refused;
- accepts racing an increase: never above the final places, no deadlock;
- a canary: the same decrease WITHOUT the shift lock (count, then update) overbooks,
  which proves the test can see the race at all.
"""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import Q

from accounts.errors import ConflictError
from requests_app.errors import CapacityBelowBookingsError
from requests_app.models import Assignment, Shift
from requests_app.services.capacity import change_shift_capacity
from tests.factories import CareOrganisationFactory, make_persona, region
from tests.reliability.conftest import needs_postgres
from tests.reliability.test_concurrency import _accept, _invitations, run_together
from tests.requests_app.factories import at, make_candidate, make_request

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]
LIVE = ~Q(status=Assignment.Status.CANCELLED)


@pytest.fixture
def organisation_vr09(db):
    return CareOrganisationFactory(region=region("VR09"))


def _change(shift, count, member):
    def job():
        return change_shift_capacity(
            Shift.objects.get(pk=shift.pk), count, by=member, reason="race"
        )

    return job


def _outcomes(results):
    deadlocks = [r for r in results if isinstance(r, OperationalError)]
    assert not deadlocks, f"lock-order problem: {deadlocks}"
    unexpected = [r for r in results if not isinstance(r, (Assignment, Shift, ConflictError))]
    assert not unexpected, unexpected


@pytest.mark.parametrize("round_", range(4))
def test_accepts_racing_a_decrease_never_exceed_the_final_places(organisation_vr09, round_):
    member = make_persona("care_org", organisation=organisation_vr09)
    req = make_request(organisation_vr09, shifts=[(at(4, 7), at(4, 15), 10, "verzorgende")])
    shift = req.shifts.get()
    invitations = _invitations(shift, [make_candidate() for _ in range(16)])
    jobs = [_accept(inv) for inv in invitations]
    jobs.insert(round_ * 5, _change(shift, 4, member))

    results = run_together(jobs)

    _outcomes(results)
    change = results[round_ * 5]
    shift.refresh_from_db()
    live = Assignment.objects.filter(LIVE, shift=shift).count()
    assert live <= shift.count
    if isinstance(change, Shift):
        assert shift.count == 4 and live <= 4
    else:
        assert isinstance(change, CapacityBelowBookingsError), change
        assert shift.count == 10
        assert live > 4, "a refused decrease saw more than 4 bookings, and bookings only grow"
    booked = sum(isinstance(r, Assignment) for r in results)
    assert booked == live


def test_a_decrease_below_committed_bookings_is_refused_during_a_race(organisation_vr09):
    member = make_persona("care_org", organisation=organisation_vr09)
    req = make_request(organisation_vr09, shifts=[(at(4, 7), at(4, 15), 6, "verzorgende")])
    shift = req.shifts.get()
    first = _invitations(shift, [make_candidate() for _ in range(3)])
    for inv in first:
        _accept(inv)()
    later = _invitations(shift, [make_candidate() for _ in range(10)])
    jobs = [_accept(inv) for inv in later]
    jobs.insert(5, _change(shift, 2, member))

    results = run_together(jobs)

    _outcomes(results)
    assert isinstance(results[5], CapacityBelowBookingsError), results[5]
    shift.refresh_from_db()
    assert shift.count == 6
    assert Assignment.objects.filter(LIVE, shift=shift).count() == 6


def test_accepts_racing_an_increase_stay_within_the_places(organisation_vr09):
    member = make_persona("care_org", organisation=organisation_vr09)
    req = make_request(organisation_vr09, shifts=[(at(4, 7), at(4, 15), 2, "verzorgende")])
    shift = req.shifts.get()
    invitations = _invitations(shift, [make_candidate() for _ in range(12)])
    jobs = [_accept(inv) for inv in invitations]
    jobs.insert(6, _change(shift, 5, member))

    results = run_together(jobs)

    _outcomes(results)
    shift.refresh_from_db()
    assert shift.count == 5, results[6]
    live = Assignment.objects.filter(LIVE, shift=shift).count()
    assert 2 <= live <= 5


def test_canary_a_decrease_without_the_lock_overbooks(organisation_vr09):
    """Count the bookings, let others book, then write the smaller number: the race the
    shift lock in change_shift_capacity prevents."""
    req = make_request(organisation_vr09, shifts=[(at(4, 7), at(4, 15), 6, "verzorgende")])
    shift = req.shifts.get()
    first = _invitations(shift, [make_candidate() for _ in range(2)])
    for inv in first:
        _accept(inv)()
    later = _invitations(shift, [make_candidate() for _ in range(3)])
    counted, booked_meanwhile = threading.Event(), threading.Event()
    outcome = {}

    def unlocked_decrease():
        try:
            with transaction.atomic():
                taken = Assignment.objects.filter(LIVE, shift=shift).count()
                counted.set()
                assert booked_meanwhile.wait(timeout=60)
                if taken <= 2:
                    Shift.objects.filter(pk=shift.pk).update(count=2)
            outcome["decrease"] = "done"
        finally:
            connection.close()

    thread = threading.Thread(target=unlocked_decrease)
    thread.start()
    assert counted.wait(timeout=60)
    for inv in later:  # the real service: they lock the shift, but nobody else holds it
        _accept(inv)()
    booked_meanwhile.set()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert outcome == {"decrease": "done"}
    shift.refresh_from_db()
    assert Assignment.objects.filter(LIVE, shift=shift).count() == 5 > shift.count == 2, (
        "the canary did not overbook: the capacity race tests could not detect a race"
    )
