"""The odd inputs a hostile round answered with a 500, one by one: now a clear 4xx.

Out-of-range dates (OverflowError), NUL characters (PostgreSQL DataError), over-long
text (DataError, varchar) and deeply nested JSON (RecursionError). The crawl of every
page (test_page_fuzz.py) and the schema fuzzing (test_api_fuzz.py) cover them broadly;
these name each case and check the message is the one a person can act on.
"""

from datetime import timedelta

import pytest

from nzr.api_parsers import MAX_DEPTH
from tests.requests_app.factories import at

pytestmark = pytest.mark.django_db

FAR, EARLY = "9999-12-31", "0001-01-01"


# --- dates -------------------------------------------------------------------


def test_register_api_refuses_a_date_past_the_window_in_both_languages(
    api_as, national_coordinator
):
    client = api_as(national_coordinator)
    nl = client.get("/api/v1/reservists/", {"available_until": FAR}, HTTP_ACCEPT_LANGUAGE="nl")
    en = client.get("/api/v1/reservists/", {"available_until": FAR}, HTTP_ACCEPT_LANGUAGE="en")
    assert nl.status_code == en.status_code == 400
    assert "Kies een datum tussen" in str(nl.json()["available_until"])
    assert "Choose a date between" in str(en.json()["available_until"])
    assert "2100" in str(en.json()["available_until"])


def test_register_page_shows_the_date_error_next_to_the_field(client, national_coordinator):
    client.force_login(national_coordinator)
    response = client.get("/register/reservists/", {"available_until": FAR})
    assert response.status_code == 200
    assert "Kies een datum tussen" in response.content.decode()
    assert response.context["form"].errors["available_until"]


def test_register_export_refuses_a_date_past_the_window(client, national_coordinator):
    client.force_login(national_coordinator)
    response = client.get("/register/reservists/export/", {"available_until": FAR})
    assert response.status_code == 302  # back to the list, "correct the filters first"


def test_pool_figures_refuse_a_day_past_the_window(api_as, national_coordinator):
    response = api_as(national_coordinator).get("/api/v1/stats/pool/", {"on": FAR})
    assert response.status_code == 400
    assert "on" in response.json()


def test_availability_in_year_one_is_refused_on_the_field(api_as, reservist):
    response = api_as(reservist).post(
        "/api/v1/me/availability/",
        {"start": f"{EARLY}T00:00:00Z", "end": f"{EARLY}T08:00:00Z"},
    )
    assert response.status_code == 400
    assert {"start", "end"} <= set(response.json())


def test_crisis_starting_in_year_one_is_refused_on_the_field(api_as, national_coordinator):
    response = api_as(national_coordinator).post(
        "/api/v1/crises/",
        {"name": "Oefening", "kind": "pandemic", "starts_at": f"{EARLY}T00:00:00Z"},
    )
    assert response.status_code == 400
    assert "starts_at" in response.json()


def test_shift_starting_in_year_one_is_refused_on_the_field(api_as, care_org_user, organisation):
    body = _request_body(organisation)
    body["shifts"][0]["start"] = f"{EARLY}T07:00:00Z"
    response = api_as(care_org_user).post("/api/v1/requests/", body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Choose a date between" in response.json()["shifts"]["0"]["start"][0]


def test_a_date_inside_the_window_is_taken(client, national_coordinator):
    client.force_login(national_coordinator)
    response = client.get("/register/reservists/", {"available_until": "2100-12-31"})
    assert not response.context["form"].errors


# --- NUL -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/region/?region=%00", "/region/candidates/?region=%00", "/training/?region=%00"]
)
def test_nul_in_a_page_query_is_a_clear_400(client, regional_coordinator, path):
    client.force_login(regional_coordinator)
    response = client.get(path)
    assert response.status_code == 400
    assert "ongeldig teken" in response.content.decode()  # in words, no code


def test_nul_in_an_admin_filter_is_a_400(client, superuser):
    client.force_login(superuser)
    response = client.get("/admin/registry/reservist/?q=%00")
    assert response.status_code == 400


def test_nul_in_a_form_field_is_a_400(client, regional_coordinator):
    client.force_login(regional_coordinator)
    response = client.post(
        "/region/candidates/new/", {"region": "VR09", "first_name": "Kees\x00", "last_name": "M"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("collection", ["courses", "regions", "profiles", "ladder"])
def test_nul_in_an_api_path_is_a_json_404(api_as, national_coordinator, collection):
    response = api_as(national_coordinator).get(f"/api/v1/{collection}/%00/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_nul_escape_in_a_json_body_is_a_400(api_as, reservist):
    response = api_as(reservist).generic(
        "PATCH", "/api/v1/me/", '{"first_name": "Kees\\u0000"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"


def test_an_escaped_backslash_before_u0000_is_plain_text(api_as, reservist):
    """``"\\\\u0000"`` in JSON is a backslash followed by "u0000", no NUL: let through."""
    response = api_as(reservist).generic(
        "PATCH", "/api/v1/me/", '{"first_name": "Kees\\\\u0000"}', content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["first_name"] == "Kees\\u0000"


# --- over-long text ----------------------------------------------------------------


@pytest.mark.parametrize(("field", "length"), [("contact_name", 121), ("contact_phone", 21)])
def test_over_long_request_contact_is_refused_on_the_field(
    api_as, care_org_user, organisation, field, length
):
    body = {**_request_body(organisation), field: "1" * length}
    response = api_as(care_org_user).post("/api/v1/requests/", body)
    assert response.status_code == 400
    assert field in response.json()


# --- nested JSON --------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deeply_nested_json_is_a_400(api_as, reservist, depth):
    body = "[" * depth + "]" * depth
    response = api_as(reservist).generic(
        "PATCH", "/api/v1/me/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    dutch = api_as(reservist).generic(
        "PATCH", "/api/v1/me/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert "JSON te diep genest" in dutch.json()["detail"]


def test_nesting_up_to_the_limit_is_parsed(api_as, reservist):
    inner = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    response = api_as(reservist).generic(
        "PATCH", "/api/v1/me/", f'{{"sectors": {inner}}}', content_type="application/json"
    )
    assert response.status_code == 400  # not a list of sectors, but parsed
    assert "sectors" in response.json()


def _request_body(organisation):
    start = at(3, 7)
    return {
        "organisation": organisation.pk,
        "category": "individual",
        "postcode": organisation.postcode,
        "description": "Uitval",
        "shifts": [
            {
                "profile": "verzorgende",
                "start": start.isoformat(),
                "end": (start + timedelta(hours=8)).isoformat(),
                "count": 1,
            }
        ],
        "ladder": [],
    }


def test_an_admin_form_refuses_a_moment_outside_the_window(client, superuser):
    """The admin builds its own form fields: they are held to the window too
    (``nzr.bounds.bound_admin_dates``); a year-1 intake was a 500 on SQLite."""
    from datetime import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    client.force_login(superuser)
    response = client.get("/admin/regions/candidate/add/")
    assert response.status_code == 200
    field = response.context["adminform"].form.fields["intake_planned_at"]
    with pytest.raises(ValidationError):
        field.run_validators(datetime(1, 1, 1, tzinfo=timezone.get_current_timezone()))
    field.run_validators(timezone.now())  # today is inside the window
