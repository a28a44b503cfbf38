"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Never run ``playwright install``: the tests launch /usr/bin/chromium (installed by .ci/run).
Helpers: ``browser`` (one Chromium per session), ``page_at(width)`` (a fresh context and page
at that width), ``login(page, email, password, totp_secret=None)``, ``check_a11y(page)``
(axe-core, fails on serious/critical violations), ``keyboard_reaches(page, selector)``
(Tab until the element has focus and check the focus is visible), ``shot(page, name)``
(screenshot into test-artifacts/screenshots/) and ``mail_link(...)``.
"""

import os
import re
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told it is safe (it is: the test thread is synchronous).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# 127.0.0.1, not "localhost": Chromium would try ::1 first and wait for it to fail.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = 375
DESKTOP = 1280
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _browser_settings(settings):
    """A TOTP code computed just before its 30-second window ends may arrive in the next
    one: accept the previous window too (as authenticator apps in the field need anyway).
    (Passwords are hashed quickly in every test: tests/conftest.py.)"""
    settings.MFA_TOTP_TOLERANCE = 1


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page_at(browser, live_server):
    """``page_at(width)``: a page in a fresh browser context (own cookies) at that width."""
    contexts = []

    def _make(width=DESKTOP, height=900, locale="nl-NL"):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            locale=locale,
            bypass_csp=True,  # lets the test inject axe-core; the app's CSP stays on
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.nzr_errors = []
        page.on("pageerror", lambda exc: page.nzr_errors.append(str(exc)))
        return page

    yield _make
    for context in contexts:
        context.close()


def totp_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def login(page, email, password, totp_secret=None):
    """Sign in through the real login form (and the 2FA step for staff)."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_load_state()
    if totp_secret:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.fill("input[name=code]", totp_code(totp_secret))
        page.locator("form:has(input[name=code]) [type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/2fa/authenticate/" not in url)
    assert "/accounts/login/" not in page.url, f"login of {email} failed: {page.url}"
    return page


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations on the page, one readable block each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' +
                    (n.failureSummary || '').replace(/\\s+/g, ' '))
            }));
        }"""
    )
    path = page.url.split("://", 1)[-1].split("/", 1)[-1]
    found = []
    for v in result:
        if v["impact"] in ("serious", "critical"):
            lines = [f"/{path} [{v['impact']}] {v['id']}: {v['help']}"]
            lines += [f"    {n}" for n in v["nodes"]]
            found.append("\n".join(lines))
    return found


def check_a11y(page, *, collect=None):
    """Run axe-core on the page and check the language attribute.

    Serious or critical violations fail the test at once, or, with ``collect`` (a list,
    see the ``axe`` fixture), are gathered so the journey runs to its end first.
    """
    lang = page.locator("html").get_attribute("lang")
    problems = axe_violations(page)
    if lang not in ("nl", "en"):
        problems.append(f"{page.url}: <html lang={lang!r}>, expected nl or en")
    if collect is not None:
        collect.extend(problems)
    elif problems:
        pytest.fail("axe-core found serious/critical problems:\n" + "\n".join(problems))


class Axe:
    """Collects accessibility problems over a journey; ``assert_clean()`` at the end."""

    def __init__(self):
        self.problems: list[str] = []
        self.pages = 0

    def check(self, page):
        self.pages += 1
        check_a11y(page, collect=self.problems)

    def assert_clean(self):
        unique = list(dict.fromkeys(self.problems))
        assert not unique, (
            f"axe-core: serious/critical problems on {len(unique)} page(s) of this journey:\n"
            + "\n".join(unique)
        )


@pytest.fixture
def axe():
    return Axe()


def keyboard_reaches(page, selector, *, max_tabs=60):
    """Tab from the top of the page until ``selector`` has focus; check the focus is visible."""
    target = page.locator(selector).first
    target.wait_for()
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.locator("body").focus()
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            style = target.evaluate(
                """el => { const s = getComputedStyle(el);
                    return {ow: s.outlineWidth, os: s.outlineStyle, bs: s.boxShadow}; }"""
            )
            visible = (style["os"] != "none" and style["ow"] not in ("0px", "")) or (
                style["bs"] not in ("none", "")
            )
            assert visible, f"focus on {selector} is not visible: {style}"
            return target
    pytest.fail(f"{selector} cannot be reached with the Tab key ({max_tabs} presses)")


def error_tied_to(page, field_selector):
    """The error text tied to a field by aria-describedby, shown close to the field."""
    field = page.locator(field_selector).first
    assert field.get_attribute("aria-invalid") == "true", f"{field_selector} is not marked invalid"
    ids = (field.get_attribute("aria-describedby") or "").split()
    texts = []
    for ref in ids:
        target = page.locator(f"[id='{ref}']")
        if target.count() and target.inner_text().strip():
            texts.append(target.inner_text().strip())
            box, own = target.bounding_box(), field.bounding_box()
            if box and own:
                gap = min(abs(box["y"] - own["y"]), abs(box["y"] - (own["y"] + own["height"])))
                assert gap < 250, f"the error for {field_selector} is {gap}px away from it"
    assert texts, f"no error text is tied to {field_selector} (aria-describedby={ids})"
    return " ".join(texts)


def shot(page, name, widths=(PHONE, DESKTOP)):
    """Full-page screenshots at phone and desktop width (test artefacts, not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for width in widths:
        page.set_viewport_size({"width": width, "height": original["height"]})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(original)


def no_horizontal_scroll(page):
    """At phone width nothing may stick out sideways."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px at phone width"


def mail_link(to, pattern=r"https?://\S+/accounts/confirm-email/\S+/"):
    """The first link matching ``pattern`` in the newest e-mail sent to ``to``."""
    from django.core import mail

    for message in reversed(mail.outbox):
        if to in message.to:
            bodies = [message.body] + [
                alt[0] for alt in getattr(message, "alternatives", []) if alt
            ]
            for body in bodies:
                found = re.search(pattern, body)
                if found:
                    return found.group(0)
    raise AssertionError(f"no e-mail to {to} with a link like {pattern}")


def staff(role, **scope):
    """A staff persona with MFA; returns (user, totp secret)."""
    from tests.factories import enrol_mfa, make_persona

    user = make_persona(role, mfa=False, **scope)
    return user, enrol_mfa(user)
