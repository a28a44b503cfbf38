"""Which vetting checks a reservist needs, and why they are not (yet) done.

Used by the activation guard (registry.services.ACTIVATION_GUARDS) and by the
"vetting" deployability checker, both registered in ``RegionsConfig.ready()``.
"""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from regions.models import VettingCheck

Check = VettingCheck.Check
ALWAYS = ("identity", "vog", "intake")


def needs_big(reservist) -> bool:
    return reservist.ring == 1 or bool(
        reservist.profession_id and reservist.profession.big_registered
    )


def required_checks(reservist) -> list[str]:
    always = getattr(settings, "NZR_REQUIRED_VETTING_CHECKS", ALWAYS)
    checks = [c for c in Check.values if c in always]
    if needs_big(reservist) and "big" not in checks:
        checks.insert(1, "big")
    return checks


def latest_checks(reservist) -> dict[str, VettingCheck]:
    latest: dict[str, VettingCheck] = {}
    for row in (
        VettingCheck.objects.filter(reservist=reservist)
        .select_related("checked_by")
        .order_by("-checked_at", "-id")
    ):
        latest.setdefault(row.kind, row)
    return latest


def _failed_reason(row) -> str:
    day = timezone.localtime(row.checked_at).strftime("%d-%m-%Y")
    if row.note:
        return _("Check “%(check)s” failed on %(date)s: %(note)s") % {
            "check": row.get_kind_display(),
            "date": day,
            "note": row.note,
        }
    return _("Check “%(check)s” failed on %(date)s.") % {
        "check": row.get_kind_display(),
        "date": day,
    }


def vetting_reasons(reservist) -> list[str]:
    """Why the reservist has not passed vetting (empty list: passed)."""
    latest = latest_checks(reservist)
    reasons = []
    for check in required_checks(reservist):
        row = latest.get(check)
        if row is None:
            reasons.append(
                _("Check “%(check)s” has not been done yet.") % {"check": Check(check).label}
            )
        elif row.outcome != VettingCheck.Outcome.PASS:
            reasons.append(_failed_reason(row))
    return reasons


def activation_guard(reservist) -> list[str]:
    """registry.services.ACTIVATION_GUARDS: active only when the required checks passed."""
    return vetting_reasons(reservist)


# --- deployability: an active reservist passed vetting (the activation guard saw to
# that); a required check that failed afterwards (e.g. a withdrawn VOG) blocks.


def deployability_check(reservist, on, profile) -> list[str]:
    latest = latest_checks(reservist)
    return [
        _failed_reason(latest[c])
        for c in required_checks(reservist)
        if c in latest and latest[c].outcome == VettingCheck.Outcome.FAIL
    ]


def required_kinds() -> tuple[str, ...]:
    """The vetting checks every reservist needs (a setting; "big" is added per reservist)."""
    always = getattr(settings, "NZR_REQUIRED_VETTING_CHECKS", ALWAYS)
    return tuple(c for c in Check.values if c in always)


def deployability_condition(on, profile):
    """The database face of ``deployability_check``: one NOT EXISTS anti-join.

    A reservist is blocked when a vetting check of a required kind failed and no
    later check of the same kind exists (the latest row counts; ties on
    ``checked_at`` are broken by id, as in ``latest_checks``). "big" is required
    when configured, or for ring 1 and BIG-registered professions.
    """
    return Q(~Exists(_failed_latest(required_kinds())))


def deployability_filter(queryset, on, profile):
    return queryset.filter(deployability_condition(on, profile))


def _failed_latest(kinds):
    """The outer reservist's failed latest checks of the required kinds, as a subquery.
    Built fresh each time (a queryset with outer references must not be shared); its SQL
    depends on ``kinds`` only and ``deployable()`` compiles it once (``nzr.precompiled``)."""
    required = Q(kind__in=kinds) if kinds else Q(pk__in=[])
    if "big" not in kinds:
        required |= Q(kind=Check.BIG) & (
            Q(reservist__ring=1) | Q(reservist__profession__big_registered=True)
        )
    later = VettingCheck.objects.filter(
        Q(checked_at__gt=OuterRef("checked_at"))
        | Q(checked_at=OuterRef("checked_at"), id__gt=OuterRef("id")),
        reservist_id=OuterRef("reservist_id"),
        kind=OuterRef("kind"),
    )
    return VettingCheck.objects.filter(
        required, reservist_id=OuterRef("pk"), outcome=VettingCheck.Outcome.FAIL
    ).filter(~Exists(later))
