"""The BIG register check against a local fake of the CIBG service (real SOAP shapes):
the name, an ended registration, a measure in force, the service down, the manual path,
and what a failed check does to deployability."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from regions import big, bigcheck
from regions.models import BigRegisterCheck
from registry.deployability import deployable, reasons_not_deployable
from registry.models import Reservist
from tests.factories import ReservistFactory
from tests.fakes.big_register import FakeBigRegister, professional

NUMBER = "19012345601"


@pytest.fixture
def fake():
    with (
        FakeBigRegister() as server,
        override_settings(
            NZR_BIG_VERIFIER="regions.big.SoapBIGVerifier", NZR_BIG_SOAP_URL=server.url
        ),
    ):
        yield server


def big_reasons(reservist):
    """The deployability reasons that come from the BIG register check."""
    return [r for r in reasons_not_deployable(reservist) if "BIG" in r and "register" in r]


def sql_ok(reservist):
    """The same rule in the bulk SQL path (matching, lists)."""
    condition = bigcheck.deployability_condition(None, None)
    return Reservist.objects.filter(condition, pk=reservist.pk).exists()


def anna(**kwargs):
    return ReservistFactory(
        user=None, first_name="Anna", last_name="de Vries", big_number=NUMBER, **kwargs
    )


@pytest.mark.django_db
def test_matching_name_passes_and_stores_what_the_register_says(fake):
    fake.people[NUMBER] = professional(
        NUMBER, end="2030-05-01T00:00:00", specialisms=["15"], profession_code="30"
    )
    reservist = anna()
    row = bigcheck.check_reservist(reservist)
    assert row.outcome == "pass" and row.source == "soap" and not row.blocks
    assert row.registered_name == "A. de Vries"
    assert row.profession_code == "30" and row.specialisms == ["15"]
    assert row.end_date == date(2030, 5, 1)
    assert fake.requests == [NUMBER]
    assert big_reasons(reservist) == [] and sql_ok(reservist)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "first, last",
    [("Anna", "Jansen"), ("Bea", "de Vries"), ("Anna", "Vriesland")],
)
def test_name_mismatch_fails_with_the_reason(fake, first, last):
    fake.people[NUMBER] = professional(NUMBER)
    reservist = ReservistFactory(user=None, first_name=first, last_name=last, big_number=NUMBER)
    row = bigcheck.check_reservist(reservist)
    assert row.outcome == "fail" and row.status == "name_mismatch" and row.blocks
    assert "A. de Vries" in row.reason and last in row.reason
    assert big_reasons(reservist) and not sql_ok(reservist)


@pytest.mark.django_db
@pytest.mark.parametrize("last", ["de Vries", "Vries", "De Vriës", "Jansen-de Vries"])
def test_name_written_otherwise_still_matches(fake, last):
    fake.people[NUMBER] = professional(NUMBER, mailing_name="A. Jansen-de Vries")
    reservist = ReservistFactory(user=None, first_name="Anna", last_name=last, big_number=NUMBER)
    assert bigcheck.check_reservist(reservist).outcome == "pass"


@pytest.mark.django_db
def test_ended_registration_blocks_at_once_and_tells_the_coordinator(
    fake, regional_coordinator, django_capture_on_commit_callbacks
):
    fake.people[NUMBER] = professional(NUMBER)
    reservist = anna()
    bigcheck.check_reservist(reservist)
    assert sql_ok(reservist) and not big_reasons(reservist)
    ended = (timezone.localdate() - timedelta(days=3)).isoformat() + "T00:00:00"
    fake.people[NUMBER] = professional(NUMBER, end=ended)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        row = bigcheck.check_reservist(reservist)
    assert row.status == "ended" and row.outcome == "fail" and row.blocks
    assert row.end_date == timezone.localdate() - timedelta(days=3)
    assert big_reasons(reservist) and not sql_ok(reservist)
    assert not deployable(Reservist.objects.filter(pk=reservist.pk)).exists()
    assert [m.to for m in mail.outbox] == [[regional_coordinator.email]]
    reservist.refresh_from_db()
    assert reservist.status == Reservist.Status.ACTIVE  # nothing cancelled silently


@pytest.mark.django_db
def test_measure_in_force_blocks(fake):
    start = (timezone.localdate() - timedelta(days=10)).isoformat() + "T00:00:00"
    fake.people[NUMBER] = professional(
        NUMBER, judgments=[("Doorhaling van de inschrijving", start, "0001-01-01T00:00:00")]
    )
    reservist = anna()
    row = bigcheck.check_reservist(reservist)
    assert row.status == "measure" and row.blocks
    assert row.measures[0]["description"] == "Doorhaling van de inschrijving"
    assert "Doorhaling" in row.reason
    assert big_reasons(reservist) and not sql_ok(reservist)


@pytest.mark.django_db
def test_measure_that_ended_does_not_block(fake):
    fake.people[NUMBER] = professional(
        NUMBER, limitations=[("Beperking", "2010-01-01T00:00:00", "2011-01-01T00:00:00")]
    )
    assert bigcheck.check_reservist(anna()).outcome == "pass"


@pytest.mark.django_db
def test_not_in_register_fails(fake):
    row = bigcheck.check_reservist(anna())
    assert row.status == "not_found" and row.blocks


@pytest.mark.django_db
def test_soap_fault_raises_and_writes_nothing(fake):
    fake.down = True
    with pytest.raises(big.BIGVerifierError, match="unable to process"):
        bigcheck.check_reservist(anna())
    assert not BigRegisterCheck.objects.exists()


@pytest.mark.django_db
def test_connection_refused_raises_and_writes_nothing():
    with FakeBigRegister() as server:
        url = server.url
    with (
        override_settings(NZR_BIG_VERIFIER="regions.big.SoapBIGVerifier", NZR_BIG_SOAP_URL=url),
        pytest.raises(big.BIGVerifierError, match="unreachable"),
    ):
        bigcheck.check_reservist(anna())
    assert not BigRegisterCheck.objects.exists()


@pytest.mark.django_db
def test_manual_check_is_logged_as_manual(regional_coordinator):
    reservist = anna()
    row = bigcheck.record_manual_check(
        reservist, actor=regional_coordinator, status="ended", reason="Doorgehaald"
    )
    assert row.source == "manual" and row.checked_by == regional_coordinator and row.blocks
    assert big_reasons(reservist) and not sql_ok(reservist)
    row = bigcheck.record_manual_check(reservist, actor=regional_coordinator, status="registered")
    assert not row.blocks and big_reasons(reservist) == [] and sql_ok(reservist)
