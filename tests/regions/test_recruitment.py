"""Recruitment: candidates, status changes with reasons, into the register."""

import pytest
from django.utils import timezone

from regions.errors import CandidateClosedError, CandidateError, DuplicateError
from regions.models import Candidate, CandidateStatusChange
from regions.services import change_candidate_status, convert_candidate, create_candidate
from registry.models import Reservist
from tests.factories import ReservistFactory, region
from tests.regions.factories import make_candidate

pytestmark = pytest.mark.django_db


def test_status_change_is_logged_with_reason(regional_coordinator):
    candidate = create_candidate(
        region("VR09"),
        {"first_name": "Els", "last_name": "Bos", "email": "els@example.org", "source": "agency"},
        actor=regional_coordinator,
    )
    when = timezone.now() + timezone.timedelta(days=3)
    change_candidate_status(
        candidate, "intake_planned", "Gebeld", intake_planned_at=when, actor=regional_coordinator
    )
    candidate.refresh_from_db()
    assert candidate.status == "intake_planned" and candidate.intake_planned_at == when
    change = candidate.changes.first()
    assert (change.from_status, change.to_status, change.reason) == (
        "new",
        "intake_planned",
        "Gebeld",
    )
    assert change.actor == regional_coordinator


def test_rejecting_needs_a_reason(regional_coordinator):
    candidate = make_candidate()
    with pytest.raises(CandidateError) as exc:
        change_candidate_status(candidate, "rejected", "", actor=regional_coordinator)
    assert exc.value.field == "reason"
    candidate.refresh_from_db()
    assert candidate.status == "new"


def test_convert_creates_applied_reservist(regional_coordinator):
    candidate = make_candidate(big_number="19012345601")
    reservist = convert_candidate(candidate, actor=regional_coordinator)
    candidate.refresh_from_db()
    assert reservist.status == Reservist.Status.APPLIED
    assert reservist.home_region.code == "VR09"
    assert reservist.user.email == "kees.mulder@example.org"
    assert candidate.status == "converted" and candidate.reservist == reservist
    with pytest.raises(CandidateClosedError):
        convert_candidate(candidate, actor=regional_coordinator)


def test_convert_links_existing_reservist_by_big_number(regional_coordinator):
    existing = ReservistFactory(big_number="19087654302")
    candidate = make_candidate(email="ander@example.org", big_number="19087654302")
    before = Reservist.objects.count()
    assert convert_candidate(candidate, actor=regional_coordinator) == existing
    assert Reservist.objects.count() == before


def test_convert_refuses_person_of_another_region(regional_coordinator):
    ReservistFactory(home_region=region("VR13"), postcode="1011 AB", big_number="19087654302")
    candidate = make_candidate(email="x@example.org", big_number="19087654302")
    with pytest.raises(DuplicateError):
        convert_candidate(candidate, actor=regional_coordinator)


def test_candidate_pages(client, regional_coordinator):
    client.force_login(regional_coordinator)
    assert client.get("/region/candidates/").status_code == 200
    assert client.get("/region/candidates/new/").status_code == 200
    bad = client.post(
        "/region/candidates/new/", {"first_name": "", "last_name": "Bos", "source": "campaign"}
    )
    assert bad.status_code == 200
    assert "first_name" in bad.context["form"].errors
    assert "aria-describedby" in bad.content.decode()
    assert not Candidate.objects.exists()
    good = client.post(
        "/region/candidates/new/",
        {"first_name": "Els", "last_name": "Bos", "phone": "0612345678", "source": "employer"},
    )
    candidate = Candidate.objects.get()
    assert good.status_code == 302 and candidate.region.code == "VR09"
    assert client.get(f"/region/candidates/{candidate.pk}/").status_code == 200
    refused = client.post(f"/region/candidates/{candidate.pk}/status/", {"status": "withdrawn"})
    assert refused.status_code == 400
    assert refused.context["status_form"].errors["reason"]
    ok = client.post(
        f"/region/candidates/{candidate.pk}/status/", {"status": "contacted", "reason": "Gebeld"}
    )
    assert ok.status_code == 302
    assert CandidateStatusChange.objects.filter(candidate=candidate, to_status="contacted").exists()
    converted = client.post(f"/region/candidates/{candidate.pk}/convert/")
    assert converted.status_code == 302
    assert Reservist.objects.filter(candidacies=candidate, status="applied").exists()


def test_other_region_candidate_is_404(client, other_region_coordinator):
    candidate = make_candidate()
    client.force_login(other_region_coordinator)
    assert client.get(f"/region/candidates/{candidate.pk}/").status_code == 404
    assert client.post(f"/region/candidates/{candidate.pk}/convert/").status_code == 404
    assert client.get("/region/candidates/?region=VR09").status_code == 404
