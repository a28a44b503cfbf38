"""Every page in each role's menu, on a phone: it opens, fits the screen, passes axe."""

import pytest

from accounts.models import Membership
from tests.browser.conftest import PHONE, login, staff
from tests.factories import TEST_PASSWORD, region

Role = Membership.Role
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _user(request, role):
    if role == "reservist":
        return request.getfixturevalue("reservist"), None
    if role == "care_org":
        return request.getfixturevalue("care_org_user"), None
    if role == "regional":
        return staff(Role.REGIONAL, region=region("VR09"))
    if role == "national":
        return staff(Role.NATIONAL)
    return staff(Role.TRIANGLE, party=Membership.Party.VWS)


@pytest.mark.parametrize("role", ["reservist", "care_org", "regional", "national", "triangle"])
def test_every_menu_page_opens_fits_a_phone_and_passes_axe(axe, page_at, request, role):
    user, secret = _user(request, role)
    page = page_at(PHONE)
    login(page, user.email, TEST_PASSWORD, totp_secret=secret)
    links = page.locator("nav.nzr-nav a.nzr-nav__link").evaluate_all(
        "links => [...new Set(links.map(a => a.getAttribute('href')))]"
    )
    assert links, f"no menu for {role}"
    broken, sideways = [], []
    for href in links:
        if href.startswith("/admin/"):
            continue  # Django's own admin layout is not made for phones
        response = page.goto(href)
        if response is None or response.status >= 400:
            broken.append(f"{href}: {response.status if response else 'no response'}")
            continue
        overflow = page.evaluate(SIDEWAYS)
        if overflow > 1:
            sideways.append(f"{href}: {overflow}px")
        axe.check(page)
    assert axe.pages >= 2, f"only {axe.pages} menu page(s) checked for {role}: {links}"
    assert not broken, f"menu pages of {role} that fail: {broken}"
    assert not sideways, f"menu pages of {role} that scroll sideways at {PHONE}px: {sideways}"
    assert not page.nzr_errors, page.nzr_errors
    axe.assert_clean()
