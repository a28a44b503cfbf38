"""Engagement: messages from the region to its reservists, and retention figures."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from nzr.tasks import enqueue
from regions.errors import RegionsError
from regions.models import MessageDelivery, RegionMessage
from registry.models import Reservist

DEFAULT_STATUSES = [Reservist.Status.ACTIVE, Reservist.Status.PAUSED]


def send_region_message(region, subject: str, body: str, *, statuses, actor) -> RegionMessage:
    """Store the message with an in-app copy per reservist; the e-mails go out after commit."""
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise RegionsError(_("Give the message a subject."), field="subject")
    if not body:
        raise RegionsError(_("Write the message."), field="body")
    statuses = [s for s in statuses if s in Reservist.Status.values] or DEFAULT_STATUSES
    with transaction.atomic():
        recipients = (
            Reservist.objects.visible_to(actor)
            .filter(home_region=region, status__in=statuses, anonymised_at__isnull=True)
            .values_list("pk", flat=True)
        )
        message = RegionMessage.objects.create(
            region=region, subject=subject, body=body, statuses=statuses, sent_by=actor
        )
        MessageDelivery.objects.bulk_create(
            [MessageDelivery(message=message, reservist_id=pk) for pk in recipients.iterator()]
        )
        message.recipient_count = message.deliveries.count()
        message.save(update_fields=["recipient_count"])
        log_action(message, "message.sent", actor, recipients=message.recipient_count)
        from regions.tasks import email_region_message

        enqueue(email_region_message, message.pk)
    return message


def email_deliveries(message_id: int, batch: int = 200) -> int:
    """E-mail every copy not yet e-mailed (idempotent: ``emailed_at`` remembers)."""
    message = RegionMessage.objects.select_related("region").get(pk=message_id)
    sent = 0
    pending = (
        MessageDelivery.objects.filter(message=message, emailed_at__isnull=True)
        .select_related("reservist__user")
        .order_by("pk")
    )
    for delivery in pending[:10000].iterator(chunk_size=batch):
        user = delivery.reservist.user
        if user is not None and user.email and user.is_active:
            text = (
                message.body
                + "\n\n— "
                + _("Nationale Zorgreserve, region %(region)s") % {"region": message.region.name}
            )
            text += "\n" + getattr(settings, "SITE_URL", "").rstrip("/") + "/region/inbox/"
            send_mail(message.subject, text, None, [user.email])
            sent += 1
        MessageDelivery.objects.filter(pk=delivery.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
    return sent


def mark_read(delivery: MessageDelivery) -> None:
    if delivery.read_at is None:
        MessageDelivery.objects.filter(pk=delivery.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )


def retention(reservists, today=None) -> dict:
    """Of the people in the pool during the last 12 months, the share still in it."""
    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=365)
    counts = reservists.aggregate(
        staying=Count("pk", filter=Q(status__in=DEFAULT_STATUSES), distinct=True),
        left=Count(
            "pk",
            filter=Q(status=Reservist.Status.LEFT)
            & Q(status_changes__to_status="left", status_changes__changed_at__gte=since),
            distinct=True,
        ),
    )
    base = counts["staying"] + counts["left"]
    counts["percent"] = round(100 * counts["staying"] / base) if base else None
    return counts
