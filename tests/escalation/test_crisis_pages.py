"""Web pages for crises: the national coordinator declares, activates and deactivates."""

import pytest
from django.urls import reverse

from escalation.models import Crisis

pytestmark = pytest.mark.django_db


def test_national_declares_and_activates_on_the_web(
    client, national_coordinator, django_capture_on_commit_callbacks
):
    client.force_login(national_coordinator)
    assert client.get(reverse("escalation:crisis_list")).status_code == 200
    assert client.get(reverse("escalation:crisis_declare")).status_code == 200
    response = client.post(
        reverse("escalation:crisis_declare"),
        {"name": "Stroomstoring", "kind": "disaster", "scope": "regions", "regions": []},
    )
    assert response.status_code == 200  # error: no region chosen
    assert "errorlist" in response.content.decode() or "nzr-error" in response.content.decode()
    assert not Crisis.objects.filter(name="Stroomstoring").exists()
    from registry.models import Region

    vr09 = Region.objects.get(code="VR09")
    response = client.post(
        reverse("escalation:crisis_declare"),
        {"name": "Stroomstoring", "kind": "disaster", "scope": "regions", "regions": [vr09.pk]},
    )
    crisis = Crisis.objects.get(name="Stroomstoring")
    assert response.status_code == 302
    assert list(crisis.regions.values_list("code", flat=True)) == ["VR09"]
    detail = reverse("escalation:crisis_detail", args=[crisis.pk])
    assert client.get(detail).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("escalation:crisis_activate", args=[crisis.pk]))
    crisis.refresh_from_db()
    assert crisis.active and crisis.phase == "warm"
    page = client.get(detail).content.decode()
    assert "Stroomstoring" in page
    client.post(reverse("escalation:crisis_deactivate", args=[crisis.pk]), {"reason": "Opgelost"})
    crisis.refresh_from_db()
    assert not crisis.active and crisis.report["assignments"] == 0


@pytest.mark.parametrize("persona_name", ["regional_coordinator", "triangle_member"])
def test_others_read_but_cannot_declare(client, request, persona_name, national_coordinator):
    from escalation import services

    crisis = services.declare_crisis(name="Test", kind="other", actor=national_coordinator)
    client.force_login(request.getfixturevalue(persona_name))
    assert client.get(reverse("escalation:crisis_list")).status_code == 200
    assert client.get(reverse("escalation:crisis_declare")).status_code == 403
    assert client.post(reverse("escalation:crisis_activate", args=[crisis.pk])).status_code == 403
    crisis.refresh_from_db()
    assert not crisis.active


@pytest.mark.parametrize("persona_name", ["reservist", "care_org_user"])
def test_crisis_pages_closed_to_reservists_and_organisations(client, request, persona_name):
    client.force_login(request.getfixturevalue(persona_name))
    assert client.get(reverse("escalation:crisis_list")).status_code == 403
