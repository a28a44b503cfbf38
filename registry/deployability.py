"""Is a reservist deployable (for a profile, on a date)? A list of small checkers.

The register knows status and BIG registration; higher apps (training:
required courses valid; regions: vetting passed) add their checkers at start-up
in ``AppConfig.ready()`` with ``register_checker`` — the higher app calls down.

Each checker has two faces over the same rule:
- ``check(reservist, on, profile) -> list[str]``: reasons why not, for one reservist
  (shown to the reservist, the coordinator, and in ``deployable_reasons``);
- ``condition(on, profile) -> Q``: the same rule as a database condition over the
  reservist's own columns (subqueries for anything else, no joins), for the register
  search and matching over 100,000 reservists.

``deployable()`` applies all conditions as one ``Precompiled`` condition: its SQL is
built once per process for each date and profile (and whatever a checker's ``key``
adds, e.g. a setting), not on every search.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nzr.precompiled import Precompiled


@dataclass(frozen=True)
class Checker:
    name: str
    check: Callable  # (reservist, on: date, profile | None) -> list[str]
    condition: Callable  # (on: date, profile | None) -> Q over Reservist's own columns
    # What else the condition's SQL depends on (a setting, say), or None: part of the
    # key under which the compiled SQL is kept.
    key: Callable | None = None

    def sql_key(self, on, profile) -> tuple:
        """Everything this checker's SQL depends on, for ``Precompiled``."""
        return (self.name, on, _profile_key(profile), self.key() if self.key else None)

    def precompiled(self, on, profile) -> Precompiled:
        """This checker's condition alone, its SQL compiled once per process for each
        date and profile (matching applies the checkers one by one)."""
        return Precompiled(
            ("checker", *self.sql_key(on, profile)),
            lambda: self.condition(on, profile),
            output_field=BooleanField(),
        )

    def filter(self, queryset, on, profile):
        return queryset.filter(self.precompiled(on, profile))


def _profile_key(profile):
    """What of a profile the conditions read: its id (requirements are looked up by id,
    in SQL) and its rings (parameters of the SQL)."""
    return None if profile is None else (profile.pk, tuple(profile.rings or ()))


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


def deployable_condition(on: date | None = None, profile=None) -> Precompiled:
    """Deployable on ``on`` (for ``profile``): a condition on a Reservist query (for
    ``filter()``), or its yes/no as a column (for ``annotate()``)."""
    on = on or timezone.localdate()
    found = checkers()
    key = ("deployable", tuple(checker.sql_key(on, profile) for checker in found))

    def build():
        return Q(*(checker.condition(on, profile) for checker in found))

    return Precompiled(key, build, output_field=BooleanField())


def deployable(queryset, on: date | None = None, profile=None):
    """Filter a Reservist queryset to those deployable on ``on`` (for ``profile``)."""
    return queryset.filter(deployable_condition(on, profile))


# --- the register's own checkers -------------------------------------------------


def _status_check(reservist, on, profile):
    if reservist.status != "active":
        return [
            _("Status is “%(status)s”, not active.") % {"status": reservist.get_status_display()}
        ]
    return []


def _status_condition(on, profile):
    return Q(status="active")


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


def _big_condition(on, profile):
    from registry.models import Profession

    # A subquery, not a join: the condition reads the reservist's own columns only.
    big_professions = Profession.objects.filter(big_registered=True).values("pk")
    needs_big = Q(ring=1) | Q(profession__in=big_professions)
    return ~needs_big | (Q(big_valid_until__gte=on) & ~Q(big_number=""))


def _profile_check(reservist, on, profile):
    if profile is None:
        return []
    reasons = []
    if profile.rings and reservist.ring not in profile.rings:
        reasons.append(_("Ring does not fit profile “%(profile)s”.") % {"profile": profile.name})
    return reasons


def _profile_condition(on, profile):
    if profile is None or not profile.rings:
        return Q()
    return Q(ring__in=profile.rings)


register_checker(Checker("status", _status_check, _status_condition))
register_checker(Checker("big", _big_check, _big_condition))
register_checker(Checker("profile_ring", _profile_check, _profile_condition))
