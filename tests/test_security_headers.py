"""Every response carries a Permissions-Policy that turns off the browser features the app
does not use and keeps WebAuthn (security keys, passkeys) for the site itself."""

import pytest

from nzr.security_headers import header_value

OFF = ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"]


def assert_policy(response):
    policy = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    for feature in OFF:
        assert policy[feature] == "()", feature
    assert policy["publickey-credentials-get"] == "(self)"
    assert policy["publickey-credentials-create"] == "(self)"


@pytest.mark.parametrize(
    "path,status",
    [
        ("/accounts/login/", 200),  # a page
        ("/figures/", 302),  # a redirect to the login
        ("/no-such-page/", 404),
        ("/api/v1/regions/", 401),  # the API, anonymous
        ("/health/", 200),
    ],
)
def test_pages_and_api_answers_carry_the_policy(client, db, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_policy(response)


def test_an_api_answer_to_a_signed_in_user_carries_the_policy(api_as, reservist):
    response = api_as(reservist).get("/api/v1/regions/")
    assert response.status_code == 200
    assert_policy(response)


def test_the_header_value_lists_each_feature_with_its_allowlist():
    assert header_value({"camera": [], "publickey-credentials-get": ["self"]}) == (
        "camera=(), publickey-credentials-get=(self)"
    )
