from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from registry.tasks import remind_availability_confirmation
from tests.factories import ReservistFactory

pytestmark = pytest.mark.django_db


def test_reminder_goes_once_to_those_not_confirmed_in_a_year(django_capture_on_commit_callbacks):
    today = timezone.localdate()
    stale = ReservistFactory(availability_confirmed_on=today - timedelta(days=400))
    never = ReservistFactory(availability_confirmed_on=None)
    ReservistFactory(availability_confirmed_on=today - timedelta(days=30))
    ReservistFactory(availability_confirmed_on=None, status="left")
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_availability_confirmation() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([stale.user.email, never.user.email])
    assert "/register/me/confirm/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_availability_confirmation() == 0  # idempotent
    assert len(mail.outbox) == 2
    stale.refresh_from_db()
    assert stale.availability_reminded_on == today


def test_beat_schedule_is_declared():
    from registry.tasks import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["registry-remind-availability-confirmation"]
    assert entry["task"] == "registry.remind_availability_confirmation"
