"""Reminders before a reservist's VOG stops counting (90, 30 and 7 days before), each
sent once, as for training (``training.reminders``: the same windows and the same
``ReminderSent`` memory).

A VOG stops counting ``renew_months`` after its issue date, and for a reservist never
deployed yet already ``first_months`` after it (``regions.vetting.vog_problem``)."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from regions.models import VettingCheck
from regions.vetting import added_months, deployed_before, vog_rule
from registry.models import Reservist
from training.reminders import WINDOWS, _remember, _site_url, window_for

Check = VettingCheck.Check


def vog_ends_on(issued_on: date, rule, *, first_deployment: bool) -> date:
    """The first day the VOG no longer counts."""
    renewal = added_months(issued_on, rule.renew_months)
    if first_deployment:
        return min(renewal, added_months(issued_on, rule.first_months))
    return renewal


def due_vog(today: date, rule):
    """The latest passed VOG of each active or paused reservist whose end (by either rule)
    can fall within the longest window."""
    later = VettingCheck.objects.filter(
        Q(checked_at__gt=OuterRef("checked_at"))
        | Q(checked_at=OuterRef("checked_at"), id__gt=OuterRef("id")),
        reservist_id=OuterRef("reservist_id"),
        kind=Check.VOG,
    )
    horizon = today + timedelta(days=max(WINDOWS))
    near = Q()
    for months in (rule.renew_months, rule.first_months):
        near |= Q(
            issued_on__gt=today - relativedelta(months=months),
            issued_on__lte=horizon - relativedelta(months=months),
        )
    return (
        VettingCheck.objects.filter(
            kind=Check.VOG,
            outcome=VettingCheck.Outcome.PASS,
            issued_on__isnull=False,
            reservist__status__in=[Reservist.Status.ACTIVE, Reservist.Status.PAUSED],
        )
        .filter(near)
        .filter(~Exists(later))
        .select_related("reservist__user")
    )


def _mail(reservist, ends_on: date, first_deployment: bool) -> None:
    user = reservist.user
    if user is None or not user.email:
        return
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        body = render_to_string(
            "regions/emails/vog_reminder.txt",
            {
                "reservist": reservist,
                "ends_on": ends_on,
                "first_deployment": first_deployment,
                "site_url": _site_url(),
            },
        )
        subject = _("Your certificate of conduct (VOG) stops counting on %(date)s") % {
            "date": ends_on.strftime("%d-%m-%Y")
        }
    send_mail(subject, body, None, [user.email])


def send_vog_reminders(today: date | None = None) -> int:
    """Send what is due today; run it as often as you like (idempotent)."""
    today = today or timezone.localdate()
    rule = vog_rule()
    if rule is None:
        return 0
    sent = 0
    for row in due_vog(today, rule).iterator():
        first = not deployed_before(row.reservist, today)
        ends_on = vog_ends_on(row.issued_on, rule, first_deployment=first)
        days_left = (ends_on - today).days
        window = window_for(days_left) if days_left > 0 else None
        if window is None:
            continue
        if not _remember(f"vog:{row.pk}:{ends_on:%Y%m%d}:{window}", row.reservist_id):
            continue
        _mail(row.reservist, ends_on, first)
        sent += 1
    return sent
