"""Journey 2: a regional coordinator vets the new reservist and records a training."""

import re

import pytest
from django.utils import timezone

from accounts.models import Membership
from registry.models import Reservist
from tests.browser.conftest import DESKTOP, keyboard_reaches, login, shot, staff
from tests.factories import TEST_PASSWORD, ReservistFactory, region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_regional_coordinator_vets_the_reservist_and_records_a_training(axe, page_at):
    reservist = ReservistFactory(
        first_name="Trudy", last_name="Bakker", status=Reservist.Status.APPLIED
    )
    coordinator, secret = staff(Membership.Role.REGIONAL, region=region("VR09"))

    page = page_at(DESKTOP)
    login(page, coordinator.email, TEST_PASSWORD, totp_secret=secret)
    page.wait_for_url(re.compile(r"/region/"))
    axe.check(page)
    shot(page, "2-workspace")

    # The new reservist waits for vetting in the work queue.
    page.locator(f"main a[href$='/register/reservists/{reservist.pk}/']").first.click()
    page.wait_for_url(re.compile(rf"/register/reservists/{reservist.pk}/"))
    axe.check(page)

    # Record every required check as passed, by keyboard for the first one.
    checks = page.locator("#vetting select[name=check] option").evaluate_all(
        "opts => opts.map(o => o.value).filter(Boolean)"
    )
    assert checks, "the vetting form offers no checks"
    for i, check in enumerate(checks):
        page.select_option("#vetting select[name=check]", check)
        page.check("#vetting input[name=outcome][value=pass]")
        page.fill("#vetting textarea[name=note]", f"{check} in orde")
        if check == "vog":
            page.fill("#vetting input[name=issued_on]", str(timezone.localdate()))
        button = "#vetting form[action$='/vetting/'] button[type=submit]"
        if i == 0:
            keyboard_reaches(page, button).press("Enter")
        else:
            page.locator(button).click()
        page.wait_for_load_state()
        assert page.locator(".nzr-messages").count(), "no confirmation after recording a check"
    axe.check(page)
    shot(page, "2-reservist-vetted")
    reservist.refresh_from_db()
    assert reservist.status == Reservist.Status.ACTIVE, page.locator(".nzr-messages").inner_text()

    # Record a training.
    courses = page.locator("#training select[name=course] option").evaluate_all(
        "opts => opts.map(o => o.value).filter(Boolean)"
    )
    assert courses, "the training form offers no courses"
    page.select_option("#training select[name=course]", courses[0])
    page.fill("#training input[name=completed_on]", timezone.localdate().isoformat())
    page.locator("#training button[type=submit]").click()
    page.wait_for_load_state()
    axe.check(page)
    shot(page, "2-reservist-trained")
    assert reservist.training_records.filter(course__code=courses[0]).exists()
    assert page.locator("#training table").count() == 1
    assert not page.nzr_errors, page.nzr_errors
    axe.assert_clean()
