"""Celery tasks: thin, take ids, idempotent (a retry never invites anyone twice)."""

from celery import shared_task
from celery.schedules import crontab

from requests_app.models import DeploymentRequest, Shift
from requests_app.services import invitations


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def match_request(self, request_id: int) -> int:
    """After approval: a first wave of invitations for every open shift of the request."""
    request = DeploymentRequest.objects.filter(pk=request_id).first()
    if request is None:
        return 0
    sent = 0
    for shift in request.shifts.filter(cancelled_at__isnull=True).order_by("start"):
        sent += len(invitations.send_wave(shift))
    return sent


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def next_wave(self, shift_id: int) -> int:
    """After a decline (or expiry): top the shift's open invitations up again."""
    shift = Shift.objects.filter(pk=shift_id).first()
    if shift is None:
        return 0
    return len(invitations.send_wave(shift))


@shared_task
def invitation_tick() -> int:
    """Beat: expire old invitations, then send the next wave where places are open —
    higher-priority requests first, so scarce reservists go where they matter most."""
    invitations.expire_invitations()
    sent = 0
    for shift_id in invitations.shifts_in_priority_order():
        shift = Shift.objects.filter(pk=shift_id).first()
        if shift is not None:
            sent += len(invitations.send_wave(shift))
    return sent


BEAT_SCHEDULE = {
    "requests-invitation-tick": {
        "task": "requests_app.tasks.invitation_tick",
        "schedule": crontab(minute="*/5"),
    },
}
