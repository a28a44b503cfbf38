"""A local fake of the CIBG's public BIG-register web service (V4, ``ListHcpApprox4``).

It listens on 127.0.0.1, reads the SOAP 1.1 request the verifier sends and answers
with the envelopes the real service gives: a ``ListHcpApprox4Result`` with one
``ListHcpApprox4`` per professional found, an empty ``ListHcpApprox`` when nothing
matches, or a ``soap:Fault`` with HTTP 500 when the service is down.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree import ElementTree as ET

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
CIBG_NS = "http://services.cibg.nl/ExternalUser"

ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>{body}</soap:Body></soap:Envelope>'
)
FAULT = (
    "<soap:Fault><faultcode>soap:Server</faultcode>"
    "<faultstring>{message}</faultstring><detail /></soap:Fault>"
)


def professional(
    number,
    *,
    surname="Vries",
    prefix="de",
    initials="A.",
    mailing_name=None,
    gender="V",
    profession_code="30",
    start="2001-05-01T00:00:00",
    end="0001-01-01T00:00:00",
    specialisms=(),
    judgments=(),
    limitations=(),
):
    """One ``ListHcpApprox4`` element as the register writes it."""
    mailing = mailing_name or f"{initials} {prefix} {surname}".replace("  ", " ")
    specs = "".join(
        "<SpecialismExtApp1><SpecialismId>1</SpecialismId>"
        f"<ArticleRegistrationNumber>{number}</ArticleRegistrationNumber>"
        f"<TypeOfSpecialismId>{code}</TypeOfSpecialismId></SpecialismExtApp1>"
        for code in specialisms
    )
    jps = "".join(
        "<JudgmentProvisionExtApp>"
        f"<ArticleNumber>{number}</ArticleNumber><Id>1</Id>"
        f"<StartDate>{s}</StartDate><PublicDescription>{d}</PublicDescription>"
        f"<EndDate>{e}</EndDate><Public>true</Public></JudgmentProvisionExtApp>"
        for d, s, e in judgments
    )
    lims = "".join(
        "<LimitationExtApp>"
        f"<LimitationId>1</LimitationId><ArticleRegistrationNumber>{number}"
        f"</ArticleRegistrationNumber><CompetenceRegistrationId>0</CompetenceRegistrationId>"
        f"<TypeLimitationId>1</TypeLimitationId><Description>{d}</Description>"
        f"<StartDate>{s}</StartDate><EndDate>{e}</EndDate><ExpirationEndDate>{e}"
        "</ExpirationEndDate></LimitationExtApp>"
        for d, s, e in limitations
    )
    return (
        "<ListHcpApprox4>"
        "<HcpNumber>19000001</HcpNumber>"
        f"<BirthSurname>{surname}</BirthSurname>"
        f"<MailingName>{mailing}</MailingName>"
        f"<Prefix>{prefix}</Prefix><Initial>{initials}</Initial>"
        f"<Gender>{gender}</Gender>"
        "<ArticleRegistration><ArticleRegistrationExtApp>"
        f"<ArticleRegistrationNumber>{number}</ArticleRegistrationNumber>"
        f"<ArticleRegistrationStartDate>{start}</ArticleRegistrationStartDate>"
        "<ArticleRegistrationEndDate>"
        f"{end}</ArticleRegistrationEndDate>"
        f"<ProfessionalGroupCode>{profession_code}</ProfessionalGroupCode>"
        "</ArticleRegistrationExtApp></ArticleRegistration>"
        f"<Specialism>{specs}</Specialism>"
        f"<Mention />"
        f"<JudgmentProvision>{jps}</JudgmentProvision>"
        f"<Limitation>{lims}</Limitation>"
        "</ListHcpApprox4>"
    )


class FakeBigRegister:
    """``with FakeBigRegister() as fake:`` a server at ``fake.url``. ``fake.people``
    maps a registration number to a ``professional(...)`` element; ``fake.down``
    answers every call with a SOAP fault; ``fake.requests`` holds the numbers asked."""

    def __init__(self):
        self.people: dict[str, str] = {}
        self.down = False
        self.requests: list[str] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                root = ET.fromstring(body)  # noqa: S314 - our own client's request
                ns = {"s": SOAP_ENV, "c": CIBG_NS}
                number = root.findtext("s:Body/c:listHcpApproxRequest/c:RegistrationNumber", "", ns)
                with fake._lock:
                    fake.requests.append(number)
                if fake.down or "ListHcpApprox4" not in self.headers.get("SOAPAction", ""):
                    status = 500
                    answer = FAULT.format(message="Server was unable to process request.")
                else:
                    status = 200
                    found = fake.people.get(number, "")
                    answer = (
                        f'<ListHcpApprox4Result xmlns="{CIBG_NS}">'
                        f"<ListHcpApprox>{found}</ListHcpApprox></ListHcpApprox4Result>"
                    )
                data = ENVELOPE.format(body=answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/zksrv/soap/4"

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
