"""Demo data of regions and training: idempotent, and the demo reservist is deployable."""

from io import StringIO

import pytest
from django.core.management import call_command

from regions.models import Candidate, VettingCheck
from registry.deployability import reasons_not_deployable
from registry.models import Reservist
from training.models import TrainingRecord, TrainingSession

pytestmark = pytest.mark.django_db


def test_load_demo_twice_does_not_duplicate():
    call_command("load_demo", "--quiet", stdout=StringIO())
    counts = (
        VettingCheck.objects.count(),
        Candidate.objects.count(),
        TrainingRecord.objects.count(),
        TrainingSession.objects.count(),
    )
    call_command("load_demo", "--quiet", stdout=StringIO())
    assert (
        VettingCheck.objects.count(),
        Candidate.objects.count(),
        TrainingRecord.objects.count(),
        TrainingSession.objects.count(),
    ) == counts
    assert counts[0] > 0 and counts[1] >= 9
    assert set(TrainingSession.objects.values_list("region__code", flat=True)) == {"VR09", "VR13"}
    demo = Reservist.objects.get(user__email="reservist@demo.nzr.local")
    assert reasons_not_deployable(demo) == []
