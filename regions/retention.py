"""GDPR retention of recruitment candidates (art. 5(1)(e)): no longer than needed.

A candidate who never joined the reserve is anonymised ``NZR_CANDIDATE_RETENTION_DAYS``
days (default 365) after their last activity (``Candidate.last_activity_at``: recorded,
status changed, edited or imported again), the way ``registry.retention`` treats
reservists who left:

- Who: every candidate not converted and not linked to a reservist, whether closed
  (not suitable, withdrew) or still open but untouched for the whole period (a lead
  nobody followed up is not kept for ever either). Candidates who became reservists
  are left alone: their data lives on in the register, under its own rules.
- What goes: names, e-mail address, phone, BIG number, notes, the intake time and the
  free-text reasons of the status history (they may describe the person). An open
  candidate's status becomes "expired" (with a status change saying why), so the
  workspace no longer counts them as open.
- What stays: the row with region, source, campaign, status and dates, and the status
  history's from/to, so the recruitment funnel's figures do not change.
- The audit log gets one entry per candidate ("candidate.anonymised": id, the period,
  the status), without the personal data; the access log is never touched.

Idempotent: each candidate is locked and re-checked before it is changed, and an
anonymised one is never picked again, so a second run (or two at once) changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import log_action
from regions.models import Candidate, CandidateStatusChange

logger = logging.getLogger(__name__)
REASON = "retention period after the last activity ended"


def retention_days() -> int:
    return settings.NZR_CANDIDATE_RETENTION_DAYS


def stale_candidates(cutoff: datetime):
    """Candidates who never joined, not anonymised yet, with no activity since ``cutoff``."""
    return Candidate.objects.filter(
        anonymised_at__isnull=True, reservist__isnull=True, last_activity_at__lt=cutoff
    ).exclude(status=Candidate.Status.CONVERTED)


def _anonymise(candidate: Candidate, now: datetime, days: int) -> None:
    """Erase the personal data of one locked candidate (see the module docstring)."""
    old_status = candidate.status
    candidate.first_name = ""
    candidate.last_name = ""
    candidate.email = ""
    candidate.phone = ""
    candidate.big_number = ""
    candidate.notes = ""
    candidate.intake_planned_at = None
    candidate.anonymised_at = now
    if candidate.is_open:
        candidate.status = Candidate.Status.EXPIRED
    candidate.save()
    CandidateStatusChange.objects.filter(candidate=candidate).exclude(reason="").update(reason="")
    if candidate.status != old_status:
        CandidateStatusChange.objects.create(
            candidate=candidate, from_status=old_status, to_status=candidate.status, reason=REASON
        )
    log_action(
        candidate,
        "candidate.anonymised",
        None,
        REASON,
        days=days,
        status=old_status,
        region=candidate.region_id,
    )


def anonymise_stale_candidates(now: datetime | None = None) -> int:
    """The retention run for candidates (task ``regions.apply_candidate_retention``).

    ``now`` (default: the current time) sets the moment the period is measured from,
    so tests move the clock instead of waiting. Returns how many were anonymised.
    """
    now = now or timezone.now()
    days = retention_days()
    cutoff = now - timedelta(days=days)
    done = 0
    for pk in list(stale_candidates(cutoff).values_list("pk", flat=True)):
        with transaction.atomic():
            candidate = stale_candidates(cutoff).select_for_update().filter(pk=pk).first()
            if candidate is None:
                continue  # anonymised, converted or touched meanwhile
            _anonymise(candidate, now, days)
        done += 1
    logger.info("Candidate retention: %s candidates anonymised (period %s days)", done, days)
    return done


__all__ = ["anonymise_stale_candidates", "stale_candidates"]
