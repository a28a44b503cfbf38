"""Is a reservist deployable (for a profile, on a date)? A list of small checkers.

The register knows status and BIG registration; higher apps (training:
required courses valid; regions: vetting passed) add their checkers at start-up
in ``AppConfig.ready()`` with ``register_checker`` — the higher app calls down.

Each checker has two faces over the same rule:
- ``check(reservist, on, profile) -> list[str]``: reasons why not, for one reservist
  (shown to the reservist, the coordinator, and in ``deployable_reasons``);
- ``filter(queryset, on, profile) -> queryset``: the same rule as a database filter,
  for the register search and matching over 100,000 reservists.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Checker:
    name: str
    check: Callable  # (reservist, on: date, profile | None) -> list[str]
    filter: Callable  # (queryset, on: date, profile | None) -> queryset


_CHECKERS: dict[str, Checker] = {}


def register_checker(checker: Checker) -> None:
    _CHECKERS[checker.name] = checker


def checkers() -> list[Checker]:
    return list(_CHECKERS.values())


def reasons_not_deployable(reservist, on: date | None = None, profile=None) -> list[str]:
    """All reasons, collected (empty list: deployable)."""
    on = on or timezone.localdate()
    reasons: list[str] = []
    for checker in checkers():
        reasons += checker.check(reservist, on, profile)
    return reasons


def is_deployable(reservist, on: date | None = None, profile=None) -> bool:
    return not reasons_not_deployable(reservist, on, profile)


def deployable(queryset, on: date | None = None, profile=None):
    """Filter a Reservist queryset to those deployable on ``on`` (for ``profile``)."""
    on = on or timezone.localdate()
    for checker in checkers():
        queryset = checker.filter(queryset, on, profile)
    return queryset


# --- the register's own checkers -------------------------------------------------


def _status_check(reservist, on, profile):
    if reservist.status != "active":
        return [
            _("Status is “%(status)s”, not active.") % {"status": reservist.get_status_display()}
        ]
    return []


def _status_filter(qs, on, profile):
    return qs.filter(status="active")


def _big_check(reservist, on, profile):
    needs_big = reservist.ring == 1 or (
        reservist.profession_id and reservist.profession.big_registered
    )
    if not needs_big:
        return []
    if not reservist.big_number:
        return [_("No BIG number recorded.")]
    if reservist.big_valid_until is None or reservist.big_valid_until < on:
        return [_("BIG registration is not valid on %(date)s.") % {"date": on.strftime("%d-%m-%Y")}]
    return []


def _big_filter(qs, on, profile):
    needs_big = Q(ring=1) | Q(profession__big_registered=True)
    return qs.filter(~needs_big | (Q(big_valid_until__gte=on) & ~Q(big_number="")))


def _profile_check(reservist, on, profile):
    if profile is None:
        return []
    reasons = []
    if profile.rings and reservist.ring not in profile.rings:
        reasons.append(_("Ring does not fit profile “%(profile)s”.") % {"profile": profile.name})
    return reasons


def _profile_filter(qs, on, profile):
    if profile is None or not profile.rings:
        return qs
    return qs.filter(ring__in=profile.rings)


register_checker(Checker("status", _status_check, _status_filter))
register_checker(Checker("big", _big_check, _big_filter))
register_checker(Checker("profile_ring", _profile_check, _profile_filter))
