"""The request queue is ordered and paginated in SQL, in the priority framework's order."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.pagination import PageNumberPagination

from escalation.priority import ranks_on, sort_requests
from requests_app import views
from requests_app.services.requests import open_requests_for_queue, queue_in_priority_order
from tests.requests_app.factories import at, make_request

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/requests/queue/"


def _mixed_queue(organisation, other_organisation):
    """Both categories, all open statuses, ties on the first shift and on submission,
    a request whose earliest shift is cancelled, one without shifts, closed ones."""
    now = timezone.now()
    made = []
    for i, (org, category, status, days) in enumerate(
        [
            (organisation, "individual", "submitted", 1),
            (other_organisation, "regional_shelter", "approved", 5),
            (organisation, "individual", "escalated", 3),
            (organisation, "regional_shelter", "submitted", 5),  # same first shift as #2
            (other_organisation, "individual", "approved", 3),  # same first shift as #3
            (organisation, "individual", "submitted", 8),
            (other_organisation, "regional_shelter", "escalated", 2),
            (organisation, "individual", "approved", 1),
        ]
    ):
        req = make_request(
            organisation=org,
            status=status,
            category=category,
            shifts=[
                (at(days, 7), at(days, 15), 1, "verzorgende"),
                (at(days + 1, 7), at(days + 1, 15), 2, "verzorgende"),
            ],
        )
        req.submitted_at = now - timedelta(hours=(i * 5) % 7)  # ties and inversions
        req.save(update_fields=["submitted_at"])
        made.append(req)
    cancelled_first = make_request(
        organisation,
        status="submitted",
        shifts=[(at(1, 7), at(1, 15), 1, "verzorgende"), (at(6, 7), at(6, 15), 1, "verzorgende")],
    )
    cancelled_first.shifts.filter(start=at(1, 7)).update(cancelled_at=now)
    no_shifts = make_request(organisation, status="approved", category="regional_shelter")
    no_shifts.shifts.all().delete()
    never_submitted = make_request(organisation, status="submitted", category="individual")
    never_submitted.submitted_at = None
    never_submitted.save(update_fields=["submitted_at"])
    for closed in ("rejected", "filled", "cancelled", "draft"):
        make_request(organisation, status=closed)
    return made + [cancelled_first, no_shifts, never_submitted]


def test_sql_order_is_the_python_sort_order(national_coordinator, organisation, other_organisation):
    expected_ids = {r.pk for r in _mixed_queue(organisation, other_organisation)}
    now = timezone.now()
    ranks = ranks_on(timezone.localtime(now).date())

    in_python = [
        r.pk for r, _ in sort_requests(list(open_requests_for_queue(national_coordinator)), now)
    ]
    in_sql = list(
        queue_in_priority_order(national_coordinator, ranks=ranks).values_list("pk", flat=True)
    )

    assert set(in_sql) == expected_ids
    assert in_sql == in_python


def test_api_pages_continue_the_positions(
    api_as, national_coordinator, organisation, other_organisation, monkeypatch
):
    _mixed_queue(organisation, other_organisation)
    now = timezone.now()
    ranks = ranks_on(timezone.localtime(now).date())
    expected = list(
        queue_in_priority_order(national_coordinator, ranks=ranks).values_list("pk", flat=True)
    )
    monkeypatch.setattr(PageNumberPagination, "page_size", 4)
    client = api_as(national_coordinator)

    rows = []
    url = QUEUE
    while url:
        body = client.get(url).json()
        assert body["count"] == len(expected)
        rows += body["results"]
        url = body["next"]

    assert [r["id"] for r in rows] == expected
    assert [r["position"] for r in rows] == list(range(1, len(expected) + 1))
    assert all(r["priority_reason"] for r in rows)


def test_regional_coordinator_queue_holds_only_their_region(
    api_as, regional_coordinator, organisation, other_organisation
):
    mine = make_request(organisation, status="submitted")  # VR09
    make_request(other_organisation, status="submitted")  # VR13
    body = api_as(regional_coordinator).get(QUEUE).json()
    assert [r["id"] for r in body["results"]] == [mine.pk]


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_queue_queries_are_the_same_for_1_and_100_rows(
    api_as, client, national_coordinator, organisation, other_organisation
):
    api = api_as(national_coordinator)
    client.force_login(national_coordinator)
    web = reverse("requests_app:queue")
    make_request(organisation, status="submitted")
    api.get(QUEUE)  # warm per-process caches (content types, scope)
    client.get(web)
    api_one, web_one = _count_queries(api, QUEUE), _count_queries(client, web)
    for i in range(99):
        make_request(
            organisation if i % 2 else other_organisation,
            status=("submitted", "approved", "escalated")[i % 3],
            category=("individual", "regional_shelter")[i % 2],
            shifts=[(at(2 + i % 9, 7), at(2 + i % 9, 15), 1 + i % 3, "verzorgende")],
        )
    assert _count_queries(api, QUEUE) == api_one
    assert _count_queries(client, web) == web_one


def test_web_queue_pages_in_the_same_order(
    client, national_coordinator, organisation, other_organisation, monkeypatch
):
    _mixed_queue(organisation, other_organisation)
    now = timezone.now()
    ranks = ranks_on(timezone.localtime(now).date())
    expected = list(
        queue_in_priority_order(national_coordinator, ranks=ranks).values_list("pk", flat=True)
    )
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 5)
    client.force_login(national_coordinator)

    seen = []
    for number in (1, 2, 3):
        response = client.get(reverse("requests_app:queue"), {"page": number})
        assert response.status_code == 200
        seen += [r.pk for r, _reason in response.context["rows"]]
    assert seen == expected
    second = client.get(reverse("requests_app:queue"), {"page": 2}).content.decode()
    assert '<td class="num">6</td>' in second  # positions continue on page 2
