"""Checking a BIG registration: one interface, a manual backend and a SOAP backend.

``get_verifier()`` returns the backend named in ``settings.NZR_BIG_VERIFIER``.
The SOAP backend talks to the public BIG register (CIBG, operation
``ListHcpApprox4``) with the standard library only; the request is built and the
response parsed by pure functions so that tests never touch the network.
"""

import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree import ElementTree as ET

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
CIBG_NS = "http://services.cibg.nl/ExternalUser"
SOAP_ACTION = f"{CIBG_NS}/ListHcpApprox4"
DEFAULT_URL = "https://api.bigregister.nl/zksrv/soap/4"


class BIGVerifierError(Exception):
    """The register could not be asked (network, bad answer)."""


@dataclass
class BIGRegistration:
    """One registration (article 3 Wet BIG) of a professional."""

    number: str
    profession_code: str = ""
    start: date | None = None
    end: date | None = None


@dataclass
class BIGResult:
    """What the verifier found. ``found`` is None when a person must check by hand."""

    big_number: str
    found: bool | None
    name: str = ""
    registrations: list[BIGRegistration] = field(default_factory=list)
    message: str = ""

    def valid_on(self, day: date) -> bool:
        return any(
            (r.start is None or r.start <= day) and (r.end is None or r.end >= day)
            for r in self.registrations
        )

    @property
    def valid_until(self) -> date | None:
        ends = [r.end for r in self.registrations if r.end is not None]
        return max(ends) if ends else None


class BIGVerifier:
    """The interface: ``verify(big_number, last_name="") -> BIGResult``."""

    def verify(self, big_number: str, last_name: str = "") -> BIGResult:
        raise NotImplementedError


class ManualBIGVerifier(BIGVerifier):
    """No automatic lookup: the coordinator checks bigregister.nl and records the outcome."""

    def verify(self, big_number: str, last_name: str = "") -> BIGResult:
        return BIGResult(
            big_number=big_number,
            found=None,
            message=_(
                "Check this BIG number by hand at zoeken.bigregister.nl and record the outcome."
            ),
        )


def build_request(big_number: str) -> bytes:
    """The SOAP 1.1 envelope of ListHcpApprox4 for one registration number."""
    ET.register_namespace("soap", SOAP_ENV)
    envelope = ET.Element(f"{{{SOAP_ENV}}}Envelope")
    body = ET.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    request = ET.SubElement(body, f"{{{CIBG_NS}}}listHcpApproxRequest")
    ET.SubElement(request, f"{{{CIBG_NS}}}WebSite").text = "Ribiz"
    ET.SubElement(request, f"{{{CIBG_NS}}}RegistrationNumber").text = big_number
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.strip()[:19]).date()
    except ValueError:
        return None


def parse_response(xml: bytes | str, big_number: str) -> BIGResult:
    """Read a ListHcpApprox4 answer; a SOAP fault raises ``BIGVerifierError``."""
    raw = xml.encode() if isinstance(xml, str) else xml
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        # No DTDs or entities in a SOAP answer (no defusedxml needed: refused here).
        raise BIGVerifierError("BIG register answer with a DTD refused.")
    try:
        root = ET.fromstring(raw)  # noqa: S314 - DTDs refused above; expat >= 2.4
    except ET.ParseError as exc:
        raise BIGVerifierError(f"Unreadable answer from the BIG register: {exc}") from exc
    fault = root.find(f".//{{{SOAP_ENV}}}Fault")
    if fault is not None:
        raise BIGVerifierError(
            "BIG register fault: " + (fault.findtext("faultstring") or "").strip()
        )
    ns = {"c": CIBG_NS}
    for hcp in root.iterfind(".//c:ListHcpApprox4", ns):
        registrations = [
            BIGRegistration(
                number=(reg.findtext("c:ArticleRegistrationNumber", "", ns) or "").strip(),
                profession_code=(reg.findtext("c:ProfessionalGroupCode", "", ns) or "").strip(),
                start=_date(reg.findtext("c:ArticleRegistrationStartDate", None, ns)),
                end=_date(reg.findtext("c:ArticleRegistrationEndDate", None, ns)),
            )
            for reg in hcp.iterfind("c:ArticleRegistration/c:ArticleRegistrationExtApp", ns)
        ]
        mine = [r for r in registrations if r.number == big_number]
        if not mine:
            continue
        name = " ".join(
            part
            for part in (
                (hcp.findtext("c:Initial", "", ns) or "").strip(),
                (hcp.findtext("c:Prefix", "", ns) or "").strip(),
                (hcp.findtext("c:BirthSurname", "", ns) or "").strip(),
            )
            if part
        )
        return BIGResult(
            big_number=big_number,
            found=True,
            name=(hcp.findtext("c:MailingName", "", ns) or "").strip() or name,
            registrations=mine,
        )
    return BIGResult(
        big_number=big_number,
        found=False,
        message=_("This BIG number is not in the BIG register."),
    )


class SoapBIGVerifier(BIGVerifier):
    """Asks the public BIG register (never called in tests)."""

    def __init__(self, url: str | None = None, timeout: float = 10.0):
        self.url = url or getattr(settings, "NZR_BIG_SOAP_URL", DEFAULT_URL)
        self.timeout = timeout

    def verify(self, big_number: str, last_name: str = "") -> BIGResult:
        request = urllib.request.Request(  # noqa: S310 - fixed https URL from settings
            self.url,
            data=build_request(big_number),
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": SOAP_ACTION},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return parse_response(response.read(), big_number)
        except OSError as exc:
            raise BIGVerifierError(f"BIG register unreachable: {exc}") from exc


def get_verifier() -> BIGVerifier:
    path = getattr(settings, "NZR_BIG_VERIFIER", "regions.big.ManualBIGVerifier")
    return import_string(path)()
