"""Deployability follows from training records: not deployable from the expiry date on,
and the reason names the course and the date."""

from datetime import timedelta

import pytest
from django.utils import timezone

from registry.deployability import deployable, reasons_not_deployable
from registry.models import Profile, Reservist
from tests.factories import ReservistFactory
from tests.regions.factories import pass_all
from tests.training.factories import train
from training import deployability
from training.models import Course, TrainingRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained(reservist_record):
    pass_all(reservist_record)
    today = timezone.localdate()
    train(
        reservist_record,
        completed_on=today - timedelta(days=100),
        courses=[Course.objects.get(code="bls")],
    )
    others = Course.objects.filter(code__in=["nzr-introductie", "infectiepreventie"])
    train(reservist_record, completed_on=today - timedelta(days=10), courses=others)
    return reservist_record


def _deployable(reservist, on, profile=None):
    return deployable(Reservist.objects.filter(pk=reservist.pk), on, profile).exists()


def test_trained_reservist_is_deployable(trained):
    today = timezone.localdate()
    assert reasons_not_deployable(trained, today) == []
    assert _deployable(trained, today)


def test_expired_course_blocks_from_the_expiry_date_on(trained):
    bls = TrainingRecord.objects.get(reservist=trained, course__code="bls")
    expiry = bls.expires_on
    assert expiry == bls.completed_on.replace(year=bls.completed_on.year + 1)
    day_before = expiry - timedelta(days=1)
    assert deployability.check(trained, day_before, None) == []
    assert _deployable(trained, day_before)
    reasons = reasons_not_deployable(trained, expiry)
    assert len(reasons) == 1
    assert "BLS / reanimatie" in reasons[0]
    assert expiry.strftime("%d-%m-%Y") in reasons[0]
    assert not _deployable(trained, expiry)
    assert not _deployable(trained, expiry + timedelta(days=30))


def test_refresher_makes_deployable_again(trained):
    bls = TrainingRecord.objects.get(reservist=trained, course__code="bls")
    later = bls.expires_on + timedelta(days=10)
    TrainingRecord.objects.create(
        reservist=trained, course=bls.course, completed_on=bls.expires_on + timedelta(days=5)
    )
    assert deployability.check(trained, later, None) == []
    assert _deployable(trained, later)


def test_profile_requirement_counts_only_for_that_profile(trained):
    today = timezone.localdate()
    profile = Profile.objects.get(code="vpk-algemeen")  # needs voorbehouden-handelingen
    reasons = deployability.check(trained, today, profile)
    assert any("Voorbehouden handelingen" in r for r in reasons)
    assert not _deployable(trained, today, profile)
    assert _deployable(trained, today)  # without a profile only the ring counts
    train(trained, courses=[Course.objects.get(code="voorbehouden-handelingen")])
    assert _deployable(trained, today, profile)


def test_never_trained_reservist_is_told_what_is_missing(db):
    fresh = ReservistFactory()
    pass_all(fresh)
    reasons = deployability.check(fresh, timezone.localdate(), None)
    assert len(reasons) == 3
    assert all("has not been completed" in r or "niet gevolgd" in r for r in reasons)


def test_filter_agrees_with_check_over_a_group(db):
    today = timezone.localdate()
    group = [ReservistFactory() for _ in range(4)]
    for r in group:
        pass_all(r)
    train(group[0])
    train(group[1], completed_on=today - timedelta(days=400))  # BLS + infection expired
    train(group[2], courses=list(Course.objects.filter(code__in=["bls", "nzr-introductie"])))
    qs = Reservist.objects.filter(pk__in=[r.pk for r in group])
    by_filter = set(deployable(qs, today).values_list("pk", flat=True))
    by_check = {r.pk for r in group if not reasons_not_deployable(r, today)}
    assert by_filter == by_check == {group[0].pk}
