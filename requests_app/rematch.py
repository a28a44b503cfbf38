"""Re-matching when supply changes: a reservist who may have become eligible (availability
added, absence removed, vetting passed, training recorded, a booking cancelled) is invited
to the open shifts that still need people.

The rules are matching's (``eligible_reservists``) and winding down's (``matchable``);
this module only asks them. Each shift is locked while its invitation is written, and
(shift, reservist) is unique, so concurrent changes for one reservist invite once.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from requests_app import notify
from requests_app.matching import LIVE, eligible_reservists
from requests_app.models import Assignment, Invitation, Shift
from requests_app.services.invitations import invitation_hours, shifts_needing_a_wave
from requests_app.services.winding_down import matchable, matchable_shifts


def candidate_shifts(reservist_id: int, now=None) -> list[int]:
    """Open shifts still short of people, not yet asked of this reservist (a cheap
    pre-filter; the checks proper run under the shift's lock)."""
    now = now or timezone.now()
    return list(
        matchable_shifts(shifts_needing_a_wave(now))
        .exclude(
            Exists(
                Invitation.objects.filter(shift=OuterRef("pk"), reservist_id=reservist_id).exclude(
                    status=Invitation.Status.WITHDRAWN
                )
            )
        )
        .order_by("start", "pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def invite_to_shift(shift_id: int, reservist_id: int, now=None) -> Invitation | None:
    """Invite the reservist to the shift if it still needs people and they fit it."""
    now = now or timezone.now()
    shift = (
        Shift.objects.select_for_update(of=("self",))
        .select_related("request__organisation", "request__crisis", "profile")
        .filter(pk=shift_id)
        .first()
    )
    if shift is None or not matchable(shift, now):
        return None
    booked = Assignment.objects.filter(shift=shift, status__in=LIVE).count()
    if shift.count - booked <= 0:
        return None
    existing = Invitation.objects.filter(shift=shift, reservist_id=reservist_id).first()
    if existing is not None and existing.status != Invitation.Status.WITHDRAWN:
        return None  # asked before (answered, expired or open): never twice
    if not eligible_reservists(shift, now=now).filter(pk=reservist_id).exists():
        return None
    wave = Invitation.objects.filter(shift=shift).aggregate(m=Max("wave"))["m"] or 1
    expires_at = min(now + timedelta(hours=invitation_hours()), shift.start)
    if existing is not None:  # withdrawn when the shift filled: asked again, same row
        invitation = existing
        invitation.status, invitation.answered_at = Invitation.Status.PENDING, None
        invitation.wave, invitation.expires_at = wave, expires_at
        invitation.save(update_fields=["status", "answered_at", "wave", "expires_at"])
    else:
        invitation = Invitation.objects.create(
            shift=shift, reservist_id=reservist_id, wave=wave, rank=0, expires_at=expires_at
        )
    log_action(shift, "invitations.rematched", None, reservist=reservist_id, wave=wave)
    r = invitation.reservist
    notify.email_later(
        [r.email],
        "invitation",
        {"invitation": invitation, "shift": shift, "reservist": r, "request": shift.request},
        notify.reservist_language(r),
    )
    notify.sms_later(
        r.phone,
        _("NZR: you are invited for a shift on %(when)s. Answer in the app.")
        % {"when": timezone.localtime(shift.start).strftime("%d-%m %H:%M")},
    )
    return invitation


def rematch_reservist(reservist_id: int, now=None) -> list[Invitation]:
    """Invite ``reservist_id`` to every open shift they now fit; returns the invitations."""
    now = now or timezone.now()
    sent = []
    for shift_id in candidate_shifts(reservist_id, now):
        invitation = invite_to_shift(shift_id, reservist_id, now)
        if invitation is not None:
            sent.append(invitation)
    return sent
