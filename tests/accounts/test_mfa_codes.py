"""Second-factor codes are single-use, and neither they nor session ids reach the logs."""

import logging
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from accounts.models import AccessLog, Membership
from tests.factories import TEST_PASSWORD, enrol_mfa, make_persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    user = make_persona(Membership.Role.NATIONAL, mfa=False)
    secret = enrol_mfa(user)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    return user, secret, codes


def _second_factor(user, code) -> Client:
    """Password, then ``code`` on the second-factor page; returns the client."""
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": code})
    return client


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _current_code(secret) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_a_totp_code_signs_in_once(staff):
    user, secret, _ = staff
    code = _current_code(secret)
    assert _signed_in(_second_factor(user, code))
    # The same code again (a shoulder-surfer, a replayed request) is refused.
    assert not _signed_in(_second_factor(user, code))


def test_a_recovery_code_signs_in_once(staff):
    user, _, codes = staff
    assert _signed_in(_second_factor(user, codes[0]))
    assert not _signed_in(_second_factor(user, codes[0]))
    assert _signed_in(_second_factor(user, codes[1]))
    left = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert codes[0] not in left.wrap().get_unused_codes()


def test_codes_and_session_ids_never_reach_the_logs(staff, caplog):
    caplog.set_level(logging.DEBUG)
    user, secret, codes = staff
    code = _current_code(secret)
    client = _second_factor(user, code)
    assert _signed_in(client)
    _second_factor(user, "000000")  # a wrong code is logged as a denied access
    _second_factor(user, codes[2])
    session_key = client.session.session_key
    text = "\n".join(record.getMessage() for record in caplog.records)
    stored = " ".join(
        " ".join(str(value) for value in row)
        for row in AccessLog.objects.values_list("path", "detail", "subject_id")
    )
    assert AccessLog.objects.filter(detail__contains="mfa_code_failed").exists()
    for secret_text in (code, codes[2], session_key, secret, TEST_PASSWORD):
        assert secret_text not in text
        assert secret_text not in stored
