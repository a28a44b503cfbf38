"""``Cache-Control: no-store`` on every answer that may carry personal data."""

import pytest
from django.urls import reverse


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/register/me/", "/register/me/data/", "/api/v1/me/"])
def test_pages_and_api_for_a_signed_in_reservist_are_no_store(client, reservist, url):
    client.force_login(reservist)
    response = client.get(url)
    assert response.status_code == 200
    assert no_store(response)


@pytest.mark.django_db
def test_api_answers_with_a_token_are_no_store(api_as, regional_coordinator, reservist):
    response = api_as(regional_coordinator).get(f"/api/v1/reservists/{reservist.reservist.pk}/")
    assert response.status_code == 200
    assert no_store(response)
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_api_refusals_and_redirects_for_signed_in_users_are_no_store(client, api, reservist):
    assert no_store(api.get("/api/v1/me/"))  # 401, anonymous, but the API
    client.force_login(reservist)
    assert no_store(client.get("/no-such-page/"))  # 404 for a signed-in user
    assert no_store(client.get(reverse("start")))  # a redirect


@pytest.mark.django_db
def test_public_pages_for_anonymous_visitors_stay_cacheable(client):
    response = client.get("/privacy/")
    assert response.status_code == 200
    assert not no_store(response)
