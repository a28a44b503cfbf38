"""The web side: organisation sign-up, the request form in steps, following a request,
national vetting, and the reservist's invitations."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.scope import forget_scope, scope_of
from escalation.models import LadderStep
from requests_app.models import Assignment, CareOrganisation, DeploymentRequest, Invitation
from tests.requests_app.factories import at, invite, make_candidate, make_request, profile

pytestmark = pytest.mark.django_db


def test_user_without_role_is_offered_to_register(client, outsider):
    client.force_login(outsider)
    html = client.get("/requests/").content.decode()
    assert reverse("requests_app:organisation_register") in html


def test_register_and_approve_an_organisation(
    client, outsider, national_coordinator, django_capture_on_commit_callbacks
):
    client.force_login(outsider)
    response = client.post(
        reverse("requests_app:organisation_register"),
        {
            "name": "Verpleeghuis De Linde",
            "kvk": "12345678",
            "agb": "87654321",
            "sector": "vvt",
            "address": "Lindelaan 1",
            "postcode": "3511ab",
            "municipality": _utrecht().pk,
        },
    )
    assert response.status_code == 302
    org = CareOrganisation.objects.get(name="Verpleeghuis De Linde")
    assert org.status == "pending" and org.region.code == "VR09" and org.postcode == "3511 AB"
    forget_scope(outsider)
    assert not scope_of(outsider).is_care_org  # not before approval

    client.force_login(national_coordinator)
    assert "De Linde" in client.get(reverse("requests_app:organisation_pending")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("requests_app:organisation_decide", args=[org.pk]), {"decision": "approve"}
        )
    org.refresh_from_db()
    assert org.status == "approved"
    forget_scope(outsider)
    assert org.pk in scope_of(outsider).organisation_ids
    assert any(outsider.email in m.to for m in mail.outbox)


def test_bad_kvk_is_shown_next_to_the_field(client, outsider):
    client.force_login(outsider)
    response = client.post(
        reverse("requests_app:organisation_register"),
        {
            "name": "X",
            "kvk": "123",
            "agb": "87654321",
            "sector": "vvt",
            "address": "a",
            "postcode": "3511 AB",
            "municipality": _utrecht().pk,
        },
    )
    assert response.status_code == 200
    assert 'id="id_kvk_error"' in response.content.decode()
    assert not CareOrganisation.objects.filter(name="X").exists()


def _utrecht():
    from registry.models import Municipality

    return Municipality.objects.valid_on().filter(code="GM0344").first()


def _basics(organisation, crisis, **extra):
    data = {
        "organisation": organisation.pk,
        "category": "individual",
        "crisis": crisis.pk,
        "postcode": "3511 AB",
        "description": "Veel uitval door ziekte.",
        "contact_name": "Sanne",
        "contact_phone": "030 1234567",
    }
    data.update(extra)
    return data


def test_draft_is_saved_and_can_be_continued(client, care_org_user, organisation, crisis):
    client.force_login(care_org_user)
    response = client.post(
        reverse("requests_app:request_new"), {**_basics(organisation, crisis), "save_draft": "1"}
    )
    assert response.status_code == 302
    draft = DeploymentRequest.objects.get()
    assert draft.status == "draft" and draft.region.code == "VR09"
    html = client.get("/requests/").content.decode()
    assert f"#{draft.pk}" in html
    page = client.get(reverse("requests_app:request_basics", args=[draft.pk])).content.decode()
    assert "Veel uitval door ziekte." in page


def test_repeat_shift_for_n_days(client, care_org_user, organisation, crisis):
    client.force_login(care_org_user)
    client.post(reverse("requests_app:request_new"), _basics(organisation, crisis))
    draft = DeploymentRequest.objects.get()
    day = timezone.localdate() + timedelta(days=2)
    response = client.post(
        reverse("requests_app:request_shifts", args=[draft.pk]),
        {
            "profile": profile().pk,
            "date": day.isoformat(),
            "start_time": "23:00",
            "end_time": "07:00",
            "count": 2,
            "repeat_days": 14,
            "add": "1",
        },
    )
    assert response.status_code == 302
    shifts = list(draft.shifts.order_by("start"))
    assert len(shifts) == 14
    assert [timezone.localtime(s.start).date() for s in shifts] == [
        day + timedelta(days=i) for i in range(14)
    ]
    assert all(
        timezone.localtime(s.start).hour == 23 and timezone.localtime(s.end).hour == 7
        for s in shifts
    )
    assert all(s.end - s.start == timedelta(hours=8) for s in shifts)


def test_missing_ladder_step_shows_error_at_that_step(client, care_org_user, organisation, crisis):
    client.force_login(care_org_user)
    client.post(reverse("requests_app:request_new"), _basics(organisation, crisis))
    draft = DeploymentRequest.objects.get()
    steps = list(LadderStep.objects.filter(active=True, before_reserve=True).order_by("order"))
    data = {}
    taken = (timezone.localdate() - timedelta(days=2)).isoformat()
    for step in steps[:-1]:
        data[f"{step.code}-taken_on"] = taken
        data[f"{step.code}-evidence"] = "Gedaan, geen resultaat."
    response = client.post(reverse("requests_app:request_ladder", args=[draft.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    missing = steps[-1]
    assert f'id="step-{missing.code}-error"' in html
    for step in steps[:-1]:
        assert f'id="step-{step.code}-error"' not in html
    # the filled steps are kept in the draft
    assert draft.ladder.count() == len(steps) - 1


def test_full_form_submits_with_confirmation_and_email(
    client, care_org_user, organisation, crisis, django_capture_on_commit_callbacks
):
    client.force_login(care_org_user)
    client.post(reverse("requests_app:request_new"), _basics(organisation, crisis))
    draft = DeploymentRequest.objects.get()
    day = timezone.localdate() + timedelta(days=3)
    client.post(
        reverse("requests_app:request_shifts", args=[draft.pk]),
        {
            "profile": profile().pk,
            "date": day.isoformat(),
            "start_time": "07:00",
            "end_time": "15:00",
            "count": 1,
            "repeat_days": 1,
            "next": "1",
        },
    )
    data = {}
    for step in LadderStep.objects.filter(active=True, before_reserve=True):
        data[f"{step.code}-taken_on"] = (timezone.localdate() - timedelta(days=1)).isoformat()
        data[f"{step.code}-evidence"] = "Gedaan."
    assert (
        client.post(reverse("requests_app:request_ladder", args=[draft.pk]), data).status_code
        == 302
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("requests_app:request_review", args=[draft.pk]))
    assert response.status_code == 200
    assert f"{draft.pk}" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert any(care_org_user.email in m.to for m in mail.outbox)


def test_request_page_shows_who_is_coming_and_hours_form(client, care_org_user, organisation):
    req = make_request(organisation, shifts=[(at(-1, 7), at(-1, 15), 1, "verzorgende")])
    shift = req.shifts.get()
    r = make_candidate(first_name="Anneke", phone="0611111111")
    Assignment.objects.create(shift=shift, reservist=r, start=shift.start, end=shift.end)
    client.force_login(care_org_user)
    html = client.get(reverse("requests_app:request_detail", args=[req.pk])).content.decode()
    assert "Anneke" in html and "0611111111" in html
    assert reverse("requests_app:assignment_hours", args=[r.assignments.get().pk]) in html


def test_other_organisation_gets_404(client, other_care_org_user, organisation):
    req = make_request(organisation)
    client.force_login(other_care_org_user)
    assert client.get(reverse("requests_app:request_detail", args=[req.pk])).status_code == 404


def test_national_vets_on_the_web(client, national_coordinator, organisation):
    req = make_request(organisation, status="submitted")
    client.force_login(national_coordinator)
    assert client.get(reverse("requests_app:queue")).status_code == 200
    response = client.post(
        reverse("requests_app:request_vet", args=[req.pk]),
        {"decision": "info", "reason": "Hoeveel bedden?"},
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.info_requested_at and req.info_request == "Hoeveel bedden?"
    client.post(reverse("requests_app:request_vet", args=[req.pk]), {"decision": "approve"})
    req.refresh_from_db()
    assert req.status == "approved"


def test_pages_render_for_each_role(client, persona, organisation):
    name, user = persona
    req = make_request(organisation, status="submitted")
    client.force_login(user)
    assert client.get("/requests/").status_code == 200
    detail = client.get(reverse("requests_app:request_detail", args=[req.pk])).status_code
    expected = {
        "care_org_user": 200,
        "regional_coordinator": 200,
        "national_coordinator": 200,
        "triangle_member": 200,
    }
    assert detail == expected.get(name, 404 if name == "other_region_coordinator" else 403)


def test_reservist_accepts_on_the_web(client, organisation):
    req = make_request(organisation)
    r = make_candidate()
    inv = invite(req.shifts.get(), r)
    client.force_login(r.user)
    html = client.get(reverse("requests_app:my_invitations")).content.decode()
    assert reverse("requests_app:invitation_answer", args=[inv.pk, "accept"]) in html
    response = client.post(reverse("requests_app:invitation_answer", args=[inv.pk, "accept"]))
    assert response.status_code == 302
    inv.refresh_from_db()
    assert inv.status == Invitation.Status.ACCEPTED
    assert organisation.name in client.get(reverse("requests_app:my_assignments")).content.decode()


def test_calendar_feed_lists_my_shifts_behind_a_secret_address(client, organisation):
    from requests_app.models import CalendarFeed

    req = make_request(organisation)
    shift = req.shifts.get()
    r = make_candidate()
    Assignment.objects.create(shift=shift, reservist=r, start=shift.start, end=shift.end)
    client.force_login(r.user)
    page = client.get(reverse("requests_app:my_assignments")).content.decode()
    token = CalendarFeed.objects.get(user=r.user).token
    assert token in page
    client.logout()
    feed = client.get(reverse("requests_app:calendar_feed", args=[token]))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode()
    assert "BEGIN:VEVENT" in body and organisation.name in body
    assert client.get(reverse("requests_app:calendar_feed", args=["wrong"])).status_code == 404
    client.force_login(r.user)
    client.post(reverse("requests_app:calendar_renew"))
    client.logout()
    assert client.get(reverse("requests_app:calendar_feed", args=[token])).status_code == 404
