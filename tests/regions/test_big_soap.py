"""The BIG verifier: SOAP request building and response parsing, never the network."""

from datetime import date
from xml.etree import ElementTree as ET

import pytest
from django.test import override_settings

from regions import big
from regions.models import VettingCheck
from regions.services import verify_big
from registry.models import Reservist
from tests.factories import ReservistFactory

FOUND = """<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <ListHcpApprox4Result xmlns="http://services.cibg.nl/ExternalUser">
      <ListHcpApprox>
        <ListHcpApprox4>
          <HcpNumber>123456</HcpNumber>
          <BirthSurname>Vries</BirthSurname>
          <MailingName>A. de Vries</MailingName>
          <Prefix>de</Prefix>
          <Initial>A.</Initial>
          <ArticleRegistration>
            <ArticleRegistrationExtApp>
              <ArticleRegistrationNumber>19012345601</ArticleRegistrationNumber>
              <ArticleRegistrationStartDate>2001-05-01T00:00:00</ArticleRegistrationStartDate>
              <ArticleRegistrationEndDate>2099-05-01T00:00:00</ArticleRegistrationEndDate>
              <ProfessionalGroupCode>30</ProfessionalGroupCode>
            </ArticleRegistrationExtApp>
          </ArticleRegistration>
        </ListHcpApprox4>
      </ListHcpApprox>
    </ListHcpApprox4Result>
  </soap:Body>
</soap:Envelope>"""

EMPTY = """<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<ListHcpApprox4Result xmlns="http://services.cibg.nl/ExternalUser"><ListHcpApprox /></ListHcpApprox4Result>
</soap:Body></soap:Envelope>"""

FAULT = """<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Service unavailable</faultstring></soap:Fault>
</soap:Body></soap:Envelope>"""


def test_request_envelope_names_the_registration_number():
    xml = big.build_request("19012345601")
    root = ET.fromstring(xml)  # noqa: S314 - our own output
    ns = {"s": big.SOAP_ENV, "c": big.CIBG_NS}
    request = root.find("s:Body/c:listHcpApproxRequest", ns)
    assert request is not None
    assert request.findtext("c:RegistrationNumber", namespaces=ns) == "19012345601"
    assert request.findtext("c:WebSite", namespaces=ns) == "Ribiz"
    assert xml.startswith(b"<?xml")


def test_parse_found_registration():
    result = big.parse_response(FOUND, "19012345601")
    assert result.found is True
    assert result.name == "A. de Vries"
    assert result.registrations[0].profession_code == "30"
    assert result.valid_until == date(2099, 5, 1)
    assert result.valid_on(date(2026, 1, 1))
    assert not result.valid_on(date(2000, 1, 1))


def test_parse_other_number_is_not_found():
    assert big.parse_response(FOUND, "99999999999").found is False
    assert big.parse_response(EMPTY, "19012345601").found is False


def test_soap_fault_raises():
    with pytest.raises(big.BIGVerifierError, match="Service unavailable"):
        big.parse_response(FAULT, "19012345601")


def test_dtd_is_refused():
    evil = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(big.BIGVerifierError):
        big.parse_response(evil, "1")


def test_default_verifier_is_manual():
    assert isinstance(big.get_verifier(), big.ManualBIGVerifier)
    assert big.get_verifier().verify("19012345601").found is None


class CannedSoapVerifier(big.SoapBIGVerifier):
    """The SOAP backend with the network replaced by a canned answer."""

    def verify(self, big_number, last_name="", birth_date=None):
        assert big.build_request(big_number, birth_date)
        return big.parse_response(FOUND, big_number)


@pytest.mark.django_db
def test_verify_big_records_the_outcome(regional_coordinator):
    applicant = ReservistFactory(
        status=Reservist.Status.APPLIED, first_name="Anna", last_name="de Vries"
    )
    with override_settings(NZR_BIG_VERIFIER="tests.regions.test_big_soap.CannedSoapVerifier"):
        row = verify_big(applicant, actor=regional_coordinator)
    assert row.kind == "big" and row.outcome == VettingCheck.Outcome.PASS
    assert "A. de Vries" in row.note and "01-05-2099" in row.note


@pytest.mark.django_db
def test_verify_big_fails_on_another_name(regional_coordinator):
    applicant = ReservistFactory(
        status=Reservist.Status.APPLIED, first_name="Anna", last_name="Jansen"
    )
    with override_settings(NZR_BIG_VERIFIER="tests.regions.test_big_soap.CannedSoapVerifier"):
        row = verify_big(applicant, actor=regional_coordinator)
    assert row.outcome == VettingCheck.Outcome.FAIL
    assert "A. de Vries" in row.note and "Anna Jansen" in row.note


def test_request_carries_the_birth_date_when_known():
    root = ET.fromstring(big.build_request("19012345601", date(1980, 3, 4)))  # noqa: S314
    ns = {"s": big.SOAP_ENV, "c": big.CIBG_NS}
    assert root.findtext("s:Body/c:listHcpApproxRequest/c:DateOfBirth", namespaces=ns) == (
        "1980-03-04"
    )


def test_no_end_date_is_written_as_year_one():
    result = big.parse_response(FOUND.replace("2099-05-01", "0001-01-01"), "19012345601")
    assert result.valid_until is None and result.valid_on(date(2050, 1, 1))


@pytest.mark.parametrize(
    ("first", "last", "ok"),
    [
        ("Anna", "de Vries", True),
        ("Anna", "Vries", True),
        ("anna", "DE VRIES", True),
        ("Anna", "Jansen", False),
        ("Bea", "de Vries", False),
        ("Anna", "Vriesland", False),
        ("Anna", "", False),
    ],
)
def test_name_comparison(first, last, ok):
    result = big.parse_response(FOUND, "19012345601")
    assert (big.name_mismatch(result, first, last) == "") is ok


@pytest.mark.django_db
def test_manual_verifier_records_nothing(regional_coordinator):
    applicant = ReservistFactory(status=Reservist.Status.APPLIED)
    assert verify_big(applicant, actor=regional_coordinator) is None
    assert not VettingCheck.objects.exists()
