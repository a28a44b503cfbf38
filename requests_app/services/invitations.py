"""Invitations in waves: 3x the open places, the next wave when answers or expiry
leave too few open invitations, until the shift is full or starts.

Idempotent: a shift is locked while a wave is computed, the ranking skips anyone
already invited to the shift, and (shift, reservist) is unique in the database —
so a retried job never invites anyone twice. An invitation withdrawn because the shift
filled is not an answer: when places open again (more places), its reservist may be
asked again, on the same row.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from requests_app import notify
from requests_app.matching import LIVE, ranked_for_shift
from requests_app.models import Assignment, DeploymentRequest, Invitation, Shift

WAVE_FACTOR = 3
MATCHING = (DeploymentRequest.Status.APPROVED, DeploymentRequest.Status.ESCALATED)


def invitation_hours() -> int:
    return getattr(settings, "NZR_INVITATION_HOURS", 12)


@transaction.atomic
def send_wave(shift, *, now=None) -> list[Invitation]:
    """Invite the next best-ranked reservists for ``shift``; returns the new invitations."""
    now = now or timezone.now()
    shift = (
        Shift.objects.select_for_update(of=("self",))
        .select_related("request__organisation", "profile")
        .get(pk=shift.pk)
    )
    request = shift.request
    if shift.cancelled_at or request.status not in MATCHING or shift.start <= now:
        return []
    booked = Assignment.objects.filter(shift=shift, status__in=LIVE).count()
    open_places = shift.count - booked
    if open_places <= 0:
        return []
    pending = Invitation.objects.filter(
        shift=shift, status=Invitation.Status.PENDING, expires_at__gt=now
    ).count()
    wanted = WAVE_FACTOR * open_places - pending
    if wanted <= 0:
        return []
    ranked = ranked_for_shift(shift, exclude_invited=True)[:wanted]
    if not ranked:
        return []
    wave = (Invitation.objects.filter(shift=shift).aggregate(m=Max("wave"))["m"] or 0) + 1
    expires_at = min(now + timedelta(hours=invitation_hours()), shift.start)
    # Those whose invitation was withdrawn when the shift filled are asked again (their
    # row, answered anew); the others get a new invitation.
    withdrawn = {
        inv.reservist_id: inv
        for inv in Invitation.objects.filter(
            shift=shift,
            status=Invitation.Status.WITHDRAWN,
            reservist_id__in=[r.candidate.reservist_id for r in ranked],
        )
    }
    again = []
    for r in ranked:
        invitation = withdrawn.get(r.candidate.reservist_id)
        if invitation is not None:
            invitation.status, invitation.answered_at = Invitation.Status.PENDING, None
            invitation.wave, invitation.rank, invitation.expires_at = wave, r.position, expires_at
            again.append(invitation)
    Invitation.objects.bulk_update(again, ["status", "answered_at", "wave", "rank", "expires_at"])
    Invitation.objects.bulk_create(
        [
            Invitation(
                shift=shift,
                reservist_id=r.candidate.reservist_id,
                wave=wave,
                rank=r.position,
                expires_at=expires_at,
            )
            for r in ranked
            if r.candidate.reservist_id not in withdrawn
        ],
        ignore_conflicts=True,
    )
    created = list(
        Invitation.objects.filter(shift=shift, wave=wave)
        .select_related("reservist__user")
        .order_by("rank")
    )
    log_action(
        shift, "invitations.sent", None, wave=wave, count=len(created), asked_again=len(again)
    )
    for invitation in created:
        r = invitation.reservist
        notify.email_later(
            [r.email],
            "invitation",
            {"invitation": invitation, "shift": shift, "reservist": r, "request": request},
            notify.reservist_language(r),
        )
        notify.sms_later(
            r.phone,
            _("NZR: you are invited for a shift on %(when)s. Answer in the app.")
            % {"when": timezone.localtime(shift.start).strftime("%d-%m %H:%M")},
        )
    return created


def expire_invitations(now=None) -> list[int]:
    """Mark pending invitations past their time as expired; returns the shifts touched."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Invitation.objects.select_for_update(skip_locked=True)
            .filter(status=Invitation.Status.PENDING, expires_at__lte=now)
            .values_list("pk", "shift_id")
        )
        Invitation.objects.filter(pk__in=[pk for pk, _s in rows]).update(
            status=Invitation.Status.EXPIRED
        )
    return sorted({shift_id for _pk, shift_id in rows})


def shifts_needing_a_wave(now=None):
    """Open shifts of requests being matched that start in the future."""
    now = now or timezone.now()
    return (
        Shift.objects.filter(request__status__in=MATCHING, cancelled_at__isnull=True, start__gt=now)
        .annotate_confirmed()
        .filter(confirmed__lt=F("count"))
    )


def shifts_in_priority_order(now=None) -> list[int]:
    """The shifts needing a wave, ordered by their request's priority (the triangle's
    framework via ``escalation.priority``), then by start."""
    from django.db.models import Min

    from escalation.priority import sort_requests

    now = now or timezone.now()
    rows = list(shifts_needing_a_wave(now).values_list("pk", "request_id", "start"))
    if not rows:
        return []
    requests = DeploymentRequest.objects.filter(pk__in={r for _s, r, _t in rows}).annotate(
        first_shift_start=Min("shifts__start")
    )
    order = {req.pk: i for i, (req, _reason) in enumerate(sort_requests(list(requests), now=now))}
    rows.sort(key=lambda row: (order.get(row[1], len(order)), row[2], row[0]))
    return [pk for pk, _r, _t in rows]
