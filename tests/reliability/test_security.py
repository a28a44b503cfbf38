"""Hostile input, CSRF, login throttling, MFA for staff, cookies and headers, error pages."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from accounts.models import Membership
from tests.factories import TEST_PASSWORD, make_persona, region

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_idor_out_of_scope_reservist_is_a_404_identical_to_a_missing_one(
    api_as, regional_coordinator, other_reservist
):
    client = api_as(regional_coordinator)
    hidden = client.get(f"/api/v1/reservists/{other_reservist.reservist.pk}/")
    missing = client.get("/api/v1/reservists/99999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


@pytest.mark.django_db
def test_idor_other_organisations_request_is_a_404(api_as, other_care_org_user, organisation):
    from tests.requests_app.factories import make_request

    req = make_request(organisation, status="submitted")
    hidden = api_as(other_care_org_user).get(f"/api/v1/requests/{req.pk}/")
    missing = api_as(other_care_org_user).get("/api/v1/requests/99999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


@pytest.mark.django_db
def test_session_writes_need_the_csrf_token(reservist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reservist)
    response = client.post(
        "/api/v1/me/availability/",
        {"start": "2030-01-01T08:00:00+01:00", "end": "2030-01-01T16:00:00+01:00"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert client.post("/accounts/logout/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    ["{not json", '{"first_name": ', "[1, 2, 3]", "\x00\x01\x02"],
)
def test_invalid_json_is_a_400_not_a_500(api_as, reservist, body):
    response = api_as(reservist).generic(
        "PATCH", "/api/v1/me/", body, content_type="application/json"
    )
    assert 400 <= response.status_code < 500


@pytest.mark.django_db
def test_very_long_and_sql_like_input_is_refused_or_harmless(
    api_as, reservist, regional_coordinator
):
    client = api_as(reservist)
    long = client.patch("/api/v1/me/", {"first_name": "A" * 10_000}, format="json")
    assert long.status_code == 400
    assert "first_name" in long.json()
    coordinator = api_as(regional_coordinator)
    sqlish = coordinator.get(
        "/api/v1/reservists/", {"q": "' OR 1=1; DROP TABLE registry_reservist; --"}
    )
    assert sqlish.status_code == 200
    assert sqlish.json()["count"] == 0
    assert coordinator.get("/api/v1/reservists/", {"region": "VR09' OR '1'='1"}).status_code in (
        200,
        400,
    )
    assert coordinator.get("/api/v1/reservists/abc/").status_code == 404


@pytest.mark.django_db
def test_script_in_a_name_is_escaped_in_the_coordinator_page(
    client, api_as, reservist, reservist_record, regional_coordinator
):
    payload = "<script>alert('x')</script>"
    response = api_as(reservist).patch("/api/v1/me/", {"last_name": payload}, format="json")
    if response.status_code == 400:
        pytest.fail(
            f"a name with brackets should be storable (escaped on output): {response.json()}"
        )
    client.force_login(regional_coordinator)
    page = client.get(f"/register/reservists/{reservist_record.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert payload not in html
    assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_the_sixth_failed_login_on_one_account_is_throttled(reservist):
    client = Client()
    statuses = [
        client.post(
            "/accounts/login/", {"login": reservist.email, "password": "wrong-password-1"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [200] * 5
    # allauth refuses the 6th try: a 429, or (allauth 65 for "login_failed") the form
    # again with "too many failed login attempts" and no session.
    ok = client.post("/accounts/login/", {"login": reservist.email, "password": TEST_PASSWORD})
    assert ok.status_code in (200, 429)
    assert "_auth_user_id" not in client.session, "signed in despite the throttle"
    if ok.status_code == 200:
        assert b"Te veel" in ok.content or b"Too many" in ok.content


@pytest.mark.django_db
def test_the_admin_login_is_throttled_too(superuser):
    client = Client()
    statuses = [
        client.post(
            "/admin/login/?next=/admin/",
            {"username": superuser.email, "password": "wrong-password-1"},
        ).status_code
        for _ in range(6)
    ]
    # The admin login is served by allauth (secure_admin_login): same limits.
    assert 429 in statuses or all(s == 302 for s in statuses), statuses


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,scope",
    [
        (Membership.Role.REGIONAL, "VR09"),
        (Membership.Role.NATIONAL, None),
        (Membership.Role.TRIANGLE, None),
    ],
)
def test_staff_without_mfa_reach_no_personal_data(api_as, client, role, scope, reservist_record):
    kwargs = {"region": region(scope)} if scope else {}
    if role == Membership.Role.TRIANGLE:
        kwargs["party"] = Membership.Party.GGD_GHOR
    user = make_persona(role, mfa=False, **kwargs)
    assert api_as(user).get("/api/v1/reservists/").status_code == 403
    assert api_as(user).get(f"/api/v1/reservists/{reservist_record.pk}/").status_code in (403, 404)
    client.force_login(user)
    assert client.get(f"/register/reservists/{reservist_record.pk}/").status_code == 302


@pytest.mark.django_db
def test_no_password_or_big_number_in_the_logs(client, api_as, reservist, caplog):
    caplog.set_level(logging.DEBUG)
    client.post("/accounts/login/", {"login": reservist.email, "password": "Geheim-wachtwoord-99"})
    api_as(reservist).patch("/api/v1/me/", {"big_number": "99999999999x"}, format="json")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "Geheim-wachtwoord-99" not in text
    assert "99999999999" not in text
    assert "19012345601" not in text  # the reservist's BIG number


@pytest.mark.django_db
def test_a_404_page_shows_no_personal_data(client, regional_coordinator, other_reservist):
    record = other_reservist.reservist
    client.force_login(regional_coordinator)
    response = client.get(f"/register/reservists/{record.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    for secret in (record.last_name, other_reservist.email, record.phone):
        assert secret not in html


@pytest.mark.django_db
def test_security_headers_on_pages(client, reservist):
    client.force_login(reservist)
    response = client.get("/api/v1/me/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    page = client.get("/")
    assert "default-src 'self'" in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def _production_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NZR_", "DJANGO_"))}
    env.update(
        NZR_PRODUCTION="1",
        SECRET_KEY="x" * 20 + "production-test-key-that-is-long-enough-1234567890",
        ALLOWED_HOSTS="zorgreserve.example.nl",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nzr_g"),
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    return env


def test_production_settings_mark_cookies_secure_and_pass_check_deploy():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.DEBUG, s.SESSION_COOKIE_SAMESITE]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**_production_env(), "DJANGO_SETTINGS_MODULE": "nzr.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    secure, httponly, csrf_secure, hsts, debug, samesite = __import__("json").loads(out.stdout)
    assert secure and httponly and csrf_secure and not debug
    assert hsts >= 31536000 and samesite in ("Lax", "Strict")


def test_check_deploy_is_clean_with_production_settings():
    deploy = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
