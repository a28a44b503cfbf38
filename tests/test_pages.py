"""The base layout: Dutch by default, English on request, accessible landmarks."""

from io import StringIO

from django.core.management import call_command

from accounts.models import User
from registry.models import Reservist


def test_home_page_is_dutch_by_default(client, db):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nl"' in html
    assert "Aanmelden als reservist" in html
    assert 'href="#main"' in html and 'id="main"' in html


def test_language_switch_to_english(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Sign up as a reservist" in html


def test_pages_stay_dutch_for_an_english_browser(client, db):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="nl"' in html


def test_api_follows_accept_language(api_as, reservist):
    client = api_as(reservist)
    nl = client.post("/api/v1/regions/", {}, HTTP_ACCEPT_LANGUAGE="nl").json()["detail"]
    en = client.post("/api/v1/regions/", {}, HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert nl != en
    assert "not allowed" in en


def test_security_headers(client, db):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"


def test_load_demo_is_idempotent_and_prints_logins(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    first = (User.objects.count(), Reservist.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (User.objects.count(), Reservist.objects.count()) == first
    for email in [
        "reservist@demo.nzr.local",
        "zorg@demo.nzr.local",
        "zorg.vr13@demo.nzr.local",
        "coordinator.vr09@demo.nzr.local",
        "coordinator.vr13@demo.nzr.local",
        "landelijk@demo.nzr.local",
        "driehoek@demo.nzr.local",
        "admin@demo.nzr.local",
    ]:
        assert email in out.getvalue()
        assert User.objects.get(email=email).check_password("Zorgreserve-demo-2026")


def test_demo_logins_work(client, db):
    call_command("load_demo", stdout=StringIO())
    response = client.post(
        "/accounts/login/",
        {"login": "reservist@demo.nzr.local", "password": "Zorgreserve-demo-2026"},
    )
    assert response.status_code == 302
    assert client.get("/register/me/").status_code == 200
    client.logout()
    response = client.post(
        "/accounts/login/",
        {"login": "landelijk@demo.nzr.local", "password": "Zorgreserve-demo-2026"},
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    out = StringIO()
    call_command("demo_totp", "landelijk@demo.nzr.local", stdout=out)
    response = client.post("/accounts/2fa/authenticate/", {"code": out.getvalue().strip()})
    assert response.status_code == 302
    assert client.get("/figures/").status_code == 200
