"""The request API per api.md: create, ladder errors, scope, actions, query counts."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEntry
from requests_app.models import DeploymentRequest
from tests.requests_app.factories import at, ladder_entries, make_request

pytestmark = pytest.mark.django_db


def payload(organisation, crisis, **over):
    data = {
        "organisation": organisation.pk,
        "category": "regional_shelter",
        "postcode": "3511ab",
        "description": "Regionale opvang buiten het ziekenhuis, 20 bedden.",
        "crisis": crisis.pk,
        "shifts": [
            {
                "profile": "verzorgende",
                "start": at(2, 7).isoformat(),
                "end": at(2, 15).isoformat(),
                "count": 3,
            },
            {
                "profile": "vpk-algemeen",
                "start": at(2, 15).isoformat(),
                "end": at(2, 23).isoformat(),
                "count": 1,
            },
        ],
        "ladder": ladder_entries(),
    }
    data.update(over)
    return data


def test_care_org_creates_a_submitted_request(
    api_as, care_org_user, organisation, crisis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(care_org_user).post(
            "/api/v1/requests/", payload(organisation, crisis), format="json"
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["organisation"] == organisation.pk
    assert body["postcode"] == "3511 AB"
    assert body["region"] == "VR09"
    assert [s["count"] for s in body["shifts"]] == [3, 1]
    assert body["shifts"][0]["profile"] == "verzorgende"
    assert body["shifts"][0]["confirmed"] == 0
    assert len(body["ladder"]) == 4
    assert body["submitted_at"] and body["approved_at"] is None and body["filled_at"] is None
    assert any(care_org_user.email in m.to for m in mail.outbox)
    assert AuditEntry.objects.filter(action="request.submitted", object_id=str(body["id"])).exists()


def test_missing_ladder_step_answers_400_naming_the_step(
    api_as, care_org_user, organisation, crisis
):
    data = payload(organisation, crisis, ladder=ladder_entries(skip=("rode-kruis-npv",)))
    response = api_as(care_org_user).post(
        "/api/v1/requests/", data, format="json", HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert response.status_code == 400
    errors = response.json()["ladder"]
    assert len(errors) == 1
    assert "Rode Kruis" in errors[0]
    assert not DeploymentRequest.objects.exists()


def test_empty_ladder_names_every_step(api_as, care_org_user, organisation, crisis):
    response = api_as(care_org_user).post(
        "/api/v1/requests/", payload(organisation, crisis, ladder=[]), format="json"
    )
    assert response.status_code == 400
    assert len(response.json()["ladder"]) == 4


def test_bad_shift_and_postcode_are_field_errors(api_as, care_org_user, organisation, crisis):
    data = payload(organisation, crisis, postcode="0123 AB")
    data["shifts"][0]["end"] = data["shifts"][0]["start"]
    response = api_as(care_org_user).post("/api/v1/requests/", data, format="json")
    assert response.status_code == 400
    assert "shifts" in response.json()


def test_shift_longer_than_12_hours_is_refused(api_as, care_org_user, organisation, crisis):
    data = payload(organisation, crisis)
    data["shifts"] = [
        {
            "profile": "verzorgende",
            "start": at(2, 7).isoformat(),
            "end": at(2, 21).isoformat(),
            "count": 1,
        }
    ]
    response = api_as(care_org_user).post("/api/v1/requests/", data, format="json")
    assert response.status_code == 400
    assert "12" in response.json()["shifts"][0]


def test_other_organisation_cannot_post_for_mine(api_as, other_care_org_user, organisation, crisis):
    response = api_as(other_care_org_user).post(
        "/api/v1/requests/", payload(organisation, crisis), format="json"
    )
    assert response.status_code == 400
    assert "organisation" in response.json()


def test_scope_care_orgs_see_only_their_own(
    api_as, care_org_user, other_care_org_user, organisation, other_organisation
):
    mine = make_request(organisation)
    theirs = make_request(other_organisation)
    client = api_as(care_org_user)
    ids = [r["id"] for r in client.get("/api/v1/requests/").json()["results"]]
    assert ids == [mine.pk]
    assert client.get(f"/api/v1/requests/{theirs.pk}/").status_code == 404
    assert (
        client.post(f"/api/v1/requests/{theirs.pk}/cancel/", {}, format="json").status_code == 404
    )
    assert api_as(other_care_org_user).get(f"/api/v1/requests/{theirs.pk}/").status_code == 200


def test_scope_regional_reads_own_region_only(
    api_as, regional_coordinator, organisation, other_organisation
):
    mine = make_request(organisation, status="submitted")
    theirs = make_request(other_organisation, status="submitted")
    client = api_as(regional_coordinator)
    assert [r["id"] for r in client.get("/api/v1/requests/").json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/requests/{theirs.pk}/").status_code == 404
    # read-only: approving is the national coordinator's call
    assert client.post(f"/api/v1/requests/{mine.pk}/approve/", {}, format="json").status_code == 403


def test_national_sees_all(api_as, national_coordinator, organisation, other_organisation):
    make_request(organisation)
    make_request(other_organisation)
    assert api_as(national_coordinator).get("/api/v1/requests/").json()["count"] == 2


def test_organisations_list_is_scoped(api_as, care_org_user, organisation, other_organisation):
    body = api_as(care_org_user).get("/api/v1/organisations/").json()
    assert [o["id"] for o in body["results"]] == [organisation.pk]
    row = body["results"][0]
    assert {"id", "name", "kvk", "agb", "sector", "postcode", "region"} <= set(row)
    assert row["region"] == "VR09"


def test_reject_needs_reason_and_is_logged(api_as, national_coordinator, organisation):
    req = make_request(organisation, status="submitted")
    client = api_as(national_coordinator)
    assert client.post(f"/api/v1/requests/{req.pk}/reject/", {}, format="json").status_code == 400
    response = client.post(
        f"/api/v1/requests/{req.pk}/reject/", {"reason": "Geen crisisinzet"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    entry = AuditEntry.objects.get(action="request.rejected", object_id=str(req.pk))
    assert entry.actor == national_coordinator and entry.reason == "Geen crisisinzet"
    # a second reject is a conflict of state
    assert (
        client.post(
            f"/api/v1/requests/{req.pk}/reject/", {"reason": "x"}, format="json"
        ).status_code
        == 409
    )


def test_approve_outside_an_active_crisis_is_refused(
    api_as, national_coordinator, organisation, crisis
):
    req = make_request(organisation, status="submitted", crisis=crisis)
    crisis.active = False
    crisis.save()
    response = api_as(national_coordinator).post(
        f"/api/v1/requests/{req.pk}/approve/", {}, format="json"
    )
    assert response.status_code == 400
    assert "crisis" in response.json()


def test_escalate_opens_an_escalation(api_as, national_coordinator, organisation):
    from escalation.models import Escalation

    req = make_request(organisation, status="approved")
    response = api_as(national_coordinator).post(
        f"/api/v1/requests/{req.pk}/escalate/", {"reason": "Niet te vullen"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "escalated"
    assert Escalation.objects.filter(request=req).count() == 1
    again = api_as(national_coordinator).post(
        f"/api/v1/requests/{req.pk}/escalate/", {"reason": "nog eens"}, format="json"
    )
    assert again.status_code == 409


def test_cancel_by_the_organisation(api_as, care_org_user, organisation):
    req = make_request(organisation, status="approved")
    response = api_as(care_org_user).post(
        f"/api/v1/requests/{req.pk}/cancel/", {"reason": "Opgelost"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert (
        api_as(care_org_user)
        .post(f"/api/v1/requests/{req.pk}/cancel/", {}, format="json")
        .status_code
        == 409
    )


def test_queue_in_priority_order_with_reasons(
    api_as, national_coordinator, organisation, other_organisation
):
    individual = make_request(
        organisation,
        status="submitted",
        category="individual",
        shifts=[(at(1, 7), at(1, 15), 1, "verzorgende")],
    )
    shelter = make_request(
        other_organisation,
        status="submitted",
        category="regional_shelter",
        shifts=[(at(5, 7), at(5, 15), 1, "verzorgende")],
    )
    make_request(organisation, status="rejected")
    body = api_as(national_coordinator).get("/api/v1/requests/queue/").json()
    assert [r["id"] for r in body["results"]] == [shelter.pk, individual.pk]
    assert body["results"][0]["position"] == 1
    assert body["results"][0]["priority_reason"]


def test_queue_is_not_for_care_orgs(api_as, care_org_user):
    assert api_as(care_org_user).get("/api/v1/requests/queue/").status_code == 403


def test_list_query_count_is_constant(api_as, national_coordinator, organisation):
    client = api_as(national_coordinator)
    make_request(organisation)
    client.get("/api/v1/requests/")  # warm caches (content types, scope)
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/requests/")
    for _ in range(5):
        make_request(
            organisation,
            shifts=[
                (at(3, 7), at(3, 15), 1, "verzorgende"),
                (at(4, 7), at(4, 15), 2, "vpk-algemeen"),
            ],
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/requests/")
    assert response.json()["count"] == 6
    assert len(many.captured_queries) == len(one.captured_queries)


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_my_invitations_and_assignments_query_count_is_constant(api_as, organisation):
    from requests_app.models import Assignment
    from tests.requests_app.factories import invite, make_candidate

    r = make_candidate()
    client = api_as(r.user)
    req = make_request(
        organisation, shifts=[(at(2 + i, 7), at(2 + i, 15), 1, "verzorgende") for i in range(1)]
    )
    first = req.shifts.get()
    invite(first, r)
    Assignment.objects.create(shift=first, reservist=r, start=first.start, end=first.end)
    client.get("/api/v1/me/invitations/")
    few = (_queries(client, "/api/v1/me/invitations/"), _queries(client, "/api/v1/me/assignments/"))
    more = make_request(
        organisation, shifts=[(at(5 + i, 7), at(5 + i, 15), 1, "verzorgende") for i in range(5)]
    )
    for shift in more.shifts.all():
        invite(shift, r)
        Assignment.objects.create(shift=shift, reservist=r, start=shift.start, end=shift.end)
    many = (
        _queries(client, "/api/v1/me/invitations/"),
        _queries(client, "/api/v1/me/assignments/"),
    )
    assert many == few


def test_queue_query_count_is_constant(api_as, national_coordinator, organisation):
    client = api_as(national_coordinator)
    make_request(organisation, status="submitted")
    client.get("/api/v1/requests/queue/")
    few = _queries(client, "/api/v1/requests/queue/")
    for _ in range(5):
        make_request(
            organisation, status="submitted", shifts=[(at(3, 7), at(3, 15), 1, "verzorgende")]
        )
    assert _queries(client, "/api/v1/requests/queue/") == few


def test_organisation_registration_and_approval_via_api(api_as, outsider, national_coordinator):
    from accounts.scope import forget_scope, scope_of

    response = api_as(outsider).post(
        "/api/v1/organisations/",
        {
            "name": "Thuiszorg De Brug",
            "kvk": "87654321",
            "agb": "12345678",
            "sector": "vvt",
            "address": "Brugstraat 2",
            "postcode": "3511AB",
            "municipality": "GM0344",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["region"] == "VR09"
    approved = api_as(national_coordinator).post(f"/api/v1/organisations/{body['id']}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    forget_scope(outsider)
    assert body["id"] in scope_of(outsider).organisation_ids


def test_bad_kvk_is_a_field_error(api_as, outsider):
    response = api_as(outsider).post(
        "/api/v1/organisations/",
        {
            "name": "X",
            "kvk": "12",
            "agb": "12345678",
            "sector": "vvt",
            "address": "a",
            "postcode": "3511AB",
            "municipality": "GM0344",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "kvk" in response.json()
