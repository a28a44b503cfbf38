"""Reminders before training or BIG registration expires (90, 30 and 7 days), each
sent once: a ``ReminderSent`` row per reminder is the memory. The coordinators of a
region get one digest per day listing the reminders that went out."""

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from registry.models import Reservist
from training.models import ReminderSent, TrainingRecord

WINDOWS = (7, 30, 90)


def window_for(days_left: int) -> int | None:
    for window in WINDOWS:
        if days_left <= window:
            return window
    return None


def _remember(key: str, reservist_id: int | None) -> bool:
    """True the first time ``key`` is remembered (unique constraint: once, also in races)."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=key, reservist_id=reservist_id)
    except IntegrityError:
        return False
    return True


def _site_url() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def _mail_reservist(reservist, kind, expires_on, course=None) -> None:
    user = reservist.user
    if user is None or not user.email:
        return
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        body = render_to_string(
            "training/emails/expiry_reminder.txt",
            {
                "reservist": reservist,
                "kind": kind,
                "expires_on": expires_on,
                "course": course,
                "site_url": _site_url(),
            },
        )
        subject = (
            _("Your BIG registration ends on %(date)s")
            if kind == "big"
            else _("Your training “%(course)s” expires on %(date)s")
        ) % {"date": expires_on.strftime("%d-%m-%Y"), "course": course}
    send_mail(subject, body, None, [user.email])


def due_training(today: date):
    """Newest records per reservist and course expiring within 90 days (not yet expired)."""
    newer = TrainingRecord.objects.filter(
        reservist_id=OuterRef("reservist_id"),
        course_id=OuterRef("course_id"),
        completed_on__gt=OuterRef("completed_on"),
    )
    return (
        TrainingRecord.objects.filter(
            expires_on__gt=today,
            expires_on__lte=today + timedelta(days=max(WINDOWS)),
            reservist__status__in=[Reservist.Status.ACTIVE, Reservist.Status.PAUSED],
        )
        .filter(~Exists(newer))
        .select_related("reservist__user", "reservist__home_region", "course")
    )


def due_big(today: date):
    return Reservist.objects.filter(
        status__in=[Reservist.Status.ACTIVE, Reservist.Status.PAUSED],
        big_valid_until__gte=today,
        big_valid_until__lte=today + timedelta(days=max(WINDOWS)),
    ).select_related("user", "home_region")


def send_expiry_reminders(today: date | None = None) -> int:
    """Send what is due today; run it as often as you like (idempotent)."""
    today = today or timezone.localdate()
    per_region = defaultdict(list)
    sent = 0
    for record in due_training(today).iterator():
        window = window_for((record.expires_on - today).days)
        if not _remember(f"training:{record.pk}:{window}", record.reservist_id):
            continue
        _mail_reservist(record.reservist, "training", record.expires_on, record.course.name)
        sent += 1
        per_region[record.reservist.home_region].append(
            f"{record.reservist}: {record.course.name} – {record.expires_on:%d-%m-%Y}"
        )
    for reservist in due_big(today).iterator():
        window = window_for((reservist.big_valid_until - today).days)
        key = f"big:{reservist.pk}:{reservist.big_valid_until:%Y%m%d}:{window}"
        if not _remember(key, reservist.pk):
            continue
        _mail_reservist(reservist, "big", reservist.big_valid_until)
        sent += 1
        per_region[reservist.home_region].append(
            f"{reservist}: BIG – {reservist.big_valid_until:%d-%m-%Y}"
        )
    for region, lines in per_region.items():
        if region is not None:
            send_digest(region, lines, today)
    return sent


def send_digest(region, lines, today: date) -> bool:
    if not _remember(f"digest:{region.code}:{today:%Y%m%d}", None):
        return False
    coordinators = User.objects.filter(
        pk__in=Membership.objects.valid_on(today)
        .filter(role=Membership.Role.REGIONAL, region=region)
        .values("user_id"),
        is_active=True,
    )
    try:
        workspace_url = _site_url() + reverse("regions:workspace") + f"?region={region.code}"
    except NoReverseMatch:
        workspace_url = _site_url()
    for user in coordinators:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            body = render_to_string(
                "training/emails/coordinator_digest.txt",
                {"region": region, "lines": sorted(lines), "workspace_url": workspace_url},
            )
            subject = _("Expiring training and BIG registrations in %(region)s") % {
                "region": region.name
            }
        send_mail(subject, body, None, [user.email])
    return True
