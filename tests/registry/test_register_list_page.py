"""The register list serialises a page from prefetched lists: same fields as the detail,
constant queries for 1 and 100 matching rows, with the search filters applied."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registry.models import Profile
from tests.factories import ReservistFactory, region
from tests.requests_app.factories import make_candidate

pytestmark = pytest.mark.django_db

URL = "/api/v1/reservists/"


def _make(n, profiles, regions):
    made = []
    for _ in range(n):
        r = ReservistFactory(home_region=region("VR09"), status="active", user__password=None)
        r.profiles.set(profiles)
        r.regions.set(regions)
        made.append(r)
    return made


def test_list_rows_match_the_detail_for_the_shared_fields(api_as, national_coordinator):
    profiles = list(Profile.objects.filter(active=True).order_by("-code")[:2])
    (reservist,) = _make(1, profiles, [region("VR13"), region("VR09")])
    client = api_as(national_coordinator)

    row = client.get(URL).json()["results"][0]
    detail = client.get(f"{URL}{reservist.pk}/").json()

    assert row["regions"] == ["VR09", "VR13"]
    assert set(row["profiles"]) == {p.code for p in profiles}
    assert "deployable_reasons" not in row
    assert {
        k: v for k, v in detail.items() if k not in ("deployable_reasons", "pending_changes")
    } == row


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"region": "VR09", "status": "active", "profile": "verzorgende"},
        {"region": "VR09", "profile": "verzorgende", "deployable_on": "TODAY"},
    ],
    ids=["unfiltered", "region+status+profile", "deployable_on"],
)
def test_register_list_queries_are_the_same_for_1_and_100_rows(api_as, national_coordinator, query):
    params = {k: timezone.localdate().isoformat() if v == "TODAY" else v for k, v in query.items()}
    client = api_as(national_coordinator)
    make_candidate()  # trained, vetted, available: deployable today, profile "verzorgende"
    client.get(URL, params)  # warm per-process caches (content types, scope)
    with CaptureQueriesContext(connection) as one:
        first = client.get(URL, params).json()
    for _ in range(99):
        make_candidate()
    with CaptureQueriesContext(connection) as hundred:
        many = client.get(URL, params).json()
    assert first["count"] == 1
    assert many["count"] == 100 and len(many["results"]) == 50
    assert all(row["deployable"] for row in many["results"])
    assert len(hundred) == len(one), [q["sql"][:120] for q in hundred.captured_queries]


def test_deployable_column_agrees_with_the_per_reservist_check(api_as, national_coordinator):
    from registry.deployability import is_deployable

    ready, untrained = make_candidate(), make_candidate()
    untrained.training_records.all().delete()
    on = timezone.localdate()
    client = api_as(national_coordinator)

    every = client.get(URL, {"region": "VR09"}).json()["results"]
    filtered = client.get(
        URL, {"region": "VR09", "profile": "verzorgende", "deployable_on": on.isoformat()}
    ).json()["results"]

    assert {r["id"]: r["deployable"] for r in every} == {ready.pk: True, untrained.pk: False}
    assert [(r["id"], r["deployable"]) for r in filtered] == [(ready.pk, True)]
    assert is_deployable(ready, on) and not is_deployable(untrained, on)
