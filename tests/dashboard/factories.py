"""Building blocks for the figures tests: requests, shifts and assignments made
directly with the models (the services of requests_app are not under test here)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from registry.models import Profile
from requests_app.models import Assignment, DeploymentRequest, Shift
from training.models import Course, TrainingRecord

AMS = ZoneInfo("Europe/Amsterdam")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=AMS)


def make_request(organisation, status="approved", category="individual", **extra):
    now = timezone.now()
    values = dict(
        organisation=organisation,
        category=category,
        status=status,
        postcode=organisation.postcode,
        region=organisation.region,
        submitted_at=None if status == "draft" else now - timedelta(days=3),
    )
    values.update(extra)
    return DeploymentRequest.objects.create(**values)


def make_shift(request, profile_code, start, count, hours=8, cancelled=False):
    return Shift.objects.create(
        request=request,
        profile=Profile.objects.get(code=profile_code),
        start=start,
        end=start + timedelta(hours=hours),
        count=count,
        cancelled_at=timezone.now() if cancelled else None,
    )


def book(shift, reservist, status="confirmed"):
    return Assignment.objects.create(
        shift=shift, reservist=reservist, status=status, start=shift.start, end=shift.end
    )


def train_fully(reservist, on=None):
    """Give a reservist a fresh record of every course (so a training checker passes)."""
    on = on or timezone.localdate() - timedelta(days=10)
    for course in Course.objects.all():
        TrainingRecord.objects.create(reservist=reservist, course=course, completed_on=on)
