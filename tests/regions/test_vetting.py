"""Vetting: checks per reservist; active only when the required checks passed."""

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from regions import vetting
from regions.errors import VettingError
from regions.models import VettingCheck
from regions.services import record_vetting
from registry.deployability import deployable, reasons_not_deployable
from registry.models import Reservist
from tests.factories import ReservistFactory
from tests.regions.factories import pass_all
from tests.training.factories import train

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()  # a VOG issued today (the issue date is required)


@pytest.fixture
def applicant(db):
    return ReservistFactory(status=Reservist.Status.APPLIED)


def test_all_required_checks_passing_makes_reservist_active(applicant, regional_coordinator):
    for check in ("identity", "big", "vog"):
        record_vetting(applicant, check, "pass", "", actor=regional_coordinator, issued_on=TODAY)
        applicant.refresh_from_db()
        assert applicant.status == Reservist.Status.VETTING
    row = record_vetting(applicant, "intake", "pass", "Goed gesprek", actor=regional_coordinator)
    applicant.refresh_from_db()
    assert applicant.status == Reservist.Status.ACTIVE
    assert row.activated is True
    assert row.checked_by == regional_coordinator
    assert (
        AuditEntry.objects.filter(action="vetting.recorded", object_id=str(applicant.pk)).count()
        == 4
    )


def test_failed_check_refuses_activation_and_explains_itself(applicant, regional_coordinator):
    record_vetting(applicant, "identity", "pass", actor=regional_coordinator)
    record_vetting(applicant, "big", "pass", actor=regional_coordinator)
    record_vetting(
        applicant, "vog", "fail", "VOG geweigerd door Justis", actor=regional_coordinator
    )
    record_vetting(applicant, "intake", "pass", actor=regional_coordinator)
    applicant.refresh_from_db()
    assert applicant.status == Reservist.Status.VETTING
    reasons = vetting.vetting_reasons(applicant)
    assert len(reasons) == 1
    assert "VOG" in reasons[0] and "VOG geweigerd door Justis" in reasons[0]
    assert timezone.localdate().strftime("%d-%m-%Y") in reasons[0]


def test_register_refuses_activation_without_vetting(applicant, national_coordinator):
    from registry.errors import ActivationRefused
    from registry.services import ACTIVATION_GUARDS, change_status

    assert vetting.activation_guard in ACTIVATION_GUARDS
    with pytest.raises(ActivationRefused) as exc:
        change_status(applicant, "active", actor=national_coordinator, reason="test")
    text = " ".join(exc.value.reasons)
    assert "Identity" in text or "Identiteit" in text
    applicant.refresh_from_db()
    assert applicant.status == Reservist.Status.APPLIED


def test_missing_check_is_named(applicant):
    reasons = vetting.vetting_reasons(applicant)
    assert len(reasons) == 4  # identity, BIG (ring 1), VOG, intake


def test_big_check_only_required_when_the_profession_needs_it(db):
    carer = ReservistFactory(profession=None, big_number="", ring=3, level="mbo3")
    assert vetting.required_checks(carer) == ["identity", "vog", "intake"]


def test_failed_check_needs_a_note(applicant, regional_coordinator):
    with pytest.raises(VettingError) as exc:
        record_vetting(applicant, "vog", "fail", "  ", actor=regional_coordinator)
    assert exc.value.field == "note"
    assert not VettingCheck.objects.exists()


def test_unknown_check_is_refused(applicant, regional_coordinator):
    with pytest.raises(VettingError) as exc:
        record_vetting(applicant, "dna", "pass", actor=regional_coordinator)
    assert exc.value.field == "check"


def test_latest_outcome_counts(applicant, regional_coordinator):
    record_vetting(applicant, "vog", "fail", "Nog niet ontvangen", actor=regional_coordinator)
    record_vetting(
        applicant, "vog", "pass", "Alsnog ontvangen", actor=regional_coordinator, issued_on=TODAY
    )
    assert not any("VOG" in r for r in vetting.vetting_reasons(applicant))


def test_later_failed_check_makes_active_reservist_not_deployable(
    reservist_record, regional_coordinator
):
    pass_all(reservist_record)
    train(reservist_record)
    today = timezone.localdate()
    assert reasons_not_deployable(reservist_record, today) == []
    assert deployable(Reservist.objects.filter(pk=reservist_record.pk), today).exists()
    record_vetting(reservist_record, "vog", "fail", "VOG ingetrokken", actor=regional_coordinator)
    reasons = reasons_not_deployable(reservist_record, today)
    assert any("VOG ingetrokken" in r for r in reasons)
    assert not deployable(Reservist.objects.filter(pk=reservist_record.pk), today).exists()


def test_activation_refused_by_another_guard_keeps_the_check(regional_coordinator):
    applicant = ReservistFactory(status=Reservist.Status.APPLIED, consent_at=None)
    for check in ("identity", "big", "vog"):
        record_vetting(applicant, check, "pass", actor=regional_coordinator, issued_on=TODAY)
    row = record_vetting(applicant, "intake", "pass", actor=regional_coordinator)
    applicant.refresh_from_db()
    assert applicant.status == Reservist.Status.VETTING
    assert row.activated is False and row.activation_refused
    assert VettingCheck.objects.filter(reservist=applicant).count() == 4


def test_reasons_are_dutch_by_default(applicant):
    from django.utils import translation

    with translation.override("nl"):
        reasons = vetting.vetting_reasons(applicant)
    assert "Controle „Identiteit” is nog niet gedaan." in reasons
