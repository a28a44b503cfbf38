"""Messages to people: e-mail (and SMS for reservists), always after commit.

Each message is rendered in the recipient's language from a subject and a
text template in ``requests_app/templates/requests_app/email/``.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from accounts.sms import send_sms


def site_url() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def _send(recipients: list[str], template: str, context: dict, language: str = "nl") -> None:
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    with translation.override(language or "nl"):
        context = {**context, "site_url": site_url()}
        subject = render_to_string(f"requests_app/email/{template}_subject.txt", context)
        body = render_to_string(f"requests_app/email/{template}.txt", context)
    subject = " ".join(subject.split())
    send_mail(subject, body, None, recipients)


def email_later(recipients: list[str], template: str, context: dict, language: str = "nl"):
    """Send once the surrounding transaction commits (never inside it)."""
    transaction.on_commit(lambda: _send(recipients, template, context, language))


def sms_later(phone: str, text: str):
    transaction.on_commit(lambda: send_sms(phone, text))


def organisation_emails(organisation, extra=None) -> list[str]:
    """The members of an organisation (and the request's creator)."""
    from accounts.models import Membership

    emails = set(
        Membership.objects.valid_on()
        .filter(role=Membership.Role.CARE_ORG, organisation=organisation)
        .values_list("user__email", flat=True)
    )
    if extra is not None and getattr(extra, "email", ""):
        emails.add(extra.email)
    return sorted(emails)


def national_emails() -> list[str]:
    from accounts.models import Membership

    return sorted(
        set(
            Membership.objects.valid_on()
            .filter(role=Membership.Role.NATIONAL)
            .values_list("user__email", flat=True)
        )
    )


def reservist_language(reservist) -> str:
    return getattr(reservist.user, "language", "nl") if reservist.user_id else "nl"


def confirm_assignment(assignment_id: int) -> bool:
    """Tell the reservist a booking is confirmed (the outbox task ``confirm_assignment``).

    Off the booking's request path: the accept enqueues this with the assignment's id,
    and the worker renders and sends the e-mail after its own commit. Sends nothing for
    an assignment that is gone or no longer confirmed (cancelled before the task ran).
    The outbox runs a message once, so a reservist gets one confirmation per booking.
    """
    from requests_app.models import Assignment

    assignment = (
        Assignment.objects.select_related(
            "reservist__user", "shift__profile", "shift__request__organisation"
        )
        .filter(pk=assignment_id, status=Assignment.Status.CONFIRMED)
        .first()
    )
    if assignment is None:
        return False
    r = assignment.reservist
    email_later(
        [r.email],
        "assignment_confirmed",
        {"assignment": assignment, "shift": assignment.shift, "reservist": r},
        reservist_language(r),
    )
    return True
