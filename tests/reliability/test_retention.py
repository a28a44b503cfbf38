"""GDPR retention: who is anonymised around the boundary, twice is safe, beat runs it."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.audit import history_of, log_read
from accounts.models import AccessLog, User
from registry import retention, services
from registry.models import Reservist, ReservistStatusChange
from tests.factories import ReservistFactory, UserFactory

DAYS = 365


@pytest.fixture(autouse=True)
def _retention_days(settings):
    settings.NZR_RETENTION_DAYS_AFTER_LEAVING = DAYS
    settings.NZR_RETENTION_DAYS_UNVERIFIED_SIGNUP = 30


def left_days_ago(days: float, **extra) -> Reservist:
    reservist = ReservistFactory(**extra)
    services.change_status(reservist, Reservist.Status.LEFT, actor=None, reason="moved abroad")
    ReservistStatusChange.objects.filter(reservist=reservist, to_status="left").update(
        changed_at=timezone.now() - timedelta(days=days)
    )
    return reservist


@pytest.mark.django_db
def test_only_people_who_left_longer_ago_than_the_period_are_anonymised(national_coordinator):
    over = left_days_ago(DAYS + 0.01, first_name="Over")  # 15 minutes over
    well_over = left_days_ago(DAYS + 200, first_name="Lang")
    under = left_days_ago(DAYS - 1, first_name="Binnen")
    active = ReservistFactory(first_name="Actief")
    paused = ReservistFactory(first_name="Pauze", status=Reservist.Status.PAUSED)
    Reservist.objects.filter(pk=paused.pk).update(updated_at=timezone.now() - timedelta(days=900))

    result = retention.apply_retention()

    assert result.anonymised == 2
    for r in (over, well_over):
        r.refresh_from_db()
        assert r.anonymised_at is not None
        assert (r.first_name, r.phone, r.big_number, r.user_id) == ("", "", "", None)
    for r in (under, active, paused):
        r.refresh_from_db()
        assert r.anonymised_at is None
        assert r.first_name and r.phone and r.user_id


@pytest.mark.django_db
def test_the_boundary_is_the_moment_of_leaving_plus_the_period():
    reservist = left_days_ago(0)
    left_at = ReservistStatusChange.objects.get(reservist=reservist, to_status="left").changed_at
    assert retention.apply_retention(now=left_at + timedelta(days=DAYS)).anonymised == 0
    assert retention.apply_retention(now=left_at + timedelta(days=DAYS, seconds=1)).anonymised == 1


@pytest.mark.django_db
def test_anonymisation_keeps_statistics_and_the_access_log(regional_coordinator):
    reservist = left_days_ago(DAYS + 10)
    log_read(None, regional_coordinator, reservist)
    logged = AccessLog.objects.filter(subject_id=str(reservist.pk)).count()
    region, ring, profession = reservist.home_region_id, reservist.ring, reservist.profession_id

    retention.apply_retention()

    reservist.refresh_from_db()
    assert (reservist.home_region_id, reservist.ring, reservist.profession_id) == (
        region,
        ring,
        profession,
    )
    assert reservist.status == Reservist.Status.LEFT
    assert AccessLog.objects.filter(subject_id=str(reservist.pk)).count() == logged
    # Who did it and why is in the audit log.
    assert any(
        e.action == "reservist.anonymised" and "retention" in e.reason
        for e in history_of(reservist)
    )


@pytest.mark.django_db
def test_running_twice_changes_nothing_more():
    left_days_ago(DAYS + 1)
    left_days_ago(DAYS + 2)
    assert retention.apply_retention().anonymised == 2
    snapshot = list(Reservist.objects.order_by("pk").values())
    second = retention.apply_retention()
    assert (second.anonymised, second.signups_removed, second.signups_anonymised) == (0, 0, 0)
    assert list(Reservist.objects.order_by("pk").values()) == snapshot


@pytest.mark.django_db
def test_dormant_unverified_signups_are_removed_after_30_days(db):
    old = User.objects.create_user("oud@example.org", "x-Password-123")
    EmailAddress.objects.create(user=old, email=old.email, verified=False, primary=True)
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=31))
    recent = User.objects.create_user("nieuw@example.org", "x-Password-123")
    User.objects.filter(pk=recent.pk).update(date_joined=timezone.now() - timedelta(days=29))
    verified = UserFactory()  # verified, never signed in, no role
    User.objects.filter(pk=verified.pk).update(date_joined=timezone.now() - timedelta(days=400))

    result = retention.apply_retention()

    assert result.signups_removed == 1
    assert not User.objects.filter(pk=old.pk).exists()
    assert User.objects.filter(pk=recent.pk).exists()
    assert User.objects.filter(pk=verified.pk).exists()
    assert retention.apply_retention().signups_removed == 0


@pytest.mark.django_db
def test_an_unverified_signup_with_log_rows_is_closed_not_deleted(regional_coordinator):
    user = User.objects.create_user("spoor@example.org", "x-Password-123")
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=60))
    # The access log refers to this account as a "who": it may not be deleted (PROTECT).
    entry = log_read(None, user, ReservistFactory())

    result = retention.apply_retention()

    assert result.signups_anonymised == 1
    user.refresh_from_db()
    assert not user.is_active
    assert user.email.endswith("@anonymised.invalid")
    assert AccessLog.objects.get(pk=entry.pk).user_id == user.pk


@pytest.mark.django_db
def test_the_task_runs_the_retention_and_beat_schedules_it():
    from nzr.celery import app
    from registry.tasks import apply_retention

    left_days_ago(DAYS + 5)
    assert apply_retention.delay().get()["anonymised"] == 1
    app.loader.import_default_modules()
    app.finalize()
    entry = app.conf.beat_schedule["registry-apply-retention"]
    assert entry["task"] == "registry.apply_retention"
