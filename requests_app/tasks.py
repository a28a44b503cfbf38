"""Celery tasks: thin, take ids, idempotent (a retry never invites anyone twice)."""

from celery import shared_task
from celery.schedules import crontab
from django.utils import timezone

from nzr.tasks import enqueue
from requests_app import notify
from requests_app.models import DeploymentRequest, Shift
from requests_app.services import invitations
from requests_app.services.winding_down import matchable


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def match_request(self, request_id: int) -> int:
    """After approval: a first wave of invitations for every open shift of the request.

    One shift per task: this task invites for the soonest open shift itself and enqueues
    one ``next_wave`` per further shift, soonest first. The outbox runs a task in one
    transaction, so the first invitations are written (and the reservists told) after one
    shift's matching instead of after all of them, and the other shifts spread over the
    workers. A retry or a second call invites nobody twice: ``send_wave`` locks the shift
    and only tops its open invitations up."""
    request = DeploymentRequest.objects.filter(pk=request_id).select_related("crisis").first()
    if request is None or request.status not in invitations.MATCHING:
        return 0
    if request.crisis_id and not request.crisis.active:
        return 0  # a deactivated crisis is no longer matched
    shift_ids = list(
        request.shifts.filter(cancelled_at__isnull=True, start__gt=timezone.now())
        .order_by("start", "pk")
        .values_list("pk", flat=True)
    )
    if not shift_ids:
        return 0
    soonest, *later = shift_ids
    for shift_id in later:
        enqueue(next_wave, shift_id)
    return len(invitations.send_wave(Shift(pk=soonest)))


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def next_wave(self, shift_id: int) -> int:
    """After a decline (or expiry): top the shift's open invitations up again."""
    shift = Shift.objects.filter(pk=shift_id).select_related("request__crisis").first()
    if shift is None or not matchable(shift):
        return 0
    return len(invitations.send_wave(shift))


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def rematch_reservist(self, reservist_id: int) -> int:
    """After a change that may make the reservist eligible: invite them to the open
    shifts still short of people that they now fit (never twice to one shift)."""
    from requests_app.rematch import rematch_reservist as rematch

    return len(rematch(reservist_id))


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def confirm_assignment(self, assignment_id: int) -> bool:
    """After a booking: the confirmation e-mail to the reservist (rendered here, not in
    the accept request). Sends nothing for a cancelled assignment."""
    return notify.confirm_assignment(assignment_id)


@shared_task
def invitation_tick() -> int:
    """Beat: expire old invitations, then send the next wave where places are open —
    higher-priority requests first, so scarce reservists go where they matter most."""
    invitations.expire_invitations()
    sent = 0
    for shift_id in invitations.shifts_in_priority_order():
        shift = Shift.objects.filter(pk=shift_id).select_related("request__crisis").first()
        if shift is not None and matchable(shift):
            sent += len(invitations.send_wave(shift))
    return sent


BEAT_SCHEDULE = {
    "requests-invitation-tick": {
        "task": "requests_app.tasks.invitation_tick",
        "schedule": crontab(minute="*/5"),
    },
}
