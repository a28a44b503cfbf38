"""A Hypothesis state machine of random accepts, shift cancellations and capacity changes
(sequential, real PostgreSQL) that checks every booking invariant after each step:
never more live bookings than places, nobody in two overlapping shifts, nothing live or
invited on a cancelled shift, no open invitation on a full shift, and the request's fill
state agreeing with its shifts.
"""

import contextlib

import pytest
from django.db.models import Q
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from accounts.errors import ConflictError
from requests_app.errors import CapacityBelowBookingsError
from requests_app.models import Assignment, DeploymentRequest, Invitation, Shift
from requests_app.services.booking import accept_invitation
from requests_app.services.capacity import change_shift_capacity
from requests_app.services.requests import cancel_shift
from tests.factories import CareOrganisationFactory, make_persona, region
from tests.requests_app.factories import at, invite, make_candidate, make_request

LIVE = ~Q(status=Assignment.Status.CANCELLED)
CANDIDATES = 4


class Bookings(RuleBasedStateMachine):
    @initialize()
    def world(self):
        org = CareOrganisationFactory(region=region("VR09"))
        self.member = make_persona("care_org", organisation=org)
        # Two overlapping shifts (2 places and 1 place) and one the next week (1 place).
        req = make_request(
            org,
            shifts=[
                (at(3, 7), at(3, 15), 2, "verzorgende"),
                (at(3, 9), at(3, 17), 1, "verzorgende"),
                (at(10, 7), at(10, 15), 1, "verzorgende"),
            ],
        )
        self.request_id = req.pk
        self.shifts = list(req.shifts.order_by("start", "id"))
        self.people = [make_candidate() for _ in range(CANDIDATES)]
        self.invitations = {}
        for s in self.shifts:
            for p in self.people:
                self.invitations[(s.pk, p.pk)] = invite(s, p).pk

    @rule(shift=st.integers(0, 2), person=st.integers(0, CANDIDATES - 1))
    def accept(self, shift, person):
        inv = Invitation.objects.select_related("reservist__user").get(
            pk=self.invitations[(self.shifts[shift].pk, self.people[person].pk)]
        )
        try:
            accept_invitation(inv, actor=inv.reservist.user)
        except ConflictError as exc:
            assert str(exc), "a refusal says why"

    @rule(shift=st.integers(0, 2))
    def everyone_accepts(self, shift):
        """A burst: every invited reservist tries to take a place on the shift."""
        for person in range(CANDIDATES):
            self.accept(shift, person)

    @rule(shift=st.integers(0, 2))
    def cancel(self, shift):
        with contextlib.suppress(ConflictError):  # already cancelled: a refusal is fine
            cancel_shift(Shift.objects.get(pk=self.shifts[shift].pk), actor=self.member)

    @rule(shift=st.integers(0, 2), delta=st.sampled_from([-2, -1, 1, 2]))
    def change_capacity(self, shift, delta):
        """Places up or down by one or two (at least 1): on a full shift a decrease is
        below its bookings, so both the refusal and the change are exercised."""
        target = Shift.objects.get(pk=self.shifts[shift].pk)
        count = max(1, target.count + delta)
        live = Assignment.objects.filter(LIVE, shift=target).count()
        try:
            change_shift_capacity(target, count, by=self.member, reason="state machine")
        except CapacityBelowBookingsError:
            assert count < live, "refused only below the booked places"
        except ConflictError as exc:  # cancelled shift or closed request
            assert target.cancelled_at or target.request.status in ("cancelled",), exc
        else:
            assert count >= live, "a decrease below the booked places went through"
            assert Shift.objects.get(pk=target.pk).count == count

    @invariant()
    def fill_state_agrees_with_the_shifts(self):
        if not hasattr(self, "request_id"):
            return
        req = DeploymentRequest.objects.get(pk=self.request_id)
        if req.status not in ("approved", "filled"):
            return
        all_full = all(
            Assignment.objects.filter(LIVE, shift=s).count() >= s.count
            for s in Shift.objects.filter(request=req, cancelled_at__isnull=True)
        )
        assert (req.status == "filled") == all_full, (req.status, all_full)

    @invariant()
    def never_above_capacity_and_nothing_live_on_a_cancelled_shift(self):
        if not hasattr(self, "shifts"):
            return
        for s in Shift.objects.filter(pk__in=[x.pk for x in self.shifts]):
            live = Assignment.objects.filter(LIVE, shift=s).count()
            assert live <= s.count
            if s.cancelled_at:
                assert live == 0
                assert not Invitation.objects.filter(shift=s, status="pending").exists()
            if live >= s.count:
                assert not Invitation.objects.filter(shift=s, status="pending").exists()

    @invariant()
    def nobody_in_two_overlapping_shifts(self):
        if not hasattr(self, "people"):
            return
        for p in self.people:
            rows = list(Assignment.objects.filter(LIVE, reservist=p).values_list("start", "end"))
            for i, (s1, e1) in enumerate(rows):
                for s2, e2 in rows[i + 1 :]:
                    assert not (s1 < e2 and s2 < e1)

    @invariant()
    def every_accepted_invitation_has_its_booking(self):
        if not hasattr(self, "shifts"):
            return
        for inv in Invitation.objects.filter(
            shift__in=self.shifts, status=Invitation.Status.ACCEPTED
        ):
            assert Assignment.objects.filter(shift=inv.shift, reservist=inv.reservist).exists()


@pytest.mark.django_db(transaction=True)
def test_random_booking_steps_keep_every_invariant():
    Bookings.TestCase.settings = settings(
        max_examples=15,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    Bookings.TestCase().runTest()
