"""Sign-up with e-mail verification, login with MFA, password reset, rate limits, start pages."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
)
from django.core import mail
from django.urls import reverse

from accounts.models import Membership, User
from tests.factories import TEST_PASSWORD, UserFactory, enrol_mfa, make_persona, region

Role = Membership.Role


def test_signup_requires_email_verification(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "nieuw@example.org",
            "password1": "Een-sterk-wachtwoord-9",
            "password2": "Een-sterk-wachtwoord-9",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="nieuw@example.org").exists()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", body).group(1)
    # Not verified yet: login is refused until the address is confirmed.
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "nieuw@example.org", "password": "Een-sterk-wachtwoord-9"},
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"] or response["Location"] == reverse(
        "account_email_verification_sent"
    )
    response = client.post(link)
    assert response.status_code == 302
    assert client.get(reverse("start")).status_code == 302


def test_signup_refuses_a_weak_password_with_a_field_error(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "zwak@example.org", "password1": "12345", "password2": "12345"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="zwak@example.org").exists()
    assert 'aria-invalid="true"' in response.content.decode()


def test_password_reset_sends_a_mail(client, db):
    user = UserFactory()
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert user.email in mail.outbox[0].to


def test_repeated_failed_logins_are_rate_limited(client, db):
    user = UserFactory()
    for _ in range(6):
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": "wrong-password"}
        )
        assert response.status_code in (200, 429)
    # Even the right password is refused while the limit holds.
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "Te veel inlogpogingen" in html or "Too many failed login attempts" in html


def test_staff_login_asks_for_the_second_factor(client, db):
    user = make_persona(Role.NATIONAL, mfa=False)
    secret = enrol_mfa(user)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not signed in before the code is given.
    assert client.get("/figures/").status_code == 302
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get("/figures/").status_code == 200


@pytest.mark.parametrize(
    "fixture,start",
    [
        ("reservist", "/register/me/"),
        ("care_org_user", "/requests/"),
        ("regional_coordinator", "/region/"),
        ("national_coordinator", "/figures/"),
        ("triangle_member", "/figures/"),
        ("superuser", "/admin/"),
        ("outsider", "/register/welcome/"),
    ],
)
def test_each_role_lands_on_its_own_start_page(client, db, request, fixture, start):
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    response = client.get(reverse("start"))
    assert response.status_code == 302
    assert response["Location"] == start


def test_ended_membership_no_longer_counts(client, db):
    from accounts.services import end_membership

    user = make_persona(Role.REGIONAL, region=region("VR09"))
    membership = user.memberships.get()
    end_membership(membership, reason="left the region")
    user = User.objects.get(pk=user.pk)
    client.force_login(user)
    assert client.get("/region/").status_code == 403
