"""Register tasks: the yearly "still available?" reminder and the GDPR retention run.
Thin and idempotent."""

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from registry import services


@shared_task(name="registry.remind_availability_confirmation", acks_late=True)
def remind_availability_confirmation() -> int:
    """E-mail reservists who have not confirmed their availability in 12 months.

    Each reminder is claimed under a row lock (``services.mark_reminded``) and
    the e-mail leaves after the claim commits, so a rerun sends nothing twice.
    """
    sent = 0
    for reservist_id in list(services.due_for_confirmation().values_list("pk", flat=True)):
        reservist = services.mark_reminded(reservist_id)
        if reservist is None:
            continue
        send_confirmation_reminder(reservist)
        sent += 1
    return sent


def send_confirmation_reminder(reservist) -> None:
    user = reservist.user
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    context = {"reservist": reservist, "url": base + reverse("registry:confirm")}
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        subject = render_to_string("registry/email/confirm_availability_subject.txt", context)
        body = render_to_string("registry/email/confirm_availability.txt", context)
    transaction.on_commit(
        lambda: send_mail(
            settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject.strip()
            if hasattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX")
            else subject.strip(),
            body,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    )


@shared_task(name="registry.apply_retention", acks_late=True)
def apply_retention() -> dict:
    """Anonymise reservists whose retention period after leaving has ended and remove
    dormant unverified sign-ups (``registry.retention``). Safe to run twice."""
    from dataclasses import asdict

    from registry import retention

    return asdict(retention.apply_retention())


BEAT_SCHEDULE = {
    "registry-remind-availability-confirmation": {
        "task": "registry.remind_availability_confirmation",
        "schedule": crontab(hour=9, minute=15),
    },
    "registry-apply-retention": {
        "task": "registry.apply_retention",
        "schedule": crontab(hour=3, minute=40),
    },
}
