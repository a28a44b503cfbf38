"""No shift ever gets more bookings than its places; no reservist is ever in two
overlapping shifts. Real threads on PostgreSQL, started together with a barrier."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from requests_app.errors import OverlapError, ShiftFullError
from requests_app.models import Assignment, Invitation
from requests_app.services.booking import accept_invitation
from tests.factories import CareOrganisationFactory, region
from tests.requests_app.factories import at, invite, make_candidate, make_request

THREADS = 30


def run_together(jobs):
    """Run each job in its own thread, released at the same moment; collect outcomes."""
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

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_accepts_for_five_places_book_exactly_five():
    organisation = CareOrganisationFactory(region=region("VR09"))
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 5, "verzorgende")])
    shift = req.shifts.get()
    invitations = [invite(shift, make_candidate()) for _ in range(THREADS)]
    invitations = list(
        Invitation.objects.filter(pk__in=[i.pk for i in invitations]).select_related(
            "reservist__user"
        )
    )

    jobs = [
        (lambda inv=inv: accept_invitation(inv, actor=inv.reservist.user)) for inv in invitations
    ]
    results = run_together(jobs)

    booked = [r for r in results if isinstance(r, Assignment)]
    refused = [r for r in results if isinstance(r, ShiftFullError)]
    unexpected = [r for r in results if not isinstance(r, (Assignment, ShiftFullError))]
    assert not unexpected, unexpected
    assert len(booked) == 5
    assert len(refused) == THREADS - 5
    assert Assignment.objects.filter(shift=shift, status="confirmed").count() == 5
    assert Invitation.objects.filter(shift=shift, status="accepted").count() == 5
    req.refresh_from_db()
    assert req.status == "filled"


@pytest.mark.django_db(transaction=True)
def test_one_reservist_accepting_overlapping_shifts_at_once_gets_exactly_one():
    organisation = CareOrganisationFactory(region=region("VR09"))
    shifts = [(at(3, 7, 10 * i), at(3, 14, 10 * i), 1, "verzorgende") for i in range(6)]
    req = make_request(organisation, shifts=shifts)
    reservist = make_candidate()
    invitations = [invite(s, reservist) for s in req.shifts.all()]
    user = reservist.user

    results = run_together(
        [(lambda inv=inv: accept_invitation(inv, actor=user)) for inv in invitations]
    )

    booked = [r for r in results if isinstance(r, Assignment)]
    conflicts = [r for r in results if isinstance(r, OverlapError)]
    assert len(booked) == 1
    assert len(conflicts) == len(invitations) - 1
    assert Assignment.objects.filter(reservist=reservist, status="confirmed").count() == 1


def _naive_book(invitation, barrier):
    """The canary: check-then-insert WITHOUT locks (what the service must not do)."""
    with transaction.atomic():
        shift = invitation.shift
        booked = Assignment.objects.filter(shift=shift, status="confirmed").count()
        barrier.wait(timeout=30)  # everyone has counted before anyone inserts
        if booked >= shift.count:
            raise ShiftFullError()
        return Assignment.objects.create(
            shift=shift, reservist=invitation.reservist, start=shift.start, end=shift.end
        )


@pytest.mark.django_db(transaction=True)
def test_canary_without_the_lock_the_shift_is_overbooked():
    """Shows the race the locks prevent: unlocked counting lets everyone in."""
    organisation = CareOrganisationFactory(region=region("VR09"))
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 5, "verzorgende")])
    shift = req.shifts.get()
    n = 10
    invitations = list(
        Invitation.objects.filter(
            pk__in=[invite(shift, make_candidate()).pk for _ in range(n)]
        ).select_related("shift", "reservist")
    )
    between = threading.Barrier(n)
    results = run_together([(lambda inv=inv: _naive_book(inv, between)) for inv in invitations])
    assert sum(isinstance(r, Assignment) for r in results) == n
    assert Assignment.objects.filter(shift=shift, status="confirmed").count() > shift.count


@pytest.mark.django_db
def test_exclusion_constraint_is_the_last_line(organisation):
    """Even bypassing the service, the database refuses overlapping live bookings."""
    req = make_request(
        organisation,
        shifts=[(at(2, 7), at(2, 15), 1, "verzorgende"), (at(2, 14), at(2, 22), 1, "verzorgende")],
    )
    one, two = req.shifts.order_by("start")
    r = make_candidate()
    Assignment.objects.create(shift=one, reservist=r, start=one.start, end=one.end)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(shift=two, reservist=r, start=two.start, end=two.end)
    # a cancelled booking does not block
    Assignment.objects.filter(shift=one).update(status="cancelled")
    Assignment.objects.create(shift=two, reservist=r, start=two.start, end=two.end)


@pytest.mark.django_db
def test_back_to_back_shifts_do_not_overlap_in_the_database(organisation):
    req = make_request(
        organisation,
        shifts=[(at(2, 7), at(2, 15), 1, "verzorgende"), (at(2, 15), at(2, 23), 1, "verzorgende")],
    )
    one, two = req.shifts.order_by("start")
    r = make_candidate()
    Assignment.objects.create(shift=one, reservist=r, start=one.start, end=one.end)
    Assignment.objects.create(shift=two, reservist=r, start=two.start, end=two.end)
    assert Assignment.objects.filter(reservist=r).count() == 2


@pytest.mark.django_db(transaction=True)
def test_last_places_of_different_shifts_booked_at_once_fill_the_request():
    organisation = CareOrganisationFactory(region=region("VR09"))
    req = make_request(
        organisation,
        shifts=[(at(2, 7), at(2, 15), 1, "verzorgende"), (at(3, 7), at(3, 15), 1, "verzorgende")],
    )
    invitations = [invite(s, make_candidate()) for s in req.shifts.all()]
    invitations = list(
        Invitation.objects.filter(pk__in=[i.pk for i in invitations]).select_related(
            "reservist__user"
        )
    )
    results = run_together(
        [(lambda inv=inv: accept_invitation(inv, actor=inv.reservist.user)) for inv in invitations]
    )
    assert all(isinstance(r, Assignment) for r in results), results
    req.refresh_from_db()
    assert req.status == "filled" and req.filled_at is not None
