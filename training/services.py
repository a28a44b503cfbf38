"""Training business rules: records, sessions, sign-ups and attendance."""

from datetime import date

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from registry.models import Reservist
from registry.signals import supply_changed
from training.errors import (
    AlreadySignedUpError,
    InvalidRecordError,
    SessionClosedError,
    SessionFullError,
    TrainingError,
)
from training.models import Course, SessionSignup, TrainingRecord, TrainingSession


def record_training(reservist: Reservist, course: Course, completed_on: date, *, actor):
    """Record that ``reservist`` completed ``course``; the expiry follows from the course."""
    if completed_on > timezone.localdate():
        raise InvalidRecordError(
            _("The completion date cannot be in the future."), field="completed_on"
        )
    if not course.active:
        raise InvalidRecordError(_("This course is no longer in use."), field="course")
    with transaction.atomic():
        record = TrainingRecord.objects.create(
            reservist=reservist, course=course, completed_on=completed_on, recorded_by=actor
        )
        log_action(
            reservist,
            "training.recorded",
            actor,
            course=course.code,
            completed_on=completed_on.isoformat(),
            expires_on=record.expires_on.isoformat() if record.expires_on else None,
        )
        supply_changed.send(sender=TrainingRecord, reservist_id=reservist.pk)
    return record


def create_session(*, course, region, starts_at, ends_at, place, trainer, capacity, actor):
    if ends_at <= starts_at:
        raise TrainingError(_("The session must end after it starts."), field="ends_at")
    if capacity < 1:
        raise TrainingError(_("A session needs at least one seat."), field="capacity")
    with transaction.atomic():
        session = TrainingSession.objects.create(
            course=course,
            region=region,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            trainer=trainer,
            capacity=capacity,
            created_by=actor,
        )
        log_action(session, "training.session_created", actor, capacity=capacity)
    return session


def seats_taken(session: TrainingSession) -> int:
    return session.signups.filter(status__in=SessionSignup.TAKES_SEAT).count()


def sign_up(session: TrainingSession, reservist: Reservist, *, actor) -> SessionSignup:
    """Give ``reservist`` a seat in ``session``; never more sign-ups than seats.

    Lock order: the reservist row, then the session row (as for shifts); the seats
    are counted from committed rows while the session lock is held.
    """
    with transaction.atomic():
        Reservist.objects.select_for_update().only("id").get(pk=reservist.pk)
        session = TrainingSession.objects.select_for_update().get(pk=session.pk)
        if session.cancelled or session.starts_at <= timezone.now():
            raise SessionClosedError(_("This session is no longer open for sign-up."))
        existing = SessionSignup.objects.filter(session=session, reservist=reservist).first()
        if existing is not None and existing.status in SessionSignup.TAKES_SEAT:
            raise AlreadySignedUpError(_("You are already signed up for this session."))
        if seats_taken(session) >= session.capacity:
            raise SessionFullError(_("This session is full."))
        if existing is not None:
            existing.status = SessionSignup.Status.SIGNED_UP
            existing.signed_up_at = timezone.now()
            existing.save(update_fields=["status", "signed_up_at"])
            signup = existing
        else:
            signup = SessionSignup.objects.create(session=session, reservist=reservist)
        log_action(session, "training.signed_up", actor, reservist=reservist.pk)
    return signup


def cancel_signup(signup: SessionSignup, *, actor) -> SessionSignup:
    with transaction.atomic():
        signup = SessionSignup.objects.select_for_update().get(pk=signup.pk)
        if signup.status != SessionSignup.Status.SIGNED_UP:
            raise SessionClosedError(_("This sign-up can no longer be cancelled."))
        signup.status = SessionSignup.Status.CANCELLED
        signup.save(update_fields=["status"])
        log_action(
            signup.session, "training.signup_cancelled", actor, reservist=signup.reservist_id
        )
    return signup


def record_attendance(session: TrainingSession, attended_ids, *, actor) -> list[TrainingRecord]:
    """The coordinator marks who attended; each attendee gets a training record
    (completed on the session's date). Those not marked are recorded as absent."""
    attended_ids = {int(i) for i in attended_ids}
    on = timezone.localtime(session.starts_at).date()
    if on > timezone.localdate():
        raise TrainingError(_("Attendance can be recorded once the session has taken place."))
    records = []
    with transaction.atomic():
        session = TrainingSession.objects.select_for_update().get(pk=session.pk)
        signups = list(
            session.signups.select_for_update()
            .filter(status__in=SessionSignup.TAKES_SEAT)
            .select_related("reservist")
        )
        unknown = attended_ids - {s.reservist_id for s in signups}
        if unknown:
            raise TrainingError(_("Only people who signed up can be marked as present."))
        for signup in signups:
            if signup.reservist_id in attended_ids:
                if signup.status != SessionSignup.Status.ATTENDED or signup.record_id is None:
                    record = record_training(signup.reservist, session.course, on, actor=actor)
                    signup.record = record
                    records.append(record)
                signup.status = SessionSignup.Status.ATTENDED
            else:
                if signup.record_id is not None:
                    TrainingRecord.objects.filter(pk=signup.record_id).delete()
                    signup.record = None
                signup.status = SessionSignup.Status.ABSENT
            signup.save(update_fields=["status", "record"])
        log_action(session, "training.attendance", actor, attended=sorted(attended_ids))
    return records


def sessions_with_seats(queryset):
    """Annotate ``taken`` (seats in use) on a session queryset, in the database."""
    return queryset.annotate(
        taken=Count("signups", filter=Q(signups__status__in=SessionSignup.TAKES_SEAT))
    )
