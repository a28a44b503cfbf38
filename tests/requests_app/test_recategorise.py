"""The national coordinator re-categorises a request with a reason: it moves in the queue,
the change is logged with the reason; other roles, no reason or a closed request are refused."""

import pytest
from django.urls import reverse

from accounts.audit import history_of
from accounts.models import AuditEntry, Membership
from requests_app import services
from requests_app.errors import RequestError, RequestNotAllowed
from requests_app.models import DeploymentRequest
from tests.factories import CareOrganisationFactory, make_persona, region
from tests.requests_app.factories import at, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_requests(organisation):
    """An individual organisation with the earlier shift, and a regional shelter (rank 1)."""
    individual = make_request(
        organisation, status="submitted", shifts=[(at(1, 7), at(1, 15), 2, "verzorgende")]
    )
    shelter = make_request(
        CareOrganisationFactory(region=region("VR09")),
        status="approved",
        category="regional_shelter",
        shifts=[(at(3, 7), at(3, 15), 2, "verzorgende")],
    )
    return individual, shelter


def queue_ids(client):
    response = client.get("/api/v1/requests/queue/")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def recategorise(client, req, category, reason="Opvanglocatie buiten het ziekenhuis"):
    return client.post(
        f"/api/v1/requests/{req.pk}/recategorise/",
        {"category": category, "reason": reason},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_recategorising_moves_the_request_in_the_queue_and_is_logged(
    api_as, national_coordinator, two_requests
):
    individual, shelter = two_requests
    client = api_as(national_coordinator)
    assert queue_ids(client) == [shelter.pk, individual.pk]

    response = recategorise(client, individual, "regional_shelter")

    assert response.status_code == 200, response.content
    assert response.json()["category"] == "regional_shelter"
    # Both shelters now; the earlier first shift goes first.
    assert queue_ids(client) == [individual.pk, shelter.pk]
    entry = history_of(individual).get(action="request.recategorised")
    assert entry.actor == national_coordinator
    assert entry.reason == "Opvanglocatie buiten het ziekenhuis"
    assert entry.data == {"old": "individual", "new": "regional_shelter"}


def test_moving_down_the_queue(api_as, national_coordinator, two_requests):
    individual, shelter = two_requests
    client = api_as(national_coordinator)
    assert recategorise(client, shelter, "individual").status_code == 200
    assert queue_ids(client) == [individual.pk, shelter.pk]


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(api_as, national_coordinator, two_requests, reason):
    individual, _shelter = two_requests
    response = recategorise(api_as(national_coordinator), individual, "regional_shelter", reason)
    assert response.status_code == 400
    assert "reason" in response.json()["reason"][0]
    individual.refresh_from_db()
    assert individual.category == "individual"
    assert not AuditEntry.objects.filter(action="request.recategorised").exists()


def test_unknown_or_unchanged_category_is_a_field_error(api_as, national_coordinator, two_requests):
    individual, _shelter = two_requests
    client = api_as(national_coordinator)
    assert "category" in recategorise(client, individual, "hospital").json()
    same = recategorise(client, individual, "individual")
    assert same.status_code == 400 and "already" in same.json()["category"][0]


@pytest.mark.parametrize(
    "persona_name", ["reservist", "care_org_user", "regional_coordinator", "triangle_member"]
)
def test_other_roles_may_not_recategorise(api_as, request, persona_name, two_requests):
    individual, _shelter = two_requests
    response = recategorise(
        api_as(request.getfixturevalue(persona_name)), individual, "regional_shelter"
    )
    assert response.status_code == 403
    individual.refresh_from_db()
    assert individual.category == "individual"


def test_national_coordinator_without_mfa_is_refused(api_as, two_requests):
    individual, _shelter = two_requests
    user = make_persona(Membership.Role.NATIONAL, mfa=False)
    assert recategorise(api_as(user), individual, "regional_shelter").status_code == 403


def test_unknown_or_draft_request_is_404(api_as, national_coordinator, organisation):
    draft = make_request(organisation, status="draft")
    client = api_as(national_coordinator)
    assert recategorise(client, draft, "regional_shelter").status_code == 404
    response = client.post(
        "/api/v1/requests/999999/recategorise/",
        {"category": "regional_shelter", "reason": "x"},
        format="json",
    )
    assert response.status_code == 404


@pytest.mark.parametrize("status", ["rejected", "cancelled", "completed", "filled"])
def test_a_request_no_longer_open_is_409(api_as, national_coordinator, organisation, status):
    req = make_request(organisation, status=status)
    response = recategorise(api_as(national_coordinator), req, "regional_shelter")
    assert response.status_code == 409, response.content
    req.refresh_from_db()
    assert req.category == "individual"


def test_service_refuses_other_roles_and_missing_reason(
    regional_coordinator, national_coordinator, two_requests
):
    individual, _shelter = two_requests
    with pytest.raises(RequestNotAllowed):
        services.recategorise_request(
            individual, category="regional_shelter", reason="x", actor=regional_coordinator
        )
    with pytest.raises(RequestError) as missing:
        services.recategorise_request(
            individual, category="regional_shelter", reason="", actor=national_coordinator
        )
    assert missing.value.field == "reason"


# --- the web page -----------------------------------------------------------------------------


def test_national_coordinator_recategorises_on_the_request_page(
    client, national_coordinator, two_requests
):
    individual, _shelter = two_requests
    client.force_login(national_coordinator)
    detail = client.get(reverse("requests_app:request_detail", args=[individual.pk]))
    url = reverse("requests_app:request_recategorise", args=[individual.pk])
    assert f'action="{url}"' in detail.content.decode()

    refused = client.post(url, {"category": "regional_shelter", "reason": ""})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"]
    assert DeploymentRequest.objects.get(pk=individual.pk).category == "individual"

    done = client.post(url, {"category": "regional_shelter", "reason": "Opvang in sporthal"})
    assert done.status_code == 302
    assert DeploymentRequest.objects.get(pk=individual.pk).category == "regional_shelter"
    assert history_of(individual).get(action="request.recategorised").reason == (
        "Opvang in sporthal"
    )


def test_others_see_no_form_and_may_not_post(client, regional_coordinator, two_requests):
    individual, _shelter = two_requests
    client.force_login(regional_coordinator)
    url = reverse("requests_app:request_recategorise", args=[individual.pk])
    detail = client.get(reverse("requests_app:request_detail", args=[individual.pk]))
    assert detail.status_code == 200 and url not in detail.content.decode()
    response = client.post(url, {"category": "regional_shelter", "reason": "x"})
    assert response.status_code == 403
    assert DeploymentRequest.objects.get(pk=individual.pk).category == "individual"
