"""Sign-ups, accepts, cancellations, more places and the wait-list's promotion on one
shift at once (issue 20): never more live bookings than places, never two overlapping
bookings of one reservist, a wait-list entry booked exactly when its reservist holds the
place. Real threads on PostgreSQL, released together by a barrier."""

import pytest
from django.db.models import Q

from requests_app import waitlist
from requests_app.errors import BookingBusyError, OverlapError, ShiftFullError
from requests_app.models import Assignment, Invitation, Shift, WaitlistEntry
from requests_app.services.booking import accept_invitation, cancel_assignment, sign_up
from requests_app.services.capacity import change_shift_capacity
from tests.requests_app.factories import at, invite, make_candidate, make_request
from tests.requests_app.test_booking_concurrency import run_together

REFUSALS = (ShiftFullError, OverlapError, BookingBusyError)


def _no_overlaps():
    live = list(
        Assignment.objects.filter(status__in=["confirmed", "completed"]).values_list(
            "reservist_id", "start", "end"
        )
    )
    for i, (r1, s1, e1) in enumerate(live):
        for r2, s2, e2 in live[i + 1 :]:
            assert not (r1 == r2 and s1 < e2 and s2 < e1), (r1, s1, e1, s2, e2)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_sign_up_accept_and_wait_list_promotion_never_overbook(organisation, care_org_user, round_):
    shift = make_request(
        organisation, shifts=[(at(3, 7), at(3, 15), 3, "verzorgende")]
    ).shifts.get()
    holders = [make_candidate() for _ in range(3)]
    booked = [
        Assignment.objects.create(shift=shift, reservist=r, start=shift.start, end=shift.end)
        for r in holders
    ]
    waiting = [make_candidate() for _ in range(4)]
    for r in waiting:
        waitlist.join(shift, r, actor=r.user)
    # two of those waiting are also after an overlapping shift of their own at the same moment
    clash = make_request(
        organisation, shifts=[(at(3, 9), at(3, 13), 2, "verzorgende")]
    ).shifts.get()
    clash_invite = invite(clash, waiting[1])
    signers = [make_candidate() for _ in range(8)]
    invited = [invite(shift, make_candidate()) for _ in range(6)]
    invited = list(
        Invitation.objects.filter(pk__in=[i.pk for i in invited]).select_related("reservist__user")
    )

    jobs = [
        lambda: cancel_assignment(booked[0], actor=holders[0].user),
        lambda: cancel_assignment(booked[1], actor=holders[1].user),
        lambda: change_shift_capacity(shift, 5, by=care_org_user, reason="Meer uitval"),
        lambda: sign_up(clash, waiting[0], actor=waiting[0].user),
        lambda: accept_invitation(clash_invite, actor=waiting[1].user),
        *[(lambda r=r: sign_up(shift, r, actor=r.user)) for r in signers],
        *[(lambda i=i: accept_invitation(i, actor=i.reservist.user)) for i in invited],
    ]
    results = run_together(jobs)

    unexpected = [r for r in results if not isinstance(r, (Assignment, Shift, *REFUSALS))]
    assert not unexpected, unexpected
    shift.refresh_from_db()
    assert shift.count == 5
    live = Assignment.objects.filter(shift=shift, status__in=["confirmed", "completed"])
    assert live.count() <= shift.count
    # the places freed went somewhere: at least to those waiting who still fit
    assert live.count() >= 3
    _no_overlaps()
    holds = set(live.values_list("reservist_id", flat=True))
    for entry in WaitlistEntry.objects.filter(shift=shift):
        if entry.status == "booked":
            assert entry.reservist_id in holds
        else:
            assert entry.status == "waiting"
    assert not WaitlistEntry.objects.filter(
        Q(status="waiting"), reservist_id__in=holds, shift=shift
    ).exists()
