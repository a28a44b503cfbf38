"""A coordinator on a phone reads why nobody fits a shift (issue 20 part 4)."""

import pytest

from accounts.models import Membership
from tests.browser.conftest import PHONE, check_a11y, login, no_horizontal_scroll, shot, staff
from tests.factories import TEST_PASSWORD, CareOrganisationFactory, region
from tests.requests_app.factories import at, make_candidate, make_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_reads_where_the_pool_runs_dry(page_at):
    organisation = CareOrganisationFactory(name="Zorgcentrum De Linde", region=region("VR09"))
    req = make_request(organisation, shifts=[(at(3, 7), at(3, 15), 2, "verzorgende")])
    make_candidate()  # fits
    make_candidate(regions=("VR13",))  # not willing to work in Utrecht
    make_candidate(regions=("VR13",))
    user, secret = staff(Membership.Role.REGIONAL, region=region("VR09"))

    page = login(page_at(PHONE), user.email, TEST_PASSWORD, totp_secret=secret)
    page.goto(f"/requests/{req.pk}/")
    page.get_by_role("link", name="Waarom nog niemand past").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Waarom nog niemand past", level=1).is_visible()
    steps = page.locator(".nzr-funnel__step")
    assert steps.count() == 7
    texts = [steps.nth(i).inner_text() for i in range(7)]
    assert "In de reserve (actief)" in texts[0] and "3 reservisten" in texts[0]
    assert "Bereid om in deze regio en sector te werken" in texts[2] and "1 reservist" in texts[2]
    assert not page.locator(".nzr-funnel__step--dry").count()  # one fits: nothing dry yet
    no_horizontal_scroll(page)
    check_a11y(page)
    shot(page, "20-funnel")
    assert not page.nzr_errors, page.nzr_errors
