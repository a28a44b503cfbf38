"""Demo data: a national picture, idempotent, with a pending invitation for the demo reservist."""

import pytest

from requests_app import demo
from requests_app.models import Assignment, DeploymentRequest, Invitation

pytestmark = pytest.mark.django_db


def test_demo_is_realistic_and_idempotent(
    reservist, national_coordinator, organisation, other_organisation
):
    from tests.requests_app.factories import make_candidate

    for _ in range(4):
        make_candidate(profiles=("verzorgende", "vpk-algemeen"))
    users = {
        "reservist@demo.nzr.local": reservist,
        "landelijk@demo.nzr.local": national_coordinator,
        "_organisations": {"VR09": organisation, "VR13": other_organisation},
    }
    demo.load(users)
    counts = (
        DeploymentRequest.objects.count(),
        Assignment.objects.count(),
        Invitation.objects.count(),
    )
    demo.load(users)
    assert (
        DeploymentRequest.objects.count(),
        Assignment.objects.count(),
        Invitation.objects.count(),
    ) == counts

    open_ = DeploymentRequest.objects.filter(
        status__in=["submitted", "approved", "escalated", "filled"]
    )
    assert 25 <= open_.count() <= 30
    assert DeploymentRequest.objects.filter(status="escalated").count() == 1
    assert Assignment.objects.filter(status="completed").exists()
    assert Assignment.objects.filter(status="confirmed").exists()
    pending = Invitation.objects.get(reservist__user=reservist)
    assert pending.status == "pending"
