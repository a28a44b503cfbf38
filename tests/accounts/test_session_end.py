"""Logout and deactivation end access on the server: a copied session cookie or an API
token of a signed-out or deactivated account gets nothing more."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.services import api_token_for
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/api/v1/me/").status_code == 200
    return client


def _replay(cookie: str) -> Client:
    """A second browser holding a copy of the session cookie."""
    thief = Client()
    thief.cookies["sessionid"] = cookie
    return thief


def test_logout_deletes_the_session_so_a_copied_cookie_is_worthless(reservist):
    client = _signed_in(reservist)
    cookie = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=cookie).exists()
    assert _replay(cookie).get("/api/v1/me/").status_code == 200
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=cookie).exists()
    assert _replay(cookie).get("/api/v1/me/").status_code in (401, 403)
    page = _replay(cookie).get(reverse("start"))
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_deactivated_account_loses_its_session_and_its_token(reservist):
    client = _signed_in(reservist)
    token = api_token_for(reservist)
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    cookie = client.cookies["sessionid"].value
    reservist.is_active = False
    reservist.save(update_fields=["is_active"])
    assert not Session.objects.filter(session_key=cookie).exists()
    assert client.get("/api/v1/me/").status_code in (401, 403)
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    again = Client()
    again.post(reverse("account_login"), {"login": reservist.email, "password": TEST_PASSWORD})
    assert again.get("/api/v1/me/").status_code in (401, 403)
    # Reactivating the account does not bring the copied cookie back to life.
    reservist.is_active = True
    reservist.save(update_fields=["is_active"])
    assert _replay(cookie).get("/api/v1/me/").status_code in (401, 403)


def test_other_sessions_of_the_deactivated_account_end_too(reservist, other_reservist):
    phone, laptop, bystander = (
        _signed_in(reservist),
        _signed_in(reservist),
        _signed_in(other_reservist),
    )
    reservist.is_active = False
    reservist.save()
    assert phone.get("/api/v1/me/").status_code in (401, 403)
    assert laptop.get("/api/v1/me/").status_code in (401, 403)
    assert bystander.get("/api/v1/me/").status_code == 200


def test_a_user_sees_their_own_sessions(reservist):
    client = _signed_in(reservist)
    page = client.get("/accounts/sessions/")
    assert page.status_code == 200
    assert page["Cache-Control"].count("no-store") == 1
