"""Expiry reminders (90/30/7 days), each sent once; a digest to the coordinator."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import ReservistFactory
from tests.training.factories import train
from training import reminders, tasks
from training.models import Course, ReminderSent

pytestmark = pytest.mark.django_db


def test_reminders_are_sent_once(regional_coordinator, reservist_record):
    today = timezone.localdate()
    bls = Course.objects.get(code="bls")
    train(reservist_record, completed_on=today - timedelta(days=340), courses=[bls])  # 25 days left
    sent = reminders.send_expiry_reminders(today)
    assert sent == 1
    to_reservist = [m for m in mail.outbox if reservist_record.user.email in m.to]
    assert len(to_reservist) == 1 and "BLS / reanimatie" in to_reservist[0].subject
    digest = [m for m in mail.outbox if regional_coordinator.email in m.to]
    assert len(digest) == 1 and str(reservist_record) in digest[0].body
    assert reminders.send_expiry_reminders(today) == 0
    assert len(mail.outbox) == 2
    # Seven days before expiry the next reminder goes out, once.
    later = today + timedelta(days=19)
    assert reminders.send_expiry_reminders(later) == 1
    assert reminders.send_expiry_reminders(later) == 0
    assert ReminderSent.objects.filter(key__startswith="training:").count() == 2


def test_big_expiry_reminder(reservist_record):
    today = timezone.localdate()
    reservist_record.big_valid_until = today + timedelta(days=80)
    reservist_record.save()
    assert reminders.send_expiry_reminders(today) == 1
    assert "BIG" in mail.outbox[0].subject or "BIG" in mail.outbox[0].body


def test_left_reservists_get_no_reminder(db):
    today = timezone.localdate()
    gone = ReservistFactory(status="left", big_valid_until=today + timedelta(days=10))
    train(gone, completed_on=today - timedelta(days=360))
    assert reminders.send_expiry_reminders(today) == 0


def test_beat_schedule_names_the_task():
    entry = tasks.BEAT_SCHEDULE["training-expiry-reminders"]
    assert entry["task"] == "training.tasks.send_expiry_reminders"
    assert tasks.send_expiry_reminders.name == entry["task"]
