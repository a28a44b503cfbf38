"""Signing up for a shift: first come, first served, never overbooked.

Lock order is fixed — the reservist row, then the shift row, then the invitation, then
(only a booking that fills its shift) the request row (SELECT ... FOR UPDATE) — and
capacity is recounted from committed Assignment rows while the locks are held. The
PostgreSQL exclusion constraint on reservist + time range (migrations 0004/0006:
confirmed assignments) and the unique live assignment per shift are the last line.

The hot path of the platform (issue 9: more than 200 bookings a second on 2 cores, also
on one shift that everybody wants): constant SQL, prepared once per connection, sent in
pipelines (``nzr.fastsql``). An accept is five round trips: BEGIN, the lock timeout and
the two locks; the invitation's lock with the reads the checks need; the insert; the
other writes; the commit. The last four run while the shift is locked; nothing runs
after the commit.
The confirmation e-mail is an outbox message (one INSERT in the booking's transaction)
that the relay publishes; a worker renders and sends it.
"""

from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action, log_actions
from accounts.scope import scope_of
from nzr import fastsql
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
from requests_app.services.requests import OPEN_SHIFT as _OPEN_SHIFT
from requests_app.services.requests import update_fill_state

BOOKABLE = (DeploymentRequest.Status.APPROVED, DeploymentRequest.Status.ESCALATED)


def fit_error(shift, bookings) -> Exception | None:
    """Overlap, rest time and working-time limits of ``shift`` against ``bookings``: the
    reservist's live bookings as ``(shift_id, start, end)`` near the shift or in its week
    (``_FIT``), ordered by start. The first rule broken, as an error, or ``None``."""
    if shift.end - shift.start > timedelta(hours=max_shift_hours()):
        return WorkingTimeError(
            _("This shift is longer than %(hours)d hours.") % {"hours": max_shift_hours()}
        )
    rest = timedelta(hours=rest_hours())
    week_start, week_end = week_bounds(shift.start)
    near = [(s, e) for _id, s, e in bookings if s < shift.end + rest and e > shift.start - rest]
    for start, end in near:
        if start < shift.end and end > shift.start:
            return OverlapError(
                _(
                    "You are already booked on a shift at the same time (%(when)s). "
                    "You cannot do both."
                )
                % {"when": timezone.localtime(start).strftime("%d-%m-%Y %H:%M")}
            )
    if near:
        return RestTimeError(
            _(
                "There must be at least %(hours)d hours of rest between two shifts; "
                "this shift is too close to one you are already booked on."
            )
            % {"hours": rest_hours()}
        )
    booked = sum((e - s for _id, s, e in bookings if week_start <= s < week_end), timedelta(0))
    if booked + (shift.end - shift.start) > timedelta(hours=max_week_hours()):
        return WorkingTimeError(
            _("With this shift you would work more than %(hours)d hours in that week.")
            % {"hours": max_week_hours()}
        )
    return None


_SET_LOCK_TIMEOUT = "SELECT set_config('lock_timeout', %s, true)"


def _lock_timeout_param() -> list[str]:
    return [f"{int(getattr(settings, 'NZR_BOOKING_LOCK_TIMEOUT_MS', 3000)):d}"]


@contextmanager
def booking_transaction(*, set_lock_timeout: bool = True):
    """A transaction whose row-lock waits end after NZR_BOOKING_LOCK_TIMEOUT_MS (default
    3000 ms) with a 409 "busy" instead of hanging behind a long cancellation. The
    booking sets the timeout itself, in the round trip of its first locks
    (``set_lock_timeout=False``)."""
    try:
        with transaction.atomic():
            if set_lock_timeout and connection.vendor == "postgresql":
                with fastsql.cursor() as cursor:
                    cursor.execute(_SET_LOCK_TIMEOUT, _lock_timeout_param())
            yield
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
            raise BookingBusyError() from exc
        raise


# The booking's statements: constant SQL, prepared once per connection (``nzr.fastsql``:
# the ORM's query building was most of a booking's cost, issue 9). Locks in the fixed
# order reservist, shift, invitation, then (only a filling booking) the request.
_LOCK_RESERVIST = "SELECT user_id FROM registry_reservist WHERE id = %s FOR UPDATE"
_LOCK_SHIFT = (
    'SELECT request_id, profile_id, start, "end", count, cancelled_at '
    "FROM requests_app_shift WHERE id = %s FOR UPDATE"
)
_LOCK_INVITATION = "SELECT status, expires_at FROM requests_app_invitation WHERE id = %s FOR UPDATE"
# Read after the shift lock is held (a statement of its own: a fresh snapshot, so a
# request cancelled meanwhile is seen): the request's status and the shift's live bookings.
_STATE = (
    "SELECT r.status, (SELECT COUNT(*) FROM requests_app_assignment a "
    "WHERE a.shift_id = %s AND a.status IN (%s, %s)) "
    "FROM requests_app_deploymentrequest r WHERE r.id = %s"
)
# The reservist's live bookings near the shift (rest time) or in its week (hours), by start.
_FIT = (
    'SELECT shift_id, start, "end" FROM requests_app_assignment '
    'WHERE reservist_id = %s AND status IN (%s, %s) AND start < %s AND "end" > %s '
    "ORDER BY start"
)
_ACCEPT = "UPDATE requests_app_invitation SET status = %s, answered_at = %s WHERE id = %s"
_WITHDRAW = (
    "UPDATE requests_app_invitation SET status = %s, answered_at = %s "
    "WHERE shift_id = %s AND status = %s"
)
_LOCK_REQUEST = "SELECT status FROM requests_app_deploymentrequest WHERE id = %s FOR UPDATE"


def _lock(reservist_id: int, shift_id: int):
    """Fixed order: reservist, then shift, after setting the lock timeout, in one round
    trip with the transaction's BEGIN. Returns the reservist's user id and the shift."""
    with fastsql.cursors(3) as (timeout, reservist_row, shift_row):
        with fastsql.pipeline():
            if connection.vendor == "postgresql":
                timeout.execute(_SET_LOCK_TIMEOUT, _lock_timeout_param())
            reservist_row.execute(fastsql.locking(_LOCK_RESERVIST), [reservist_id])
            shift_row.execute(fastsql.locking(_LOCK_SHIFT), [shift_id])
        reservist, row = reservist_row.fetchone(), shift_row.fetchone()
    if reservist is None:
        raise Reservist.DoesNotExist()
    if row is None:
        raise Shift.DoesNotExist()
    request_id, profile_id, start, end, count, cancelled_at = row
    shift = Shift(
        id=shift_id,
        request_id=request_id,
        profile_id=profile_id,
        start=fastsql.aware(start),
        end=fastsql.aware(end),
        count=count,
        cancelled_at=fastsql.aware(cancelled_at),
    )
    shift._state.adding, shift._state.db = False, connection.alias
    return reservist[0], shift


def _read_locked(reservist_id: int, shift, invitation_id: int | None):
    """Under the reservist and shift locks, in one round trip: lock the invitation (if
    any), then read the request's status, the shift's live bookings and the reservist's
    live bookings near the shift (statements of their own, after the locks: a fresh
    snapshot, so a request cancelled meanwhile is seen). Returns (invitation row or None,
    request status, booked, bookings)."""
    rest = timedelta(hours=rest_hours())
    week_start, week_end = week_bounds(shift.start)
    lo, hi = min(shift.start - rest, week_start), max(shift.end + rest, week_end)
    adapt = connection.ops.adapt_datetimefield_value
    with fastsql.cursors(3) as (invitation_row, state, fit):
        with fastsql.pipeline():
            if invitation_id is not None:
                invitation_row.execute(fastsql.locking(_LOCK_INVITATION), [invitation_id])
            state.execute(_STATE, [shift.pk, *LIVE, shift.request_id])
            fit.execute(_FIT, [reservist_id, *LIVE, adapt(hi), adapt(lo)])
        invitation = invitation_row.fetchone() if invitation_id is not None else None
        request_status, booked = state.fetchone()
        bookings = [(sid, fastsql.aware(s), fastsql.aware(e)) for sid, s, e in fit.fetchall()]
    return invitation, request_status, booked, bookings


def _book(reservist_id: int, shift, request_status, booked, bookings, *, actor, now):
    """Under the locks: check, insert. Cancelling a request locks its shifts first, so a
    cancelled shift is seen here. Returns the new assignment."""
    if shift.cancelled_at or request_status not in BOOKABLE:
        raise InvitationClosedError(_("This shift is no longer open."))
    if shift.start <= now:
        raise InvitationClosedError(_("This shift has already started."))
    if any(sid == shift.pk for sid, _s, _e in bookings):
        raise OverlapError(_("You are already booked on this shift."))
    if booked >= shift.count:
        raise ShiftFullError()
    error = fit_error(shift, bookings)
    if error is not None:
        raise error
    try:
        # No savepoint: a constraint violation ends the whole booking transaction.
        assignment = fastsql.create(
            Assignment,
            shift_id=shift.pk,
            reservist_id=reservist_id,
            start=shift.start,
            end=shift.end,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    except IntegrityError as exc:  # the exclusion / unique constraint: last line
        raise OverlapError() from exc
    assignment.shift = shift
    return assignment


@contextmanager
def _after_booking(shift, booked: int):
    """The booking's further writes go in one round trip (the block: the invitation, the
    audit entries, the outbox row). A booking that fills its shift also withdraws the
    open invitations and, last in the lock order, locks the request to decide its fill
    state; only the booking that fills the last shift changes the request (the ORM, once
    per request). Bookings on other shifts of the request run in parallel meanwhile."""
    filling = booked + 1 >= shift.count
    with fastsql.cursors(2) as (request_row, open_shift):
        with fastsql.pipeline():
            yield
            if filling:
                _shift_full(shift)
                request_row.execute(fastsql.locking(_LOCK_REQUEST), [shift.request_id])
                open_shift.execute(_OPEN_SHIFT, [shift.request_id, *LIVE])
        if filling:
            request = DeploymentRequest(id=shift.request_id, status=request_row.fetchone()[0])
            request._state.adding, request._state.db = False, connection.alias
            update_fill_state(request, open_shifts=bool(open_shift.fetchone()[0]))


def _shift_full(shift) -> None:
    """Open invitations are withdrawn when the shift fills."""
    with fastsql.cursor() as cursor:
        cursor.execute(
            _WITHDRAW,
            [
                Invitation.Status.WITHDRAWN.value,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                shift.pk,
                Invitation.Status.PENDING.value,
            ],
        )


def accept_invitation(invitation, *, actor) -> Assignment:
    """The reservist accepts: booked, or a 409 (full, overlap, rest, expired, busy)."""
    with booking_transaction(set_lock_timeout=False):
        user_id, shift = _lock(invitation.reservist_id, invitation.shift_id)
        if user_id is None or user_id != getattr(actor, "pk", None):
            raise RequestNotAllowed(_("Only the invited reservist can accept."))
        row, request_status, booked, bookings = _read_locked(
            invitation.reservist_id, shift, invitation.pk
        )
        status, expires_at = row
        now = timezone.now()
        if status != Invitation.Status.PENDING or fastsql.aware(expires_at) <= now:
            if status == Invitation.Status.WITHDRAWN and not shift.cancelled_at:
                raise ShiftFullError()
            raise InvitationClosedError()
        assignment = _book(
            invitation.reservist_id, shift, request_status, booked, bookings, actor=actor, now=now
        )
        with _after_booking(shift, booked), fastsql.cursor() as cursor:
            cursor.execute(
                _ACCEPT,
                [
                    Invitation.Status.ACCEPTED.value,
                    connection.ops.adapt_datetimefield_value(now),
                    invitation.pk,
                ],
            )
            invitation.status, invitation.answered_at = Invitation.Status.ACCEPTED, now
            log_actions(
                actor,
                [
                    (assignment, "assignment.booked", {"shift": shift.pk}),
                    (invitation, "invitation.accepted", {}),
                ],
            )
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
    with booking_transaction(set_lock_timeout=False):
        _user_id, shift = _lock(reservist.pk, shift.pk)
        _none, request_status, booked, bookings = _read_locked(reservist.pk, shift, None)
        now = timezone.now()
        assignment = _book(
            reservist.pk, shift, request_status, booked, bookings, actor=actor, now=now
        )
        with _after_booking(shift, booked):
            log_actions(
                actor,
                [
                    (assignment, "assignment.booked", {"shift": shift.pk}),
                    (assignment, "assignment.assigned_by_hand", {}),
                ],
            )
            _confirm_to_reservist(assignment)
        Invitation.objects.filter(
            shift=shift, reservist=reservist, status=Invitation.Status.PENDING
        ).update(status=Invitation.Status.ACCEPTED, answered_at=now)
        return assignment


def _confirm_to_reservist(assignment) -> None:
    """The confirmation e-mail goes through the outbox: one row in the booking's
    transaction, published by the relay (within about a minute) and rendered and sent by
    a worker, not in the accept request (issue 9: booking throughput). The answer to the
    accept already tells the reservist the booking stands."""
    from nzr.tasks import enqueue_for_relay
    from requests_app import tasks

    enqueue_for_relay(tasks.confirm_assignment, assignment.pk)
