"""Verified facts (issue 21): a vetted reservist's change of profession, BIG data, level
or profiles waits for the regional coordinator; until then the verified value counts."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import AuditEntry
from regions import big
from regions.models import VettingCheck
from regions.verification import approve
from registry import facts
from registry.deployability import deployable, reasons_not_deployable
from registry.models import FactChange, Municipality, Profession, Profile, Reservist
from tests.factories import ReservistFactory
from tests.requests_app.factories import make_candidate
from tests.training.factories import train

pytestmark = pytest.mark.django_db


@pytest.fixture
def reservist(reference):
    """A vetted (active), trained and available reservist of VR09: deployable, ring 1."""
    return make_candidate(profiles=()).user


CALLS: list[str] = []


class RecordingVerifier(big.BIGVerifier):
    """Records that the BIG register was asked; answers as the manual verifier."""

    def verify(self, big_number, *args, **kwargs):
        CALLS.append(big_number)
        return big.ManualBIGVerifier().verify(big_number, *args, **kwargs)


@pytest.fixture(autouse=True)
def vetted(reservist):
    """The reservist fixture with every vetting check passed: deployable today."""
    for kind in ("identity", "vog", "intake", "big"):
        VettingCheck.objects.create(reservist=reservist.reservist, kind=kind, outcome="pass")
    train(reservist.reservist)
    return reservist.reservist


def _expired():
    return (timezone.localdate() - timedelta(days=3)).isoformat()


# One API change per verified fact; "effect" says what would show if applied at once.
CHANGES = [
    ("profession", "helpende", lambda r: r.ring == 1 and r.profession.code == "verpleegkundige"),
    ("big_number", "", lambda r: r.ring == 1 and r.big_number == "19012345601"),
    ("big_valid_until", None, lambda r: r.big_valid_until > timezone.localdate()),
    ("level", "mbo3", lambda r: r.level == "hbo"),
    ("profiles", ["verzorgende"], lambda r: list(r.profiles.all()) == []),
]


def _payload(field, value):
    if field == "big_valid_until":
        return _expired()
    return value


@pytest.mark.parametrize(("field", "value", "verified"), CHANGES, ids=[c[0] for c in CHANGES])
def test_api_change_of_a_verified_fact_waits(api_as, reservist, field, value, verified):
    record = reservist.reservist
    today = timezone.localdate()
    assert deployable(Reservist.objects.filter(pk=record.pk), today).exists()
    response = api_as(reservist).patch(
        "/api/v1/me/", {field: _payload(field, value), "phone": "0611111111"}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    record.refresh_from_db()
    assert verified(record), f"{field} took effect before approval"
    assert record.phone == "0611111111"  # not a verified fact: applies at once
    assert data["ring"] == 1
    assert reasons_not_deployable(record, today) == []
    assert deployable(Reservist.objects.filter(pk=record.pk), today).exists()
    assert [c["field"] for c in data["pending_changes"]] == [field]
    assert set(data["pending_changes"][0]) >= {"field", "value", "requested_at"}
    assert AuditEntry.objects.filter(
        object_id=str(record.pk), action="reservist.fact_requested"
    ).exists()


def test_pending_value_is_listed_in_the_fields_own_form(api_as, reservist):
    data = (
        api_as(reservist)
        .patch(
            "/api/v1/me/", {"profession": "helpende", "profiles": ["verzorgende"]}, format="json"
        )
        .json()
    )
    values = {c["field"]: c["value"] for c in data["pending_changes"]}
    assert values == {"profession": "helpende", "profiles": ["verzorgende"]}
    assert data["profession"] == "verpleegkundige" and data["profiles"] == []


def test_not_yet_vetted_reservist_edits_freely(api_as):
    record = ReservistFactory(status=Reservist.Status.VETTING)
    data = (
        api_as(record.user).patch("/api/v1/me/", {"profession": "helpende"}, format="json").json()
    )
    record.refresh_from_db()
    assert record.profession.code == "helpende" and data["pending_changes"] == []


def test_second_change_replaces_first_and_changing_back_withdraws(api_as, reservist):
    client = api_as(reservist)
    client.patch("/api/v1/me/", {"level": "mbo3"}, format="json")
    client.patch("/api/v1/me/", {"level": "mbo4"}, format="json")
    pending = FactChange.objects.filter(status="pending")
    assert [(c.field, c.value) for c in pending] == [("level", "mbo4")]
    data = client.patch("/api/v1/me/", {"level": "hbo"}, format="json").json()
    assert data["pending_changes"] == []
    assert FactChange.objects.get().status == FactChange.Status.WITHDRAWN


def test_approve_applies_and_asks_the_big_register(api_as, reservist, regional_coordinator):
    record = reservist.reservist
    api_as(reservist).patch("/api/v1/me/", {"profession": "helpende"}, format="json")
    change = FactChange.objects.get()
    CALLS.clear()
    with override_settings(NZR_BIG_VERIFIER="tests.registry.test_verified_facts.RecordingVerifier"):
        response = api_as(regional_coordinator).post(
            f"/api/v1/reservists/{record.pk}/pending-changes/{change.pk}/approve/"
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    record.refresh_from_db()
    assert record.profession.code == "helpende" and record.ring == 2
    assert CALLS == ["19012345601"]
    assert AuditEntry.objects.filter(action="reservist.fact_approved").exists()
    me = api_as(reservist).get("/api/v1/me/").json()
    assert me["profession"] == "helpende" and me["pending_changes"] == []
    again = api_as(regional_coordinator).post(
        f"/api/v1/reservists/{record.pk}/pending-changes/{change.pk}/approve/"
    )
    assert again.status_code == 409


def test_approved_profiles_reach_matching(api_as, reservist, national_coordinator):
    record = reservist.reservist
    api_as(reservist).patch("/api/v1/me/", {"profiles": ["verzorgende"]}, format="json")
    assert not Reservist.objects.filter(profiles__code="verzorgende").exists()
    approve(FactChange.objects.get(), actor=national_coordinator)
    assert list(Reservist.objects.filter(profiles__code="verzorgende")) == [record]


def test_reject_keeps_the_verified_value_and_needs_a_reason(
    api_as, reservist, regional_coordinator
):
    record = reservist.reservist
    api_as(reservist).patch("/api/v1/me/", {"level": "mbo3"}, format="json")
    change = FactChange.objects.get()
    url = f"/api/v1/reservists/{record.pk}/pending-changes/{change.pk}/reject/"
    client = api_as(regional_coordinator)
    assert client.post(url, {"reason": ""}, format="json").status_code == 400
    assert FactChange.objects.get().status == "pending"
    response = client.post(url, {"reason": "Diploma is hbo"}, format="json")
    assert response.status_code == 200, response.content
    record.refresh_from_db()
    change.refresh_from_db()
    assert record.level == "hbo" and change.status == "rejected"
    assert change.reason == "Diploma is hbo" and change.decided_by == regional_coordinator
    entry = AuditEntry.objects.get(action="reservist.fact_rejected")
    assert entry.reason == "Diploma is hbo"


def test_other_region_coordinator_gets_404(
    api_as, reservist, other_region_coordinator, national_coordinator
):
    record = reservist.reservist
    api_as(reservist).patch("/api/v1/me/", {"level": "mbo3"}, format="json")
    change = FactChange.objects.get()
    base = f"/api/v1/reservists/{record.pk}/pending-changes/{change.pk}"
    outsider = api_as(other_region_coordinator)
    assert outsider.post(f"{base}/approve/").status_code == 404
    assert outsider.post(f"{base}/reject/", {"reason": "x"}, format="json").status_code == 404
    assert api_as(reservist).post(f"{base}/approve/").status_code == 403
    record.refresh_from_db()
    assert record.level == "hbo" and FactChange.objects.get().status == "pending"
    assert api_as(national_coordinator).post(f"{base}/approve/").status_code == 200
    record.refresh_from_db()
    assert record.level == "mbo3"


def test_profile_page_change_waits_and_shows_awaiting_review(client, reservist):
    record = reservist.reservist
    client.force_login(reservist)
    page = client.get("/register/me/profile/")
    form = page.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        if isinstance(value, (list, tuple)):
            value = [v for v in value if v not in (None, "")]
        if value not in (None, "", []):
            data[name] = value
    data.setdefault("date_of_birth", "1990-04-02")
    data.setdefault("years_experience", 5)
    data.setdefault("municipality", Municipality.objects.valid_on().first().pk)
    data["profession"] = Profession.objects.get(code="helpende").pk
    data["profiles"] = [Profile.objects.get(code="verzorgende").pk]
    response = client.post("/register/me/profile/", data)
    assert response.status_code == 302, response.context["form"].errors
    record.refresh_from_db()
    assert record.profession.code == "verpleegkundige" and record.ring == 1
    assert not record.profiles.exists()
    assert {c.field for c in facts.pending_changes(record)} == {"profession", "profiles"}
    page = client.get("/register/me/profile/").content.decode()
    assert "Wacht op controle door uw regio" in page
    home = client.get("/register/me/").content.decode()
    assert "Wacht op controle door uw regio" in home and "Helpende" in home
