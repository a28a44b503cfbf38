"""Staff roles must use MFA: without it they reach no staff page, no admin and no API."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from tests.factories import enrol_mfa, make_persona, region

Role = Membership.Role
STAFF_PAGES = ["/figures/", "/region/", "/admin/", "/requests/"]


@pytest.mark.parametrize(
    "role,scope",
    [
        (Role.NATIONAL, {}),
        (Role.REGIONAL, {"region": "VR09"}),
        (Role.TRIANGLE, {"party": "defensie"}),
        ("superuser", {}),
    ],
)
@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_without_mfa_is_sent_to_enrolment(client, db, role, scope, url):
    if "region" in scope:
        scope = {"region": region(scope["region"])}
    user = make_persona(role, mfa=False, **scope)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_without_mfa_gets_403_from_the_api(api_as, db):
    user = make_persona(Role.NATIONAL, mfa=False)
    response = api_as(user).get("/api/v1/regions/")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_staff_without_mfa_may_open_the_enrolment_page(client, db):
    user = make_persona(Role.NATIONAL, mfa=False)
    client.force_login(user)
    response = client.get(reverse("mfa_activate_totp"))
    # allauth asks for the password again before enrolment; no redirect loop back to enrolment.
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        assert client.get(response["Location"]).status_code == 200


def test_staff_with_mfa_reaches_staff_pages(client, db):
    user = make_persona(Role.NATIONAL, mfa=False)
    enrol_mfa(user)
    client.force_login(user)
    assert client.get("/figures/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_reservist_is_not_forced_to_enrol(client, reservist):
    client.force_login(reservist)
    response = client.get(reverse("registry:me"))
    assert response.status_code == 200


def test_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_non_staff_user_cannot_open_the_admin(client, care_org_user):
    client.force_login(care_org_user)
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/admin/" not in response["Location"] or "login" in response["Location"]
