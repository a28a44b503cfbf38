"""The triangle approves military support only after the fact-finding mission took place,
with an NZR member and a written report; a mission is never dated before the escalation.
The same rules in the service, the API and the admin form."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from escalation import facts, services
from escalation.errors import FactFindingRequiredError, MissionDateError
from escalation.models import Escalation
from tests.escalation.factories import make_escalation

pytestmark = pytest.mark.django_db


def days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def escalation():
    """Opened five days ago, so a mission may be dated from then on."""
    return make_escalation(opened_at=timezone.now() - timedelta(days=5))


def record_mission(escalation, **values):
    """Store a mission as it stands, past the planning service (to test the decision rules)."""
    Escalation.objects.filter(pk=escalation.pk).update(status="fact_finding", **values)
    escalation.refresh_from_db()
    return escalation


def held(escalation, member, **override):
    values = {
        "fact_finding_planned_on": days(-1),
        "fact_finding_nzr_member": member,
        "fact_finding_report": "Bezoek afgelegd; de reserve is uitgeput.",
    }
    values.update(override)
    return record_mission(escalation, **values)


def decide_api(client, escalation, decision="approved"):
    return client.post(
        f"/api/v1/escalations/{escalation.pk}/decide/",
        {"decision": decision, "reason": "Defensie levert 4 verpleegkundigen"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


# --- the rules as plain functions -------------------------------------------------------


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def mission(**values) -> facts.Mission:
    base = {
        "opened_on": date(2026, 11, 20),
        "planned_on": date(2026, 11, 22),
        "nzr_member_id": 7,
        "report": "Verslag",
    }
    base.update(values)
    return facts.Mission(**base)


def test_a_held_mission_with_member_and_report_allows_approval():
    assert facts.decision_problems(mission(), "approved", today=date(2026, 11, 22)) == []


@pytest.mark.parametrize(
    "values, today, expected",
    [
        ({"planned_on": None}, date(2026, 11, 22), "No fact-finding mission"),
        ({}, date(2026, 11, 21), "has not taken place yet"),
        ({"nzr_member_id": None}, date(2026, 11, 22), "NZR member"),
        ({"report": "  "}, date(2026, 11, 22), "written report"),
        ({"planned_on": date(2026, 11, 19)}, date(2026, 11, 22), "before the escalation"),
    ],
    ids=["no mission", "future date", "no member", "no report", "before opening"],
)
@pytest.mark.usefixtures("english")
def test_each_missing_fact_refuses_approval(values, today, expected):
    problems = facts.decision_problems(mission(**values), "approved", today=today)
    assert len(problems) == 1 and expected in problems[0]


def test_every_missing_fact_is_reported_at_once():
    problems = facts.decision_problems(
        mission(planned_on=date(2026, 12, 1), nzr_member_id=None, report=""),
        "approved",
        today=date(2026, 11, 22),
    )
    assert len(problems) == 3


@pytest.mark.parametrize("decision", ["rejected", "referred_back"])
def test_rejecting_or_referring_back_needs_no_mission(decision):
    assert facts.decision_problems(mission(planned_on=None), decision) == []


def test_planning_on_the_opening_day_or_later_is_fine_before_is_not():
    assert facts.planning_problems(mission(planned_on=date(2026, 11, 20))) == []
    assert facts.planning_problems(mission(planned_on=date(2027, 1, 5))) == []
    assert facts.planning_problems(mission(planned_on=date(2026, 11, 19)))


# --- the API -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "override, expected",
    [
        ({"fact_finding_planned_on": None, "fact_finding_nzr_member": None}, "No fact-finding"),
        ({"fact_finding_planned_on": days(1)}, "has not taken place yet"),
        ({"fact_finding_report": ""}, "written report"),
        ({"fact_finding_nzr_member": None}, "NZR member"),
    ],
    ids=["no mission", "future date", "no report", "no member"],
)
def test_approval_is_refused_until_the_mission_is_held(
    api_as, triangle_member, national_coordinator, escalation, override, expected
):
    held(escalation, national_coordinator, **override)
    response = decide_api(api_as(triangle_member), escalation)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "fact_finding_required"
    assert any(expected in message for message in body["decision"]), body
    stored = Escalation.objects.get(pk=escalation.pk)
    assert stored.status != "decided" and stored.decision == ""


def test_approval_is_accepted_after_the_mission_with_member_and_report(
    api_as, triangle_member, national_coordinator, escalation
):
    held(escalation, national_coordinator, fact_finding_planned_on=timezone.localdate())
    response = decide_api(api_as(triangle_member), escalation)
    assert response.status_code == 200, response.content
    assert response.json()["decision"] == "approved"
    assert Escalation.objects.get(pk=escalation.pk).status == "decided"


@pytest.mark.parametrize("decision", ["rejected", "referred_back"])
def test_rejecting_or_referring_back_is_accepted_without_a_mission(
    api_as, triangle_member, escalation, decision
):
    response = decide_api(api_as(triangle_member), escalation, decision)
    assert response.status_code == 200, response.content
    assert Escalation.objects.get(pk=escalation.pk).decision == decision


def test_mission_dated_before_the_escalation_was_opened_is_refused(
    api_as, triangle_member, national_coordinator, escalation
):
    client = api_as(triangle_member)
    url = f"/api/v1/escalations/{escalation.pk}/fact-finding/"
    response = client.post(
        url,
        {"planned_on": days(-6).isoformat(), "nzr_member": national_coordinator.pk},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content
    assert "before the escalation was opened" in response.json()["planned_on"][0]
    assert Escalation.objects.get(pk=escalation.pk).fact_finding_planned_on is None
    # The opening day itself, and a plan in the future, are accepted.
    for day in (days(-5), days(3)):
        ok = client.post(
            url, {"planned_on": day.isoformat(), "nzr_member": national_coordinator.pk}
        )
        assert ok.status_code == 200, ok.content
        assert Escalation.objects.get(pk=escalation.pk).fact_finding_planned_on == day


def test_recording_the_report_with_a_date_before_opening_is_refused(
    triangle_member, national_coordinator, escalation
):
    with pytest.raises(MissionDateError):
        services.plan_fact_finding(
            escalation,
            planned_on=days(-30),
            nzr_member=national_coordinator,
            report="Verslag",
            actor=triangle_member,
        )


def test_service_refuses_approval_on_a_mission_not_yet_held(
    triangle_member, national_coordinator, escalation
):
    services.plan_fact_finding(
        escalation,
        planned_on=days(2),
        nzr_member=national_coordinator,
        report="Voorbereiding",
        actor=triangle_member,
    )
    with pytest.raises(FactFindingRequiredError) as refused:
        services.decide(escalation, decision="approved", reason="Ja", actor=triangle_member)
    assert refused.value.field == "decision"


def test_schema_documents_the_fact_rules(api_as, national_coordinator):
    schema = api_as(national_coordinator).get(reverse("api:schema") + "?format=json").json()
    decide = schema["paths"]["/api/v1/escalations/{id}/decide/"]["post"]
    assert "fact-finding mission took place" in decide["description"]
    assert {"200", "400", "403", "409"} <= set(decide["responses"])
    plan = schema["paths"]["/api/v1/escalations/{id}/fact-finding/"]["post"]
    assert "not before the day the escalation was opened" in plan["description"]
    assert "400" in plan["responses"]


# --- the admin, where the triangle decides --------------------------------------------------


def _form(**fields):
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


@pytest.mark.parametrize(
    "planned_on, report, expected",
    [
        (1, "Verslag", "nog niet plaatsgevonden"),  # pages speak Dutch
        (-1, "", "schriftelijke verslag"),
    ],
    ids=["future date", "no report"],
)
def test_admin_refuses_approval_next_to_the_decision_field(
    client, triangle_member, national_coordinator, escalation, planned_on, report, expected
):
    client.force_login(triangle_member)
    url = reverse("admin:escalation_escalation_change", args=[escalation.pk])
    response = client.post(
        url,
        _form(
            fact_finding_planned_on=days(planned_on).isoformat(),
            fact_finding_nzr_member=str(national_coordinator.pk),
            fact_finding_report=report,
            decision="approved",
            decision_reason="Ja",
        ),
    )
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors
    assert any(expected in e for e in errors["decision"]), errors
    stored = Escalation.objects.get(pk=escalation.pk)
    assert stored.status == "open" and stored.fact_finding_planned_on is None


def test_admin_refuses_a_mission_dated_before_opening(
    client, triangle_member, national_coordinator, escalation
):
    client.force_login(triangle_member)
    url = reverse("admin:escalation_escalation_change", args=[escalation.pk])
    response = client.post(
        url,
        _form(
            fact_finding_planned_on=days(-10).isoformat(),
            fact_finding_nzr_member=str(national_coordinator.pk),
        ),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "vóór de opening van de escalatie" in errors["fact_finding_planned_on"][0]
    assert Escalation.objects.get(pk=escalation.pk).fact_finding_planned_on is None


def test_admin_approves_after_the_mission_in_one_go(
    client, triangle_member, national_coordinator, escalation
):
    client.force_login(triangle_member)
    url = reverse("admin:escalation_escalation_change", args=[escalation.pk])
    response = client.post(
        url,
        _form(
            fact_finding_planned_on=days(-2).isoformat(),
            fact_finding_nzr_member=str(national_coordinator.pk),
            fact_finding_report="Bezoek afgelegd",
            decision="approved",
            decision_reason="Defensie helpt",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = Escalation.objects.get(pk=escalation.pk)
    assert stored.decision == "approved" and stored.fact_finding_planned_on == days(-2)


def test_admin_refers_back_without_a_mission(client, triangle_member, escalation):
    client.force_login(triangle_member)
    url = reverse("admin:escalation_escalation_change", args=[escalation.pk])
    response = client.post(url, _form(decision="referred_back", decision_reason="Reserve kan"))
    assert response.status_code == 302
    assert Escalation.objects.get(pk=escalation.pk).decision == "referred_back"
