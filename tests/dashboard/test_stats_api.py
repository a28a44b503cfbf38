"""GET /api/v1/stats/shifts/ and /api/v1/stats/pool/: figures, groupings, scope."""

import pytest

from registry.deployability import is_deployable

SHIFTS = "/api/v1/stats/shifts/"
POOL = "/api/v1/stats/pool/"


def rows(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    return {row["key"]: row for row in body["results"]}


def figures(row, *names):
    return tuple(row[n] for n in names)


SRC = ("requested", "planned", "deployed")
POOL_FIGS = ("active", "deployable", "expiring_30d")


def test_shifts_per_week_use_the_amsterdam_week(api_as, national_coordinator, picture):
    by_week = rows(api_as(national_coordinator).get(SHIFTS, {"group_by": "week"}))
    # S1 (3 requested, 2 confirmed) and S4 (1 requested, 1 completed) in week 10;
    # S2 starts Monday 00:30 Amsterdam (Sunday in UTC), so it counts in week 11.
    assert figures(by_week["2026-W10"], *SRC) == (4, 2, 1)
    assert figures(by_week["2026-W11"], *SRC) == (2, 0, 1)
    assert by_week["2026-W11"]["week_start"] == "2026-03-09"
    assert set(by_week) == {"2026-W10", "2026-W11"}


def test_shifts_default_grouping_is_week(api_as, national_coordinator, picture):
    assert set(rows(api_as(national_coordinator).get(SHIFTS))) == {"2026-W10", "2026-W11"}


def test_shifts_per_region(api_as, national_coordinator, picture):
    by_region = rows(api_as(national_coordinator).get(SHIFTS, {"group_by": "region"}))
    assert figures(by_region["VR09"], *SRC) == (5, 2, 1)
    assert figures(by_region["VR13"], *SRC) == (1, 0, 1)
    assert set(by_region) == {"VR09", "VR13"}


def test_shifts_per_profile(api_as, national_coordinator, picture):
    by_profile = rows(api_as(national_coordinator).get(SHIFTS, {"group_by": "profile"}))
    assert figures(by_profile["vpk-algemeen"], *SRC) == (4, 2, 1)
    assert figures(by_profile["verzorgende"], *SRC) == (2, 0, 1)


def test_shifts_window(api_as, national_coordinator, picture):
    client = api_as(national_coordinator)
    by_week = rows(client.get(SHIFTS, {"since": "2026-03-09", "until": "2026-03-15"}))
    assert set(by_week) == {"2026-W11"}
    response = client.get(SHIFTS, {"since": "2026-03-15", "until": "2026-03-01"})
    assert response.status_code == 400
    assert "until" in response.json()


@pytest.mark.parametrize("url", [SHIFTS, POOL])
def test_bad_group_by_is_a_field_error(api_as, national_coordinator, url):
    response = api_as(national_coordinator).get(url, {"group_by": "planet"})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["group_by"]
    assert body["group_by"] and isinstance(body["group_by"][0], str)


def test_bad_group_by_message_in_dutch(api_as, national_coordinator):
    response = api_as(national_coordinator).get(
        POOL, {"group_by": "week"}, HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert response.status_code == 400
    assert "geldige keuze" in response.json()["group_by"][0]


def test_pool_per_region(api_as, national_coordinator, picture):
    by_region = rows(api_as(national_coordinator).get(POOL, {"group_by": "region"}))
    assert len(by_region) == 25  # every region, also those without reservists
    assert by_region["VR09"]["active"] == 3  # the applicant is not active
    assert by_region["VR13"]["active"] == 2
    assert by_region["VR01"]["active"] == 0
    assert by_region["VR09"]["expiring_30d"] == 1  # BIG of b expires in 10 days
    assert by_region["VR09"]["deployable"] == sum(is_deployable(r) for r in picture.vr09)
    assert by_region["VR13"]["deployable"] == sum(is_deployable(r) for r in picture.vr13)
    assert by_region["VR09"]["label"] == "Utrecht"


def test_pool_per_ring_and_readiness(api_as, national_coordinator, picture):
    client = api_as(national_coordinator)
    by_ring = rows(client.get(POOL, {"group_by": "ring"}))
    assert by_ring["1"]["active"] == 4
    assert by_ring["2"]["active"] == 1
    assert by_ring["3"]["active"] == 0
    by_readiness = rows(client.get(POOL, {"group_by": "readiness"}))
    assert by_readiness["24h"]["active"] == 3
    assert by_readiness["1w"]["active"] == 2


def test_pool_per_profile(api_as, national_coordinator, picture):
    by_profile = rows(api_as(national_coordinator).get(POOL, {"group_by": "profile"}))
    assert by_profile["vpk-algemeen"]["active"] == 2
    assert by_profile["verzorgende"]["active"] == 2
    assert by_profile["vpk-algemeen"]["expiring_30d"] == 1


def test_pool_counts_training_expiring_unless_renewed(
    api_as, national_coordinator, picture, settings
):
    from datetime import timedelta

    settings.NZR_STATS_CACHE_SECONDS = 0  # the data changes between the two reads

    from django.utils import timezone

    from training.models import Course, TrainingRecord

    course = Course.objects.filter(validity_months__isnull=False).first()
    e = picture.vr13[1]
    today = timezone.localdate()
    # A record that expires in 20 days: e counts as expiring...
    old = TrainingRecord.objects.create(reservist=e, course=course, completed_on=today)
    TrainingRecord.objects.filter(pk=old.pk).update(expires_on=today + timedelta(days=20))
    TrainingRecord.objects.filter(reservist=e, course=course).exclude(pk=old.pk).delete()
    client = api_as(national_coordinator)
    assert rows(client.get(POOL, {"group_by": "region"}))["VR13"]["expiring_30d"] == 1
    # ...until a newer record of the same course runs longer.
    TrainingRecord.objects.create(reservist=e, course=course, completed_on=today)
    assert rows(client.get(POOL, {"group_by": "region"}))["VR13"]["expiring_30d"] == 0


def test_regional_coordinator_sees_only_own_region(api_as, regional_coordinator, picture):
    client = api_as(regional_coordinator)
    assert set(rows(client.get(POOL, {"group_by": "region"}))) == {"VR09"}
    assert set(rows(client.get(SHIFTS, {"group_by": "region"}))) == {"VR09"}
    by_week = rows(client.get(SHIFTS, {"group_by": "week"}))
    assert figures(by_week["2026-W10"], *SRC) == (3, 2, 0)  # without VR13's S4
    by_ring = rows(client.get(POOL, {"group_by": "ring"}))
    assert by_ring["1"]["active"] == 2 and by_ring["2"]["active"] == 1


def test_triangle_reads_all_regions(api_as, triangle_member, picture):
    by_region = rows(api_as(triangle_member).get(SHIFTS, {"group_by": "region"}))
    assert set(by_region) == {"VR09", "VR13"}


@pytest.mark.parametrize("persona_name", ["care_org_user", "reservist", "outsider"])
@pytest.mark.parametrize("url", [SHIFTS, POOL])
def test_others_may_not_read_figures(api_as, request, persona_name, url):
    user = request.getfixturevalue(persona_name)
    assert api_as(user).get(url).status_code == 403


@pytest.mark.parametrize("url", [SHIFTS, POOL])
def test_anonymous_is_refused(api, db, url):
    assert api.get(url).status_code in (401, 403)


def test_schema_documents_the_stats_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    from dashboard.urls import api_urlpatterns

    schema = SchemaGenerator(patterns=api_urlpatterns).get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "/stats/shifts/" in paths and "/stats/pool/" in paths
    params = {p["name"] for p in paths["/stats/pool/"]["get"]["parameters"]}
    assert {"group_by", "page"} <= params
    ok = paths["/stats/shifts/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert "Paginated" in ok["schema"]["$ref"]


@pytest.mark.parametrize("group_by", ["region", "ring", "readiness", "profile"])
def test_pool_counts_match_each_reservist(api_as, national_coordinator, picture, group_by):
    """Every group's active / deployable / within-24h figures equal a count over the
    reservists one by one (deployability is a grouping column in the SQL)."""
    from registry.models import Profile

    everyone = [*picture.vr09, *picture.vr13, picture.applied]
    picture.vr13[1].profiles.add(Profile.objects.get(code="verzorgende"))  # deployable in 1 week
    for r in everyone:
        r.refresh_from_db()

    def keys(r):
        if group_by == "region":
            return [r.home_region.code]
        if group_by == "ring":
            return [str(r.ring)]
        if group_by == "readiness":
            return [r.readiness]
        return [p.code for p in r.profiles.all()]

    expected: dict = {}
    for r in everyone:
        deployable = is_deployable(r)
        for key in keys(r):
            counts = expected.setdefault(key, {"active": 0, "deployable": 0, "readiness_24h": 0})
            counts["active"] += r.status == "active"
            counts["deployable"] += deployable
            counts["readiness_24h"] += deployable and r.readiness == "24h"
    # The picture tells the counts apart: deployable but not within 24 hours exists.
    assert any(c["deployable"] > c["readiness_24h"] for c in expected.values())
    assert any(c["readiness_24h"] for c in expected.values())

    found = rows(api_as(national_coordinator).get(POOL, {"group_by": group_by}))
    for key, counts in expected.items():
        assert figures(found[str(key)], "active", "deployable", "readiness_24h") == (
            counts["active"],
            counts["deployable"],
            counts["readiness_24h"],
        ), key
