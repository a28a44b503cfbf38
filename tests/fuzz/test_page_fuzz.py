"""Every page and every form, fed odd input as every role: never a 500.

The API has its schema fuzzed (test_api_fuzz.py); the pages have none, so they are
crawled. As each role, every page of the URLconf without parameters is opened, then
every link found on the pages (a few per URL name), and on each page:
- a GET with a fixed set of odd query parameters (dates in year 1 and 9999, a page number
  past any integer, over-long text) must not answer 5xx;
- a GET with a NUL in its parameters must answer 400 (``nzr.middleware``);
- every form on the page is sent three times: over-long text and year-9999 dates, year-1
  dates, and NUL in every text field (which must answer 400).
Pages with parameters that no crawled link reached are opened once with made-up values.
At the end the crawl must have reached (with a 2xx/3xx) every page of the URLconf but the
few in UNREACHED, so a new page cannot escape it. The conftest guard also fails the test
when anything logs an ERROR (an exception in a view does).
"""

from collections import defaultdict
from datetime import time, timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone

from escalation.models import Crisis
from registry.models import Availability, WeeklyAvailability
from requests_app.models import Assignment, CareOrganisation
from tests.escalation.factories import make_escalation
from tests.regions.factories import make_candidate
from tests.requests_app.factories import at, invite, make_request
from tests.training.factories import make_session

ROLES = [
    "anonymous",
    "outsider",
    "reservist",
    "care_org_user",
    "regional_coordinator",
    "national_coordinator",
    "triangle_member",
]
ODD_QUERY = {
    "region": "VR99",
    "q": "x" * 300,
    "on": "9999-12-31",
    "from": "0001-01-01",
    "until": "9999-12-31",
    "since": "0001-01-01",
    "available_from": "0001-01-01",
    "available_until": "9999-12-31",
    "deployable_on": "9999-12-31",
    "page": "99999999999999999999",
    "status": "x" * 300,
    "training_expiring": "99999999999",
    "past": "1",
}
NUL_QUERY = {"region": "\x00", "q": "\x00", "on": "9999-12-31", "page": "\x00"}
PER_NAME = 5  # distinct URLs opened per URL name and role (forms are sent once per kind)
# Pages that need what a crawl cannot have: a key from an e-mail, a WebAuthn key, a
# calendar token, files served only with DEBUG. They are still opened with made-up values.
UNREACHED = {
    "account_confirm_email",
    "account_reset_password_from_key",
    "account_confirm_login_code",
    "mfa_remove_webauthn",
    "mfa_edit_webauthn",
    "mfa_login_webauthn",
    "mfa_reauthenticate_webauthn",
    "mfa_add_webauthn",
    "escalation:answer",
    "requests_app:calendar_feed",
    "mfa_index",
    # POST only (a GET answers 405): sent as the open-shift page's forms, never opened.
    "requests_app:open_shift_sign_up",
    "requests_app:waitlist_join",
    "requests_app:waitlist_leave",
}
SKIPPED_ACTIONS = ("/accounts/logout/", "/admin/logout/")
# allauth's MFA overview reads a variable it does not always pass, which the suite's
# --fail-on-template-vars turns into a failure; it takes no parameters of ours.
SKIPPED_PAGES = ("/accounts/2fa/",)
TEXT_TYPES = {"text", "search", "email", "tel", "url", "password", None}


class _Page(HTMLParser):
    """The links and forms of a page: each form as (method, action, enctype, fields)."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            classes = (a.get("class") or "").split()
            if "vDateField" in classes or "vTimeField" in classes:  # the admin's widgets
                kind = "date" if "vDateField" in classes else "time"
            if kind in ("checkbox", "radio") and any(
                f[0] == a["name"] for f in self._form["fields"]
            ):
                return
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            self._form["fields"].append([a["name"], kind, a.get("value") or ""])
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], "select", ""]
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            if value:
                self._select[2] = value  # the last option with a value
        elif tag == "textarea" and a.get("name"):
            self._form["fields"].append([a["name"], "textarea", ""])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _odd_value(kind: str, value: str, variant: str) -> str:
    if variant == "nul":
        return "a\x00b" if kind in TEXT_TYPES or kind == "textarea" else value
    late = variant == "long"
    if kind == "date":
        return "9999-12-31" if late else "0001-01-01"
    if kind == "datetime-local":
        return "9999-12-31T23:59" if late else "0001-01-01T00:00"
    if kind == "time":
        return "23:59" if late else "00:00"
    if kind == "number":
        return "9" * 30 if late else "-1"
    if kind == "email":
        return ("a" * 300 + "@example.org") if late else "a@example.org"
    if kind in TEXT_TYPES or kind == "textarea":
        return "x" * 5000 if late else "x"
    return value  # hidden, select, checkbox, radio: as the page offers them


def _parameters(pattern) -> dict:
    """The pattern's parameters, each with a made-up value (a number where it wants one)."""
    converters = getattr(pattern, "converters", {})
    return {
        name: 999999 if type(converters.get(name)).__name__ == "IntConverter" else "x"
        for name in pattern.regex.groupindex
    }


def _patterns(patterns=None, namespace="", outer=None):
    """(URL name with namespace, made-up parameters) of every page: not the API, the
    admin or media files."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        parameters = {**(outer or {}), **_parameters(p.pattern)}
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith(("api/", "admin/")):
                continue
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p.url_patterns, ns, parameters)
        elif isinstance(p, URLPattern) and p.name and not str(p.pattern).startswith("^media"):
            yield f"{namespace}{p.name}", parameters


class Crawl:
    def __init__(self, client: Client, role: str):
        self.client, self.role = client, role
        self.failures: list[str] = []
        self.reached: set[str] = set()
        self.opened: dict[str, set[str]] = defaultdict(set)
        self.forms_sent: set[tuple] = set()
        self.queue: list[str] = []

    def _name(self, path: str) -> str | None:
        try:
            match = resolve(urlsplit(path).path)
        except Resolver404:
            return None
        if match.route.startswith(("api/", "admin/")):
            return None
        return match.view_name

    def _check(self, response, what: str, expect_400=False):
        status = response.status_code
        if status >= 500 or (expect_400 and status != 400):
            self.failures.append(f"{self.role}: {what} -> {status}")

    def add(self, path: str):
        path = path.split("#")[0]
        if not path.startswith("/") or path.startswith("//"):
            return
        name = self._name(path)
        if name is None or path in self.opened[name] or len(self.opened[name]) >= PER_NAME:
            return
        self.opened[name].add(path)
        self.queue.append(path)

    def run(self):
        while self.queue:
            self.visit(self.queue.pop(0))

    def odd_query_applies(self, name) -> bool:
        return True

    def visit(self, path: str):
        name = self._name(path)
        if path in SKIPPED_PAGES:
            return
        response = self.client.get(path)
        self._check(response, f"GET {path}")
        if response.status_code < 400 and name:
            self.reached.add(name)
        base = urlsplit(path).path
        if self.odd_query_applies(name):
            odd = self.client.get(f"{base}?{urlencode(ODD_QUERY)}")
            self._check(odd, f"GET {base}?<odd parameters>")
        nul = self.client.get(f"{base}?{urlencode(NUL_QUERY)}")
        self._check(nul, f"GET {base}?<NUL parameters>", expect_400=True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return
        page = _Page()
        page.feed(response.content.decode(errors="replace"))
        for href in page.links:
            self.add(urljoin(path, href))
        for form in page.forms:
            self.send(path, form)

    def send(self, page_path: str, form: dict):
        action = urljoin(page_path, form["action"] or page_path)
        if urlsplit(action).netloc or any(action.startswith(p) for p in SKIPPED_ACTIONS):
            return
        key = (self._name(action), form["method"], tuple(sorted(f[0] for f in form["fields"])))
        if key[0] is None or key in self.forms_sent:
            return
        self.forms_sent.add(key)
        for variant in ("long", "early", "nul"):
            data = {name: _odd_value(kind, value, variant) for name, kind, value in form["fields"]}
            if form["method"] == "post":
                response = self.client.post(action, data)
            else:
                response = self.client.get(urlsplit(action).path, data)
            if response.status_code < 400 and key[0]:
                self.reached.add(key[0])
            has_text = any(k in TEXT_TYPES or k == "textarea" for _n, k, _v in form["fields"])
            self._check(
                response,
                f"{form['method'].upper()} {action} ({variant}) from {page_path}",
                expect_400=variant == "nul" and has_text,
            )


@pytest.fixture
def page_world(reservist_record, organisation, care_org_user, regional_coordinator):
    """Something on every page: requests in each state (one with a question), a shift with
    an invitation, a worked assignment, an escalation, an inactive crisis, a training
    session, a candidate, an availability and a weekly pattern."""
    req = make_request(
        organisation, status="approved", shifts=[(at(3, 7), at(3, 15), 2, "verzorgende")]
    )
    invite(req.shifts.get(), reservist_record)
    asked = make_request(organisation, status="submitted")
    asked.info_requested_at, asked.info_request = timezone.now(), "Hoeveel afdelingen?"
    asked.save()
    make_request(organisation, status="draft")
    past = make_request(
        organisation, status="approved", shifts=[(at(-2, 7), at(-2, 15), 1, "verzorgende")]
    )
    past_shift = past.shifts.get()
    Assignment.objects.create(
        shift=past_shift, reservist=reservist_record, start=past_shift.start, end=past_shift.end
    )
    make_escalation(make_request(organisation, status="escalated"))
    make_session(organisation.region)
    Crisis.objects.create(name="Oefening", kind="pandemic", active=False)
    WeeklyAvailability.objects.create(
        reservist=reservist_record, weekday=0, start_time=time(9), end_time=time(17)
    )
    make_candidate()
    now = timezone.now()
    Availability.objects.create(
        reservist=reservist_record, start=now + timedelta(days=1), end=now + timedelta(days=9)
    )
    CareOrganisation.objects.create(
        name="Thuiszorg In Afwachting",
        kvk="11223344",
        sector=organisation.sector,
        postcode=organisation.postcode,
        region=organisation.region,
        status="pending",
    )


@pytest.mark.django_db
def test_every_page_and_form_takes_odd_input_without_a_500(request, page_world):
    pages = list(_patterns())
    failures, reached = [], set()
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        crawl = Crawl(client, role)
        for name, parameters in pages:
            if not parameters:
                crawl.add(reverse(name))
        crawl.run()
        for name, parameters in pages:
            if parameters and not crawl.opened.get(name):
                crawl.visit(reverse(name, kwargs=parameters))
        failures += crawl.failures
        reached |= crawl.reached
    assert not failures, "\n".join(failures[:40])
    unreached = {name for name, _p in pages} - reached - UNREACHED
    assert not unreached, f"pages the crawl never opened: {sorted(unreached)}"


ADMIN_SKIPPED = ("/delete/", "/history/", "/password/", "/logout/")
# Django's password-hash widget reads a variable it does not pass (--fail-on-template-vars);
# allauth's raw MFA records take any type and JSON, and a WebAuthn one without a name
# cannot even be shown after (allauth's admin, not a form of the platform).
ADMIN_SKIPPED_VIEWS = {"admin:accounts_user_change", "admin:mfa_authenticator_change"}


@pytest.mark.django_db
def test_every_admin_page_and_form_takes_odd_input_without_a_500(superuser, page_world):
    """The admin as a superuser: every change list (with its filters, NUL and odd values
    in the query string), add and change form; deletions are left alone."""
    client = Client()
    client.force_login(superuser)
    crawl = AdminCrawl(client, "superuser")
    crawl.add("/admin/")
    crawl.run()
    assert not crawl.failures, "\n".join(crawl.failures[:40])
    models_seen = {n for n in crawl.reached if n.endswith("_changelist")}
    assert len(models_seen) >= 20, sorted(models_seen)


class AdminCrawl(Crawl):
    def _name(self, path: str) -> str | None:
        if not path.startswith("/admin/") or any(s in path for s in ADMIN_SKIPPED):
            return None
        try:
            name = resolve(urlsplit(path).path).view_name
        except Resolver404:
            return None
        return None if name in ADMIN_SKIPPED_VIEWS else name

    def odd_query_applies(self, name) -> bool:
        # The admin's add form takes its initial values from the query string, and renders
        # ``?region=VR99`` for a foreign key as a 500 (Django's own behaviour, superusers
        # only): the add forms get the NUL query and their forms sent, not ODD_QUERY.
        return not (name or "").endswith("_add")

    def add(self, path: str):
        name = self._name(path.split("#")[0])
        if name and not self.opened[name]:  # one URL per admin view (filters aside)
            self.opened[name].add(path)
            self.queue.append(path)
