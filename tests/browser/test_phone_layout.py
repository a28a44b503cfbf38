"""On a phone the menu folds behind one button, and no table breaks a word inside a cell."""

import pytest

from accounts.models import Membership
from tests.browser.conftest import DESKTOP, PHONE, keyboard_reaches, login, shot, staff
from tests.factories import TEST_PASSWORD, region

Role = Membership.Role
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every word of every table cell, with the number of line boxes it is drawn on: a word on two
# lines was broken inside ("Wanne er"). Words are split on white space and hyphens, where a
# line may rightly break.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll("table th, table td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      const re = /[^\\s\\-\\u00ad\\u2010-\\u2014\\/]+/g;
      let match;
      while ((match = re.exec(text))) {
        if (match[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def _user(request, role):
    if role == "reservist":
        return request.getfixturevalue("reservist"), None
    if role == "care_org":
        return request.getfixturevalue("care_org_user"), None
    if role == "regional":
        return staff(Role.REGIONAL, region=region("VR09"))
    return staff(Role.NATIONAL)


@pytest.mark.parametrize("role", ["reservist", "care_org", "regional", "national"])
def test_phone_menu_folds_behind_one_button(page_at, request, role):
    user, secret = _user(request, role)
    page = page_at(PHONE)
    login(page, user.email, TEST_PASSWORD, totp_secret=secret)
    toggle = page.locator("button.nzr-nav__toggle")
    links = page.locator("nav.nzr-nav a.nzr-nav__link")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert links.first.is_hidden(), "the menu links come before the content on a phone"
    # The page's heading is on the first screen, not below a list of links.
    assert page.locator("main h1").first.bounding_box()["y"] < 300
    shot(page, f"phone-menu-folded-{role}", widths=(PHONE,))

    keyboard_reaches(page, "button.nzr-nav__toggle")
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert links.first.is_visible()
    assert links.count() >= 2
    shot(page, f"phone-menu-open-{role}", widths=(PHONE,))
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert links.first.is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('nzr-nav__toggle')")
    assert not page.nzr_errors, page.nzr_errors


def test_desktop_menu_is_open_without_a_button(page_at, reservist):
    page = page_at(DESKTOP)
    login(page, reservist.email, TEST_PASSWORD)
    assert page.locator("button.nzr-nav__toggle").is_hidden()
    assert page.locator("nav.nzr-nav a.nzr-nav__link").first.is_visible()


@pytest.mark.parametrize("role", ["care_org", "regional", "national"])
def test_phone_tables_keep_their_words_whole(page_at, request, role):
    user, secret = _user(request, role)
    page = page_at(PHONE)
    login(page, user.email, TEST_PASSWORD, totp_secret=secret)
    hrefs = page.locator("nav.nzr-nav a.nzr-nav__link").evaluate_all(
        "links => [...new Set(links.map(a => a.getAttribute('href')))]"
    )
    tables, broken = 0, {}
    for href in hrefs:
        if href.startswith("/admin/"):
            continue
        page.goto(href)
        tables += page.locator("table").count()
        if page.locator("table").count():
            shot(page, f"phone-tables-{role}-{href.strip('/').replace('/', '-')}")
        words = page.evaluate(BROKEN_WORDS)
        if words:
            broken[href] = words[:8]
    assert tables, f"no table on the menu pages of {role}: {hrefs}"
    assert not broken, f"words broken inside table cells at {PHONE}px: {broken}"
