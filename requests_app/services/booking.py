"""Signing up for a shift: first come, first served, never overbooked.

Lock order is fixed — the reservist row, then the shift row, then the request
row (SELECT ... FOR UPDATE) — and capacity is recounted from committed Assignment rows while the
locks are held. The PostgreSQL exclusion constraint on reservist + time range
(migrations 0004/0006: confirmed assignments) and the unique live assignment per shift
are the last line.

Round trips are counted: a booking is about a dozen statements, and none after the
commit. The confirmation e-mail is an outbox message (one INSERT in the booking's
transaction) that the relay publishes; a worker renders and sends it.
"""

from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.scope import scope_of
from registry.models import Reservist
from requests_app.errors import (
    BookingBusyError,
    InvitationClosedError,
    OverlapError,
    RequestNotAllowed,
    RequestStateError,
    RestTimeError,
    ShiftFullError,
    WorkingTimeError,
)
from requests_app.matching import LIVE, max_shift_hours, max_week_hours, rest_hours, week_bounds
from requests_app.models import Assignment, DeploymentRequest, Invitation, Shift

BOOKABLE = (DeploymentRequest.Status.APPROVED, DeploymentRequest.Status.ESCALATED)


def check_fit(reservist_id: int, shift, *, exclude_assignment=None) -> None:
    """Overlap, rest time and working-time limits against the reservist's live bookings.
    Call with the reservist row locked."""
    if shift.end - shift.start > timedelta(hours=max_shift_hours()):
        raise WorkingTimeError(
            _("This shift is longer than %(hours)d hours.") % {"hours": max_shift_hours()}
        )
    rest = timedelta(hours=rest_hours())
    week_start, week_end = week_bounds(shift.start)
    live = Assignment.objects.filter(reservist_id=reservist_id, status__in=LIVE)
    if exclude_assignment is not None:
        live = live.exclude(pk=exclude_assignment.pk)
    # One query for both rules: every live booking that is near the shift or starts in
    # its week (ordered by start, so the overlap message names the earliest).
    rows = list(
        live.filter(
            start__lt=max(shift.end + rest, week_end), end__gt=min(shift.start - rest, week_start)
        ).values_list("start", "end")
    )
    near = [(s, e) for s, e in rows if s < shift.end + rest and e > shift.start - rest]
    for start, end in near:
        if start < shift.end and end > shift.start:
            raise OverlapError(
                _(
                    "You are already booked on a shift at the same time (%(when)s). "
                    "You cannot do both."
                )
                % {"when": timezone.localtime(start).strftime("%d-%m-%Y %H:%M")}
            )
    if near:
        raise RestTimeError(
            _(
                "There must be at least %(hours)d hours of rest between two shifts; "
                "this shift is too close to one you are already booked on."
            )
            % {"hours": rest_hours()}
        )
    booked = sum((e - s for s, e in rows if week_start <= s < week_end), timedelta(0))
    if booked + (shift.end - shift.start) > timedelta(hours=max_week_hours()):
        raise WorkingTimeError(
            _("With this shift you would work more than %(hours)d hours in that week.")
            % {"hours": max_week_hours()}
        )


@contextmanager
def booking_transaction():
    """A transaction whose row-lock waits end after NZR_BOOKING_LOCK_TIMEOUT_MS (default
    3000 ms) with a 409 "busy" instead of hanging behind a long cancellation."""
    timeout_ms = int(getattr(settings, "NZR_BOOKING_LOCK_TIMEOUT_MS", 3000))
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = {timeout_ms:d}")
            yield
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
            raise BookingBusyError() from exc
        raise


def _lock(reservist_id: int, shift_id: int):
    """Fixed order: reservist, then shift. Only those rows are locked (``of``); the user
    and the profile come along for the confirmation e-mail."""
    reservist = (
        Reservist.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=reservist_id)
    )
    shift = Shift.objects.select_for_update(of=("self",)).select_related("profile").get(pk=shift_id)
    return reservist, shift


def _book(reservist, shift, *, actor) -> Assignment:
    """Under the locks: recount, check, insert. Only a booking that fills its shift locks
    the request row (last: reservist -> shift -> request), so the fill state is decided by
    one booking at a time while bookings on other shifts of the request run in parallel.
    Cancelling a request locks its shifts first, so a cancelled shift is seen here."""
    # Read after the shift lock is held (a statement of its own: a fresh snapshot).
    request = DeploymentRequest.objects.select_related("organisation").get(pk=shift.request_id)
    shift.request = request
    if shift.cancelled_at or request.status not in BOOKABLE:
        raise InvitationClosedError(_("This shift is no longer open."))
    if shift.start <= timezone.now():
        raise InvitationClosedError(_("This shift has already started."))
    live = Assignment.objects.filter(shift=shift, status__in=LIVE).aggregate(
        booked=Count("pk"), mine=Count("pk", filter=Q(reservist=reservist))
    )
    if live["mine"]:
        raise OverlapError(_("You are already booked on this shift."))
    booked = live["booked"]
    if booked >= shift.count:
        raise ShiftFullError()
    check_fit(reservist.pk, shift)
    try:
        # No savepoint: a constraint violation ends the whole booking transaction.
        assignment = Assignment.objects.create(
            shift=shift,
            reservist=reservist,
            start=shift.start,
            end=shift.end,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    except IntegrityError as exc:  # the exclusion / unique constraint: last line
        raise OverlapError() from exc
    log_action(assignment, "assignment.booked", actor, shift=shift.pk)
    if booked + 1 >= shift.count:
        # Only a booking that fills its shift can fill the request.
        _shift_full(shift)
        from requests_app.services.requests import update_fill_state

        update_fill_state(DeploymentRequest.objects.select_for_update().get(pk=request.pk))
    return assignment


def _shift_full(shift) -> None:
    """Open invitations are withdrawn when the shift fills."""
    Invitation.objects.filter(shift=shift, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.WITHDRAWN, answered_at=timezone.now()
    )


def accept_invitation(invitation, *, actor) -> Assignment:
    """The reservist accepts: booked, or a 409 (full, overlap, rest, expired, busy)."""
    with booking_transaction():
        reservist, shift = _lock(invitation.reservist_id, invitation.shift_id)
        if reservist.user_id != getattr(actor, "pk", None):
            raise RequestNotAllowed(_("Only the invited reservist can accept."))
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        now = timezone.now()
        if invitation.status != Invitation.Status.PENDING or invitation.expires_at <= now:
            if invitation.status == Invitation.Status.WITHDRAWN and not shift.cancelled_at:
                raise ShiftFullError()
            raise InvitationClosedError()
        assignment = _book(reservist, shift, actor=actor)
        invitation.status = Invitation.Status.ACCEPTED
        invitation.answered_at = now
        invitation.save(update_fields=["status", "answered_at"])
        log_action(invitation, "invitation.accepted", actor)
        _confirm_to_reservist(assignment)
        return assignment


def decline_invitation(invitation, *, actor, reason: str = "") -> Invitation:
    from nzr.tasks import enqueue
    from requests_app import tasks

    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("reservist").get(pk=invitation.pk)
        )
        if invitation.reservist.user_id != getattr(actor, "pk", None):
            raise RequestNotAllowed(_("Only the invited reservist can decline."))
        if invitation.status != Invitation.Status.PENDING:
            raise RequestStateError(_("This invitation is no longer open."))
        invitation.status = Invitation.Status.DECLINED
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["status", "answered_at"])
        log_action(invitation, "invitation.declined", actor, reason)
        enqueue(tasks.next_wave, invitation.shift_id)
        return invitation


def assign_manually(shift, reservist, *, actor) -> Assignment:
    """A national coordinator books a reservist by hand (same locks, same checks)."""
    if not scope_of(actor).is_national:
        raise RequestNotAllowed(_("Only a national coordinator may assign by hand."))
    with booking_transaction():
        reservist, shift = _lock(reservist.pk, shift.pk)
        assignment = _book(reservist, shift, actor=actor)
        Invitation.objects.filter(
            shift=shift, reservist=reservist, status=Invitation.Status.PENDING
        ).update(status=Invitation.Status.ACCEPTED, answered_at=timezone.now())
        log_action(assignment, "assignment.assigned_by_hand", actor)
        _confirm_to_reservist(assignment)
        return assignment


def _confirm_to_reservist(assignment) -> None:
    """The confirmation e-mail goes through the outbox: one row in the booking's
    transaction, published by the relay (within about a minute) and rendered and sent by
    a worker, not in the accept request (issue 9: booking throughput). The answer to the
    accept already tells the reservist the booking stands."""
    from nzr.tasks import enqueue_for_relay
    from requests_app import tasks

    enqueue_for_relay(tasks.confirm_assignment, assignment.pk)
