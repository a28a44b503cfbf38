"""The triangle's review of MSOB escalations: open, fact-finding, decide; API and 409s."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from escalation import services
from escalation.errors import EscalationAlreadyOpenError
from escalation.models import Escalation
from escalation.signals import escalation_decided
from tests.escalation.factories import make_escalation, make_request

pytestmark = pytest.mark.django_db


def today() -> str:
    """A mission may not be dated before the escalation was opened (today)."""
    return timezone.localdate().isoformat()


@pytest.fixture
def escalation(organisation, national_coordinator):
    req = make_request(organisation, status="escalated")
    return services.open_escalation(req, actor=national_coordinator, reason="Geen reservisten")


def test_open_escalation_once(organisation, national_coordinator, escalation):
    assert escalation.status == Escalation.Status.OPEN
    assert AuditEntry.objects.filter(
        action="escalation.opened", object_id=str(escalation.pk), actor=national_coordinator
    ).exists()
    with pytest.raises(EscalationAlreadyOpenError):
        services.open_escalation(escalation.request, actor=national_coordinator, reason="nog eens")


def test_list_for_triangle_and_national(api_as, triangle_member, national_coordinator, escalation):
    for user in (triangle_member, national_coordinator):
        body = api_as(user).get("/api/v1/escalations/").json()
        assert body["count"] == 1
        row = body["results"][0]
        assert {"id", "request", "status", "fact_finding", "decision", "reason"} <= set(row)
        assert row["request"] == escalation.request_id
        assert row["status"] == "open" and row["fact_finding"] is None and row["decision"] is None
        assert row["reason"] == "Geen reservisten"


@pytest.mark.parametrize(
    "persona_name", ["reservist", "care_org_user", "regional_coordinator", "outsider"]
)
def test_others_may_not_see_escalations(api_as, request, persona_name, escalation):
    client = api_as(request.getfixturevalue(persona_name))
    assert client.get("/api/v1/escalations/").status_code == 403
    url = f"/api/v1/escalations/{escalation.pk}/decide/"
    assert client.post(url, {"decision": "approved", "reason": "x"}).status_code == 403
    assert Escalation.objects.get(pk=escalation.pk).status == "open"


def test_decide_requires_fact_finding_first(api_as, triangle_member, escalation):
    response = api_as(triangle_member).post(
        f"/api/v1/escalations/{escalation.pk}/decide/",
        {"decision": "approved", "reason": "Inzet nodig"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "fact-finding" in response.json()["decision"][0]
    assert response.json()["code"] == "fact_finding_required"
    assert Escalation.objects.get(pk=escalation.pk).decision == ""


def test_fact_finding_then_decision_flow(
    api_as, triangle_member, national_coordinator, regional_coordinator, escalation
):
    received = []

    def receiver(sender, escalation, decision, actor, **kwargs):
        received.append((escalation.pk, decision, actor.pk))

    escalation_decided.connect(receiver)
    try:
        client = api_as(triangle_member)
        url = f"/api/v1/escalations/{escalation.pk}/"
        planned = client.post(
            url + "fact-finding/",
            {"planned_on": today(), "nzr_member": regional_coordinator.email},
            format="json",
        )
        assert planned.status_code == 200, planned.content
        assert planned.json()["status"] == "fact_finding"
        assert planned.json()["fact_finding"]["nzr_member"] == regional_coordinator.pk
        # The report is added later, the NZR member given by id this time.
        reported = client.post(
            url + "fact-finding/",
            {
                "planned_on": today(),
                "nzr_member": national_coordinator.pk,
                "report": "Reserve kan niet meer leveren.",
            },
            format="json",
        )
        assert reported.json()["fact_finding"]["report"] == "Reserve kan niet meer leveren."
        decided = client.post(
            url + "decide/",
            {"decision": "referred_back", "reason": "Nog reservisten in VR13"},
            format="json",
        )
        assert decided.status_code == 200, decided.content
        body = decided.json()
        assert body["status"] == "decided" and body["decision"] == "referred_back"
        assert body["decision_reason"] == "Nog reservisten in VR13"
        assert received == [(escalation.pk, "referred_back", triangle_member.pk)]
        again = client.post(url + "decide/", {"decision": "approved", "reason": "x"}, format="json")
        assert again.status_code == 409
        replan = client.post(
            url + "fact-finding/",
            {"planned_on": today(), "nzr_member": national_coordinator.pk},
            format="json",
        )
        assert replan.status_code == 409
    finally:
        escalation_decided.disconnect(receiver)
    stored = Escalation.objects.get(pk=escalation.pk)
    assert stored.decided_by == triangle_member and stored.decided_at is not None
    actions = set(
        AuditEntry.objects.filter(
            object_id=str(escalation.pk), content_type__model="escalation"
        ).values_list("action", flat=True)
    )
    assert {
        "escalation.opened",
        "escalation.fact_finding_planned",
        "escalation.fact_finding_replanned",
        "escalation.decided",
    } <= actions


def test_nzr_member_must_be_a_coordinator(api_as, triangle_member, care_org_user, escalation):
    response = api_as(triangle_member).post(
        f"/api/v1/escalations/{escalation.pk}/fact-finding/",
        {"planned_on": today(), "nzr_member": care_org_user.email},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "coordinator" in response.json()["nzr_member"][0]
    assert Escalation.objects.get(pk=escalation.pk).fact_finding_planned_on is None


def test_decision_needs_valid_choice_and_reason(api_as, triangle_member, escalation):
    client = api_as(triangle_member)
    url = f"/api/v1/escalations/{escalation.pk}/decide/"
    assert "decision" in client.post(url, {"decision": "maybe", "reason": "x"}).json()
    assert "reason" in client.post(url, {"decision": "approved"}).json()


def test_national_plans_but_only_the_triangle_decides(api_as, national_coordinator, escalation):
    client = api_as(national_coordinator)
    url = f"/api/v1/escalations/{escalation.pk}/"
    planned = client.post(
        url + "fact-finding/",
        {"planned_on": today(), "nzr_member": national_coordinator.pk},
        format="json",
    )
    assert planned.status_code == 200
    response = client.post(url + "decide/", {"decision": "approved", "reason": "x"})
    assert response.status_code == 403
    assert Escalation.objects.get(pk=escalation.pk).status == "fact_finding"


def test_new_escalation_after_a_decision(triangle_member, national_coordinator, escalation):
    services.plan_fact_finding(
        escalation,
        planned_on=timezone.localdate(),
        nzr_member=national_coordinator,
        actor=triangle_member,
    )
    services.decide(escalation, decision="referred_back", reason="Terug", actor=triangle_member)
    again = services.open_escalation(
        escalation.request, actor=national_coordinator, reason="Weer vol"
    )
    assert again.pk != escalation.pk


def test_unknown_escalation_is_404(api_as, triangle_member):
    assert api_as(triangle_member).get("/api/v1/escalations/999999/").status_code == 404


def test_schema_generates(api_as, national_coordinator):
    response = api_as(national_coordinator).get(reverse("api:schema") + "?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/escalations/{id}/decide/" in paths
    assert "/api/v1/crises/{id}/activate/" in paths


def test_make_escalation_factory_is_visible(triangle_member):
    esc = make_escalation()
    assert list(Escalation.objects.visible_to(triangle_member)) == [esc]
