"""Helpers to build requests, shifts and deployable reservists for the requests tests."""

from datetime import timedelta

from django.utils import timezone

from escalation.models import Crisis, LadderStep
from registry.models import Availability, Profile, Region
from requests_app.models import DeploymentRequest, Invitation, Shift
from tests.factories import ReservistFactory, region
from training.models import Course, TrainingRecord


def active_crisis(name="COVID-19 (test)") -> Crisis:
    crisis, _ = Crisis.objects.get_or_create(
        name=name, defaults={"kind": "pandemic", "phase": "warm", "active": True}
    )
    return crisis


def profile(code="verzorgende") -> Profile:
    return Profile.objects.get(code=code)


def ladder_entries(taken_on=None, *, skip=()):
    taken_on = taken_on or timezone.localdate() - timedelta(days=3)
    return [
        {"step": s.code, "taken_on": taken_on.isoformat(), "evidence": f"Gedaan: {s.name}"}
        for s in LadderStep.objects.filter(active=True, before_reserve=True).order_by("order")
        if s.code not in skip
    ]


def at(days=2, hour=7, minute=0):
    """An aware datetime ``days`` from today at ``hour`` local time."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour, minute))


def make_request(
    organisation, *, status="approved", shifts=None, crisis=None, category="individual"
):
    """A request straight in the database (set-up, not the behaviour under test)."""
    now = timezone.now()
    req = DeploymentRequest.objects.create(
        organisation=organisation,
        category=category,
        status=status,
        crisis=crisis or active_crisis(),
        postcode=organisation.postcode,
        region=organisation.region,
        description="Uitval door ziekte op twee afdelingen.",
        submitted_at=now - timedelta(hours=2) if status != "draft" else None,
        approved_at=now - timedelta(hours=1) if status in ("approved", "filled") else None,
    )
    for start, end, count, code in shifts or [(at(2, 7), at(2, 15), 2, "verzorgende")]:
        Shift.objects.create(request=req, profile=profile(code), start=start, end=end, count=count)
    return req


def make_candidate(*, profiles=("verzorgende",), home="VR09", regions=("VR09",), **kwargs):
    """An active, vetted-enough, trained and available reservist willing to work in ``regions``."""
    kwargs.setdefault("user__password", None)  # no slow hashing: these sign in by token
    r = ReservistFactory(home_region=region(home), **kwargs)
    r.profiles.set(Profile.objects.filter(code__in=profiles))
    r.regions.set(Region.objects.filter(code__in=regions))
    done = timezone.localdate() - timedelta(days=30)
    for course in Course.objects.all():
        TrainingRecord.objects.create(reservist=r, course=course, completed_on=done)
    now = timezone.now()
    Availability.objects.create(
        reservist=r, start=now - timedelta(days=30), end=now + timedelta(days=60)
    )
    return r


def invite(shift, reservist, *, hours=12) -> Invitation:
    return Invitation.objects.create(
        shift=shift, reservist=reservist, expires_at=timezone.now() + timedelta(hours=hours)
    )
