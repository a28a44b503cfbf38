"""Factories for escalation tests: a submitted request with shifts, and an escalation."""

from datetime import timedelta

from django.utils import timezone

from escalation.models import Escalation
from registry.models import Profile
from requests_app.models import Assignment, DeploymentRequest, Shift
from tests.factories import CareOrganisationFactory, region


def make_request(
    organisation=None,
    *,
    category="individual",
    submitted_at=None,
    first_shift_in=timedelta(hours=24),
    status="submitted",
    crisis=None,
    shifts=1,
    count=2,
):
    organisation = organisation or CareOrganisationFactory(region=region("VR09"))
    req = DeploymentRequest.objects.create(
        organisation=organisation,
        category=category,
        status=status,
        postcode=organisation.postcode,
        region=organisation.region,
        description="Personeelstekort op de COVID-afdeling",
        submitted_at=submitted_at or timezone.now() - timedelta(hours=1),
        crisis=crisis,
    )
    profile = Profile.objects.order_by("pk").first()
    start = timezone.now() + first_shift_in
    for i in range(shifts):
        Shift.objects.create(
            request=req,
            profile=profile,
            start=start + timedelta(days=i),
            end=start + timedelta(days=i, hours=8),
            count=count,
        )
    return req


def assign(shift, reservist, status="confirmed"):
    return Assignment.objects.create(
        shift=shift, reservist=reservist, status=status, start=shift.start, end=shift.end
    )


def make_escalation(request=None, **kwargs):
    request = request or make_request(status="escalated")
    return Escalation.objects.create(
        request=request, reason=kwargs.pop("reason", "Niet te vullen"), **kwargs
    )
