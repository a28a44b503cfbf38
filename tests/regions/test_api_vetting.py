"""API: POST/GET /api/v1/reservists/{id}/vetting/ (coordinators; other region 404)."""

import pytest
from django.utils import timezone

from regions.models import VettingCheck
from registry.models import Reservist
from tests.factories import ReservistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(db):
    return ReservistFactory(status=Reservist.Status.APPLIED)


def url(reservist):
    return f"/api/v1/reservists/{reservist.pk}/vetting/"


def test_coordinator_records_a_check(api_as, regional_coordinator, applicant):
    response = api_as(regional_coordinator).post(
        url(applicant),
        {"check": "identity", "outcome": "pass", "note": "Paspoort gezien"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["check"] == "identity" and body["outcome"] == "pass"
    assert body["note"] == "Paspoort gezien"
    assert body["checked_by"] == regional_coordinator.email
    assert body["checked_at"]
    listing = api_as(regional_coordinator).get(url(applicant)).json()
    assert listing["count"] == 1 and listing["results"][0]["check"] == "identity"


def test_last_check_activates_via_api(api_as, national_coordinator, applicant):
    client = api_as(national_coordinator)
    for check in ("identity", "big", "vog", "intake"):
        assert (
            client.post(
                url(applicant),
                {"check": check, "outcome": "pass", "issued_on": str(timezone.localdate())},
                format="json",
            ).status_code
            == 201
        )
    applicant.refresh_from_db()
    assert applicant.status == "active"


def test_bad_input_is_400_per_field(api_as, regional_coordinator, applicant):
    client = api_as(regional_coordinator)
    response = client.post(url(applicant), {"check": "dna", "outcome": "maybe"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"check", "outcome"}
    response = client.post(
        url(applicant),
        {"check": "vog", "outcome": "fail", "note": ""},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["note"] == ["Say why the check failed."]
    assert not VettingCheck.objects.exists()


def test_other_region_coordinator_gets_404(api_as, other_region_coordinator, applicant):
    client = api_as(other_region_coordinator)
    assert (
        client.post(
            url(applicant), {"check": "identity", "outcome": "pass"}, format="json"
        ).status_code
        == 404
    )
    assert client.get(url(applicant)).status_code == 404
    assert not VettingCheck.objects.exists()


@pytest.mark.parametrize(
    "persona_name", ["reservist", "care_org_user", "triangle_member", "outsider"]
)
def test_non_coordinators_get_403(api_as, request, persona_name, applicant):
    client = api_as(request.getfixturevalue(persona_name))
    assert (
        client.post(
            url(applicant), {"check": "identity", "outcome": "pass"}, format="json"
        ).status_code
        == 403
    )
    assert client.get(url(applicant)).status_code == 403


def test_unknown_reservist_is_404(api_as, national_coordinator):
    assert api_as(national_coordinator).get("/api/v1/reservists/999999/vetting/").status_code == 404


def test_anonymous_is_refused(api, applicant):
    assert api.post(url(applicant), {"check": "identity", "outcome": "pass"}).status_code in (
        401,
        403,
    )


def test_vetting_fragment_renders_and_posts_back(client, regional_coordinator, applicant):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = regional_coordinator
    html = render_to_string(
        "regions/fragments/reservist_vetting.html", {"reservist": applicant}, request=request
    )
    assert f"/region/reservists/{applicant.pk}/vetting/" in html
    client.force_login(regional_coordinator)
    response = client.post(
        f"/region/reservists/{applicant.pk}/vetting/",
        {"check": "vog", "outcome": "fail", "note": ""},
    )
    assert response.status_code == 302
    assert not VettingCheck.objects.exists()  # refused: a failed check needs a note
    response = client.post(
        f"/region/reservists/{applicant.pk}/vetting/",
        {"check": "vog", "outcome": "fail", "note": "Geen VOG"},
    )
    assert response.status_code == 302
    assert VettingCheck.objects.get().note == "Geen VOG"


def test_register_page_shows_vetting_and_training_sections(client, regional_coordinator, applicant):
    client.force_login(regional_coordinator)
    response = client.get(f"/register/reservists/{applicant.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="vetting"' in html and 'id="training"' in html
    assert f"/region/reservists/{applicant.pk}/vetting/" in html
    assert f"/training/reservists/{applicant.pk}/records/" in html
