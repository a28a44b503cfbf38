"""The figures API caches each answer briefly per area and query; scope stays exact."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from requests_app.models import Shift

SHIFTS = "/api/v1/stats/shifts/"
POOL = "/api/v1/stats/pool/"


def _keys(response):
    assert response.status_code == 200, response.content
    return {row["key"]: row for row in response.json()["results"]}


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        body = _keys(client.get(url, params))
    return body, len(ctx.captured_queries)


def test_a_repeated_question_is_answered_from_the_cache(api_as, national_coordinator, picture):
    client = api_as(national_coordinator)
    client.get(SHIFTS, {"group_by": "profile"})  # warm per-process caches (scope, tokens)
    for url, params in ((SHIFTS, {"group_by": "region"}), (POOL, {"group_by": "ring"})):
        first, computed = _queries(client, url, params)
        again, cached = _queries(client, url, params)
        assert again == first
        assert cached < computed


def test_cached_answers_may_be_up_to_the_cache_time_old(api_as, national_coordinator, picture):
    client = api_as(national_coordinator)
    before = _keys(client.get(SHIFTS, {"group_by": "region"}))
    Shift.objects.update(count=9)
    assert _keys(client.get(SHIFTS, {"group_by": "region"})) == before
    changed = _keys(client.get(SHIFTS, {"group_by": "region", "since": "2000-01-01"}))
    assert changed != before  # another query is another entry, computed now


def test_a_regional_coordinator_never_gets_the_national_entry(
    api_as, national_coordinator, regional_coordinator, picture
):
    national = _keys(api_as(national_coordinator).get(POOL, {"group_by": "region"}))
    regional = _keys(api_as(regional_coordinator).get(POOL, {"group_by": "region"}))
    assert {"VR09", "VR13"} <= set(national)
    assert set(regional) == {"VR09"}
    shifts_national = _keys(api_as(national_coordinator).get(SHIFTS, {"group_by": "week"}))
    shifts_regional = _keys(api_as(regional_coordinator).get(SHIFTS, {"group_by": "week"}))
    assert shifts_regional != shifts_national  # VR13's shift is not in the regional weeks
