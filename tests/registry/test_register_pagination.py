"""The register list pages reservist ids from the head of the ordered result: the same
pages and count as Django's paginator, with the search filter run once when the result
fits the head, and a COUNT(*) only beyond it."""

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.api import HeadCountPaginator, RegisterPagination
from registry.models import Region, Reservist
from tests.factories import ReservistFactory, region

pytestmark = pytest.mark.django_db

URL = "/api/v1/reservists/"


@pytest.mark.parametrize("cap", [0, 3, 10, 24, 25, 26, 100])
@pytest.mark.parametrize("per_page", [1, 4, 7, 25, 30])
def test_pages_and_count_equal_djangos_paginator(cap, per_page, monkeypatch):
    monkeypatch.setattr(HeadCountPaginator, "cap", cap)
    regions = Region.objects.order_by("-name")  # the 25 veiligheidsregio's
    plain = Paginator(regions, per_page)
    for number in range(1, plain.num_pages + 1):
        ours = HeadCountPaginator(regions, per_page)  # a fresh one per request
        page = ours.page(number)
        assert ours.count == plain.count == 25
        assert list(page) == [r.pk for r in plain.page(number)]
        assert page.has_next() == plain.page(number).has_next()
    with pytest.raises(EmptyPage):
        HeadCountPaginator(regions, per_page).page(plain.num_pages + 1)
    with pytest.raises(PageNotAnInteger):
        HeadCountPaginator(regions, per_page).page("x")


def test_an_empty_result_has_one_empty_page():
    paginator = HeadCountPaginator(Region.objects.none(), 50)
    assert list(paginator.page(1)) == [] and paginator.count == 0


def _rows(n):
    made = [
        ReservistFactory(home_region=region("VR09"), user=None, last_name=f"Naam{i:02d}")
        for i in range(n)
    ]
    return [r.pk for r in sorted(made, key=lambda r: (r.last_name, r.first_name, r.pk))]


def test_a_result_within_the_head_is_filtered_once_and_not_counted(api_as, national_coordinator):
    expected = _rows(3)
    client = api_as(national_coordinator)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(URL, {"region": "VR09"}).json()
    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == expected
    searches = [q["sql"] for q in ctx.captured_queries if "home_region_id" in q["sql"]]
    assert not [sql for sql in searches if "COUNT(" in sql.upper()]


def test_pages_beyond_the_head_are_counted_and_fetched_with_an_offset(
    api_as, national_coordinator, monkeypatch
):
    monkeypatch.setattr(HeadCountPaginator, "cap", 3)
    monkeypatch.setattr(RegisterPagination, "page_size", 2)
    expected = _rows(7)
    client = api_as(national_coordinator)
    seen = []
    for number in (1, 2, 3, 4):
        body = client.get(URL, {"region": "VR09", "page": number}).json()
        assert body["count"] == 7
        assert (body["next"] is None) == (number == 4)
        assert (body["previous"] is None) == (number == 1)
        seen += [row["id"] for row in body["results"]]
    assert seen == expected
    assert client.get(URL, {"region": "VR09", "page": 5}).status_code == 404
    last = client.get(URL, {"region": "VR09", "page": "last"}).json()
    assert [row["id"] for row in last["results"]] == expected[6:]


def test_a_sorted_search_pages_in_the_order_asked(api_as, national_coordinator):
    expected = _rows(5)
    body = api_as(national_coordinator).get(URL, {"region": "VR09", "sort": "-last_name"}).json()
    assert [row["id"] for row in body["results"]] == expected[::-1]
    assert Reservist.objects.filter(pk__in=expected).count() == body["count"] == 5
