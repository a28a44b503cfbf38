"""/me/ and /me/availability/ refuse what the schema does not allow (found by fuzzing)."""

import pytest

pytestmark = pytest.mark.django_db


def test_empty_profession_is_refused_not_read_as_null(api_as, reservist, reservist_record):
    response = api_as(reservist).patch("/api/v1/me/", {"profession": ""})
    assert response.status_code == 400
    assert "profession" in response.json()
    reservist_record.refresh_from_db()
    assert reservist_record.profession.code == "verpleegkundige"


def test_regions_must_be_a_list(api_as, reservist, reservist_record):
    response = api_as(reservist).patch("/api/v1/me/", {"regions": {}})
    assert response.status_code == 400
    assert "regions" in response.json()


def test_home_region_may_be_null_in_the_schema(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    home_region = schema["components"]["schemas"]["Reservist"]["properties"]["home_region"]
    assert home_region.get("nullable") is True


@pytest.mark.parametrize("start", ["0519-07-24T16:01:35+19:34", "2101-01-01T00:00:00Z"])
def test_availability_outside_service_years_is_refused(api_as, reservist, reservist_record, start):
    # Year 519 was stored and came back with Amsterdam's 1900s offset "+00:19:32",
    # which is no ISO 8601 date-time.
    response = api_as(reservist).post(
        "/api/v1/me/availability/", {"start": start, "end": "2102-01-01T00:00:00Z"}
    )
    assert response.status_code == 400
    assert response.json()["start"] == ["Kies een datum tussen 1 januari 2000 en 31 december 2100."]
