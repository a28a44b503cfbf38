"""Sessions end on the server after idle time and after an absolute maximum."""

import time

from accounts.session_timeout import SEEN, STARTED
from tests.factories import TEST_PASSWORD


def _login(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def _set(client, **values):
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


def test_login_stamps_the_session(client, reservist):
    _login(client, reservist)
    assert STARTED in client.session and SEEN in client.session
    assert client.get("/register/me/").status_code == 200


def test_idle_session_is_ended(client, reservist, settings):
    settings.NZR_SESSION_IDLE_MINUTES = 30
    _login(client, reservist)
    _set(client, **{SEEN: int(time.time()) - 31 * 60})
    response = client.get("/register/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_busy_session_still_ends_after_the_maximum(client, reservist, settings):
    settings.NZR_SESSION_MAX_HOURS = 12
    _login(client, reservist)
    _set(client, **{STARTED: int(time.time()) - 13 * 3600, SEEN: int(time.time())})
    assert client.get("/register/me/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_api_session_expiry_answers_401(client, reservist):
    _login(client, reservist)
    _set(client, **{SEEN: int(time.time()) - 10 * 3600})
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "session_expired"
