"""Re-authentication before changing e-mail, password or MFA; a password reset does not
bypass MFA."""

import re
import time
import types

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import Membership
from tests.factories import TEST_PASSWORD, UserFactory, enrol_mfa, make_persona

Role = Membership.Role
REAUTH_PATHS = ("/accounts/reauthenticate/", "/accounts/2fa/reauthenticate/")


def asks_reauthentication(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(REAUTH_PATHS)


def sign_in(client, user, secret=None):
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    if secret:
        assert response["Location"] == reverse("mfa_authenticate")
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        response = client.post(reverse("mfa_authenticate"), {"code": code})
        assert response.status_code == 302
    assert "_auth_user_id" in client.session


def reauthenticate(client):
    response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def later(monkeypatch):
    """Move allauth's re-authentication clock past the timeout."""

    def _jump():
        offset = settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1
        fake = types.SimpleNamespace(time=lambda: time.time() + offset)
        monkeypatch.setattr("allauth.account.internal.flows.reauthentication.time", fake)

    return _jump


def add_email(client, address):
    return client.post(reverse("account_email"), {"action_add": "", "email": address})


@pytest.mark.django_db
def test_adding_an_email_address_asks_for_the_password_again(client):
    user = UserFactory()
    sign_in(client, user)
    assert asks_reauthentication(add_email(client, "nieuw@example.org"))
    assert not EmailAddress.objects.filter(email="nieuw@example.org").exists()

    reauthenticate(client)
    response = add_email(client, "nieuw@example.org")
    assert response.status_code == 302 and not asks_reauthentication(response)
    assert EmailAddress.objects.filter(user=user, email="nieuw@example.org").exists()


@pytest.mark.django_db
def test_reauthentication_expires_after_the_timeout(client, later):
    user = UserFactory()
    sign_in(client, user)
    reauthenticate(client)
    later()
    assert asks_reauthentication(add_email(client, "later@example.org"))
    assert not EmailAddress.objects.filter(email="later@example.org").exists()


@pytest.mark.django_db
def test_changing_the_primary_address_asks_for_reauthentication(client):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email="tweede@example.org", verified=True)
    sign_in(client, user)
    response = client.post(
        reverse("account_email"), {"action_primary": "", "email": "tweede@example.org"}
    )
    assert asks_reauthentication(response)
    user.refresh_from_db()
    assert user.email != "tweede@example.org"


@pytest.mark.django_db
def test_password_change_needs_the_current_password(client):
    user = UserFactory()
    sign_in(client, user)
    new = "Nieuw-Wachtwoord-2031"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong-Password-1", "password1": new, "password2": new},
    )
    assert response.status_code == 200  # the form again, with an error on the old password
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method,url_name",
    [
        ("get", "mfa_activate_totp"),
        ("post", "mfa_activate_totp"),
        ("get", "mfa_add_webauthn"),
    ],
)
def test_adding_mfa_asks_for_reauthentication(client, later, method, url_name):
    user = UserFactory()
    sign_in(client, user)
    later()
    response = getattr(client, method)(reverse(url_name))
    assert asks_reauthentication(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method,url_name",
    [
        ("post", "mfa_deactivate_totp"),
        ("post", "mfa_generate_recovery_codes"),
        ("get", "mfa_generate_recovery_codes"),
    ],
)
def test_removing_or_resetting_mfa_asks_for_reauthentication(client, later, method, url_name):
    user = make_persona(Role.NATIONAL, mfa=False)
    secret = enrol_mfa(user)
    sign_in(client, user, secret)
    later()
    response = getattr(client, method)(reverse(url_name))
    assert asks_reauthentication(response)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


@pytest.mark.django_db
def test_removing_a_passkey_asks_for_reauthentication(client):
    user = UserFactory()
    key = Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "sleutel", "credential": {}}
    )
    client.force_login(user)  # signed in, never re-authenticated in this session
    response = client.post(reverse("mfa_remove_webauthn", args=[key.pk]))
    assert asks_reauthentication(response)
    assert Authenticator.objects.filter(pk=key.pk).exists()


@pytest.mark.django_db
def test_password_reset_does_not_sign_in_and_login_still_asks_the_second_factor(client):
    user = make_persona(Role.NATIONAL, mfa=False)
    secret = enrol_mfa(user)
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[-1].body)
    assert link is not None
    path = "/" + link.group(0).split("/", 3)[3]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    new = "Hersteld-Wachtwoord-2031"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.check_password(new)

    response = client.post(reverse("account_login"), {"login": user.email, "password": new})
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get("/figures/").status_code == 302  # not in without the code
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.get("/figures/").status_code == 200
