"""/api/v1/schema/ and /api/v1/docs/: open in development, signed-in users only in
production (NZR_API_DOCS_PUBLIC, nzr.api_docs)."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import Membership
from tests.accounts.test_settings import GOOD_PRODUCTION, _manage
from tests.factories import make_persona

SCHEMA = "/api/v1/schema/?format=json"
DOCS = "/api/v1/docs/"
closed = override_settings(NZR_API_DOCS_PUBLIC=False)


def test_production_closes_them_by_default_and_development_keeps_them_open(settings):
    assert settings.NZR_API_DOCS_PUBLIC is True  # the test run is not production
    result = _manage(
        ["shell", "-c", "from django.conf import settings; print(settings.NZR_API_DOCS_PUBLIC)"],
        GOOD_PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


@override_settings(NZR_API_DOCS_PUBLIC=True)
def test_open_to_anonymous_when_public(api, db):
    response = api.get(SCHEMA)
    assert response.status_code == 200
    assert "/api/v1/crises/" in response.json()["paths"]
    assert api.get(DOCS).status_code == 200


@closed
def test_closed_to_anonymous_in_production(api, db):
    response = api.get(SCHEMA)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "paths" not in response.content.decode()
    docs = api.get(DOCS)
    assert docs.status_code == 302
    assert docs["Location"] == "/accounts/login/?next=/api/v1/docs/"


@closed
def test_open_to_any_signed_in_user_in_production(api_as, reservist):
    assert api_as(reservist).get(SCHEMA).status_code == 200
    client = APIClient()
    client.force_login(reservist)
    assert client.get(SCHEMA).status_code == 200
    docs = client.get(DOCS)
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


@closed
@pytest.mark.parametrize("mfa", [False, True])
def test_staff_need_mfa_for_them_in_production(api_as, reference, mfa):
    response = api_as(make_persona(Membership.Role.NATIONAL, mfa=mfa)).get(SCHEMA)
    if mfa:
        assert response.status_code == 200
    else:
        assert (response.status_code, response.json()["code"]) == (403, "mfa_required")
