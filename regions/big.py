"""Checking a BIG registration: one interface, a manual backend and a SOAP backend.

``get_verifier()`` returns the backend named in ``settings.NZR_BIG_VERIFIER``.
The SOAP backend talks to the public BIG register (CIBG, operation
``ListHcpApprox4``) with the standard library only; the request is built and the
response parsed by pure functions so that tests never touch the network.
"""

import unicodedata
import urllib.error
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
class BIGMeasure:
    """A measure on a registration: a disciplinary or criminal-law measure
    (``JudgmentProvision``: "maatregel", "doorhaling", a suspension) or a limitation
    of the competence (``Limitation``)."""

    kind: str  # "judgment" or "limitation"
    description: str = ""
    start: date | None = None
    end: date | None = None

    @property
    def label(self) -> str:
        return _("measure") if self.kind == "judgment" else _("limitation of competence")

    def in_force_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or self.end >= day)

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "description": self.description,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }


@dataclass
class BIGResult:
    """What the verifier found. ``found`` is None when a person must check by hand."""

    big_number: str
    found: bool | None
    name: str = ""
    registrations: list[BIGRegistration] = field(default_factory=list)
    message: str = ""
    birth_surname: str = ""
    prefix: str = ""
    initials: str = ""
    specialisms: list[str] = field(default_factory=list)
    measures: list[BIGMeasure] = field(default_factory=list)

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
    """The interface: ``verify(big_number, last_name="", birth_date=None) -> BIGResult``."""

    automatic = True

    def verify(self, big_number: str, last_name: str = "", birth_date=None) -> BIGResult:
        raise NotImplementedError


class ManualBIGVerifier(BIGVerifier):
    """No automatic lookup: the coordinator checks bigregister.nl and records the outcome."""

    automatic = False

    def verify(self, big_number: str, last_name: str = "", birth_date=None) -> BIGResult:
        return BIGResult(
            big_number=big_number,
            found=None,
            message=_(
                "Check this BIG number by hand at zoeken.bigregister.nl and record the outcome."
            ),
        )


def build_request(big_number: str, birth_date: date | None = None) -> bytes:
    """The SOAP 1.1 envelope of ListHcpApprox4 for one registration number (and the
    birth date, when known: the register then answers only for that person)."""
    ET.register_namespace("soap", SOAP_ENV)
    envelope = ET.Element(f"{{{SOAP_ENV}}}Envelope")
    body = ET.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    request = ET.SubElement(body, f"{{{CIBG_NS}}}listHcpApproxRequest")
    ET.SubElement(request, f"{{{CIBG_NS}}}WebSite").text = "Ribiz"
    ET.SubElement(request, f"{{{CIBG_NS}}}RegistrationNumber").text = big_number
    if birth_date is not None:
        ET.SubElement(request, f"{{{CIBG_NS}}}DateOfBirth").text = birth_date.isoformat()
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        day = datetime.fromisoformat(text.strip()[:19]).date()
    except ValueError:
        return None
    # The register writes "no date" (e.g. a registration without an end) as 0001-01-01.
    return None if day.year <= 1 else day


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

        def text(node, tag):
            return (node.findtext(f"c:{tag}", "", ns) or "").strip()

        specialisms = [
            text(spec, "TypeOfSpecialismId")
            for spec in hcp.iterfind("c:Specialism/c:SpecialismExtApp1", ns)
            if text(spec, "ArticleRegistrationNumber") in ("", big_number)
        ]
        measures = [
            BIGMeasure(
                "judgment",
                text(jp, "PublicDescription"),
                _date(jp.findtext("c:StartDate", None, ns)),
                _date(jp.findtext("c:EndDate", None, ns)),
            )
            for jp in hcp.iterfind("c:JudgmentProvision/c:JudgmentProvisionExtApp", ns)
            if text(jp, "ArticleNumber") in ("", big_number)
        ] + [
            BIGMeasure(
                "limitation",
                text(lim, "Description"),
                _date(lim.findtext("c:StartDate", None, ns)),
                _date(lim.findtext("c:EndDate", None, ns)),
            )
            for lim in hcp.iterfind("c:Limitation/c:LimitationExtApp", ns)
            if text(lim, "ArticleRegistrationNumber") in ("", big_number)
        ]
        return BIGResult(
            big_number=big_number,
            found=True,
            name=text(hcp, "MailingName") or name,
            registrations=mine,
            birth_surname=text(hcp, "BirthSurname"),
            prefix=text(hcp, "Prefix"),
            initials=text(hcp, "Initial"),
            specialisms=[s for s in specialisms if s],
            measures=measures,
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

    def verify(self, big_number: str, last_name: str = "", birth_date=None) -> BIGResult:
        request = urllib.request.Request(  # noqa: S310 - fixed https URL from settings
            self.url,
            data=build_request(big_number, birth_date),
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": SOAP_ACTION},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return parse_response(response.read(), big_number)
        except urllib.error.HTTPError as exc:
            # A SOAP fault comes with HTTP 500 and the fault in the body.
            body = exc.read() if exc.fp is not None else b""
            parse_response(body, big_number)  # raises BIGVerifierError on the fault
            raise BIGVerifierError(f"BIG register answered HTTP {exc.code}") from exc
        except OSError as exc:
            raise BIGVerifierError(f"BIG register unreachable: {exc}") from exc


def get_verifier() -> BIGVerifier:
    path = getattr(settings, "NZR_BIG_VERIFIER", "regions.big.ManualBIGVerifier")
    return import_string(path)()


# --- what the answer means for one reservist (pure functions) ----------------------


def _plain(text: str) -> str:
    """Lower case, accents and everything but letters removed: "Dé Vries-Jansen" ->
    "devriesjansen"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if c.isalpha()).casefold()


def name_mismatch(result: BIGResult, first_name: str, last_name: str) -> str:
    """Why the registered name is not the reservist's ("" when it is).

    The surname must be the registered birth surname, with or without its prefix
    ("de Vries" or "Vries"), or the surname the register mails to (a partner's name
    in ``MailingName``); the first initial must be the first letter of the first name.
    """
    surname = _plain(last_name)
    mailing_surname = _plain(
        " ".join(w for w in result.name.split() if not w.endswith(".") and len(w) > 1)
    )
    registered = {
        _plain(result.birth_surname),
        _plain(f"{result.prefix} {result.birth_surname}"),
    } - {""}
    surname_ok = bool(surname) and (
        surname in registered or (bool(mailing_surname) and mailing_surname.endswith(surname))
    )
    initial = _plain(result.initials)[:1]
    initial_ok = not initial or _plain(first_name)[:1] == initial
    if surname_ok and initial_ok:
        return ""
    return _(
        "The name in the BIG register (%(registered)s) is not the reservist's name (%(name)s)."
    ) % {
        "registered": result.name or f"{result.initials} {result.birth_surname}".strip(),
        "name": f"{first_name} {last_name}".strip(),
    }


@dataclass
class Assessment:
    """What one answer of the register means: passed or not, why, and whether the
    reservist may be deployed."""

    passed: bool
    status: str  # BigRegisterCheck.Status value
    reason: str = ""
    blocks: bool = False
    end: date | None = None
    profession_code: str = ""
    measures_in_force: list[BIGMeasure] = field(default_factory=list)


def assess(result: BIGResult, first_name: str, last_name: str, today: date) -> Assessment:
    """Compare the register's answer with the reservist: found, the name, the
    registration's dates, measures in force."""
    if not result.found:
        return Assessment(
            False,
            "not_found",
            result.message or _("This BIG number is not in the BIG register."),
            blocks=True,
        )
    reg = max(result.registrations, key=lambda r: r.start or date.min)
    common = {"end": reg.end, "profession_code": reg.profession_code}
    mismatch = name_mismatch(result, first_name, last_name)
    if mismatch:
        return Assessment(False, "name_mismatch", mismatch, blocks=True, **common)
    in_force = [m for m in result.measures if m.in_force_on(today)]
    if not result.valid_on(today):
        ended = reg.end is not None and reg.end < today
        reason = (
            _("The BIG registration ended on %(date)s.") % {"date": reg.end.strftime("%d-%m-%Y")}
            if ended
            else _("The BIG registration is not valid today.")
        )
        return Assessment(False, "ended", reason, blocks=True, measures_in_force=in_force, **common)
    if in_force:
        descriptions = "; ".join(m.description or m.label for m in in_force)
        return Assessment(
            False,
            "measure",
            _("A measure on the BIG registration is in force: %(measures)s.")
            % {"measures": descriptions},
            blocks=True,
            measures_in_force=in_force,
            **common,
        )
    return Assessment(True, "registered", **common)
