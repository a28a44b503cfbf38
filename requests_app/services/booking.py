"""Signing up for a shift: first come, first served, never overbooked.

Lock order is fixed — the reservist row, then the shift row, then the invitation, then
(only a booking that fills its shift) the request row (SELECT ... FOR UPDATE) — and
capacity is recounted from committed Assignment rows while the locks are held. The
PostgreSQL exclusion constraint on reservist + time range (migrations 0004/0006:
confirmed assignments) and the unique live assignment per shift are the last line.

The hot path of the platform (issue 9: more than 200 bookings a second on 2 cores, also
on one shift that everybody wants): constant SQL, prepared once per connection, sent in
pipelines (``nzr.fastsql``). An accept is two round trips: BEGIN, the lock timeout, the
locks (reservist, shift, invitation) and every read the checks need; then the writes
with the COMMIT. While the shift is locked only the checks in Python and the second
round trip run. A booking that fills its shift takes one more (the request's lock and
fill state). A refusal writes nothing and commits (see ``_booking``).
The confirmation e-mail is an outbox message (one INSERT in the booking's transaction)
that the relay publishes; a worker renders and sends it.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    OperationalError,
    connection,
    connections,
    transaction,
)
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
    ShiftNotOpenError,
    WorkingTimeError,
)
from requests_app.matching import LIVE, max_shift_hours, max_week_hours, rest_hours, week_bounds
from requests_app.models import Assignment, DeploymentRequest, Invitation, Shift
from requests_app.services.requests import OPEN_SHIFT as _OPEN_SHIFT
from requests_app.services.requests import update_fill_state

BOOKABLE = (DeploymentRequest.Status.APPROVED, DeploymentRequest.Status.ESCALATED)
# A filled request is open to bookings too: its shifts are full (a booking is refused as
# full, a reservist may join a wait-list), and a place freed reopens it.
TAKING_BOOKINGS = (*BOOKABLE, DeploymentRequest.Status.FILLED)


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
    "WHERE a.shift_id = s.id AND a.status IN (%s, %s)) "
    "FROM requests_app_shift s JOIN requests_app_deploymentrequest r ON r.id = s.request_id "
    "WHERE s.id = %s"
)
# The reservist's live bookings that end after the cut-off (a week and a day before now,
# or the rest time and a day: a shift bookable now starts after now, so this holds every
# booking near the shift and in its week), by start. Read under the reservist's lock, before the shift's: it needs
# nothing of the shift, so it does not lengthen the time the shift is locked.
_FIT = (
    'SELECT shift_id, start, "end" FROM requests_app_assignment '
    'WHERE reservist_id = %s AND status IN (%s, %s) AND "end" > %s ORDER BY start'
)
_ACCEPT = "UPDATE requests_app_invitation SET status = %s, answered_at = %s WHERE id = %s"
_ACCEPT_OPEN = (
    "UPDATE requests_app_invitation SET status = %s, answered_at = %s "
    "WHERE shift_id = %s AND reservist_id = %s AND status = %s"
)
_WITHDRAW = (
    "UPDATE requests_app_invitation SET status = %s, answered_at = %s "
    "WHERE shift_id = %s AND status = %s"
)
_WAITLIST_BOOKED = (
    "UPDATE requests_app_waitlistentry SET status = %s, closed_at = %s "
    "WHERE shift_id = %s AND reservist_id = %s AND status = %s"
)
_LOCK_REQUEST = "SELECT status FROM requests_app_deploymentrequest WHERE id = %s FOR UPDATE"
# The constraints that are the last line against a double booking.
_OVERLAP_CONSTRAINTS = ("assignment_no_overlap_per_reservist", "one_live_assignment_per_shift")


@dataclass
class _Locked:
    """What a booking reads in its first round trip, the rows locked."""

    reservist_id: int
    user_id: int | None
    shift: Shift
    invitation: tuple | None  # (status, expires_at) when accepting an invitation
    request_status: str
    booked: int
    bookings: list  # the reservist's live bookings: (shift_id, start, end)
    next_id: int | None  # the new assignment's key (PostgreSQL)


def _lock_and_read(reservist_id: int, shift_id: int, invitation_id: int | None, now):
    """One round trip with the transaction's BEGIN: the lock timeout; the reservist's
    lock and live bookings; the shift's lock; the invitation's lock (if any); the
    request's status and the shift's live bookings; the new assignment's key."""
    db = connections[DEFAULT_DB_ALIAS]
    with fastsql.cursors(7) as (timeout, reservist, fit, shift_row, invitation, state, key):
        with fastsql.pipeline():
            if db.vendor == "postgresql":
                timeout.execute(_SET_LOCK_TIMEOUT, _lock_timeout_param())
            reservist.execute(fastsql.locking(_LOCK_RESERVIST), [reservist_id])
            cut_off = fit_cut_off(now)
            fit.execute(_FIT, [reservist_id, *LIVE, db.ops.adapt_datetimefield_value(cut_off)])
            shift_row.execute(fastsql.locking(_LOCK_SHIFT), [shift_id])
            if invitation_id is not None:
                invitation.execute(fastsql.locking(_LOCK_INVITATION), [invitation_id])
            state.execute(_STATE, [*LIVE, shift_id])
            has_key = fastsql.next_id(key, Assignment)
        user_row, row = reservist.fetchone(), shift_row.fetchone()
        if user_row is None:
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
        shift._state.adding, shift._state.db = False, db.alias
        request_status, booked = state.fetchone()
        return _Locked(
            reservist_id=reservist_id,
            user_id=user_row[0],
            shift=shift,
            invitation=invitation.fetchone() if invitation_id is not None else None,
            request_status=request_status,
            booked=booked,
            bookings=[(sid, fastsql.aware(s), fastsql.aware(e)) for sid, s, e in fit.fetchall()],
            next_id=key.fetchone()[0] if has_key else None,
        )


def shift_refusal(shift, request_status, booked: int, bookings, now) -> Exception | None:
    """Why a reservist with live ``bookings`` (``(shift_id, start, end)``, as ``_FIT``
    reads them) cannot be booked on ``shift`` with ``booked`` live places taken, as the
    error to raise, or ``None``. The one rule of booking, signing up, the open-shift list
    and the wait-list's promotion."""
    if shift.cancelled_at or request_status not in TAKING_BOOKINGS:
        return InvitationClosedError(_("This shift is no longer open."))
    if shift.start <= now:
        return InvitationClosedError(_("This shift has already started."))
    if any(sid == shift.pk for sid, _s, _e in bookings):
        return OverlapError(_("You are already booked on this shift."))
    if booked >= shift.count:
        return ShiftFullError()
    return fit_error(shift, bookings)


def fit_cut_off(now):
    """The earliest end of a live booking that can matter to a shift bookable now: a
    bookable shift starts after now, so its week begins less than 7 days and its rest
    time less than ``rest_hours()`` before now (a day more for summer time)."""
    return now - max(timedelta(days=7), timedelta(hours=rest_hours())) - timedelta(1)


def live_bookings(reservist_id: int, now) -> list:
    """The reservist's live bookings as ``shift_refusal`` reads them (``_FIT``)."""
    return [
        (sid, s, e)
        for sid, s, e in Assignment.objects.filter(
            reservist_id=reservist_id, status__in=LIVE, end__gt=fit_cut_off(now)
        )
        .order_by("start")
        .values_list("shift_id", "start", "end")
    ]


def _refusal(locked: _Locked, now) -> Exception | None:
    """Why the booking cannot be made, as the error to raise, or ``None``. Cancelling a
    request locks its shifts first, so a cancelled shift is seen here."""
    return shift_refusal(locked.shift, locked.request_status, locked.booked, locked.bookings, now)


@contextmanager
def _booking(reservist_id: int, shift_id: int, invitation_id: int | None, *, check):
    """The booking transaction around ``with _booking(...) as (locked, write):``.

    The block receives what was locked and read, and ``write(actor)``, which inserts the
    assignment and returns it; the block adds its own writes after it. ``check(locked,
    now)`` returns the refusal, if any: then nothing is written, the transaction commits
    (no ROLLBACK: psycopg forgets the connection's prepared statements at a rollback, and
    full shifts are the common answer in a crisis) and the refusal is raised after it.

    A booking that does not fill its shift sends its writes with the COMMIT; one that
    fills it also withdraws the open invitations and, last in the lock order, locks the
    request to decide its fill state (one round trip more). The database's constraints
    are the last line: their violation, wherever it surfaces, is an OverlapError."""
    refusal = None
    try:
        with (
            fastsql.ThroughCommit() as writes_with_commit,
            booking_transaction(set_lock_timeout=False),
        ):
            now = timezone.now()
            locked = _lock_and_read(reservist_id, shift_id, invitation_id, now)
            refusal = check(locked, now)
            if refusal is None:
                filling = locked.booked + 1 >= locked.shift.count
                if not filling:
                    writes_with_commit.start()
                with _fill_state(locked.shift, filling):
                    yield locked, partial(_insert, locked)
    except IntegrityError as exc:
        if _violated(exc) in _OVERLAP_CONSTRAINTS:
            raise OverlapError() from exc
        raise
    if refusal is not None:
        raise refusal


def _violated(exc) -> str:
    """The name of the constraint an IntegrityError reports (SQLite names none: there the
    assignment's unique constraint is the only one a booking can violate)."""
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None:
        return diag.constraint_name or ""
    return "one_live_assignment_per_shift" if "requests_app_assignment" in str(exc) else ""


def _insert(locked: _Locked, actor) -> Assignment:
    """The new assignment, with its key from the first round trip where there is one
    (PostgreSQL: sent with the other writes), else at once (SQLite)."""
    shift = locked.shift
    assignment = fastsql.create(
        Assignment,
        id=locked.next_id,
        shift_id=shift.pk,
        reservist_id=locked.reservist_id,
        start=shift.start,
        end=shift.end,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    assignment.shift = shift
    return assignment


@contextmanager
def _fill_state(shift, filling: bool):
    """The block's writes go in one round trip (with the COMMIT, when ``writes_with_commit``
    was started). After the writes of a booking that fills its shift: withdraw the open
    invitations, lock the request, is a shift still open; then ``update_fill_state``
    (the ORM, once per request: only the booking that fills the last shift changes it).
    Bookings on other shifts of the request run in parallel meanwhile."""
    with fastsql.cursors(2) as (request_row, open_shift):
        with fastsql.pipeline():
            yield
            if filling:
                _shift_full(shift)
                request_row.execute(fastsql.locking(_LOCK_REQUEST), [shift.request_id])
                open_shift.execute(_OPEN_SHIFT, [shift.request_id, *LIVE])
        if filling:
            request = DeploymentRequest(id=shift.request_id, status=request_row.fetchone()[0])
            request._state.adding, request._state.db = False, shift._state.db
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

    def check(locked, now):
        if locked.user_id is None or locked.user_id != getattr(actor, "pk", None):
            return RequestNotAllowed(_("Only the invited reservist can accept."))
        status, expires_at = locked.invitation
        if status != Invitation.Status.PENDING or fastsql.aware(expires_at) <= now:
            if status == Invitation.Status.WITHDRAWN and not locked.shift.cancelled_at:
                return ShiftFullError()
            return InvitationClosedError()
        return _refusal(locked, now)

    with _booking(invitation.reservist_id, invitation.shift_id, invitation.pk, check=check) as (
        locked,
        write,
    ):
        assignment = write(actor)
        now = timezone.now()
        with fastsql.cursor() as cursor:
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
                (assignment, "assignment.booked", {"shift": locked.shift.pk}),
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
    with _booking(reservist.pk, shift.pk, None, check=_refusal) as (locked, write):
        assignment = write(actor)
        with fastsql.cursor() as cursor:  # an open invitation of theirs is answered
            cursor.execute(
                _ACCEPT_OPEN,
                [
                    Invitation.Status.ACCEPTED.value,
                    connection.ops.adapt_datetimefield_value(timezone.now()),
                    shift.pk,
                    reservist.pk,
                    Invitation.Status.PENDING.value,
                ],
            )
        log_actions(
            actor,
            [
                (assignment, "assignment.booked", {"shift": locked.shift.pk}),
                (assignment, "assignment.assigned_by_hand", {}),
            ],
        )
        _confirm_to_reservist(assignment)
    return assignment


def sign_up(shift, reservist, *, actor) -> Assignment:
    """The reservist signs up for an open shift themself (issue 20): the locks and
    checks of accepting an invitation, and first whether the shift is open to them
    (``open_shifts.is_open_to``, asked under the reservist's lock): ShiftNotOpenError
    (404) if not; the booking's 409s (full, overlap, rest, hours, busy) otherwise. An
    open invitation of theirs to the shift is answered."""
    from requests_app.open_shifts import is_open_to

    def check(locked, now):
        if locked.user_id is None or locked.user_id != getattr(actor, "pk", None):
            return RequestNotAllowed(_("Only the reservist themself can sign up."))
        if not is_open_to(reservist, locked.shift, now=now):
            return ShiftNotOpenError()
        return _refusal(locked, now)

    with _booking(reservist.pk, shift.pk, None, check=check) as (locked, write):
        assignment = write(actor)
        with fastsql.cursor() as cursor:
            cursor.execute(
                _ACCEPT_OPEN,
                [
                    Invitation.Status.ACCEPTED.value,
                    connection.ops.adapt_datetimefield_value(timezone.now()),
                    shift.pk,
                    reservist.pk,
                    Invitation.Status.PENDING.value,
                ],
            )
            cursor.execute(  # a wait-list entry of theirs for the shift is served
                _WAITLIST_BOOKED,
                [
                    "booked",
                    connection.ops.adapt_datetimefield_value(timezone.now()),
                    shift.pk,
                    reservist.pk,
                    "waiting",
                ],
            )
        log_actions(
            actor,
            [
                (assignment, "assignment.booked", {"shift": locked.shift.pk}),
                (assignment, "assignment.signed_up", {}),
            ],
        )
        _confirm_to_reservist(assignment)
    return assignment


def cancel_assignment(assignment, *, actor, reason: str = "") -> Assignment:
    """Cancel a future booking (the reservist themself, the organisation or national
    staff): the place frees, and in the same transaction the first on the shift's
    wait-list who still fits is booked (``waitlist.promote``). Lock order as a booking:
    the reservist, then the shift."""
    from requests_app import waitlist
    from requests_app.services.requests import can_edit_for

    with booking_transaction():
        Reservist.objects.select_for_update().filter(pk=assignment.reservist_id).first()
        shift = Shift.objects.select_for_update().get(pk=assignment.shift_id)
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        request = DeploymentRequest.objects.select_related("organisation").get(pk=shift.request_id)
        own = Reservist.objects.filter(pk=assignment.reservist_id, user_id=actor.pk).exists()
        if not (own or can_edit_for(actor, request.organisation)):
            raise RequestNotAllowed(_("You may not cancel this booking."))
        if assignment.status != Assignment.Status.CONFIRMED:
            raise RequestStateError(_("This booking is no longer confirmed."))
        if shift.start <= timezone.now():
            raise RequestStateError(_("A shift that has started can no longer be cancelled."))
        assignment.status = Assignment.Status.CANCELLED
        assignment.save(update_fields=["status"])
        log_action(assignment, "assignment.cancelled", actor, reason)
        waitlist.promote(shift)
        update_fill_state(
            DeploymentRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
        )
    return assignment


def _confirm_to_reservist(assignment) -> None:
    """The confirmation e-mail goes through the outbox: one row in the booking's
    transaction, published by the relay (within about a minute) and rendered and sent by
    a worker, not in the accept request (issue 9: booking throughput). The answer to the
    accept already tells the reservist the booking stands."""
    from nzr.tasks import enqueue_for_relay
    from requests_app import tasks

    enqueue_for_relay(tasks.confirm_assignment, assignment.pk)
