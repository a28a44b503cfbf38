"""GDPR retention: personal data is kept no longer than needed (art. 5(1)(e)).

- A reservist who left is anonymised ``NZR_RETENTION_DAYS_AFTER_LEAVING`` days (default
  365) after the status became "left", through the same ``services.leave`` as an erasure
  on request: names, contact details, BIG number and availability go; the reservist row
  (region, profession, ring, profiles), status history and bookings stay for the figures.
- A sign-up whose e-mail address was never verified, that never signed in and holds no
  role, is removed ``NZR_RETENTION_DAYS_UNVERIFIED_SIGNUP`` days (default 30) after it
  was made; if other rows still point at the account, it is closed and anonymised instead.

The access log is never touched: it is kept as a legal obligation (NEN 7513), and
PostgreSQL refuses to change it anyway (accounts migration 0004).

Both steps are idempotent: each person is handled under a row lock and re-checked, so
a second run, or two runs at once, change nothing more.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, Exists, OuterRef, Subquery
from django.db.models.deletion import ProtectedError, RestrictedError
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Membership, User
from registry import services
from registry.errors import AlreadyLeft
from registry.models import Reservist, ReservistStatusChange

logger = logging.getLogger(__name__)
REASON = "retention period after leaving ended"


@dataclass
class RetentionResult:
    anonymised: int = 0
    signups_removed: int = 0
    signups_anonymised: int = 0


def left_before(cutoff):
    """Reservists who left before ``cutoff`` and are not anonymised yet."""
    left_at = (
        ReservistStatusChange.objects.filter(
            reservist=OuterRef("pk"), to_status=Reservist.Status.LEFT
        )
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )
    return (
        Reservist.objects.filter(status=Reservist.Status.LEFT, anonymised_at__isnull=True)
        .annotate(left_at=Coalesce(Subquery(left_at), "updated_at", output_field=DateTimeField()))
        .filter(left_at__lt=cutoff)
    )


def dormant_unverified_signups(cutoff):
    """Accounts made before ``cutoff`` whose e-mail was never verified, never used."""
    from allauth.account.models import EmailAddress

    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    return (
        User.objects.filter(
            date_joined__lt=cutoff,
            last_login__isnull=True,
            is_active=True,
            is_staff=False,
            is_superuser=False,
        )
        .exclude(Exists(verified))
        .exclude(Exists(Membership.objects.filter(user=OuterRef("pk"))))
        .exclude(email__endswith="@anonymised.invalid")
    )


def anonymise_left(now=None) -> int:
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NZR_RETENTION_DAYS_AFTER_LEAVING)
    done = 0
    for pk in list(left_before(cutoff).values_list("pk", flat=True)):
        with transaction.atomic():
            reservist = left_before(cutoff).select_for_update(of=("self",)).filter(pk=pk).first()
            if reservist is None:
                continue  # anonymised or changed meanwhile
            try:
                services.leave(reservist, actor=None, reason=REASON)
            except AlreadyLeft:
                continue
        done += 1
    return done


def remove_unverified_signups(now=None) -> tuple[int, int]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NZR_RETENTION_DAYS_UNVERIFIED_SIGNUP)
    removed = anonymised = 0
    for pk in list(dormant_unverified_signups(cutoff).values_list("pk", flat=True)):
        with transaction.atomic():
            user = dormant_unverified_signups(cutoff).select_for_update().filter(pk=pk).first()
            if user is None:
                continue
            reservist = Reservist.objects.filter(user=user, anonymised_at__isnull=True).first()
            if reservist is not None:
                services.leave(reservist, actor=None, reason="unverified sign-up expired")
                anonymised += 1
                continue
            try:
                with transaction.atomic():
                    user.delete()
                removed += 1
            except (ProtectedError, RestrictedError):
                services._close_account(user, None)
                anonymised += 1
    return removed, anonymised


def apply_retention(now=None) -> RetentionResult:
    """The nightly retention run (task ``registry.apply_retention``)."""
    result = RetentionResult()
    result.anonymised = anonymise_left(now)
    result.signups_removed, result.signups_anonymised = remove_unverified_signups(now)
    logger.info(
        "Retention: %s reservists anonymised, %s unverified sign-ups removed, %s closed",
        result.anonymised,
        result.signups_removed,
        result.signups_anonymised,
    )
    return result


__all__ = ["apply_retention", "anonymise_left", "remove_unverified_signups"]
