"""The wait-list of a full shift (issue 20): first come, first served.

A reservist may join the wait-list of a shift that is open to them
(``open_shifts.is_open_to``) and that the booking refuses only because it is full.
When a place frees (a booking cancelled, more places), ``promote`` books the first
waiting reservists who still fit, in the transaction that frees the place, with the
booking's rule (``booking.shift_refusal``) and the booking's lock order (the shift is
already locked by the caller; a waiting reservist's row is locked with SKIP LOCKED, so
promotion never waits on, nor deadlocks with, a booking of theirs elsewhere: a
reservist in the middle of another booking keeps their place and is passed this once).
The database's constraints (one live assignment per shift, no overlapping bookings, one
waiting entry per shift and reservist) are the last line.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from registry.models import Reservist
from requests_app import notify
from requests_app.errors import (
    BookingError,
    InvitationClosedError,
    RequestNotAllowed,
    RequestStateError,
    ShiftNotOpenError,
)
from requests_app.matching import LIVE
from requests_app.models import Assignment, DeploymentRequest, Invitation, Shift, WaitlistEntry
from requests_app.services.booking import (
    booking_transaction,
    live_bookings,
    shift_refusal,
)

Status = WaitlistEntry.Status


class NotFullError(BookingError):
    code = "not_full"

    def __init__(self, message=None, **kw):
        super().__init__(message or _("This shift still has places: sign up for it instead."), **kw)


class AlreadyWaitingError(BookingError):
    code = "already_waiting"

    def __init__(self, message=None, **kw):
        super().__init__(message or _("You are already on the wait-list for this shift."), **kw)


def position(entry) -> int | None:
    """1 for the first waiting entry of its shift; ``None`` when not waiting
    (``WaitlistEntryQuerySet.with_position``)."""
    return WaitlistEntry.objects.with_position().values_list("position", flat=True).get(pk=entry.pk)


def _booked(shift) -> int:
    return Assignment.objects.filter(shift=shift, status__in=LIVE).count()


def join(shift, reservist, *, actor) -> WaitlistEntry:
    """Put ``reservist`` on the wait-list of ``shift``. Lock order as a booking: the
    reservist, then the shift. Raises ShiftNotOpenError (404), NotFullError (409: sign
    up instead), AlreadyWaitingError (409) or the booking's refusal other than full
    (overlap, rest, hours, closed: 409)."""
    from requests_app.open_shifts import is_open_to

    with booking_transaction():
        reservist = Reservist.objects.select_for_update().get(pk=reservist.pk)
        if reservist.user_id is None or reservist.user_id != getattr(actor, "pk", None):
            raise RequestNotAllowed(_("Only the reservist themself can join a wait-list."))
        shift = Shift.objects.select_for_update().get(pk=shift.pk)
        now = timezone.now()
        if not is_open_to(reservist, shift, now=now):
            raise ShiftNotOpenError()
        if WaitlistEntry.objects.filter(
            shift=shift, reservist=reservist, status=Status.WAITING
        ).exists():
            raise AlreadyWaitingError()
        status = DeploymentRequest.objects.values_list("status", flat=True).get(pk=shift.request_id)
        # Would they be booked if a place were free? (the booking's rule, places aside)
        refusal = shift_refusal(shift, status, 0, live_bookings(reservist.pk, now), now)
        if refusal is not None:
            raise refusal
        if _booked(shift) < shift.count:
            raise NotFullError()
        entry = WaitlistEntry.objects.create(shift=shift, reservist=reservist)
        log_action(entry, "waitlist.joined", actor, shift=shift.pk)
    return entry


def withdraw(entry, *, actor) -> WaitlistEntry:
    """The reservist leaves the wait-list."""
    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update().select_related("reservist").get(pk=entry.pk)
        )
        if entry.reservist.user_id != getattr(actor, "pk", None):
            raise RequestNotAllowed(_("Only the reservist themself can leave a wait-list."))
        if entry.status != Status.WAITING:
            raise RequestStateError(_("You are no longer on this wait-list."))
        entry.status, entry.closed_at = Status.WITHDRAWN, timezone.now()
        entry.closed_reason = _("Withdrawn by the reservist.")
        entry.save(update_fields=["status", "closed_at", "closed_reason"])
        log_action(entry, "waitlist.withdrawn", actor)
    return entry


def withdraw_for_shifts(shift_ids, reason: str = "") -> int:
    """Close the wait-lists of ``shift_ids`` (a crisis, request or shift winding down):
    every waiting entry withdrawn with ``reason``, each reservist told by e-mail after
    the commit. Returns how many were withdrawn. Call it inside the transaction that
    winds the shifts down."""
    now = timezone.now()
    with transaction.atomic():
        entries = list(
            WaitlistEntry.objects.select_for_update(of=("self",))
            .filter(shift_id__in=list(shift_ids), status=Status.WAITING)
            .select_related("reservist__user", "shift")
        )
        WaitlistEntry.objects.filter(pk__in=[e.pk for e in entries]).update(
            status=Status.WITHDRAWN, closed_at=now, closed_reason=(reason or "")[:200]
        )
        for entry in entries:
            r = entry.reservist
            log_action(entry, "waitlist.closed", None, reason)
            notify.email_later(
                [r.email],
                "waitlist_withdrawn",
                {"shift": entry.shift, "reservist": r, "reason": reason},
                notify.reservist_language(r),
            )
    return len(entries)


def promote(shift) -> list[Assignment]:
    """Fill the free places of ``shift`` from its wait-list: call with the shift locked
    (``select_for_update``), in the transaction that frees the place. Each waiting
    reservist in turn is booked if the shift is open to them and the booking's rule
    allows it; one who does not fit now stays waiting. Returns the new assignments."""
    from requests_app.open_shifts import is_open_to
    from requests_app.services.booking import _shift_full

    now = timezone.now()
    request_status = DeploymentRequest.objects.values_list("status", flat=True).get(
        pk=shift.request_id
    )
    booked = _booked(shift)
    made = []
    if booked >= shift.count:
        return made
    for entry in list(
        WaitlistEntry.objects.waiting().filter(shift=shift).select_for_update(of=("self",))
    ):
        if booked >= shift.count:
            break
        reservist = (
            Reservist.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk=entry.reservist_id)
            .first()
        )
        if reservist is None:  # in the middle of another booking: passed this once
            continue
        bookings = live_bookings(reservist.pk, now)
        if any(sid == shift.pk for sid, _s, _e in bookings):  # booked meanwhile (an accept)
            entry.status, entry.closed_at = Status.BOOKED, now
            entry.save(update_fields=["status", "closed_at"])
            continue
        refusal = shift_refusal(shift, request_status, booked, bookings, now)
        if isinstance(refusal, InvitationClosedError):  # the shift itself is closed
            break
        if refusal is not None or not is_open_to(reservist, shift, now=now):
            continue  # does not fit now (overlap, rest, hours; no longer deployable)
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(
                    shift=shift, reservist=reservist, start=shift.start, end=shift.end
                )
        except IntegrityError:  # a constraint is the last line: leave them waiting
            continue
        entry.status, entry.closed_at, entry.assignment = Status.BOOKED, now, assignment
        entry.save(update_fields=["status", "closed_at", "assignment"])
        Invitation.objects.filter(
            shift=shift, reservist=reservist, status=Invitation.Status.PENDING
        ).update(status=Invitation.Status.ACCEPTED, answered_at=now)
        log_action(assignment, "assignment.booked", None, shift=shift.pk, waitlist=entry.pk)
        notify.email_later(
            [reservist.email],
            "waitlist_booked",
            {"shift": shift, "reservist": reservist, "assignment": assignment},
            notify.reservist_language(reservist),
        )
        booked += 1
        made.append(assignment)
    if made and booked >= shift.count:
        _shift_full(shift)
    return made


def entries_for_shifts(shift_ids) -> dict[int, list[WaitlistEntry]]:
    """The waiting entries per shift, in order (the request page)."""
    out: dict[int, list] = {}
    for entry in (
        WaitlistEntry.objects.waiting()
        .filter(shift_id__in=list(shift_ids))
        .select_related("reservist")
    ):
        out.setdefault(entry.shift_id, []).append(entry)
    return out
