"""Who sees a request and its shifts, on the web and in the API: one ``visible_to``.

A draft belongs to its organisation alone: nobody else (not national staff, not the
triangle, not the region's coordinator) reads, edits, submits or cancels it; the API
knows no drafts at all (api.md: a request is created submitted). Not visible answers
404; a page or action the role may not use at all answers 403 before any lookup.
"""

import pytest

from accounts.errors import NotAllowedError
from requests_app import services
from requests_app.models import DeploymentRequest, Shift
from tests.requests_app.factories import make_request, profile

pytestmark = pytest.mark.django_db

ROLES = (
    "reservist",
    "care_org_user",  # member of the request's organisation (VR09)
    "other_care_org_user",  # member of another organisation (VR13)
    "regional_coordinator",  # VR09, the request's region
    "other_region_coordinator",  # VR13
    "national_coordinator",
    "triangle_member",
    "outsider",
)
BODY = {"reason": "Test van de rechten."}
# The organisation each care organisation role is a member of.
MEMBER_OF = {"care_org_user": "organisation", "other_care_org_user": "other_organisation"}

# (method, url) -> {state: expected status per role, in the order of ROLES}
#                                         res  org  oth  reg  oreg nat  tri  out
MATRIX = {
    ("get", "/requests/{id}/"): {
        "draft": (403, 302, 404, 404, 404, 404, 404, 403),
        "submitted": (403, 200, 404, 200, 404, 200, 200, 403),
    },
    ("get", "/requests/{id}/edit/basics/"): {
        "draft": (403, 200, 404, 403, 403, 403, 403, 403),
        "submitted": (403, 302, 404, 403, 403, 403, 403, 403),
    },
    ("get", "/requests/{id}/edit/shifts/"): {
        "draft": (403, 200, 404, 403, 403, 403, 403, 403),
        "submitted": (403, 302, 404, 403, 403, 403, 403, 403),
    },
    ("get", "/requests/{id}/edit/ladder/"): {
        "draft": (403, 200, 404, 403, 403, 403, 403, 403),
        "submitted": (403, 302, 404, 403, 403, 403, 403, 403),
    },
    ("get", "/requests/{id}/edit/submit/"): {
        "draft": (403, 200, 404, 403, 403, 403, 403, 403),
        "submitted": (403, 302, 404, 403, 403, 403, 403, 403),
    },
    ("post", "/requests/{id}/cancel/"): {
        "draft": (403, 302, 404, 403, 403, 404, 403, 403),
        "submitted": (403, 302, 404, 403, 403, 302, 403, 403),
    },
    ("post", "/requests/{id}/vet/"): {
        "draft": (403, 403, 403, 403, 403, 404, 403, 403),
        "submitted": (403, 403, 403, 403, 403, 302, 403, 403),
    },
    ("post", "/requests/{id}/answer/"): {
        "draft": (403, 302, 404, 403, 403, 403, 403, 403),
        "submitted": (403, 302, 404, 403, 403, 403, 403, 403),
    },
    ("post", "/requests/shifts/{shift}/cancel/"): {
        "draft": (403, 302, 404, 403, 403, 404, 403, 403),
        "submitted": (403, 302, 404, 403, 403, 302, 403, 403),
    },
    ("get", "/requests/shifts/{shift}/places/"): {
        "draft": (403, 200, 404, 404, 404, 404, 403, 403),
        "submitted": (403, 200, 404, 200, 404, 200, 403, 403),
    },
    ("get", "/requests/shifts/{shift}/candidates/"): {
        "draft": (403, 403, 403, 404, 404, 404, 403, 403),
        "submitted": (403, 403, 403, 200, 404, 200, 403, 403),
    },
    ("get", "/api/v1/requests/{id}/"): {
        "draft": (404, 404, 404, 404, 404, 404, 404, 404),
        "submitted": (404, 200, 404, 200, 404, 200, 200, 404),
    },
    ("post", "/api/v1/requests/{id}/cancel/"): {
        "draft": (404, 404, 404, 404, 404, 404, 404, 404),
        "submitted": (404, 200, 404, 403, 404, 200, 403, 404),
    },
    ("post", "/api/v1/requests/{id}/approve/"): {
        "draft": (404, 404, 404, 404, 404, 404, 404, 404),
        "submitted": (404, 403, 404, 403, 404, 200, 403, 404),
    },
    ("post", "/api/v1/requests/{id}/reject/"): {
        "draft": (404, 404, 404, 404, 404, 404, 404, 404),
        "submitted": (404, 403, 404, 403, 404, 200, 403, 404),
    },
    ("post", "/api/v1/requests/{id}/ask-information/"): {
        "draft": (404, 404, 404, 404, 404, 404, 404, 404),
        "submitted": (404, 403, 404, 403, 404, 200, 403, 404),
    },
    ("post", "/api/v1/requests/{id}/escalate/"): {
        "draft": (404, 404, 404, 404, 404, 404, 404, 404),
        "submitted": (404, 403, 404, 403, 404, 200, 403, 404),
    },
    ("patch", "/api/v1/shifts/{shift}/"): {
        "draft": (404, 200, 404, 404, 404, 404, 404, 404),
        "submitted": (404, 200, 404, 200, 404, 200, 403, 404),
    },
    ("get", "/api/v1/shifts/{shift}/candidates/"): {
        "draft": (403, 403, 403, 404, 404, 404, 403, 403),
        "submitted": (403, 403, 403, 200, 404, 200, 403, 403),
    },
    ("post", "/api/v1/shifts/{shift}/assign/"): {  # no reservist given: 400 once visible
        "draft": (403, 403, 403, 404, 404, 404, 403, 403),
        "submitted": (403, 403, 403, 400, 404, 400, 403, 403),
    },
}


def _call(client, api_client, method, url):
    if url.startswith("/api/"):
        return getattr(api_client, method)(url, BODY, format="json")
    return getattr(client, method)(url, BODY)


@pytest.mark.parametrize("state", ["draft", "submitted"])
@pytest.mark.parametrize(("method", "template"), list(MATRIX))
def test_request_and_shift_urls_answer_per_role(
    request, client, api_as, organisation, crisis, state, method, template
):
    """Every request and shift URL, web and API, for every role: 404 when not visible."""
    got, expected = {}, dict(zip(ROLES, MATRIX[(method, template)][state], strict=True))
    for role in ROLES:
        user = request.getfixturevalue(role)
        req = make_request(organisation, status=state, crisis=crisis)
        url = template.format(id=req.pk, shift=req.shifts.first().pk)
        client.force_login(user)
        got[role] = _call(client, api_as(user), method, url).status_code
    assert got == expected


def _own(request, role):
    """The pk of the organisation ``role`` is a member of (None: none)."""
    name = MEMBER_OF.get(role)
    return request.getfixturevalue(name).pk if name else None


def _world(organisation, other_organisation, crisis):
    """A draft and a submitted request of each organisation (VR09 and VR13)."""
    return [
        make_request(org, status=status, crisis=crisis)
        for org in (organisation, other_organisation)
        for status in ("draft", "submitted")
    ]


@pytest.mark.parametrize("role", ROLES)
def test_web_and_api_see_the_same_requests(
    request, client, api_as, organisation, other_organisation, crisis, role
):
    """The ids a role reaches on the web and in the API are ``visible_to``'s; they are
    the same, but for the organisation's own drafts (only on the web: the API has none)."""
    user = request.getfixturevalue(role)
    world = _world(organisation, other_organisation, crisis)
    client.force_login(user)
    api = api_as(user)
    web = {r.pk for r in world if client.get(f"/requests/{r.pk}/").status_code in (200, 302)}
    by_id = {r.pk for r in world if api.get(f"/api/v1/requests/{r.pk}/").status_code == 200}
    listed = api.get("/api/v1/requests/")
    in_list = {r["id"] for r in listed.json()["results"]} if listed.status_code == 200 else set()
    drafts = {r.pk for r in world if r.status == "draft"}
    own = _own(request, role)
    own_drafts = {r.pk for r in world if r.status == "draft" and r.organisation_id == own}

    visible = set(DeploymentRequest.objects.visible_to(user).values_list("pk", flat=True))
    assert web == visible
    assert by_id == in_list == web - drafts
    assert web & drafts == own_drafts


@pytest.mark.parametrize("role", ROLES)
def test_web_and_api_see_the_same_shifts(
    request, client, api_as, organisation, other_organisation, crisis, role
):
    """A shift is visible where its request is, a draft's shifts only to the draft's
    organisation: the API's shift endpoint and the web's shift pages agree."""
    user = request.getfixturevalue(role)
    world = _world(organisation, other_organisation, crisis)
    shifts = Shift.objects.filter(request__in=world)
    client.force_login(user)
    api = api_as(user)
    in_api = {s.pk for s in shifts if api.patch(f"/api/v1/shifts/{s.pk}/", {}).status_code != 404}
    on_web = {
        s.pk
        for s in shifts
        for page in ("places", "candidates")
        if client.get(f"/requests/shifts/{s.pk}/{page}/").status_code == 200
    }
    visible = set(Shift.objects.visible_to(user).values_list("pk", flat=True))
    assert in_api == visible
    assert on_web <= visible
    own = _own(request, role)
    drafts_shifts = {s.pk for s in shifts if s.request.status == "draft"}
    own_drafts_shifts = {
        s.pk for s in shifts if s.pk in drafts_shifts and s.request.organisation_id == own
    }
    assert visible & drafts_shifts == own_drafts_shifts


def test_home_page_lists_no_draft_of_another_organisation(
    client, national_coordinator, organisation, crisis
):
    draft = make_request(organisation, status="draft", crisis=crisis)
    submitted = make_request(organisation, status="submitted", crisis=crisis)
    client.force_login(national_coordinator)
    html = client.get("/requests/").content.decode()
    assert f"/requests/{submitted.pk}/" in html
    assert f"/requests/{draft.pk}/" not in html


# --- the services refuse it too (whoever calls them: views, API, admin, tasks) --------


@pytest.fixture
def draft(organisation, crisis):
    return make_request(organisation, status="draft", crisis=crisis)


def test_national_coordinator_may_not_cancel_another_organisations_draft(
    draft, national_coordinator
):
    with pytest.raises(NotAllowedError):
        services.cancel_request(draft, actor=national_coordinator, reason="weg")
    with pytest.raises(NotAllowedError):
        services.cancel_shift(draft.shifts.first(), actor=national_coordinator)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.shifts.count() == 1


def test_national_coordinator_may_not_edit_or_submit_another_organisations_draft(
    draft, national_coordinator
):
    shift = draft.shifts.first()
    with pytest.raises(NotAllowedError):
        services.save_draft(
            draft.organisation, {"postcode": "1011 AB"}, actor=national_coordinator, request=draft
        )
    with pytest.raises(NotAllowedError):
        services.add_shifts(
            draft,
            profile=profile(),
            start=shift.start,
            end=shift.end,
            count=1,
            actor=national_coordinator,
        )
    with pytest.raises(NotAllowedError):
        services.remove_shift(shift, actor=national_coordinator)
    with pytest.raises(NotAllowedError):
        services.submit_request(draft, actor=national_coordinator)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.postcode != "1011 AB" and draft.shifts.count() == 1


@pytest.mark.parametrize("role", ["regional_coordinator", "national_coordinator"])
def test_coordinators_may_not_change_the_places_of_a_drafts_shift(request, draft, role):
    shift = draft.shifts.first()
    with pytest.raises(NotAllowedError):
        services.change_shift_capacity(shift, 5, by=request.getfixturevalue(role))
    shift.refresh_from_db()
    assert shift.count == 2


def test_the_organisation_still_cancels_its_own_draft(draft, care_org_user):
    services.cancel_request(draft, actor=care_org_user, reason="niet meer nodig")
    draft.refresh_from_db()
    assert draft.status == "cancelled"
