"""Which vetting checks a reservist needs, and why they are not (yet) done.

Used by the activation guard (registry.services.ACTIVATION_GUARDS) and by the
"vetting" deployability checker, both registered in ``RegionsConfig.ready()``.
"""

from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from regions.models import VettingCheck, VogRule

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


# --- the VOG's date: at most so old at the first deployment, renewed every so often ----
# The rule is data (``VogRule``, the active one). A VOG row without an issue date
# (recorded before dates were asked) has no date rule; the coordinator's list shows it.


_VOG_RULE_KEY = "nzr:regions:vog-rule"
_NONE = "none"


def vog_rule():
    """The active VOG rule (None: no rule). Read on every deployability check, so kept
    in the cache, dropped whenever a rule is saved or deleted (``regions.apps``)."""
    rule = cache.get(_VOG_RULE_KEY)
    if rule is None:
        rule = VogRule.objects.filter(active=True).first() or _NONE
        cache.set(_VOG_RULE_KEY, rule, 300)
    return None if rule == _NONE else rule


def forget_vog_rule(**kwargs) -> None:
    cache.delete(_VOG_RULE_KEY)


def vog_rule_key():
    """What of the rule the SQL depends on (``Checker.key``)."""
    rule = vog_rule()
    return None if rule is None else (rule.first_months, rule.renew_months)


def added_months(day, months):
    return day + relativedelta(months=months)


def last_day_expired(on, months):
    """The latest issue date whose ``months`` have run out by ``on`` (issued_on +
    months <= on), exactly as ``added_months`` counts (the end of a month clamps: a
    VOG of 31 August plus six months runs to 28 February)."""
    day = on - relativedelta(months=months)
    while added_months(day + timedelta(days=1), months) <= on:
        day += timedelta(days=1)
    return day


def _assignment_model():
    """Deployments are the requests app's (higher up): read through the app registry,
    as a string, the one place regions looks at them. None when the app is absent."""
    try:
        return apps.get_model("requests_app", "Assignment")
    except LookupError:
        return None


def _start_of(on):
    return timezone.make_aware(datetime.combine(on, time.min))


def deployed_before(reservist, on) -> bool:
    """Has the reservist been deployed (a booking not cancelled) before ``on``?"""
    model = _assignment_model()
    if model is None:
        return False
    return (
        model.objects.filter(reservist_id=reservist.pk, start__lt=_start_of(on))
        .exclude(status=model.Status.CANCELLED)
        .exists()
    )


def _deployed_before_condition(on):
    model = _assignment_model()
    if model is None:
        return Q(pk__in=[])
    return Exists(
        model.objects.filter(reservist_id=OuterRef("pk"), start__lt=_start_of(on)).exclude(
            status=model.Status.CANCELLED
        )
    )


def vog_problem(issued_on, on, rule, first_deployment: bool) -> str | None:
    """Why a VOG issued on ``issued_on`` does not count on ``on`` (None: it does)."""
    if rule is None or issued_on is None:
        return None
    if issued_on > on:
        return _("The VOG's issue date (%(date)s) is in the future.") % {
            "date": issued_on.strftime("%d-%m-%Y")
        }
    expiry = added_months(issued_on, rule.renew_months)
    if expiry <= on:
        return _(
            "The VOG of %(date)s expired on %(expiry)s (renewed every %(months)s months): "
            "a new VOG is needed."
        ) % {
            "date": issued_on.strftime("%d-%m-%Y"),
            "expiry": expiry.strftime("%d-%m-%Y"),
            "months": rule.renew_months,
        }
    if first_deployment and added_months(issued_on, rule.first_months) <= on:
        return _(
            "The VOG of %(date)s is older than %(months)s months for a first deployment: "
            "a new VOG is needed."
        ) % {"date": issued_on.strftime("%d-%m-%Y"), "months": rule.first_months}
    return None


def latest_vog(reservist):
    return latest_checks(reservist).get(Check.VOG)


def vog_check(reservist, on, profile) -> list[str]:
    """Deployability: the latest passed VOG still counts on ``on``."""
    row = latest_vog(reservist)
    if row is None or row.outcome != VettingCheck.Outcome.PASS or row.issued_on is None:
        return []
    rule = vog_rule()
    if rule is None:
        return []
    problem = vog_problem(row.issued_on, on, rule, not deployed_before(reservist, on))
    return [problem] if problem else []


def vog_condition(on, profile):
    """The database face of ``vog_check``: no latest passed VOG that ran out.

    Blocked when the latest VOG row (ties on ``checked_at`` by id, as in
    ``latest_checks``) passed with an issue date that is in the future, or
    ``renew_months`` old by ``on``, or ``first_months`` old when the reservist was
    never deployed before ``on``. The cut-off dates come from ``last_day_expired``."""
    rule = vog_rule()
    if rule is None:
        return Q()
    later = VettingCheck.objects.filter(
        Q(checked_at__gt=OuterRef("checked_at"))
        | Q(checked_at=OuterRef("checked_at"), id__gt=OuterRef("id")),
        reservist_id=OuterRef("reservist_id"),
        kind=Check.VOG,
    )
    latest = VettingCheck.objects.filter(
        reservist_id=OuterRef("pk"),
        kind=Check.VOG,
        outcome=VettingCheck.Outcome.PASS,
        issued_on__isnull=False,
    ).filter(~Exists(later))
    renewal = Q(issued_on__gt=on) | Q(issued_on__lte=last_day_expired(on, rule.renew_months))
    too_old = latest.filter(renewal)
    too_old_first = latest.filter(issued_on__lte=last_day_expired(on, rule.first_months))
    return ~Exists(too_old) & (~Exists(too_old_first) | _deployed_before_condition(on))


def validate_vog_date(reservist, issued_on, *, today=None) -> str | None:
    """Recording a VOG: an issue date in the future, or older than the rule allows
    today (for a first deployment when the reservist was never deployed), is refused."""
    today = today or timezone.localdate()
    if issued_on > today:
        return vog_problem(issued_on, today, vog_rule() or _NO_RULE, False)
    return vog_problem(issued_on, today, vog_rule(), not deployed_before(reservist, today))


class _NoRule:
    first_months = renew_months = 10_000


_NO_RULE = _NoRule()
