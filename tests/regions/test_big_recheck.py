"""The monthly BIG re-check: each active reservist once a month (spread over the
month), at most NZR_BIG_CHECKS_PER_MINUTE a run, retried with a delay after the service
failed, nothing done twice when run again."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from regions import big, bigcheck
from regions.models import BigRegisterCheck, BigRegisterSchedule
from registry.models import Reservist
from tests.factories import ReservistFactory
from tests.fakes.big_register import FakeBigRegister, professional


@pytest.fixture
def fake():
    with FakeBigRegister() as server:
        yield server


def nurses(fake, n):
    """``n`` active reservists whose name matches the register."""
    people = []
    for i in range(n):
        number = f"190{i:08d}"
        fake.people[number] = professional(number)
        people.append(
            ReservistFactory(user=None, first_name="Anna", last_name="de Vries", big_number=number)
        )
    return people


def run(fake, now, **kwargs):
    return bigcheck.run_due_checks(now=now, verifier=big.SoapBIGVerifier(url=fake.url), **kwargs)


@pytest.mark.django_db
def test_each_active_reservist_is_checked_once_a_month(fake):
    people = nurses(fake, 5)
    ReservistFactory(user=None, big_number="19099999999", status=Reservist.Status.PAUSED)
    ReservistFactory(user=None, big_number="", ring=2)
    t0 = timezone.now()

    run(fake, t0)
    schedules = BigRegisterSchedule.objects.all()
    assert {s.reservist_id for s in schedules} == {p.pk for p in people}
    # Spread over the month: different moments, all within 30 days.
    dues = [s.due_at for s in schedules]
    assert len(set(dues)) == 5 and all(t0 <= d <= t0 + timedelta(days=30) for d in dues)

    assert run(fake, t0 + timedelta(days=30)) == {"checked": 5, "failed": 0}
    assert sorted(fake.requests) == sorted(p.big_number for p in people)
    # Run again in the same month: nothing asked twice.
    assert run(fake, t0 + timedelta(days=30)) == {"checked": 0, "failed": 0}
    assert run(fake, t0 + timedelta(days=29)) == {"checked": 0, "failed": 0}
    assert len(fake.requests) == 5
    assert BigRegisterCheck.objects.count() == 5
    # A month after the check, each is due again.
    assert run(fake, timezone.now() + timedelta(days=31)) == {"checked": 5, "failed": 0}
    assert len(fake.requests) == 10


@pytest.mark.django_db
def test_a_run_asks_no_more_than_the_rate_limit(fake):
    nurses(fake, 5)
    bigcheck.schedule_missing()
    with override_settings(NZR_BIG_CHECKS_PER_MINUTE=2):
        assert run(fake, timezone.now() + timedelta(days=30))["checked"] == 2
        assert run(fake, timezone.now() + timedelta(days=30))["checked"] == 2
    assert len(fake.requests) == 4


@pytest.mark.django_db
def test_a_failed_check_is_retried_later_with_a_growing_delay(fake):
    (anna,) = nurses(fake, 1)
    now = timezone.now()
    bigcheck.schedule_missing(now)
    BigRegisterSchedule.objects.update(due_at=now - timedelta(minutes=1))
    fake.down = True

    assert run(fake, now) == {"checked": 0, "failed": 1}
    schedule = BigRegisterSchedule.objects.get()
    assert schedule.attempts == 1 and schedule.claimed_until is None
    assert "unable to process" in schedule.last_error
    first_delay = schedule.due_at - now
    assert timedelta(minutes=4) < first_delay < timedelta(minutes=7)
    assert not BigRegisterCheck.objects.exists()  # a failure writes no check

    # Not retried before its delay; the second failure waits longer.
    assert run(fake, now) == {"checked": 0, "failed": 0}
    assert run(fake, schedule.due_at) == {"checked": 0, "failed": 1}
    schedule.refresh_from_db()
    assert schedule.attempts == 2 and schedule.due_at - now > first_delay + timedelta(minutes=4)

    fake.down = False
    assert run(fake, schedule.due_at) == {"checked": 1, "failed": 0}
    schedule.refresh_from_db()
    assert schedule.attempts == 0 and schedule.due_at > now + timedelta(days=29)
    assert BigRegisterCheck.objects.get().outcome == "pass"
    assert len(fake.requests) == 3


@pytest.mark.django_db
def test_a_reservist_who_left_is_not_checked(fake):
    (anna,) = nurses(fake, 1)
    bigcheck.schedule_missing()
    Reservist.objects.filter(pk=anna.pk).update(status=Reservist.Status.PAUSED)
    assert run(fake, timezone.now() + timedelta(days=30))["checked"] == 0
    assert fake.requests == []


@pytest.mark.django_db
def test_with_the_manual_verifier_the_job_does_nothing(fake):
    nurses(fake, 2)
    assert bigcheck.run_due_checks(now=timezone.now() + timedelta(days=30)) == {
        "checked": 0,
        "failed": 0,
    }
    assert not BigRegisterSchedule.objects.exists()


def test_backoff_grows_to_a_day_at_most():
    assert timedelta(minutes=5) <= bigcheck.backoff(1) <= timedelta(minutes=6)
    assert timedelta(minutes=10) <= bigcheck.backoff(2) <= timedelta(minutes=11)
    assert bigcheck.backoff(30) <= timedelta(hours=24, minutes=1)
