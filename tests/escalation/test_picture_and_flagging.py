"""The system flags unfilled requests; the triangle's current picture; the demo crisis."""

from datetime import timedelta

import pytest
from django.urls import reverse

from escalation import services, tasks
from escalation.demo import CRISIS_NAME
from escalation.demo import load as load_demo
from escalation.models import Crisis, Escalation, PriorityFramework
from escalation.signals import escalation_opened
from tests.escalation.factories import assign, make_request
from tests.factories import ReservistFactory

pytestmark = pytest.mark.django_db


def test_unfilled_shift_soon_is_escalated_once(organisation):
    soon = make_request(organisation, status="approved", first_shift_in=timedelta(hours=6), count=2)
    assign(soon.shifts.get(), ReservistFactory())
    later = make_request(organisation, status="approved", first_shift_in=timedelta(days=3))
    full = make_request(organisation, status="approved", first_shift_in=timedelta(hours=5), count=1)
    assign(full.shifts.get(), ReservistFactory())
    submitted = make_request(organisation, status="submitted", first_shift_in=timedelta(hours=2))
    seen = []

    def receiver(sender, escalation, source, actor, **kwargs):
        seen.append((escalation.request_id, source, actor))

    escalation_opened.connect(receiver)
    try:
        assert tasks.flag_unfilled_requests() == 1
        assert tasks.flag_unfilled_requests() == 0
    finally:
        escalation_opened.disconnect(receiver)
    assert seen == [(soon.pk, "system", None)]
    escalation = Escalation.objects.get(request=soon)
    assert escalation.source == "system" and escalation.opened_by is None
    assert not Escalation.objects.filter(request__in=[later, full, submitted]).exists()


def test_current_picture_for_triangle(client, triangle_member, organisation):
    shelter = make_request(
        organisation, category="regional_shelter", first_shift_in=timedelta(days=2)
    )
    make_request(organisation, category="individual", first_shift_in=timedelta(hours=3))
    services.open_escalation(shelter, actor=None, reason="Vol")
    client.force_login(triangle_member)
    response = client.get(reverse("escalation:picture"))
    assert response.status_code == 200
    rows = response.context["requests"]
    assert rows[0][0].pk == shelter.pk  # regional shelter first despite the later shift
    assert rows[0][2] == 2  # two places open
    assert len(response.context["escalations"]) == 1
    assert len(response.context["pool"]) == 25


@pytest.mark.parametrize("persona_name", ["regional_coordinator", "care_org_user", "reservist"])
def test_current_picture_closed_to_others(client, request, persona_name):
    client.force_login(request.getfixturevalue(persona_name))
    assert client.get(reverse("escalation:picture")).status_code == 403


def test_demo_crisis_is_idempotent(national_coordinator):
    users = {"landelijk@demo.nzr.local": national_coordinator}
    load_demo(users)
    load_demo(users)
    crisis = Crisis.objects.get(name=CRISIS_NAME)
    assert crisis.active and crisis.phase == "warm" and crisis.kind == "pandemic"
    assert crisis.region_codes() == []
    assert crisis.calls.count() == 2
    assert PriorityFramework.objects.count() == 1
