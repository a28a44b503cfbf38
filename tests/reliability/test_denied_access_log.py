"""Every refused access is in the access log: who, what, when, outcome "denied" (NEN 7513)."""

import pytest
from django.urls import reverse

from accounts.models import AccessLog, Membership
from tests.factories import TEST_PASSWORD, UserFactory, enrol_mfa, make_persona

Role = Membership.Role
DENIED = AccessLog.Action.DENIED


def denied():
    return AccessLog.objects.filter(action=DENIED).order_by("id")


# --- API ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_out_of_scope_object_404_is_logged_with_who_and_which_object(
    api_as, regional_coordinator, other_reservist
):
    target = other_reservist.reservist
    response = api_as(regional_coordinator).get(f"/api/v1/reservists/{target.pk}/")
    assert response.status_code == 404
    entry = denied().get()
    assert entry.user == regional_coordinator
    assert (entry.method, entry.path, entry.status_code) == (
        "GET",
        f"/api/v1/reservists/{target.pk}/",
        404,
    )
    assert (entry.subject_type, entry.subject_id) == ("registry.reservist", str(target.pk))
    assert entry.at is not None


@pytest.mark.django_db
def test_api_forbidden_action_403_is_logged(api_as, reservist):
    response = api_as(reservist).get("/api/v1/requests/queue/")
    assert response.status_code == 403
    entry = denied().get()
    assert (entry.user, entry.status_code, entry.detail) == (reservist, 403, "forbidden")


@pytest.mark.django_db
def test_api_without_credentials_401_is_logged_without_a_user(api, reference):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    entry = denied().get()
    assert entry.user is None
    assert (entry.path, entry.status_code) == ("/api/v1/me/", 401)


@pytest.mark.django_db
def test_api_bad_token_is_logged(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get("/api/v1/reservists/").status_code == 401
    assert denied().get().status_code == 401


@pytest.mark.django_db
def test_api_mfa_refusal_is_logged(api_as, db):
    user = make_persona(Role.NATIONAL, mfa=False)
    response = api_as(user).get("/api/v1/requests/queue/")
    assert response.status_code == 403
    entry = denied().get()
    assert (entry.user, entry.detail) == (user, "mfa_required")


@pytest.mark.django_db
def test_allowed_api_reads_are_not_logged_as_denied(api_as, regional_coordinator, reservist):
    response = api_as(regional_coordinator).get(f"/api/v1/reservists/{reservist.reservist.pk}/")
    assert response.status_code == 200
    assert not denied().exists()


# --- web pages ------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_403_for_the_wrong_role_is_logged(client, reservist):
    client.force_login(reservist)
    response = client.get(reverse("regions:workspace"))
    assert response.status_code == 403
    entry = denied().get()
    assert (entry.user, entry.method, entry.path, entry.status_code) == (
        reservist,
        "GET",
        reverse("regions:workspace"),
        403,
    )


@pytest.mark.django_db
def test_page_404_for_an_out_of_scope_reservist_is_logged(
    client, regional_coordinator, other_reservist
):
    target = other_reservist.reservist
    client.force_login(regional_coordinator)
    url = reverse("registry:reservist_detail", args=[target.pk])
    assert client.get(url).status_code == 404
    entry = denied().get()
    assert (entry.user, entry.subject_type, entry.subject_id) == (
        regional_coordinator,
        "registry.reservist",
        str(target.pk),
    )


@pytest.mark.django_db
def test_page_mfa_refusal_redirect_is_logged(client, db):
    user = make_persona(Role.NATIONAL, mfa=False)
    client.force_login(user)
    response = client.get("/figures/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    entry = denied().get()
    assert (entry.user, entry.path, entry.status_code, entry.detail) == (
        user,
        "/figures/",
        302,
        "mfa_required",
    )


@pytest.mark.django_db
def test_csrf_refusal_is_logged(reservist):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reservist)
    assert client.post("/accounts/logout/").status_code == 403
    assert denied().get().status_code == 403


# --- sign-in ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_failed_login_is_logged_with_the_account_but_not_the_password(client):
    user = UserFactory()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "wrong-Password-123"}
    )
    assert response.status_code == 200
    entry = denied().get()
    assert entry.user is None
    assert (entry.subject_type, entry.subject_id, entry.detail) == (
        "accounts.user",
        str(user.pk),
        "login_failed",
    )
    stored = " ".join(str(v) for v in AccessLog.objects.values_list())
    assert "wrong-Password-123" not in stored


@pytest.mark.django_db
def test_failed_login_on_an_unknown_address_stores_no_address(client, db):
    client.post(reverse("account_login"), {"login": "nobody@example.org", "password": "x" * 12})
    entry = denied().get()
    assert (entry.subject_id, entry.detail) == ("", "login_failed")
    assert "nobody@example.org" not in " ".join(str(v) for v in AccessLog.objects.values_list())


@pytest.mark.django_db
def test_admin_login_failure_is_logged(client, superuser):
    # The admin login is allauth's (secure_admin_login): the same hook logs it.
    client.post(reverse("account_login"), {"login": superuser.email, "password": "nope-nope-1"})
    assert denied().get().subject_id == str(superuser.pk)


@pytest.mark.django_db
def test_wrong_totp_code_at_sign_in_is_logged(client, db):
    user = make_persona(Role.NATIONAL, mfa=False)
    enrol_mfa(user)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    entry = denied().get()
    assert (entry.subject_id, entry.detail) == (str(user.pk), "mfa_code_failed")
    assert "000000" not in entry.detail


@pytest.mark.django_db
def test_throttled_login_429_is_logged(client):
    user = UserFactory()
    for _ in range(6):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong-pass-1"})
    throttled = denied().filter(status_code=429)
    assert throttled.exists()
    assert throttled.first().path == reverse("account_login")


# --- what is deliberately not logged -----------------------------------------------------


@pytest.mark.django_db
def test_anonymous_404_on_a_page_is_not_logged(client, db):
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/static/no-such-file.css").status_code == 404
    assert not denied().exists()


@pytest.mark.django_db
def test_signed_in_404_on_a_missing_page_is_logged(client, reservist):
    client.force_login(reservist)
    assert client.get("/no-such-page/").status_code == 404
    assert denied().get().path == "/no-such-page/"
