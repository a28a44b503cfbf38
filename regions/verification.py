"""A coordinator approves or rejects a reservist's change of a verified fact.

lock the reservist row → check the change is still pending → apply → log. A
BIG-related approval asks the BIG register again (``regions.services.verify_big``,
which calls ``regions.big``), after the transaction.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from regions.errors import ConflictError, VettingError
from registry import facts
from registry.models import FactChange, Reservist, derive_ring

logger = logging.getLogger(__name__)


class NotPending(ConflictError):
    pass


def _locked_change(change):
    Reservist.objects.select_for_update().get(pk=change.reservist_id)
    locked = FactChange.objects.select_for_update().get(pk=change.pk)
    if locked.status != FactChange.Status.PENDING:
        raise NotPending(_("This change has already been dealt with."), field="change")
    return locked


def approve(change: FactChange, *, actor) -> FactChange:
    with transaction.atomic():
        locked = _locked_change(change)
        reservist = Reservist.objects.get(pk=locked.reservist_id)
        value = facts.from_json(locked.field, locked.value)
        if locked.field == "profiles":
            reservist.profiles.set(value)
        else:
            setattr(reservist, locked.field, value)
        reservist.ring = derive_ring(
            reservist.profession, reservist.level, reservist.is_student, bool(reservist.big_number)
        )
        reservist.full_clean(exclude=["user"])
        reservist.save()
        locked.status = FactChange.Status.APPROVED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        log_action(
            reservist, "reservist.fact_approved", actor, field=locked.field, value=locked.value
        )
    if locked.field in facts.BIG_FIELDS and reservist.big_number:
        from regions.services import verify_big

        try:
            verify_big(reservist, actor=actor)
        except VettingError as exc:  # register unreachable: the coordinator checks by hand
            logger.warning("BIG check after approval of %s failed: %s", locked.pk, exc)
    return locked


def reject(change: FactChange, *, actor, reason: str) -> FactChange:
    reason = (reason or "").strip()
    if not reason:
        raise VettingError(_("Say why the change is rejected."), field="reason")
    with transaction.atomic():
        locked = _locked_change(change)
        locked.status = FactChange.Status.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        log_action(locked.reservist, "reservist.fact_rejected", actor, reason, field=locked.field)
    return locked
