"""How large a request may be (requests_app.limits): the same bounds on the web form, in
the API and in the services, refused with a message next to the field or in the body."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from escalation.models import LadderStep
from requests_app import limits, services
from requests_app.errors import RequestError, RequestInvalid
from requests_app.models import DeploymentRequest, Shift
from tests.requests_app.factories import at, ladder_entries, make_request, profile
from tests.requests_app.test_api_requests import payload

pytestmark = pytest.mark.django_db


def _shifts(n, *, days=1, count=1):
    """``n`` API shifts of one hour, spread over ``days`` days from the day after tomorrow."""
    return [
        {
            "profile": "verzorgende",
            "start": at(2 + i % days, 7 + (i // days) % 12, 0).isoformat(),
            "end": at(2 + i % days, 8 + (i // days) % 12, 0).isoformat(),
            "count": count,
        }
        for i in range(n)
    ]


def _post(api_as, user, organisation, crisis, shifts):
    return api_as(user).post(
        "/api/v1/requests/", payload(organisation, crisis, shifts=shifts), format="json"
    )


# --- the API ----------------------------------------------------------------------


def test_api_refuses_more_shifts_than_a_request_may_have(
    api_as, care_org_user, organisation, crisis
):
    n = limits.MAX_SHIFTS_PER_REQUEST + 1
    response = _post(api_as, care_org_user, organisation, crisis, _shifts(n, days=20))
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["shifts"]
    assert len(body["shifts"]) == 1 and str(limits.MAX_SHIFTS_PER_REQUEST) in body["shifts"][0]
    assert not DeploymentRequest.objects.exists()


def test_api_refuses_fifteen_thousand_shifts_before_reading_them(
    api_as, care_org_user, organisation, crisis, django_assert_max_num_queries
):
    shifts = _shifts(15_000, days=30, count=500)
    with django_assert_max_num_queries(10):  # no profile looked up per shift
        response = _post(api_as, care_org_user, organisation, crisis, shifts)
    assert response.status_code == 400
    assert "shifts" in response.json()
    assert not Shift.objects.exists()


def test_api_accepts_the_largest_request_allowed(api_as, care_org_user, organisation, crisis):
    n = limits.MAX_SHIFTS_PER_REQUEST
    response = _post(
        api_as,
        care_org_user,
        organisation,
        crisis,
        _shifts(n, days=limits.MAX_REQUEST_DAYS, count=limits.MAX_PLACES_PER_SHIFT),
    )
    assert response.status_code == 201, response.json()
    assert DeploymentRequest.objects.get().shifts.count() == n


def test_api_refuses_shifts_over_more_days_than_a_request_spans(
    api_as, care_org_user, organisation, crisis
):
    first, last = 2, 2 + limits.MAX_REQUEST_DAYS  # one day too many, first and last included
    shifts = [
        {
            "profile": "verzorgende",
            "start": at(d, 7).isoformat(),
            "end": at(d, 15).isoformat(),
            "count": 1,
        }
        for d in (first, last)
    ]
    response = _post(api_as, care_org_user, organisation, crisis, shifts)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["shifts"] and "Splits haar op" in body["shifts"][0]
    assert not DeploymentRequest.objects.exists()


def test_api_refuses_more_places_per_shift_than_the_form(
    api_as, care_org_user, organisation, crisis
):
    response = _post(
        api_as,
        care_org_user,
        organisation,
        crisis,
        _shifts(1, count=limits.MAX_PLACES_PER_SHIFT + 1),
    )
    assert response.status_code == 400
    assert "count" in response.json()["shifts"]["0"]
    assert not DeploymentRequest.objects.exists()


# --- the web form ----------------------------------------------------------------------


def _add(client, draft, *, days=2, count=1, repeat=1):
    day = timezone.localdate() + timedelta(days=days)
    return client.post(
        reverse("requests_app:request_shifts", args=[draft.pk]),
        {
            "profile": profile().pk,
            "date": day.isoformat(),
            "start_time": "07:00",
            "end_time": "15:00",
            "count": count,
            "repeat_days": repeat,
            "add": "1",
        },
    )


@pytest.fixture
def draft(organisation, crisis):
    return make_request(organisation, status="draft", crisis=crisis)


def test_form_refuses_shifts_beyond_the_days_a_request_spans(client, care_org_user, draft):
    client.force_login(care_org_user)
    response = _add(client, draft, days=2 + limits.MAX_REQUEST_DAYS)  # first shift: day 2
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_repeat_days_error"' in html and "Splits" in html
    assert draft.shifts.count() == 1


def test_form_refuses_more_shifts_than_a_request_may_have(client, care_org_user, draft):
    start = draft.shifts.get().start
    Shift.objects.bulk_create(
        Shift(
            request=draft,
            profile=profile(),
            start=start + timedelta(minutes=i),
            end=start + timedelta(hours=1, minutes=i),
            count=1,
        )
        for i in range(1, limits.MAX_SHIFTS_PER_REQUEST - 1)
    )
    client.force_login(care_org_user)
    response = _add(client, draft, repeat=2)  # one more would be the maximum; two is over
    assert response.status_code == 200
    assert 'id="id_repeat_days_error"' in response.content.decode()
    assert draft.shifts.count() == limits.MAX_SHIFTS_PER_REQUEST - 1
    assert _add(client, draft, repeat=1).status_code == 302
    assert draft.shifts.count() == limits.MAX_SHIFTS_PER_REQUEST


@pytest.mark.parametrize(
    ("field", "value"),
    [("count", limits.MAX_PLACES_PER_SHIFT + 1), ("repeat", limits.MAX_REQUEST_DAYS + 1)],
)
def test_form_bounds_places_and_repeat_from_the_same_limits(
    client, care_org_user, draft, field, value
):
    client.force_login(care_org_user)
    response = _add(client, draft, **{field: value})
    assert response.status_code == 200
    name = "count" if field == "count" else "repeat_days"
    assert f'id="id_{name}_error"' in response.content.decode()
    assert draft.shifts.count() == 1


# --- the services (any caller) ---------------------------------------------------------


def test_service_refuses_a_request_with_too_many_shifts(care_org_user, organisation, crisis):
    shifts = [
        {"profile": profile(), "start": at(2, 7), "end": at(2, 8), "count": 1}
        for _ in range(limits.MAX_SHIFTS_PER_REQUEST + 1)
    ]
    data = {
        "category": "individual",
        "postcode": "3511 AB",
        "description": "x",
        "crisis": crisis,
        "shifts": shifts,
        "ladder": ladder_entries(),
    }
    with pytest.raises(RequestInvalid) as exc:
        services.create_request(organisation, data, actor=care_org_user)
    assert list(exc.value.errors) == ["shifts"]
    assert not DeploymentRequest.objects.exists()


def test_service_refuses_too_many_places_when_adding_a_shift(care_org_user, draft):
    shift = draft.shifts.get()
    with pytest.raises(RequestError, match=str(limits.MAX_PLACES_PER_SHIFT)):
        services.add_shifts(
            draft,
            profile=profile(),
            start=shift.start,
            end=shift.end,
            count=limits.MAX_PLACES_PER_SHIFT + 1,
            actor=care_org_user,
        )
    assert draft.shifts.count() == 1


def test_submit_refuses_a_draft_that_spans_too_many_days(care_org_user, organisation, crisis):
    far = (
        at(3 + limits.MAX_REQUEST_DAYS, 7),
        at(3 + limits.MAX_REQUEST_DAYS, 15),
        1,
        "verzorgende",
    )
    draft = make_request(
        organisation,
        status="draft",
        crisis=crisis,
        shifts=[(at(2, 7), at(2, 15), 1, "verzorgende"), far],
    )
    taken = timezone.localdate() - timedelta(days=2)
    steps = LadderStep.objects.filter(active=True, before_reserve=True)
    entries = [{"step": s, "taken_on": taken, "evidence": "Gedaan."} for s in steps]
    services.set_ladder(draft, entries, actor=care_org_user)
    with pytest.raises(RequestInvalid) as exc:
        services.submit_request(draft, actor=care_org_user)
    assert list(exc.value.errors) == ["shifts"]
    draft.refresh_from_db()
    assert draft.status == "draft"
