"""Changing a shift's places (requests_app.services.capacity): who may, in which states,
what happens to bookings, invitations, the request's fill state and the next wave."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from outbox.models import OutboxMessage
from requests_app.errors import (
    CapacityBelowBookingsError,
    RequestError,
    RequestNotAllowed,
    RequestStateError,
    ShiftFullError,
)
from requests_app.models import Assignment, DeploymentRequest, Invitation, Shift
from requests_app.services import accept_invitation, change_shift_capacity
from tests.requests_app.factories import at, invite, make_candidate, make_request

pytestmark = pytest.mark.django_db


def _shift(organisation, count=3, status="approved", start=None):
    start = start or at(2, 7)
    req = make_request(
        organisation,
        status=status,
        shifts=[(start, start + timedelta(hours=8), count, "verzorgende")],
    )
    return req.shifts.get()


def _book(shift, n):
    people = [make_candidate() for _ in range(n)]
    for p in people:
        Assignment.objects.create(shift=shift, reservist=p, start=shift.start, end=shift.end)
    return people


def _next_waves(shift):
    return OutboxMessage.objects.filter(task="requests_app.tasks.next_wave", args=[shift.pk])


def test_owner_raises_the_places_and_the_change_is_logged(organisation, care_org_user):
    shift = _shift(organisation, count=2)

    change_shift_capacity(shift, 5, by=care_org_user, reason="Tweede afdeling erbij")

    shift.refresh_from_db()
    assert shift.count == 5
    entry = AuditEntry.objects.get(action="shift.capacity_changed", object_id=str(shift.pk))
    assert entry.actor == care_org_user
    assert entry.reason == "Tweede afdeling erbij"
    assert entry.data == {"old": 2, "new": 5, "booked": 0}


def test_raising_sends_a_new_invitation_wave_after_commit(
    organisation, care_org_user, django_capture_on_commit_callbacks
):
    shift = _shift(organisation, count=1)
    (booked,) = _book(shift, 1)
    shift.request.status = DeploymentRequest.Status.FILLED
    shift.request.save(update_fields=["status"])
    candidates = [make_candidate() for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        change_shift_capacity(shift, 2, by=care_org_user, reason="")

    assert _next_waves(shift).count() == 1
    invited = set(Invitation.objects.filter(shift=shift).values_list("reservist_id", flat=True))
    assert invited == {c.pk for c in candidates}, "the booked reservist is not invited again"
    shift.request.refresh_from_db()
    assert shift.request.status == "approved", "a filled request with an open place reopens"


def test_raising_asks_again_those_withdrawn_when_the_shift_filled(
    organisation, care_org_user, django_capture_on_commit_callbacks
):
    """They had said nothing yet when the last place went: when places open again they
    are the first to ask (same ranking), on their own invitation, and may accept."""
    shift = _shift(organisation, count=1)
    first, second, third = make_candidate(), make_candidate(), make_candidate()
    invitations = {p.pk: invite(shift, p) for p in (first, second, third)}
    accept_invitation(invitations[first.pk], actor=first.user)  # fills the shift
    assert set(
        Invitation.objects.filter(shift=shift, status="withdrawn").values_list(
            "reservist_id", flat=True
        )
    ) == {second.pk, third.pk}

    with django_capture_on_commit_callbacks(execute=True):
        change_shift_capacity(shift, 3, by=care_org_user, reason="Meer handen nodig")

    again = Invitation.objects.filter(shift=shift, reservist__in=[second, third])
    assert sorted(again.values_list("status", flat=True)) == ["pending", "pending"]
    assert {inv.pk for inv in again} == {invitations[second.pk].pk, invitations[third.pk].pk}
    assert all(inv.wave == 2 and inv.answered_at is None for inv in again)
    assert all(inv.expires_at > timezone.now() for inv in again)
    entry = AuditEntry.objects.get(action="invitations.sent", object_id=str(shift.pk))
    assert entry.data["asked_again"] == 2
    accept_invitation(invitations[second.pk], actor=second.user)
    assert shift.assignments.filter(status="confirmed").count() == 2


def test_a_declined_invitation_is_not_asked_again(
    organisation, care_org_user, django_capture_on_commit_callbacks
):
    from requests_app.services import decline_invitation

    shift = _shift(organisation, count=1)
    first, no = make_candidate(), make_candidate()
    booked, declined = invite(shift, first), invite(shift, no)
    decline_invitation(declined, actor=no.user)
    accept_invitation(booked, actor=first.user)

    with django_capture_on_commit_callbacks(execute=True):
        change_shift_capacity(shift, 2, by=care_org_user, reason="")

    declined.refresh_from_db()
    assert declined.status == "declined"


def test_raising_a_request_not_yet_approved_sends_no_wave(organisation, care_org_user):
    shift = _shift(organisation, count=1, status="submitted")
    change_shift_capacity(shift, 4, by=care_org_user, reason="")
    shift.refresh_from_db()
    assert shift.count == 4
    assert not _next_waves(shift).exists()


def test_lowering_below_the_booked_places_is_refused(organisation, care_org_user):
    shift = _shift(organisation, count=4)
    _book(shift, 3)

    with pytest.raises(CapacityBelowBookingsError) as caught:
        change_shift_capacity(shift, 2, by=care_org_user, reason="")

    assert caught.value.field == "count"
    assert "3" in str(caught.value)
    shift.refresh_from_db()
    assert shift.count == 4
    assert not AuditEntry.objects.filter(action="shift.capacity_changed").exists()


def test_lowering_to_the_booked_places_fills_the_shift_and_withdraws_invitations(
    organisation, care_org_user
):
    shift = _shift(organisation, count=4)
    _book(shift, 2)
    waiting = invite(shift, make_candidate())

    change_shift_capacity(shift, 2, by=care_org_user, reason="Minder bedden open")

    waiting.refresh_from_db()
    assert waiting.status == Invitation.Status.WITHDRAWN
    shift.request.refresh_from_db()
    assert shift.request.status == "filled" and shift.request.filled_at is not None
    with pytest.raises(ShiftFullError):
        accept_invitation(
            Invitation.objects.select_related("reservist__user").get(pk=waiting.pk),
            actor=waiting.reservist.user,
        )


def test_lowering_above_the_booked_places_keeps_open_invitations(organisation, care_org_user):
    shift = _shift(organisation, count=5)
    _book(shift, 1)
    waiting = [invite(shift, make_candidate()) for _ in range(3)]

    change_shift_capacity(shift, 2, by=care_org_user, reason="")

    assert (
        Invitation.objects.filter(
            pk__in=[w.pk for w in waiting], status=Invitation.Status.PENDING
        ).count()
        == 3
    )
    first, second = (
        Invitation.objects.select_related("reservist__user").get(pk=w.pk) for w in waiting[:2]
    )
    accept_invitation(first, actor=first.reservist.user)
    with pytest.raises(ShiftFullError):
        accept_invitation(second, actor=second.reservist.user)
    assert Assignment.objects.filter(shift=shift, status="confirmed").count() == 2


def test_the_same_number_changes_nothing(organisation, care_org_user):
    shift = _shift(organisation, count=3)
    change_shift_capacity(shift, 3, by=care_org_user, reason="")
    assert not AuditEntry.objects.filter(action="shift.capacity_changed").exists()
    assert not _next_waves(shift).exists()


@pytest.mark.parametrize("count", [0, -1, 501, "3", 2.5, None, True])
def test_a_number_of_places_that_makes_no_sense_is_a_field_error(
    organisation, care_org_user, count
):
    shift = _shift(organisation, count=3)
    with pytest.raises(RequestError) as caught:
        change_shift_capacity(shift, count, by=care_org_user, reason="")
    assert caught.value.field == "count"
    assert not isinstance(caught.value, RequestStateError)
    shift.refresh_from_db()
    assert shift.count == 3


def test_a_cancelled_shift_cannot_be_changed(organisation, care_org_user):
    shift = _shift(organisation, count=3)
    Shift.objects.filter(pk=shift.pk).update(cancelled_at=timezone.now())
    with pytest.raises(RequestStateError):
        change_shift_capacity(shift, 4, by=care_org_user, reason="")


def test_a_shift_that_started_cannot_be_changed(organisation, care_org_user):
    shift = _shift(organisation, count=3, start=timezone.now() - timedelta(hours=1))
    with pytest.raises(RequestStateError):
        change_shift_capacity(shift, 4, by=care_org_user, reason="")
    shift.refresh_from_db()
    assert shift.count == 3


@pytest.mark.parametrize("status", ["cancelled", "rejected", "completed"])
def test_a_closed_request_cannot_be_changed(organisation, care_org_user, status):
    shift = _shift(organisation, count=3, status=status)
    with pytest.raises(RequestStateError):
        change_shift_capacity(shift, 4, by=care_org_user, reason="")
    shift.refresh_from_db()
    assert shift.count == 3


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("care_org_user", True),
        ("other_care_org_user", False),
        ("regional_coordinator", True),
        ("other_region_coordinator", False),
        ("national_coordinator", True),
        ("triangle_member", False),
        ("reservist", False),
        ("outsider", False),
    ],
)
def test_who_may_change_the_places(request, organisation, persona, allowed):
    user = request.getfixturevalue(persona)
    shift = _shift(organisation, count=2)
    if allowed:
        change_shift_capacity(shift, 3, by=user, reason="")
        shift.refresh_from_db()
        assert shift.count == 3
    else:
        with pytest.raises(RequestNotAllowed):
            change_shift_capacity(shift, 3, by=user, reason="")
        shift.refresh_from_db()
        assert shift.count == 2
