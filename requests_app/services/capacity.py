"""Changing how many reservists a shift needs (its places, ``Shift.count``).

Lock order is the booking's: the shift row, then the request row (an accept locks the
reservist first, then the shift, then — when it fills the shift — the request). The
number of booked places is counted from committed Assignment rows while the shift lock
is held, so a concurrent accept either committed before (and is counted) or waits for
this change and sees the new number of places: a shift never ends up with more live
bookings than places.

Lowering below the booked places is refused (409); lowering to exactly the booked
places makes the shift full, so its open invitations are withdrawn as when the last
place is taken. Lowering to a number still above the booked places leaves open
invitations alone: an accept on a full shift is refused anyway. Raising the places of a
request that is being matched sends a new invitation wave after the commit.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.scope import scope_of
from nzr.tasks import enqueue
from requests_app import limits, waitlist
from requests_app.errors import (
    CapacityBelowBookingsError,
    RequestError,
    RequestNotAllowed,
    RequestStateError,
)
from requests_app.matching import LIVE
from requests_app.models import Assignment, DeploymentRequest, Shift, is_draft_of_another
from requests_app.services.booking import _shift_full, booking_transaction
from requests_app.services.requests import can_edit_for, update_fill_state

Status = DeploymentRequest.Status
CLOSED = (Status.CANCELLED, Status.REJECTED, Status.COMPLETED)
MATCHING = (Status.APPROVED, Status.ESCALATED, Status.FILLED)


def can_change_capacity(user, request) -> bool:
    """The owning organisation and national staff (``can_edit_for``, as for cancelling a
    shift), and the regional coordinator of the request's region; a draft's shifts only
    its own organisation (a draft belongs to its organisation alone)."""
    if is_draft_of_another(user, request):
        return False
    if can_edit_for(user, request.organisation):
        return True
    scope = scope_of(user)
    return scope.is_regional and request.region_id in scope.region_ids


def require_capacity_permission(user, request) -> None:
    if not can_change_capacity(user, request):
        raise RequestNotAllowed(
            _("Only the organisation or a coordinator of the region may change the places.")
        )


def _check_count(count) -> int:
    if isinstance(count, bool) or not isinstance(count, int):
        raise RequestError(_("Enter a whole number of places."), field="count")
    if count < 1:
        raise RequestError(_("Ask for at least one reservist."), field="count")
    if too_many := limits.places_problem(count):
        raise RequestError(too_many, field="count")
    return count


def change_shift_capacity(shift, count, *, by, reason: str = "") -> Shift:
    """Set the number of places of ``shift`` to ``count``; returns the shift.

    Raises RequestError (400: not a sane number), RequestNotAllowed (403),
    RequestStateError (409: shift cancelled or started, request closed),
    CapacityBelowBookingsError (409: fewer places than booked reservists) and
    BookingBusyError (409: the shift stayed locked longer than the lock timeout).
    """
    count = _check_count(count)
    request = DeploymentRequest.objects.select_related("organisation").get(pk=shift.request_id)
    require_capacity_permission(by, request)
    reason = (reason or "").strip()
    with booking_transaction():
        shift = Shift.objects.select_for_update().get(pk=shift.pk)
        request = DeploymentRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
        if shift.cancelled_at:
            raise RequestStateError(_("This shift has been cancelled."))
        if request.status in CLOSED:
            raise RequestStateError(
                _("This request is closed (“%(status)s”).")
                % {"status": request.get_status_display()}
            )
        if shift.start <= timezone.now():
            raise RequestStateError(_("A shift that has started can no longer be changed."))
        booked = Assignment.objects.filter(shift=shift, status__in=LIVE).count()
        if count < booked:
            raise CapacityBelowBookingsError(
                _(
                    "%(booked)d reservists are already booked on this shift, so it needs at "
                    "least %(booked)d places. Ask for %(booked)d or more."
                )
                % {"booked": booked}
            )
        old = shift.count
        if count == old:
            return shift
        shift.count = count
        shift.save(update_fields=["count"])
        if booked >= count:
            _shift_full(shift)
        elif count > old:  # the new places go to the wait-list first, in this transaction
            booked += len(waitlist.promote(shift))
        update_fill_state(request)
        log_action(shift, "shift.capacity_changed", by, reason, old=old, new=count, booked=booked)
        if count > old and count > booked and request.status in MATCHING:
            from requests_app import tasks

            enqueue(tasks.next_wave, shift.pk)
        return shift
