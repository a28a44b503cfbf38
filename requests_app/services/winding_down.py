"""Scaling down: a deactivated crisis, a cancelled request or shift is no longer matched,
its pending invitations are withdrawn and the reservists told (e-mail after commit).

``matchable`` is the one place that says whether a shift may still be matched; the
matching tasks and the re-matching ask it.
"""

from django.db import transaction
from django.utils import timezone

from accounts.audit import log_actions
from requests_app import notify
from requests_app.models import DeploymentRequest, Invitation, Shift

MATCHING = (DeploymentRequest.Status.APPROVED, DeploymentRequest.Status.ESCALATED)


def matchable(shift, now=None) -> bool:
    """May ``shift`` (request and crisis loaded or loadable) still get invitations?"""
    now = now or timezone.now()
    request = shift.request
    if shift.cancelled_at or request.status not in MATCHING or shift.start <= now:
        return False
    return request.crisis_id is None or request.crisis.active


def matchable_shifts(qs):
    """``qs`` (shifts) without those of cancelled shifts or requests or inactive crises."""
    return qs.filter(cancelled_at__isnull=True, request__status__in=MATCHING).exclude(
        request__crisis__active=False
    )


def wind_down(shifts, reason: str = "", *, actor=None, now=None) -> int:
    """Withdraw the pending invitations of ``shifts`` (shifts or ids) and tell the
    reservists; returns how many were withdrawn. Call it in the transaction that stops
    the matching (cancel, deactivate); safe to call twice."""
    now = now or timezone.now()
    shift_ids = sorted({getattr(s, "pk", s) for s in shifts})
    if not shift_ids:
        return 0
    with transaction.atomic():
        pending = list(
            Invitation.objects.select_for_update(of=("self",))
            .filter(shift_id__in=shift_ids, status=Invitation.Status.PENDING)
            .select_related("reservist__user", "shift__request__organisation")
            .order_by("pk")
        )
        Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(
            status=Invitation.Status.WITHDRAWN, answered_at=now
        )
        from requests_app import waitlist  # the wait-list books through booking, which imports this

        waitlist.withdraw_for_shifts(shift_ids, reason)
        if pending:
            log_actions(
                actor,
                [(i, "invitation.withdrawn", {"shift": i.shift_id}) for i in pending],
                reason,
            )
        for invitation in pending:
            r = invitation.reservist
            notify.email_later(
                [r.email],
                "invitation_withdrawn",
                {
                    "invitation": invitation,
                    "shift": invitation.shift,
                    "reservist": r,
                    "organisation": invitation.shift.request.organisation,
                    "reason": reason,
                },
                notify.reservist_language(r),
            )
    return len(pending)


def wind_down_crisis(crisis, reason: str = "", *, actor=None) -> int:
    """A deactivated crisis: its shifts still open are no longer matched."""
    shifts = Shift.objects.filter(
        request__crisis=crisis, cancelled_at__isnull=True, start__gt=timezone.now()
    ).values_list("pk", flat=True)
    return wind_down(list(shifts), reason, actor=actor)
