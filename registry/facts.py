"""Verified facts: what a coordinator checked stays in effect until they check a change.

Profession, BIG number, BIG end date, care level and profiles are verified
facts. Once a reservist has been vetted (active or paused), their change of one of
these becomes a pending ``FactChange``; the reservist row keeps the verified value, so
deployability, ring and matching use it until a coordinator approves
(``regions.verification``). Before vetting the reservist edits freely.
"""

from datetime import date

from django.utils import timezone

from accounts.audit import log_action
from registry.models import FactChange, Profession, Profile, Reservist
from registry.validators import normalise_digits

VERIFIED_FIELDS = (
    "profession",
    "big_number",
    "big_valid_until",
    "level",
    "profiles",
)
BIG_FIELDS = ("profession", "big_number", "big_valid_until")
VETTED = (Reservist.Status.ACTIVE, Reservist.Status.PAUSED)


def is_vetted(reservist) -> bool:
    return reservist.status in VETTED


def to_json(field: str, value):
    """The stored (JSON) form of a value of a verified field."""
    if field == "profession":
        return value.pk if isinstance(value, Profession) else value
    if field == "profiles":
        return sorted(p.pk if isinstance(p, Profile) else int(p) for p in (value or []))
    if field == "big_number":
        return normalise_digits(value or "")
    if field == "big_valid_until":
        return value.isoformat() if isinstance(value, date) else value
    return value or ""


def from_json(field: str, value):
    """The model value of a stored value (for applying an approved change)."""
    if field == "profession":
        return Profession.objects.filter(pk=value).first() if value else None
    if field == "profiles":
        return list(Profile.objects.filter(pk__in=value or []))
    if field == "big_valid_until":
        return date.fromisoformat(value) if value else None
    return value


def current(reservist, field: str):
    if field == "profiles":
        return to_json(field, reservist.profiles.all()) if reservist.pk else []
    if field == "profession":
        return reservist.profession_id
    return to_json(field, getattr(reservist, field))


def split(reservist, data: dict) -> tuple[dict, dict]:
    """Split a change into what applies now and the verified facts that wait (as JSON)."""
    if not is_vetted(reservist):
        return dict(data), {}
    applied, pending = {}, {}
    for name, value in data.items():
        if name in VERIFIED_FIELDS:
            pending[name] = to_json(name, value)
        else:
            applied[name] = value
    return applied, pending


def request_changes(reservist, pending: dict, *, actor) -> None:
    """Record pending changes (caller holds the reservist's row lock).

    A second change of a field replaces the first; a change back to the verified
    value withdraws the pending one.
    """
    for field, value in pending.items():
        open_change = FactChange.objects.filter(
            reservist=reservist, field=field, status=FactChange.Status.PENDING
        ).first()
        if value == current(reservist, field):
            if open_change:
                open_change.status = FactChange.Status.WITHDRAWN
                open_change.decided_at = timezone.now()
                open_change.save(update_fields=["status", "decided_at"])
                log_action(reservist, "reservist.fact_withdrawn", actor, field=field)
            continue
        if open_change and open_change.value == value:
            continue
        if open_change:
            open_change.value = value
            open_change.requested_at = timezone.now()
            open_change.save(update_fields=["value", "requested_at"])
        else:
            FactChange.objects.create(reservist=reservist, field=field, value=value)
        log_action(reservist, "reservist.fact_requested", actor, field=field, value=value)


def pending_changes(reservist):
    return FactChange.objects.filter(reservist=reservist, status=FactChange.Status.PENDING)


def display_json(field: str, value):
    """The API form of a stored value: codes for profession and profiles."""
    if field == "profession":
        return Profession.objects.filter(pk=value).values_list("code", flat=True).first()
    if field == "profiles":
        return list(
            Profile.objects.filter(pk__in=value or [])
            .order_by("code")
            .values_list("code", flat=True)
        )
    return value


def display_text(field: str, value) -> str:
    """A person's reading of a stored value (pages)."""
    if field == "profession":
        return str(from_json(field, value) or "—")
    if field == "profiles":
        return ", ".join(str(p) for p in from_json(field, value)) or "—"
    if field == "big_valid_until":
        return from_json(field, value).strftime("%d-%m-%Y") if value else "—"
    if field == "level":
        from registry.models import Level

        return str(Level(value).label) if value else "—"
    return value or "—"


def field_label(field: str) -> str:
    return str(Reservist._meta.get_field(field).verbose_name)
