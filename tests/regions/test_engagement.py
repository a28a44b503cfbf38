"""Engagement: a message from the region reaches its reservists by e-mail and in-app;
retention per region."""

import pytest
from django.core import mail
from django.utils import timezone

from regions.engagement import retention, send_region_message
from regions.errors import RegionsError
from regions.models import MessageDelivery, RegionMessage
from registry.models import Reservist, ReservistStatusChange
from tests.factories import ReservistFactory, region

pytestmark = pytest.mark.django_db


def test_message_reaches_region_reservists(
    regional_coordinator, reservist_record, other_reservist, django_capture_on_commit_callbacks
):
    paused = ReservistFactory(status="paused")
    ReservistFactory(status="left")
    with django_capture_on_commit_callbacks(execute=True):
        message = send_region_message(
            region("VR09"),
            "Oefening",
            "Op 12 mei oefenen we.",
            statuses=["active", "paused"],
            actor=regional_coordinator,
        )
    assert message.recipient_count == 2
    recipients = set(MessageDelivery.objects.values_list("reservist_id", flat=True))
    assert recipients == {reservist_record.pk, paused.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [reservist_record.user.email, paused.user.email]
    )
    assert all(d.emailed_at for d in MessageDelivery.objects.all())
    # Running the e-mail task again sends nothing twice.
    from regions.tasks import email_region_message

    assert email_region_message(message.pk) == 0
    assert len(mail.outbox) == 2


def test_empty_message_is_refused(regional_coordinator):
    with pytest.raises(RegionsError) as exc:
        send_region_message(
            region("VR09"), "Onderwerp", "  ", statuses=[], actor=regional_coordinator
        )
    assert exc.value.field == "body"
    assert not RegionMessage.objects.exists()


def test_pages(client, regional_coordinator, reservist, reservist_record, other_region_coordinator):
    client.force_login(regional_coordinator)
    assert client.get("/region/messages/").status_code == 200
    bad = client.post("/region/messages/", {"subject": "", "body": "x", "statuses": ["active"]})
    assert bad.status_code == 400 and "subject" in bad.context["form"].errors
    ok = client.post(
        "/region/messages/", {"subject": "Nieuws", "body": "Hallo allemaal", "statuses": ["active"]}
    )
    assert ok.status_code == 302
    delivery = MessageDelivery.objects.get(reservist=reservist_record)
    client.force_login(other_region_coordinator)
    assert (
        client.post("/region/messages/?region=VR09", {"subject": "x", "body": "y"}).status_code
        == 404
    )
    client.force_login(reservist)
    inbox = client.get("/region/inbox/")
    assert inbox.status_code == 200 and "Nieuws" in inbox.content.decode()
    assert client.get(f"/region/inbox/{delivery.pk}/").status_code == 200
    delivery.refresh_from_db()
    assert delivery.read_at is not None


def test_retention(regional_coordinator):
    for _ in range(3):
        ReservistFactory(status="active")
    gone = ReservistFactory(status="left")
    ReservistStatusChange.objects.create(
        reservist=gone, from_status="active", to_status="left", changed_at=timezone.now()
    )
    figures = retention(Reservist.objects.filter(home_region=region("VR09")))
    assert figures == {"staying": 3, "left": 1, "percent": 75}
