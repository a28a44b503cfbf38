"""Business rules of the register: sign-up, profile, status, availability, privacy.

Every function takes model instances and the acting user, runs in one
transaction, raises ``registry.errors`` and writes ``log_action`` in the same
transaction. Views, the API, admin actions and tasks all call these.
"""

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.audit import history_of, log_action, reads_of
from accounts.models import AccessLog, Membership
from accounts.services import end_membership, grant_membership
from registry import facts
from registry.errors import (
    ActivationRefused,
    AlreadyLeft,
    InvalidTransition,
    PeriodError,
    RegistryError,
)
from registry.models import (
    Availability,
    Reservist,
    ReservistNote,
    ReservistStatusChange,
    WeeklyAvailability,
    derive_ring,
)
from registry.signals import supply_changed
from registry.validators import normalise_digits, normalise_postcode

Status = Reservist.Status

# Guards run before a reservist becomes "active": ``guard(reservist) -> list[str]``
# (reasons why not). Higher apps append theirs in ``AppConfig.ready()`` (e.g. vetting).
ACTIVATION_GUARDS: list[Callable] = []

# Which status may follow which. "left" is reached through ``leave`` as well.
TRANSITIONS = {
    Status.APPLIED: {Status.VETTING, Status.ACTIVE, Status.LEFT},
    Status.VETTING: {Status.APPLIED, Status.ACTIVE, Status.LEFT},
    Status.ACTIVE: {Status.PAUSED, Status.LEFT},
    Status.PAUSED: {Status.ACTIVE, Status.LEFT},
    Status.LEFT: set(),
}

# Fields a reservist keeps themself (the API's PATCH /me/ and the profile pages).
EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "phone",
    "postcode",
    "municipality",
    "regions",
    "sectors",
    "readiness",
    "profession",
    "big_number",
    "big_valid_until",
    "level",
    "is_student",
    "profiles",
    "specialisations",
    "diplomas",
    "years_experience",
    "last_worked_in_care",
)
M2M_FIELDS = ("regions", "profiles")


def _profile_complete_guard(reservist) -> list[str]:
    reasons = []
    if reservist.anonymised_at:
        reasons.append(_("The personal data of this reservist has been erased."))
    if reservist.consent_at is None:
        reasons.append(_("The reservist has not accepted the privacy statement."))
    if reservist.home_region_id is None:
        reasons.append(_("No home region recorded."))
    return reasons


ACTIVATION_GUARDS.append(_profile_complete_guard)


# --- status ----------------------------------------------------------------------


def _record_status(reservist, old: str, new: str, actor, reason: str) -> None:
    ReservistStatusChange.objects.create(
        reservist=reservist,
        from_status=old or "",
        to_status=new,
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason or "",
    )
    log_action(reservist, "reservist.status", actor, reason, from_status=old, to_status=new)


def activation_refusals(reservist) -> list[str]:
    reasons: list[str] = []
    for guard in ACTIVATION_GUARDS:
        reasons += list(guard(reservist) or [])
    return reasons


def allowed_transitions(reservist) -> list[str]:
    return sorted(TRANSITIONS.get(reservist.status, set()), key=Status.values.index)


def change_status(reservist: Reservist, status: str, *, actor, reason: str = "") -> Reservist:
    """The only way to change ``Reservist.status``; records history and the audit log."""
    if status not in Status.values:
        raise InvalidTransition(_("Unknown status “%(status)s”.") % {"status": status})
    with transaction.atomic():
        locked = Reservist.objects.select_for_update().get(pk=reservist.pk)
        old = locked.status
        if status == old:
            return locked
        if status not in TRANSITIONS[old]:
            raise InvalidTransition(
                _("A reservist cannot go from “%(old)s” to “%(new)s”.")
                % {"old": Status(old).label, "new": Status(status).label}
            )
        if status == Status.ACTIVE:
            reasons = activation_refusals(locked)
            if reasons:
                raise ActivationRefused(reasons)
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        _record_status(locked, old, status, actor, reason)
    reservist.status = status
    return locked


# --- profile -----------------------------------------------------------------------


def _apply(reservist: Reservist, data: dict) -> dict:
    """Set plain fields on ``reservist``; returns the many-to-many values to set after saving."""
    m2m = {}
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            continue
        if name in M2M_FIELDS:
            m2m[name] = list(value)
            continue
        if name == "postcode":
            value = normalise_postcode(value or "")
        elif name == "big_number":
            value = normalise_digits(value or "")
        elif name == "phone":
            value = (value or "").strip()
        elif name in ("sectors", "specialisations"):
            value = [v for v in (value or []) if v]
        elif value is None and name in ("level", "diplomas", "first_name", "last_name"):
            value = ""
        setattr(reservist, name, value)
    if "municipality" in data:
        municipality = data["municipality"]
        reservist.home_region = municipality.region if municipality else None
    reservist.ring = derive_ring(
        reservist.profession, reservist.level, reservist.is_student, bool(reservist.big_number)
    )
    return m2m


def _save(reservist: Reservist, m2m: dict) -> None:
    reservist.full_clean(exclude=["user"])
    reservist.save()
    for name, values in m2m.items():
        getattr(reservist, name).set(values)


def update_reservist(reservist: Reservist, data: dict, *, actor) -> Reservist:
    """Change a reservist's own data; the ring is derived again. All or nothing."""
    if reservist.anonymised_at:
        raise AlreadyLeft(_("This registration has been closed."))
    with transaction.atomic():
        locked = Reservist.objects.select_for_update().get(pk=reservist.pk)
        applied, pending = facts.split(locked, data)
        m2m = _apply(locked, applied)
        _save(locked, m2m)
        changed = sorted(k for k in applied if k in EDITABLE_FIELDS)
        if changed:
            log_action(locked, "reservist.updated", actor, fields=changed)
        facts.request_changes(locked, pending, actor=actor)
    return locked


def save_onboarding_step(user, step: int, data: dict) -> Reservist:
    """Save one step of the sign-up wizard (all fields of the step, or nothing).

    The first step creates the Reservist row with status "applied"; the row
    remembers the last completed step so the user can stop and come back.
    """
    with transaction.atomic():
        reservist = Reservist.objects.select_for_update().filter(user=user).first()
        created = reservist is None
        if created:
            reservist = Reservist(
                user=user, status=Status.APPLIED, onboarding_done=False, onboarding_step=0
            )
        elif reservist.anonymised_at:
            raise AlreadyLeft(_("This registration has been closed."))
        m2m = _apply(reservist, data)
        if not reservist.onboarding_done:
            reservist.onboarding_step = max(reservist.onboarding_step, step)
        _save(reservist, m2m)
        if created:
            _record_status(reservist, "", Status.APPLIED, user, _("Signed up"))
        log_action(reservist, "reservist.onboarding_step", user, step=step)
    return reservist


ONBOARDING_STEPS = 3  # data steps; the last step (consent) finishes the wizard


def finish_onboarding(reservist: Reservist, *, actor, consent: bool) -> Reservist:
    """Accept the privacy statement, complete the sign-up, grant the reservist role."""
    if not consent:
        raise RegistryError(
            _("Please accept the privacy statement to join the reserve."), field="consent"
        )
    with transaction.atomic():
        locked = Reservist.objects.select_for_update().get(pk=reservist.pk)
        if locked.onboarding_step < ONBOARDING_STEPS and not locked.onboarding_done:
            raise RegistryError(
                _("Please complete the earlier steps first."), field="consent", code="incomplete"
            )
        locked.consent_at = locked.consent_at or timezone.now()
        locked.onboarding_done = True
        locked.onboarding_step = ONBOARDING_STEPS + 1
        locked.availability_confirmed_on = locked.availability_confirmed_on or timezone.localdate()
        locked.save()
        if locked.user_id:
            grant_membership(locked.user, Membership.Role.RESERVIST, actor=actor)
        log_action(locked, "reservist.signed_up", actor)
    return locked


# --- availability ------------------------------------------------------------------


def _fmt(value) -> str:
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATETIME_FORMAT")


def add_availability(
    reservist: Reservist, start, end, kind: str = Availability.Kind.AVAILABLE, *, actor, note=""
) -> Availability:
    """A dated period (available, or absent for holiday/illness). Inverted or overlapping
    periods of the same kind are refused with a clear message."""
    if kind not in Availability.Kind.values:
        raise PeriodError(_("Choose available or absent."), field="kind")
    if start is None or end is None:
        raise PeriodError(_("Enter a start and an end."), field="start")
    if end <= start:
        raise PeriodError(_("The end must be after the start."), field="end")
    with transaction.atomic():
        locked = Reservist.objects.select_for_update().get(pk=reservist.pk)
        clash = (
            Availability.objects.filter(reservist=locked, kind=kind, start__lt=end, end__gt=start)
            .order_by("start")
            .first()
        )
        if clash is not None:
            raise PeriodError(
                _("This period overlaps another %(kind)s period (%(start)s – %(end)s).")
                % {
                    "kind": Availability.Kind(kind).label.lower(),
                    "start": _fmt(clash.start),
                    "end": _fmt(clash.end),
                },
                field="start",
                code="overlap",
            )
        period = Availability.objects.create(
            reservist=locked, start=start, end=end, kind=kind, note=note or ""
        )
        log_action(locked, "availability.added", actor, kind=kind, id=period.pk)
        supply_changed.send(sender=Availability, reservist_id=locked.pk)
    return period


def delete_availability(period: Availability, *, actor) -> None:
    with transaction.atomic():
        reservist = Reservist.objects.select_for_update().get(pk=period.reservist_id)
        log_action(reservist, "availability.deleted", actor, kind=period.kind, id=period.pk)
        period.delete()
        supply_changed.send(sender=Availability, reservist_id=reservist.pk)


def add_weekly(reservist: Reservist, weekday: int, start_time, end_time, *, actor):
    if end_time <= start_time:
        raise PeriodError(_("The end time must be after the start time."), field="end_time")
    with transaction.atomic():
        locked = Reservist.objects.select_for_update().get(pk=reservist.pk)
        clash = WeeklyAvailability.objects.filter(
            reservist=locked, weekday=weekday, start_time__lt=end_time, end_time__gt=start_time
        ).first()
        if clash is not None:
            raise PeriodError(
                _("This overlaps your time on %(day)s (%(start)s – %(end)s).")
                % {
                    "day": clash.get_weekday_display().lower(),
                    "start": clash.start_time.strftime("%H:%M"),
                    "end": clash.end_time.strftime("%H:%M"),
                },
                field="start_time",
                code="overlap",
            )
        slot = WeeklyAvailability.objects.create(
            reservist=locked, weekday=weekday, start_time=start_time, end_time=end_time
        )
        log_action(locked, "availability.weekly_added", actor, id=slot.pk)
        supply_changed.send(sender=WeeklyAvailability, reservist_id=locked.pk)
    return slot


def delete_weekly(slot: WeeklyAvailability, *, actor) -> None:
    with transaction.atomic():
        reservist = Reservist.objects.select_for_update().get(pk=slot.reservist_id)
        log_action(reservist, "availability.weekly_deleted", actor, id=slot.pk)
        slot.delete()


def confirm_availability(reservist: Reservist, *, actor) -> Reservist:
    """The yearly "still available?" confirmation."""
    with transaction.atomic():
        locked = Reservist.objects.select_for_update().get(pk=reservist.pk)
        locked.availability_confirmed_on = timezone.localdate()
        locked.save(update_fields=["availability_confirmed_on", "updated_at"])
        log_action(locked, "availability.confirmed", actor)
    reservist.availability_confirmed_on = locked.availability_confirmed_on
    return locked


CONFIRM_EVERY_DAYS = 365
REMIND_AGAIN_AFTER_DAYS = 30


def due_for_confirmation(today=None):
    """Reservists (still in the reserve, with an account) not confirmed in 12 months
    and not reminded in the last month."""
    from django.db.models import Q

    today = today or timezone.localdate()
    limit = today - timedelta(days=CONFIRM_EVERY_DAYS)
    return (
        Reservist.objects.filter(user__isnull=False, user__is_active=True, anonymised_at=None)
        .exclude(status=Status.LEFT)
        .filter(Q(availability_confirmed_on__isnull=True) | Q(availability_confirmed_on__lt=limit))
        .filter(
            Q(availability_reminded_on__isnull=True)
            | Q(availability_reminded_on__lt=today - timedelta(days=REMIND_AGAIN_AFTER_DAYS))
        )
    )


def mark_reminded(reservist_id: int, today=None) -> Reservist | None:
    """Claim one reminder (idempotent): returns the reservist if a reminder is due now."""
    today = today or timezone.localdate()
    with transaction.atomic():
        reservist = due_for_confirmation(today).select_for_update().filter(pk=reservist_id).first()
        if reservist is None:
            return None
        reservist.availability_reminded_on = today
        reservist.save(update_fields=["availability_reminded_on"])
        log_action(reservist, "availability.reminded", None)
    return reservist


# --- privacy -------------------------------------------------------------------------

SECRET_FIELD_HINTS = ("password", "token", "secret", "key")


def _row(obj) -> dict:
    row = {}
    for field in obj._meta.concrete_fields:
        if any(hint in field.name for hint in SECRET_FIELD_HINTS):
            continue
        value = getattr(obj, field.attname)
        if field.is_relation and value is not None:
            related = getattr(obj, field.name)
            row[field.name] = str(related)
            row[field.attname] = value
        else:
            row[field.name] = value
    return row


OWN_RELATIONS = {"status_changes", "availability", "weekly_availability"}


def _related_paths(model) -> list[str]:
    """The foreign keys of ``model`` and theirs (two levels): ``_row`` shows each related
    object by its name, which may use one more relation (a shift's profile), so an
    export takes the same queries for 1 booking as for 100."""
    paths = []
    for field in model._meta.concrete_fields:
        if field.is_relation and field.many_to_one:
            paths.append(field.name)
            paths += [
                f"{field.name}__{sub.name}"
                for sub in field.related_model._meta.concrete_fields
                if sub.is_relation and sub.many_to_one
            ]
    return paths


def add_note(reservist: Reservist, text: str, *, actor) -> ReservistNote:
    text = (text or "").strip()
    if not text:
        raise RegistryError(_("Write a note first."), field="text")
    with transaction.atomic():
        note = ReservistNote.objects.create(reservist=reservist, text=text, author=actor)
        log_action(reservist, "reservist.note_added", actor, id=note.pk)
    return note


def export_data(reservist: Reservist) -> dict:
    """All data held about a reservist (GDPR art. 15), one key per kind of data.

    Reverse relations of other apps (vetting, training records, invitations,
    assignments, ...) are included generically, without importing those apps.
    """
    user = reservist.user
    profile = _row(reservist)
    profile["regions"] = [r.code for r in reservist.regions.all()]
    profile["profiles"] = [p.code for p in reservist.profiles.all()]
    data = {
        "account": (
            {
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "language": user.language,
                "date_joined": user.date_joined,
                "last_login": user.last_login,
            }
            if user
            else None
        ),
        "profile": profile,
        "status_history": [_row(c) for c in reservist.status_changes.all()],
        "availability": [_row(a) for a in reservist.availability.all()],
        "weekly_availability": [_row(w) for w in reservist.weekly_availability.all()],
    }
    for rel in reservist._meta.related_objects:
        accessor = rel.get_accessor_name()
        if accessor in OWN_RELATIONS or accessor in data:
            continue
        model = rel.related_model
        if rel.many_to_many:
            rows = model._default_manager.filter(**{rel.field.name: reservist})
            data[accessor] = [str(obj) for obj in rows]
        else:
            rows = model._default_manager.filter(**{rel.field.name: reservist}).select_related(
                *_related_paths(model)
            )
            data[accessor] = [_row(obj) for obj in rows]
    data["changes"] = [
        {"at": e.at, "action": e.action, "by": str(e.actor) if e.actor else "", "data": e.data}
        for e in history_of(reservist)
    ]
    # Who read the data: reads of this reservist, the lists and exports that named it,
    # and reads of its user account (the admin's user pages).
    reads = reads_of(reservist) | (reads_of(user) if user else AccessLog.objects.none())
    data["access_log"] = [
        {"at": e.at, "action": e.action, "by": str(e.user) if e.user else "", "detail": e.detail}
        for e in reads.select_related("user")
    ]
    return data


def leave(reservist: Reservist, *, actor, reason: str = "") -> Reservist:
    """The reservist leaves: personal data is erased; rows needed for statistics stay.

    Kept: the reservist row itself (id, home region, profession, level, ring,
    profiles, sectors, readiness), status history, and other apps' rows that
    refer to it (assignments, so the shift figures do not change).
    Erased: names, contact details, birth date, postcode and municipality, BIG
    number and dates, diplomas, availability; the user account is unlinked,
    deactivated and its e-mail address replaced.
    """
    with transaction.atomic():
        locked = Reservist.objects.select_for_update().get(pk=reservist.pk)
        if locked.anonymised_at:
            raise AlreadyLeft(_("This registration has already been closed."))
        old = locked.status
        if old != Status.LEFT:
            locked.status = Status.LEFT
            _record_status(locked, old, Status.LEFT, actor, reason or _("Left the reserve"))
        user = locked.user
        locked.first_name = ""
        locked.last_name = ""
        locked.date_of_birth = None
        locked.phone = ""
        locked.postcode = ""
        locked.municipality = None
        locked.big_number = ""
        locked.big_valid_until = None
        locked.diplomas = ""
        locked.specialisations = []
        locked.last_worked_in_care = None
        locked.user = None
        locked.anonymised_at = timezone.now()
        locked.save()
        locked.availability.all().delete()
        locked.weekly_availability.all().delete()
        locked.notes.all().delete()
        if user is not None:
            _close_account(user, actor)
        log_action(locked, "reservist.anonymised", actor, reason)
    return locked


def _close_account(user, actor) -> None:
    from allauth.account.models import EmailAddress
    from rest_framework.authtoken.models import Token

    for membership in Membership.objects.valid_on().filter(user=user):
        end_membership(membership, actor=actor, reason="left")
    EmailAddress.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    user.email = f"left-{user.pk}@anonymised.invalid"
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
