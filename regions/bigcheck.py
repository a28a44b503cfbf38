"""Checking reservists against the BIG register: one check, a hand-recorded check,
and the monthly re-check of every active reservist.

One check reads as: ask the register (outside any transaction), then lock the
reservist, write what the register said, log it and, when the answer newly keeps
the reservist from deployment, tell the region's coordinators after the commit.
Nothing is cancelled: bookings stay, the coordinator decides.
"""

import logging
import random
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import log_action
from regions import big
from regions.models import BigRegisterCheck, BigRegisterSchedule
from registry.models import Reservist

logger = logging.getLogger(__name__)

RECHECK_DAYS = 30
CLAIM_MINUTES = 10
MAX_BACKOFF = timedelta(hours=24)


def latest_check(reservist) -> BigRegisterCheck | None:
    return (
        BigRegisterCheck.objects.filter(reservist=reservist).order_by("-checked_at", "-id").first()
    )


def check_reservist(reservist, *, actor=None, verifier=None) -> BigRegisterCheck | None:
    """Ask the register about ``reservist`` and record the answer (None: the verifier
    is the manual one, a coordinator records by hand). Raises ``big.BIGVerifierError``
    when the service cannot answer; nothing is written then."""
    verifier = verifier or big.get_verifier()
    result = verifier.verify(reservist.big_number, reservist.last_name, reservist.date_of_birth)
    if result.found is None:
        return None
    verdict = big.assess(result, reservist.first_name, reservist.last_name, timezone.localdate())
    return _record(
        reservist,
        actor=actor,
        source=BigRegisterCheck.Source.SOAP,
        big_number=result.big_number,
        passed=verdict.passed,
        status=verdict.status,
        reason=verdict.reason,
        blocks=verdict.blocks,
        registered_name=result.name,
        profession_code=verdict.profession_code,
        specialisms=result.specialisms,
        end_date=verdict.end,
        measures=[m.as_json() for m in verdict.measures_in_force],
    )


def record_manual_check(
    reservist, *, actor, status, reason="", registered_name="", end_date=None, measures=()
) -> BigRegisterCheck:
    """A coordinator read the register by hand (the service was down): logged as manual.
    Anything but "registered" fails the check and needs a reason."""
    if status not in BigRegisterCheck.Status.values:
        raise ValueError(status)
    passed = status == BigRegisterCheck.Status.REGISTERED
    if needs_reason(status, reason):
        from regions.errors import VettingError

        raise VettingError(_("Say why the check failed."), field="reason")
    return _record(
        reservist,
        actor=actor,
        source=BigRegisterCheck.Source.MANUAL,
        big_number=reservist.big_number,
        passed=passed,
        status=status,
        reason=(reason or "").strip(),
        blocks=not passed,
        registered_name=registered_name,
        profession_code="",
        specialisms=[],
        end_date=end_date,
        measures=list(measures),
    )


def needs_reason(status: str, reason: str | None) -> bool:
    """A check recorded by hand that fails needs the reason why."""
    return status != BigRegisterCheck.Status.REGISTERED and not (reason or "").strip()


def _record(reservist, *, actor, passed, blocks, **fields) -> BigRegisterCheck:
    with transaction.atomic():
        reservist = Reservist.objects.select_for_update().get(pk=reservist.pk)
        before = latest_check(reservist)
        row = BigRegisterCheck.objects.create(
            reservist=reservist,
            checked_by=actor if getattr(actor, "is_authenticated", False) else None,
            outcome=BigRegisterCheck.Outcome.PASS if passed else BigRegisterCheck.Outcome.FAIL,
            blocks=blocks,
            **fields,
        )
        log_action(
            reservist,
            "big.checked",
            actor,
            row.reason,
            source=row.source,
            status=row.status,
            outcome=row.outcome,
        )
        BigRegisterSchedule.objects.update_or_create(
            reservist=reservist,
            defaults={
                "due_at": row.checked_at + timedelta(days=RECHECK_DAYS),
                "claimed_until": None,
                "attempts": 0,
                "last_error": "",
            },
        )
        if blocks and (before is None or not before.blocks):
            _tell_coordinators(reservist, row)
    return row


def coordinator_emails(reservist) -> list[str]:
    from accounts.models import Membership

    region_ids = {reservist.home_region_id, *reservist.regions.values_list("pk", flat=True)}
    return sorted(
        set(
            Membership.objects.valid_on()
            .filter(role=Membership.Role.REGIONAL, region_id__in=region_ids - {None})
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _tell_coordinators(reservist, row) -> None:
    """E-mail the region's coordinators after the commit: the reservist is not
    deployable any more; nothing was cancelled."""
    recipients = coordinator_emails(reservist)
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("BIG register: %(name)s is not deployable") % {"name": str(reservist)}
        body = "\n\n".join(
            [
                _("The BIG register check of %(name)s (BIG number %(number)s) failed:")
                % {"name": str(reservist), "number": row.big_number},
                row.reason,
                _(
                    "The reservist is not deployable from now on. Nothing has been "
                    "cancelled: please look at their bookings and decide what happens."
                ),
            ]
        )
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


# --- deployability: the latest check that blocks ------------------------------------


def deployability_check(reservist, on, profile) -> list[str]:
    row = latest_check(reservist)
    if row is None or not row.blocks:
        return []
    return [
        _("BIG register (%(date)s): %(reason)s")
        % {"date": timezone.localtime(row.checked_at).strftime("%d-%m-%Y"), "reason": row.reason}
    ]


def deployability_condition(on, profile):
    """The same rule in SQL: no blocking check without a later check."""
    later = BigRegisterCheck.objects.filter(
        Q(checked_at__gt=OuterRef("checked_at"))
        | Q(checked_at=OuterRef("checked_at"), id__gt=OuterRef("id")),
        reservist_id=OuterRef("reservist_id"),
    )
    blocking = BigRegisterCheck.objects.filter(reservist_id=OuterRef("pk"), blocks=True).filter(
        ~Exists(later)
    )
    return ~Exists(blocking)


# --- the monthly re-check -----------------------------------------------------------


def _spread(reservist_id: int, now):
    """First due moment of a reservist never scheduled: spread over the month."""
    seconds = (reservist_id * 2654435761) % (RECHECK_DAYS * 86400)
    return now + timedelta(seconds=seconds)


def schedule_missing(now=None) -> int:
    """Give every active reservist with a BIG number a due moment (idempotent)."""
    now = now or timezone.now()
    missing = (
        Reservist.objects.filter(status=Reservist.Status.ACTIVE)
        .exclude(big_number="")
        .filter(big_schedule__isnull=True)
        .values_list("pk", flat=True)
    )
    rows = [BigRegisterSchedule(reservist_id=pk, due_at=_spread(pk, now)) for pk in missing]
    BigRegisterSchedule.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def claim_due(limit: int, now=None) -> list[int]:
    """Claim up to ``limit`` due reservists for this run (their ids).

    ``SKIP LOCKED``: a run skips the rows another run is claiming instead of waiting;
    ``claimed_until``: a claimed reservist is not claimed again while it is checked."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            BigRegisterSchedule.objects.select_for_update(skip_locked=True)
            .filter(due_at__lte=now, reservist__status=Reservist.Status.ACTIVE)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("due_at")
            .values_list("pk", "reservist_id")[:limit]
        )
        BigRegisterSchedule.objects.filter(pk__in=[pk for pk, _r in rows]).update(
            claimed_until=now + timedelta(minutes=CLAIM_MINUTES)
        )
    return [reservist_id for _pk, reservist_id in rows]


def backoff(attempts: int) -> timedelta:
    """5, 10, 20, … minutes after a failure, at most a day, with some jitter."""
    base = timedelta(minutes=5) * (2 ** max(attempts - 1, 0))
    return min(base, MAX_BACKOFF) + timedelta(seconds=random.randint(0, 60))  # noqa: S311


def _failed(reservist_id: int, exc: Exception) -> None:
    with transaction.atomic():
        schedule = BigRegisterSchedule.objects.select_for_update().get(reservist_id=reservist_id)
        schedule.attempts += 1
        schedule.due_at = timezone.now() + backoff(schedule.attempts)
        schedule.claimed_until = None
        schedule.last_error = str(exc)[:500]
        schedule.save()


def per_minute() -> int:
    return int(getattr(settings, "NZR_BIG_CHECKS_PER_MINUTE", 30))


def run_due_checks(now=None, limit=None, verifier=None) -> dict:
    """One run of the re-check (the beat calls it every minute): at most
    ``NZR_BIG_CHECKS_PER_MINUTE`` due reservists. With the manual verifier it does
    nothing (coordinators check by hand)."""
    verifier = verifier or big.get_verifier()
    if not verifier.automatic:
        return {"checked": 0, "failed": 0}
    schedule_missing(now)
    checked = failed = 0
    for reservist_id in claim_due(per_minute() if limit is None else limit, now):
        reservist = Reservist.objects.filter(pk=reservist_id).first()
        if reservist is None or not reservist.big_number:
            BigRegisterSchedule.objects.filter(reservist_id=reservist_id).delete()
            continue
        try:
            check_reservist(reservist, verifier=verifier)
            checked += 1
        except big.BIGVerifierError as exc:
            logger.warning("BIG re-check of reservist %s failed: %s", reservist_id, exc)
            _failed(reservist_id, exc)
            failed += 1
    return {"checked": checked, "failed": failed}


def next_due(reservist) -> date | None:
    row = BigRegisterSchedule.objects.filter(reservist=reservist).first()
    return timezone.localtime(row.due_at).date() if row else None
