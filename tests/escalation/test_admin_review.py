"""The triangle reviews escalations in the Django admin (MFA enforced); others cannot."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from escalation.models import Escalation, EscalationView, LadderStep
from tests.escalation.factories import make_escalation, make_request

pytestmark = pytest.mark.django_db


def today() -> str:
    """A mission may not be dated before the escalation was opened (today)."""
    return timezone.localdate().isoformat()


ESCALATION_MODELS = [
    "ladderstep",
    "crisis",
    "crisisavailabilitycall",
    "crisisresponse",
    "escalation",
    "escalationview",
    "priorityframework",
    "prioritycategory",
]


@pytest.fixture
def escalation(organisation):
    req = make_request(organisation, status="escalated")
    step = LadderStep.objects.get(code="rode-kruis-npv")
    req.ladder.create(
        step=step, taken_on="2026-11-01", evidence="Rode Kruis had niemand beschikbaar"
    )
    return make_escalation(req, reason="Reserve uitgeput")


def test_triangle_group_covers_every_escalation_model():
    perms = set(
        Group.objects.get(name="Driehoek")
        .permissions.filter(content_type__app_label="escalation")
        .values_list("codename", flat=True)
    )
    for model in ESCALATION_MODELS:
        assert {f"view_{model}", f"change_{model}", f"add_{model}"} <= perms


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:escalation_escalation_changelist",
        "admin:escalation_priorityframework_changelist",
        "admin:escalation_ladderstep_changelist",
        "admin:escalation_crisis_changelist",
    ],
)
def test_triangle_member_with_mfa_reaches_admin(client, triangle_member, url_name):
    client.force_login(triangle_member)
    assert client.get(reverse(url_name)).status_code == 200


def test_change_page_shows_request_and_ladder(client, triangle_member, escalation):
    client.force_login(triangle_member)
    page = client.get(reverse("admin:escalation_escalation_change", args=[escalation.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rode Kruis had niemand beschikbaar" in html
    assert escalation.request.organisation.name in html
    assert "Reserve uitgeput" in html


def test_changelist_filters(client, triangle_member, escalation):
    client.force_login(triangle_member)
    url = reverse("admin:escalation_escalation_changelist")
    assert (
        escalation.request.organisation.name
        in client.get(url + "?status__exact=open").content.decode()
    )
    assert (
        escalation.request.organisation.name
        not in client.get(url + "?status__exact=decided").content.decode()
    )


def test_regional_coordinator_is_kept_out(client, regional_coordinator, escalation):
    client.force_login(regional_coordinator)
    response = client.get(reverse("admin:escalation_escalation_changelist"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_triangle_member_without_mfa_is_sent_to_enrolment(client, db):
    from accounts.models import Membership
    from tests.factories import make_persona

    user = make_persona(Membership.Role.TRIANGLE, party="defensie", mfa=False)
    client.force_login(user)
    response = client.get(reverse("admin:escalation_escalation_changelist"))
    assert response.status_code == 302
    assert "admin" not in response["Location"]


def _form(escalation, **fields):
    data = {
        "fact_finding_planned_on": "",
        "fact_finding_nzr_member": "",
        "fact_finding_participants": "",
        "fact_finding_report": "",
        "decision": "",
        "decision_reason": "",
        "views-TOTAL_FORMS": "0",
        "views-INITIAL_FORMS": "0",
        "views-MIN_NUM_FORMS": "0",
        "views-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def test_decision_without_mission_is_refused_in_the_form(client, triangle_member, escalation):
    client.force_login(triangle_member)
    url = reverse("admin:escalation_escalation_change", args=[escalation.pk])
    response = client.post(url, _form(escalation, decision="approved", decision_reason="Ja"))
    assert response.status_code == 200  # the form again, with the error
    assert (
        "fact-finding" in response.content.decode() or "fact finding" in response.content.decode()
    )
    assert Escalation.objects.get(pk=escalation.pk).status == "open"


def test_triangle_plans_records_views_and_decides_in_admin(
    client, triangle_member, national_coordinator, escalation
):
    client.force_login(triangle_member)
    url = reverse("admin:escalation_escalation_change", args=[escalation.pk])
    response = client.post(
        url,
        _form(
            escalation,
            fact_finding_planned_on=today(),
            fact_finding_nzr_member=str(national_coordinator.pk),
            fact_finding_report="Bezoek afgelegd",
            **{
                "views-TOTAL_FORMS": "1",
                "views-0-party": "defensie",
                "views-0-view": "Steun mogelijk",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = Escalation.objects.get(pk=escalation.pk)
    assert (
        stored.status == "fact_finding" and stored.fact_finding_nzr_member == national_coordinator
    )
    assert EscalationView.objects.get(escalation=stored).recorded_by == triangle_member
    response = client.post(
        url,
        _form(
            escalation,
            fact_finding_planned_on=today(),
            fact_finding_nzr_member=str(national_coordinator.pk),
            fact_finding_report="Bezoek afgelegd",
            decision="approved",
            decision_reason="Defensie levert 4 verpleegkundigen",
        ),
    )
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.status == "decided" and stored.decision == "approved"
    assert stored.decided_by == triangle_member
    actions = set(
        AuditEntry.objects.filter(
            object_id=str(escalation.pk), content_type__model="escalation"
        ).values_list("action", flat=True)
    )
    assert {
        "escalation.fact_finding_planned",
        "escalation.view_recorded",
        "escalation.decided",
    } <= actions
    # Decided: the page is read-only now.
    page = client.get(url).content.decode()
    assert 'name="decision"' not in page


def test_nzr_member_choices_are_coordinators_only(
    client, triangle_member, care_org_user, regional_coordinator, escalation
):
    client.force_login(triangle_member)
    url = reverse("admin:escalation_escalation_change", args=[escalation.pk])
    response = client.post(
        url,
        _form(
            escalation,
            fact_finding_planned_on=today(),
            fact_finding_nzr_member=str(care_org_user.pk),
        ),
    )
    assert response.status_code == 200
    assert Escalation.objects.get(pk=escalation.pk).fact_finding_planned_on is None


def test_ladder_step_change_is_logged(client, triangle_member):
    client.force_login(triangle_member)
    step = LadderStep.objects.get(code="rode-kruis-npv")
    url = reverse("admin:escalation_ladderstep_change", args=[step.pk])
    response = client.post(
        url,
        {
            "code": step.code,
            "order": step.order,
            "name": "Beroep op Rode Kruis, NPV of Johanniter",
            "evidence": step.evidence,
            "before_reserve": "on",
            "active": "on",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="ladder.step_changed", object_id=str(step.pk))
    assert entry.actor == triangle_member and "name" in entry.data
    step.name = "Beroep op Rode Kruis en/of NPV"  # leave the reference data as it was
    step.save()


def test_priority_framework_added_in_admin_is_logged(client, triangle_member):
    from escalation.models import PriorityFramework

    client.force_login(triangle_member)
    response = client.post(
        reverse("admin:escalation_priorityframework_add"),
        {
            "name": "Kader winter",
            "effective_from": "2027-01-01",
            "note": "Opvang eerst",
            "categories-TOTAL_FORMS": "2",
            "categories-INITIAL_FORMS": "0",
            "categories-MIN_NUM_FORMS": "1",
            "categories-MAX_NUM_FORMS": "1000",
            "categories-0-category": "regional_shelter",
            "categories-0-rank": "1",
            "categories-1-category": "individual",
            "categories-1-rank": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    framework = PriorityFramework.objects.get(name="Kader winter")
    assert framework.created_by == triangle_member
    entry = AuditEntry.objects.get(action="priority.framework_set", object_id=str(framework.pk))
    assert entry.data["ranks"] == {"regional_shelter": 1, "individual": 2}
