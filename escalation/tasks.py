"""Celery tasks of escalation: the crisis availability call (thin, idempotent, take ids)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from escalation import services
from escalation.models import CrisisResponse

logger = logging.getLogger(__name__)

BEAT_SCHEDULE = {
    "escalation-send-due-calls": {
        "task": "escalation.tasks.send_due_calls",
        "schedule": crontab(minute="*/10"),
    },
    "escalation-flag-unfilled-requests": {
        "task": "escalation.tasks.flag_unfilled_requests",
        "schedule": crontab(minute="*/15"),
    },
}


def _message(response: CrisisResponse) -> EmailMultiAlternatives:
    user = response.reservist.user
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    token = services.answer_token(response)
    context = {
        "reservist": response.reservist,
        "crisis": response.crisis,
        "wave": response.call.wave,
        "answer_url": base + reverse("escalation:answer", args=[token]),
    }
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        subject = render_to_string("escalation/email/availability_call_subject.txt", context)
        text = render_to_string("escalation/email/availability_call.txt", context)
        html = render_to_string("escalation/email/availability_call.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


def mail_call(call) -> int:
    """Mail every not-yet-mailed reservist of this wave, in claimed batches. Returns the count."""
    sent = 0
    while True:
        ids = services.claim_unsent(call)
        if not ids:
            return sent
        responses = CrisisResponse.objects.filter(pk__in=ids).select_related(
            "reservist__user", "crisis", "call"
        )
        try:
            messages = [_message(r) for r in responses if r.reservist.user_id]
            with get_connection() as connection:
                connection.send_messages(messages)
        except Exception:
            services.unclaim(ids)
            raise
        sent += len(ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_availability_call(call_id: int) -> int:
    """Create the answer rows of one wave and mail the reservists (idempotent)."""
    call = services.prepare_call(call_id)
    if call is None:
        return 0
    return mail_call(call)


@shared_task
def send_due_calls() -> int:
    """Beat: send the waves that are due (the one-week ring after the 24-hour ring)."""
    count = 0
    for call_id in services.due_calls().values_list("pk", flat=True):
        send_availability_call.delay(call_id)
        count += 1
    return count


@shared_task
def flag_unfilled_requests() -> int:
    """Beat: escalate requests whose shifts are still unfilled a set number of hours before."""
    return len(services.flag_unfilled_requests())
