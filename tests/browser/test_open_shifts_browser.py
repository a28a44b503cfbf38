"""A reservist on a phone finds an open shift and signs up (issue 20)."""

import pytest

from requests_app.models import Assignment
from tests.browser.conftest import DESKTOP, PHONE, check_a11y, login, no_horizontal_scroll, shot
from tests.factories import TEST_PASSWORD, CareOrganisationFactory, region
from tests.requests_app.factories import at, make_candidate, make_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reservist_finds_an_open_shift_on_a_phone_and_signs_up(page_at):
    organisation = CareOrganisationFactory(
        name="Verpleeghuis De Bilthovense Zorggemeenschap", region=region("VR09")
    )
    shift = make_request(
        organisation, shifts=[(at(2, 7), at(2, 15), 2, "verzorgende")]
    ).shifts.get()
    make_request(organisation, shifts=[(at(4, 15), at(4, 23), 1, "verzorgende")])
    reservist = make_candidate(user__password=TEST_PASSWORD)

    page = login(page_at(PHONE), reservist.user.email, TEST_PASSWORD)
    page.goto("/requests/open-shifts/")
    assert page.get_by_role("heading", name="Open diensten", level=1).is_visible()
    assert page.locator("a.nzr-nav__link", has_text="Open diensten").count() == 1
    no_horizontal_scroll(page)
    check_a11y(page)
    cards = page.locator("article.os-card")
    assert cards.count() == 2
    first = cards.first
    assert "nog 2 plaatsen vrij" in first.inner_text()
    assert organisation.name in first.inner_text()
    # cards on the phone: one column, each as wide as the screen allows
    box = first.bounding_box()
    assert box["width"] <= PHONE and box["width"] > PHONE * 0.7
    shot(page, "20-open-shifts-list")

    page.get_by_label("Weergeven").select_option("week")
    page.get_by_role("button", name="Tonen").click()
    page.wait_for_load_state()
    assert page.locator(".os-day").count() == 7
    no_horizontal_scroll(page)
    check_a11y(page)
    shot(page, "20-open-shifts-week")
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    days = page.locator(".os-day")
    assert days.nth(0).bounding_box()["y"] == days.nth(1).bounding_box()["y"]  # a week grid
    page.set_viewport_size({"width": PHONE, "height": 900})

    page.goto("/requests/open-shifts/")
    page.locator("article.os-card").first.get_by_role("button", name="Inschrijven").click()
    page.wait_for_load_state()
    assert "U bent ingeroosterd" in page.locator("main").inner_text()
    assert Assignment.objects.filter(shift=shift, reservist=reservist, status="confirmed").exists()
    assert not page.nzr_errors, page.nzr_errors
